delete from core.cluster_relabel where run_id = :run_id
