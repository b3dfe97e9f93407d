delete from staging.labour_observations where run_id = :run_id
