-- dialect: postgresql
-- core.vacancy_skills has no key since 0014 (DuckDB's in-memory key index outgrew its
-- memory limit), and so no index on PostgreSQL either: the load's delete of the skills of
-- the postings it stages (core/delete_vacancy_skills_of_run.sql) read the whole table, about
-- 6.6 rows per posting ever loaded, once per source and run, so a daily run's cost grew
-- with the history. A b-tree on vacancy_id finds a run's postings' pairs. DuckDB gets none
-- (its index would be the in-memory ART 0014 removed).
create index if not exists vacancy_skills_vacancy_id on core.vacancy_skills (vacancy_id);
