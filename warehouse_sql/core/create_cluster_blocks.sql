create table if not exists core.cluster_blocks (run_id varchar not null, block_key varchar not null)
