-- Observatory statistics: one conformed observation fact, every release (vintage) kept.
create table if not exists staging.labour_observations (
    run_id        varchar not null,
    obs_key       varchar not null,        -- sha256 of the dimensions that identify an observation
    release       varchar not null,
    indicator     varchar not null,
    dataflow      varchar,
    ref_area      varchar,
    country_code  varchar,
    region_code   varchar,
    time_period   varchar not null,
    period_type   varchar not null,        -- 'A', 'Q', 'M'
    period_start  date not null,
    period_end    date not null,
    sex           varchar,
    age           varchar,
    classif1      varchar,
    classif2      varchar,
    isco08        varchar,
    isco_level    integer,
    isic4         varchar,
    obs_value     double precision,
    unit          varchar,
    unit_mult     integer not null,
    obs_status    varchar,
    note_source   varchar,
    source        varchar not null
);

create table if not exists core.labour_observations (
    obs_key       varchar not null,
    release       varchar not null,
    indicator     varchar not null,
    dataflow      varchar,
    ref_area      varchar,
    country_code  varchar,
    region_code   varchar,
    time_period   varchar not null,
    period_type   varchar not null,
    period_start  date not null,
    period_end    date not null,
    sex           varchar,
    age           varchar,
    classif1      varchar,
    classif2      varchar,
    isco08        varchar,
    isco_level    integer,
    isic4         varchar,
    obs_value     double precision,
    unit          varchar,
    unit_mult     integer not null,
    obs_status    varchar,
    note_source   varchar,
    source        varchar not null,
    is_current    boolean not null,        -- the newest release of this observation
    loaded_run_id varchar not null,
    primary key (obs_key, release)
);

create table if not exists quarantine.labour_observations (
    run_id               varchar not null,
    source               varchar not null,
    record_key           varchar,
    record               varchar not null,
    failed_expectations  varchar not null,
    offending_values     varchar,
    quarantined_at       timestamp not null
);
