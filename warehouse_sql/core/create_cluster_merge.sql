create table if not exists core.cluster_merge (
    run_id varchar not null, old_cluster_id varchar not null, new_cluster_id varchar not null
)
