-- Work table of deduplication: clusters whose first posting changed in this run (a new
-- earlier posting joined, two clusters merged, or the first posting was edited away), for
-- their members that the run did not re-read (outside the blocks' date windows).
create table if not exists core.cluster_relabel (
    run_id varchar not null, old_cluster_id varchar not null, new_cluster_id varchar not null
)
