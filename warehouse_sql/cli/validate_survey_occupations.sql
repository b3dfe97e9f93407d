select o.*, f.region_code
from core.survey_occupations as o
join core.survey_firms as f on f.survey_id = o.survey_id and f.submission_id = o.submission_id
