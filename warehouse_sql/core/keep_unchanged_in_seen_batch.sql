-- Only unchanged postings stay in the work table (they are touched when the source is loaded).
--
-- The postings found in core are joined first and the chunk's others deleted by id: an
-- inner join lets DuckDB build its hash table on the chunk's 10,000 rows and stream
-- core.vacancies past it, where `not exists` planned a mark join that hashed all of
-- core.vacancies for every chunk (1M postings: about 3 times slower, and a hash table of
-- every id and content hash in the loader's memory).
delete from core.seen_batch
where run_id = :run_id and source = :source and chunk = :chunk
  and vacancy_id not in (
      select b.vacancy_id
      from core.seen_batch as b
      join core.vacancies as v on v.vacancy_id = b.vacancy_id and v.content_hash = b.content_hash
      where b.run_id = :run_id and b.source = :source and b.chunk = :chunk
  )
