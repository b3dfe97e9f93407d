select fetched from ops.run_ledger
where source = :source and run_id <> :run_id and status = 'success'
order by finished_at desc
limit 1
