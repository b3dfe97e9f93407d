-- Blocking keys of deduplication, one row per posting: postings are compared only inside a
-- block (same normalised employer and region). Computed in Python (employer legal forms,
-- accents) when a posting is loaded or changed, so that a run re-reads only the blocks it
-- touched. block_key is '' for postings that are only deduplicated exactly (no employer,
-- region, date or title).
create table if not exists core.vacancy_dedup_keys (
    vacancy_id varchar not null, block_key varchar not null, title_key varchar not null
)
