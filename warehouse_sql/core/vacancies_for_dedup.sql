select vacancy_id, source, source_id, url, canonical_url, title, employer_name, region_code,
       coalesce(date_posted, cast(first_seen_at as date)) as date_posted, description_text
from core.vacancies
where coalesce(date_posted, cast(first_seen_at as date)) between :since and :until
order by vacancy_id
