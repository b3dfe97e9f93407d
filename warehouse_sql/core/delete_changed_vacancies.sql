-- DuckDB: changed postings are replaced, not updated (it rewrites every column segment an
-- UPDATE touches at its next checkpoint, descriptions included, while a deleted row is
-- only marked). The new versions are inserted with the new postings, in the same
-- transaction (upsert_vacancies_insert).
delete from core.vacancies
where vacancy_id in (
    select vacancy_id from core.vacancies_replaced where run_id = :run_id and source = :source
)
