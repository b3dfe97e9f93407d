select vacancy_id, employer_name, region_code, country_code, locality, title,
       coalesce(date_posted, cast(first_seen_at as date)) as date_posted
from core.vacancies
where loaded_run_id = :run_id
