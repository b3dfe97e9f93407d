-- Blocking keys of the postings the run loaded, as prepared with each staged record
-- (etl.pipelines.vacancy_records.prepare_record); postings staged without them are keyed
-- by core/vacancies_of_run_for_keys in Python.
insert into core.vacancy_dedup_keys (vacancy_id, block_key, title_key)
select v.vacancy_id, s.block_key, s.title_key
from core.vacancies as v
join staging.vacancies as s
  on s.vacancy_id = v.vacancy_id and s.run_id = :run_id
where v.loaded_run_id = :run_id
  and s.block_key is not null
  and s.title_key is not null
