delete from core.cluster_batch where run_id = :run_id
