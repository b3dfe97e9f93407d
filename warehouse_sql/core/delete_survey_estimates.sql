delete from core.survey_estimates
