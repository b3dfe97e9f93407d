-- Skills of the postings this run staged for the source (set-based; duplicates removed),
-- split out of the staged rows' '|'-separated skill_uris in the database: staging them
-- again as pairs from Python wrote about 6.6 rows per posting a second time.
insert into core.vacancy_skills (vacancy_id, skill_uri)
select distinct vacancy_id, skill_uri
from (
    select vacancy_id, unnest(string_to_array(skill_uris, '|')) as skill_uri
    from staging.vacancies
    where run_id = :run_id and source = :source and skill_uris is not null
) as pairs
where skill_uri <> ''
