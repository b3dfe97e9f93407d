-- A page of the postings a run loaded that have no blocking keys yet (those staged without
-- them; keyset pagination on vacancy_id: bounded reads).
select v.vacancy_id, v.employer_name, v.region_code, v.country_code, v.locality, v.title,
       coalesce(v.date_posted, cast(v.first_seen_at as date)) as date_posted
from core.vacancies as v
where v.loaded_run_id = :run_id and v.vacancy_id > :after
  and not exists (select 1 from core.vacancy_dedup_keys as k where k.vacancy_id = v.vacancy_id)
order by v.vacancy_id
limit :page_rows
