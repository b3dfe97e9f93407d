-- Recent ledger rows of one source, newest first (lmis runs SOURCE).
select run_id, dag_id, data_interval_start, data_interval_end, fetched, loaded, quarantined,
       duplicates, unchanged, unclassified, status, detail, started_at, finished_at
from ops.run_ledger
where source = :source
order by finished_at desc, run_id desc
limit :limit
