-- Members of the clusters a URL link merges (to pick the merged cluster's first posting).
select b.cluster_id, b.vacancy_id,
       coalesce(v.date_posted, cast(v.first_seen_at as date)) as date_posted
from core.cluster_batch as b
join core.vacancies as v on v.vacancy_id = b.vacancy_id
join core.cluster_merge as m on m.run_id = b.run_id and m.old_cluster_id = b.cluster_id
where b.run_id = :run_id
