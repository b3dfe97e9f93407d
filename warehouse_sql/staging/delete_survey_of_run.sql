delete from staging.survey_firms where run_id = :run_id
