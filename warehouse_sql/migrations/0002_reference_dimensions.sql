-- Conformed reference dimensions, loaded from data files shipped in the package.
create table if not exists core.dim_occupation (
    isco08        varchar primary key,   -- '2', '25', '251', '2512' (leading zeros kept)
    isco_level    integer not null,      -- number of digits: 1 major … 4 unit group
    title_en      varchar not null,
    title_fr      varchar,
    parent_isco08 varchar                -- null for major groups
);

create table if not exists core.dim_activity (
    isic4         varchar primary key,   -- 'A', '01', '011', '0111'
    isic_level    integer not null,      -- 1 section … 4 class
    title_en      varchar not null,
    section       varchar not null       -- the section letter this code belongs to
);

create table if not exists core.dim_region (
    region_code   varchar primary key,   -- ISO 3166-2 subdivision, or the ISO 3166-1 alpha-2 code for the nation
    country_code  varchar not null,      -- ISO 3166-1 alpha-2
    region_name   varchar not null,
    region_type   varchar not null,      -- 'country' or the ISO subdivision type ('Region', …)
    is_national   boolean not null
);
