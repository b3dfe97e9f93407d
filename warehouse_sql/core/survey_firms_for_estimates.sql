select survey_id, wave, submission_id, submitted_at, region_code, isic4_section, size_band,
       weight
from core.survey_firms
order by survey_id, submission_id
