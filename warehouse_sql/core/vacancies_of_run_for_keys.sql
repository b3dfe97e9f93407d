-- A page of the postings a run loaded (keyset pagination on vacancy_id: bounded reads).
select vacancy_id, employer_name, region_code, country_code, locality, title,
       coalesce(date_posted, cast(first_seen_at as date)) as date_posted
from core.vacancies
where loaded_run_id = :run_id and vacancy_id > :after
order by vacancy_id
limit :page_rows
