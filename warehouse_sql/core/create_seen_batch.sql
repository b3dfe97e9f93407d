-- Work table of the streaming load: the postings of a run's chunks with their content hash,
-- kept only for those found unchanged (their last_seen_at moves when the source is loaded).
-- Keyed by run and source so that sources loading at the same time do not meet.
create table if not exists core.seen_batch (
    run_id varchar not null, source varchar not null, chunk integer not null,
    vacancy_id varchar not null, content_hash varchar not null
)
