-- Postings of one chunk whose content is already in core: nothing to code, check or load.
select b.vacancy_id
from core.seen_batch as b
join core.vacancies as v on v.vacancy_id = b.vacancy_id and v.content_hash = b.content_hash
where b.run_id = :run_id and b.source = :source and b.chunk = :chunk
