-- Returnee skills profiles: pseudonymised at ingestion (no names, contacts or document numbers).
create table if not exists staging.returnee_profiles (
    run_id               varchar not null,
    person_key           varchar not null,   -- HMAC-SHA256 of the PES person identifier
    sex                  varchar,
    age_band             varchar,
    return_date          date,
    destination_country  varchar,
    isco08_abroad        varchar,
    isco_confidence      double precision,
    isco08_before        varchar,
    skill_uris           varchar,
    isced_level          integer,
    has_certificate      boolean,
    certificate_recognised boolean,
    region_code          varchar,
    wants_job            boolean,
    wants_training       boolean,
    wants_business       boolean,
    registered_at        date not null
);

create table if not exists core.returnee_profiles (
    person_key           varchar primary key,
    sex                  varchar,
    age_band             varchar,
    return_date          date,
    destination_country  varchar,
    isco08_abroad        varchar,
    isco_confidence      double precision,
    isco08_before        varchar,
    skill_uris           varchar,
    isced_level          integer,
    has_certificate      boolean,
    certificate_recognised boolean,
    region_code          varchar,
    wants_job            boolean,
    wants_training       boolean,
    wants_business       boolean,
    first_registered_at  date not null,
    registered_at        date not null,      -- latest registration
    loaded_run_id        varchar not null
);

create table if not exists quarantine.returnee_profiles (
    run_id               varchar not null,
    source               varchar not null,
    record_key           varchar,
    record               varchar not null,
    failed_expectations  varchar not null,
    offending_values     varchar,
    quarantined_at       timestamp not null
);
