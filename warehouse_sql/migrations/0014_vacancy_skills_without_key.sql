-- core.vacancy_skills without its primary key. DuckDB keeps a key's index (an ART) in
-- memory, and this table has about five rows per posting: at a million postings the
-- index alone outgrew the embedded warehouse's memory limit (measured: inserting 2.5
-- million pairs under a 512 MB limit failed with "could not allocate block"). A pair
-- stays unique by construction: the load deletes the skills of every posting it stages
-- and inserts the run's pairs with SELECT DISTINCT, in one transaction
-- (core/delete_vacancy_skills_of_run.sql, core/insert_vacancy_skills_of_run.sql).
-- DuckDB cannot drop a constraint, so the table is copied (same columns, same rows).
create table core.vacancy_skills_unkeyed (
    vacancy_id  varchar not null,
    skill_uri   varchar not null
);

insert into core.vacancy_skills_unkeyed (vacancy_id, skill_uri)
select vacancy_id, skill_uri from core.vacancy_skills;

drop table core.vacancy_skills;

alter table core.vacancy_skills_unkeyed rename to vacancy_skills;
