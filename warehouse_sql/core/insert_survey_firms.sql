insert into core.survey_firms (
    survey_id, wave, submission_id, submitted_at, firm_id, firm_name, isic4_section,
    region_code, size_band, weight, loaded_run_id
)
select s.survey_id, s.wave, s.submission_id, s.submitted_at, s.firm_id, s.firm_name,
       s.isic4_section, s.region_code, s.size_band, s.weight, s.run_id
from staging.survey_firms as s
where s.run_id = :run_id
  and not exists (
      select 1 from core.survey_firms as f
      where f.survey_id = s.survey_id and f.submission_id = s.submission_id
  )
