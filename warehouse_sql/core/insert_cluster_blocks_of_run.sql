-- The blocks a run touched: only these are re-clustered.
insert into core.cluster_blocks (run_id, block_key)
select distinct :run_id, k.block_key
from core.vacancy_dedup_keys as k
join core.vacancies as v on v.vacancy_id = k.vacancy_id
where v.loaded_run_id = :run_id and k.block_key <> ''
