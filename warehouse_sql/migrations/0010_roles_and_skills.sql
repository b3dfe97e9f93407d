-- Indicator roles (which observatory indicator plays which part in the method) and the
-- ESCO skills vocabulary used to label tagged skills.
create table if not exists core.indicator_roles (
    indicator  varchar not null,
    role       varchar not null,     -- 'jobseekers', 'unemployed', 'wages'
    primary key (indicator, role)
);

create table if not exists core.dim_skill (
    skill_uri   varchar primary key,
    skill_type  varchar,
    label_en    varchar not null,
    label_fr    varchar
);
