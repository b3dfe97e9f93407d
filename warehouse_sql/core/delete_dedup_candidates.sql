delete from core.dedup_candidates where run_id = :run_id
