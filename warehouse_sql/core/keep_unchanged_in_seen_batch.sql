-- Only unchanged postings stay in the work table (they are touched when the source is loaded).
delete from core.seen_batch
where run_id = :run_id and source = :source and chunk = :chunk
  and not exists (
      select 1 from core.vacancies as v
      where v.vacancy_id = core.seen_batch.vacancy_id
        and v.content_hash = core.seen_batch.content_hash
  )
