-- Work table of deduplication: the blocks (employer x region) a run touched, each with the
-- dates it is re-read between (its postings of the run, widened by the dedup window).
create table if not exists core.cluster_block_windows (
    run_id varchar not null, block_key varchar not null, since date not null,
    until date not null
)
