-- Vacancy postings: staging (one row per normalised posting per run), core (one row per posting,
-- with its duplicate cluster), skills per posting, and quarantine.
create table if not exists staging.vacancies (
    run_id           varchar not null,
    vacancy_id       varchar not null,     -- sha256(source | source_id), stable across runs
    source           varchar not null,
    source_id        varchar not null,
    url              varchar,
    canonical_url    varchar,
    title            varchar not null,
    employer_name    varchar,
    date_posted      date,
    valid_through    date,
    employment_type  varchar,
    is_remote        boolean,
    locality         varchar,
    country_code     varchar,
    region_code      varchar,
    salary_min       double precision,
    salary_max       double precision,
    salary_currency  varchar,
    salary_period    varchar,
    salary_monthly   double precision,
    description_text varchar,
    language         varchar,
    isco08           varchar,
    isco_label       varchar,
    isco_confidence  double precision not null,
    isco_method      varchar not null,
    isic4_section    varchar,
    skill_uris       varchar,              -- '|'-separated ESCO skill URIs
    content_hash     varchar not null,     -- what changed detection compares
    raw_sha256       varchar,              -- the landed bytes this row was parsed from
    fetched_at       timestamp not null
);

create table if not exists core.vacancies (
    vacancy_id       varchar primary key,
    source           varchar not null,
    source_id        varchar not null,
    url              varchar,
    canonical_url    varchar,
    title            varchar not null,
    employer_name    varchar,
    date_posted      date,
    valid_through    date,
    employment_type  varchar,
    is_remote        boolean,
    locality         varchar,
    country_code     varchar,
    region_code      varchar,
    salary_min       double precision,
    salary_max       double precision,
    salary_currency  varchar,
    salary_period    varchar,
    salary_monthly   double precision,
    description_text varchar,
    language         varchar,
    isco08           varchar,
    isco_label       varchar,
    isco_confidence  double precision not null,
    isco_method      varchar not null,
    isic4_section    varchar,
    content_hash     varchar not null,
    cluster_id       varchar not null,     -- vacancy_id of the cluster's first posting
    is_duplicate     boolean not null,     -- true for every posting of a cluster but its first
    first_seen_at    timestamp not null,
    last_seen_at     timestamp not null,
    loaded_run_id    varchar not null
);

create table if not exists core.vacancy_skills (
    vacancy_id  varchar not null,
    skill_uri   varchar not null,
    primary key (vacancy_id, skill_uri)
);

create table if not exists quarantine.vacancies (
    run_id               varchar not null,
    source               varchar not null,
    record_key           varchar,
    record               varchar not null,  -- the rejected row as JSON
    failed_expectations  varchar not null,
    offending_values     varchar,
    quarantined_at       timestamp not null
);
