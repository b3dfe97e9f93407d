delete from core.cluster_blocks where run_id = :run_id
