select submission_id from core.survey_firms where survey_id = :survey_id
