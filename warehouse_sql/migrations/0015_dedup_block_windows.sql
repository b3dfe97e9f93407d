-- Deduplication re-reads each block a run touched in that block's own date window, not in
-- one window spanning the whole run (core.cluster_block_windows, a work table created by
-- the step itself). The former work table, keyed by block only, goes.
drop table if exists core.cluster_blocks;
