select count(*) as postings,
       coalesce(sum(case when is_duplicate then 1 else 0 end), 0) as duplicates
from core.vacancies
