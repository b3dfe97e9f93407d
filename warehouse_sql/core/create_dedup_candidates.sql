create table if not exists core.dedup_candidates (run_id varchar not null, vacancy_id varchar not null)
