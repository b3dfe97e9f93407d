-- Deduplication's blocking keys travel with the staged posting: they are pure functions of
-- the record (employer, region, title), computed where the record is prepared (the worker
-- processes of a large load), and core.vacancy_dedup_keys is filled from staging by one
-- statement instead of a pass in Python over every posting the run loaded. Rows staged
-- before this migration have none; deduplication computes those as before.
alter table staging.vacancies add column if not exists block_key varchar;
alter table staging.vacancies add column if not exists title_key varchar;
