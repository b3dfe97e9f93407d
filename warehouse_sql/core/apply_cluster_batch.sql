-- Only postings whose cluster changed are written (a re-clustered block mostly stays as it was).
update core.vacancies
set cluster_id = b.cluster_id,
    is_duplicate = (b.cluster_id <> b.vacancy_id)
from core.cluster_batch as b
where b.run_id = :run_id
  and core.vacancies.vacancy_id = b.vacancy_id
  and (core.vacancies.cluster_id <> b.cluster_id
       or core.vacancies.is_duplicate <> (b.cluster_id <> b.vacancy_id))
