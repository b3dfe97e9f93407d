select min(coalesce(date_posted, cast(first_seen_at as date))) as first_date,
       max(coalesce(date_posted, cast(first_seen_at as date))) as last_date
from core.vacancies
where loaded_run_id = :run_id
