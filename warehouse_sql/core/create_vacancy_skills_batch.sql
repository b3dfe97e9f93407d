-- Work table of the streaming load: skills of the postings staged so far, moved into
-- core.vacancy_skills with the postings once every chunk of the source passed validation.
create table if not exists core.vacancy_skills_batch (
    run_id varchar not null, source varchar not null, vacancy_id varchar not null,
    skill_uri varchar not null
)
