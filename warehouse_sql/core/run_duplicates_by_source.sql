select source, count(*) as duplicates
from core.vacancies
where loaded_run_id = :run_id and is_duplicate
group by source
