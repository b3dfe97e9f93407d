select count(*) from core.survey_estimates
