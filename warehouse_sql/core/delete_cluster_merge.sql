delete from core.cluster_merge where run_id = :run_id
