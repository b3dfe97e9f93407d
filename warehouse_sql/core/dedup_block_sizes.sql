-- Postings per touched block inside its date window: how the blocks are batched.
select k.block_key, count(*) as postings
from core.vacancy_dedup_keys as k
join core.cluster_block_windows as b on b.block_key = k.block_key and b.run_id = :run_id
join core.vacancies as v on v.vacancy_id = k.vacancy_id
where coalesce(v.date_posted, cast(v.first_seen_at as date)) between b.since and b.until
group by k.block_key
order by k.block_key
