delete from staging.survey_occupations where run_id = :run_id
