-- The postings of one chunk still in the work table: after keep_unchanged_in_seen_batch,
-- those whose content is already in core (nothing to code, check or load). Read from the
-- chunk's own rows, so that core.vacancies is scanned once per chunk, by the delete.
select vacancy_id
from core.seen_batch
where run_id = :run_id and source = :source and chunk = :chunk
