delete from core.vacancy_skills
where vacancy_id in (
    select vacancy_id from staging.vacancies where run_id = :run_id and source = :source
)
