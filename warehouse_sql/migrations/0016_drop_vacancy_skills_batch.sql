-- core.vacancy_skills_batch, the work table that held the skills of the postings staged so
-- far, is no longer used: the load splits them out of staging.vacancies.skill_uris
-- (core/insert_vacancy_skills_of_run.sql).
drop table if exists core.vacancy_skills_batch;
