-- Posting dates of clusters' first postings that lie outside the blocks re-read (to tell
-- which of two merged clusters came first).
select c.vacancy_id, coalesce(v.date_posted, cast(v.first_seen_at as date)) as date_posted
from core.dedup_candidates as c
join core.vacancies as v on v.vacancy_id = c.vacancy_id
where c.run_id = :run_id
