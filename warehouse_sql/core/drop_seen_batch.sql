-- The run's rows of the work table, once used (the table stays for other runs and sources).
delete from core.seen_batch where run_id = :run_id and source = :source
