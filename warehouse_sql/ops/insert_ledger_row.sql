insert into ops.run_ledger (
    run_id, source, dag_id, data_interval_start, data_interval_end, fetched, loaded,
    quarantined, duplicates, unchanged, unclassified, status, detail, started_at, finished_at
) values (
    :run_id, :source, :dag_id, :data_interval_start, :data_interval_end, :fetched, :loaded,
    :quarantined, :duplicates, :unchanged, :unclassified, :status, :detail, :started_at,
    :finished_at
)
