create table if not exists core.seen_batch (vacancy_id varchar not null)
