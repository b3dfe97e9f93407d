delete from core.vacancy_dedup_keys
where vacancy_id in (select vacancy_id from core.vacancies where loaded_run_id = :run_id)
