create table if not exists core.cluster_batch (
    vacancy_id varchar not null, cluster_id varchar not null, is_duplicate boolean not null
)
