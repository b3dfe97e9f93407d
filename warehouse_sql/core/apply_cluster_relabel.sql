-- Members of a relabelled cluster that the run did not re-read follow their cluster. A
-- cluster relabelled twice (it reaches two blocks of different batches) takes one of
-- them deterministically.
update core.vacancies
set cluster_id = r.new_cluster_id,
    is_duplicate = (r.new_cluster_id <> core.vacancies.vacancy_id)
from (
    select old_cluster_id, min(new_cluster_id) as new_cluster_id
    from core.cluster_relabel
    where run_id = :run_id
    group by old_cluster_id
) as r
where core.vacancies.cluster_id = r.old_cluster_id
  and not exists (
      select 1 from core.cluster_batch as b
      where b.run_id = :run_id and b.vacancy_id = core.vacancies.vacancy_id
  )
