-- The blocks a run touched, with their own date windows: only these are re-clustered, and
-- only between the earliest and the latest posting the run brought into the block, widened
-- by the window (a block touched by today's postings is not re-read back to January).
insert into core.cluster_block_windows (run_id, block_key, since, until)
select :run_id, k.block_key,
       min(coalesce(v.date_posted, cast(v.first_seen_at as date))) - cast(:window_days as integer),
       max(coalesce(v.date_posted, cast(v.first_seen_at as date))) + cast(:window_days as integer)
from core.vacancy_dedup_keys as k
join core.vacancies as v on v.vacancy_id = k.vacancy_id
where v.loaded_run_id = :run_id and k.block_key <> ''
group by k.block_key
