-- dialect: postgresql
-- staging.vacancies keeps every run's staged rows, and the load reads back only its own run's
-- (upsert into core, skills, seen) by run_id: without an index each of those statements
-- reads the whole table, descriptions included, so a daily run's load cost grew with the
-- history. Rows are appended run by run, so a BRIN index (a few pages: the run ids of each
-- block range) finds a run's blocks. DuckDB gets none: its scans skip row groups by their
-- min/max statistics.
create index if not exists staging_vacancies_run_brin
    on staging.vacancies using brin (run_id, source);
