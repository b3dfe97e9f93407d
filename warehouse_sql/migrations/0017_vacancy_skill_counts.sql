-- Skill mentions per cell, kept across runs and counted again only in the cells whose
-- postings changed (etl/warehouse/skill_counts.py): published.skills_demand and
-- published.opportunities read them instead of joining every posting with every one of
-- its skills on each publish. Both start empty, so the first publish counts every cell.
create table if not exists core.vacancy_skill_postings (
    vacancy_id     varchar not null,
    quarter_index  integer not null,
    national_code  varchar not null,
    region_code    varchar,              -- the posting's own region; null: none given
    isco08         varchar not null,
    loaded_run_id  varchar not null,
    content_hash   varchar not null
);

create table if not exists core.vacancy_skill_counts (
    quarter_index         integer not null,
    national_code         varchar not null,
    region_code           varchar,       -- null: postings with no region (the nation only)
    isco08                varchar not null,
    skill_uri             varchar not null,
    vacancies_mentioning  bigint not null
);
