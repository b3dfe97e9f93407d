-- Unchanged postings seen again: only last_seen_at moves (it drives the active flag).
update core.vacancies
set last_seen_at = :seen_at
where vacancy_id in (
    select vacancy_id from core.seen_batch where run_id = :run_id and source = :source
)
