delete from core.vacancy_skills_batch where run_id = :run_id and source = :source
