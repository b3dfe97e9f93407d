-- Returnee profiles, second step: which source a profile came from, change detection, the
-- first registration carried through staging, how the occupation abroad was coded; the
-- skills each returnee declared (one row per ESCO skill, so SQL can join them on both
-- engines); ESCO essential skills per ISCO-08 unit group for the counsellors' skills match;
-- and two additive columns of published.returnees_summary (age bands, skills brought).
alter table staging.returnee_profiles add column if not exists source varchar;
alter table staging.returnee_profiles add column if not exists first_registered_at date;
alter table staging.returnee_profiles add column if not exists isco_method varchar;
alter table staging.returnee_profiles add column if not exists content_hash varchar;

alter table core.returnee_profiles add column if not exists source varchar;
alter table core.returnee_profiles add column if not exists isco_method varchar;
alter table core.returnee_profiles add column if not exists content_hash varchar;

create table if not exists core.returnee_skills (
    person_key  varchar not null,
    skill_uri   varchar not null,
    primary key (person_key, skill_uri)
);

-- ESCO essential skills of each ISCO-08 unit group: how many of the group's ESCO
-- occupations need the skill, and its rank in the group (most shared first).
create table if not exists core.occupation_skills (
    isco08             varchar not null,
    skill_uri          varchar not null,
    esco_occupations   integer not null,   -- ESCO occupations of the group needing the skill
    group_occupations  integer not null,   -- ESCO occupations in the group
    skill_rank         integer not null,   -- 1 = shared by most occupations of the group
    primary key (isco08, skill_uri)
);

alter table published.returnees_summary add column if not exists age_15_24 bigint;
alter table published.returnees_summary add column if not exists age_25_34 bigint;
alter table published.returnees_summary add column if not exists age_35_44 bigint;
alter table published.returnees_summary add column if not exists age_45_plus bigint;
alter table published.returnees_summary add column if not exists skills_brought varchar;
