-- Work table of deduplication: the cluster (vacancy_id of its first posting) of every posting
-- re-clustered by a run. Keyed by run so that runs do not meet.
create table if not exists core.cluster_batch (
    run_id varchar not null, vacancy_id varchar not null, cluster_id varchar not null
)
