-- The beginning of the descriptions of the postings in a title pair (what is compared).
select c.vacancy_id, substr(v.description_text, 1, :description_chars) as description_text
from core.dedup_candidates as c
join core.vacancies as v on v.vacancy_id = c.vacancy_id
where c.run_id = :run_id
