select survey_id, wave, submission_id, isco08, vacancies, hard_to_fill, filled, applicants,
       suitable_applicants, skills_lacking
from core.survey_occupations
order by survey_id, submission_id, line_no
