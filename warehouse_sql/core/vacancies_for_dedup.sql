-- Postings of a range of touched blocks inside each block's date window, block by block,
-- earliest first: what title matching reads (descriptions are read later, only for title
-- pairs). ``in_run``: loaded (new or changed) by this run; the others keep their cluster.
select k.block_key, k.title_key, v.vacancy_id,
       coalesce(v.date_posted, cast(v.first_seen_at as date)) as date_posted,
       v.cluster_id,
       v.loaded_run_id = :run_id as in_run
from core.vacancy_dedup_keys as k
join core.cluster_block_windows as b on b.block_key = k.block_key and b.run_id = :run_id
join core.vacancies as v on v.vacancy_id = k.vacancy_id
where k.block_key between :first_block and :last_block
  and coalesce(v.date_posted, cast(v.first_seen_at as date)) between b.since and b.until
order by k.block_key, coalesce(v.date_posted, cast(v.first_seen_at as date)), v.vacancy_id
