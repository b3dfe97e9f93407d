delete from ops.run_ledger where run_id = :run_id and source = :source
