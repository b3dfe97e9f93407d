-- Postings of the run that no block re-clustered start as their own cluster (exact matches
-- by URL are applied next).
insert into core.cluster_batch (run_id, vacancy_id, cluster_id)
select :run_id, v.vacancy_id, v.vacancy_id
from core.vacancies as v
where v.loaded_run_id = :run_id
  and not exists (
      select 1 from core.cluster_batch as b
      where b.run_id = :run_id and b.vacancy_id = v.vacancy_id
  )
