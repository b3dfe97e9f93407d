insert into core.survey_occupations (
    survey_id, wave, submission_id, line_no, occupation_text, isco08, isco_confidence,
    vacancies, hard_to_fill, filled, applicants, suitable_applicants, skills_lacking, reasons,
    loaded_run_id
)
select s.survey_id, s.wave, s.submission_id, s.line_no, s.occupation_text, s.isco08,
       s.isco_confidence, s.vacancies, s.hard_to_fill, s.filled, s.applicants,
       s.suitable_applicants, s.skills_lacking, s.reasons, s.run_id
from staging.survey_occupations as s
where s.run_id = :run_id
  and not exists (
      select 1 from core.survey_occupations as o
      where o.survey_id = s.survey_id and o.submission_id = s.submission_id
        and o.line_no = s.line_no
  )
