select count(*) from staging.vacancies where run_id = :run_id and source = :source
