-- Skills of the postings this run staged for the source (set-based; duplicates removed).
insert into core.vacancy_skills (vacancy_id, skill_uri)
select distinct vacancy_id, skill_uri
from core.vacancy_skills_batch
where run_id = :run_id and source = :source
