delete from core.cluster_block_windows where run_id = :run_id
