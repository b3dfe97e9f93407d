-- Work table of the load: what a changed posting keeps from its previous version (when it
-- was first seen, its cluster) while the old row is deleted and the new one inserted.
create table if not exists core.vacancies_replaced (
    run_id varchar not null, source varchar not null, vacancy_id varchar not null,
    first_seen_at timestamp not null, cluster_id varchar not null, is_duplicate boolean not null
)
