-- The published tables: the contract with portals. Change only additively (new migration).
-- Column documentation: warehouse_sql/published/columns.yml (also drives exports and the dictionary).
create table if not exists published.skills_gap (
    quarter                          varchar not null,
    region_code                      varchar not null,
    is_national                      boolean not null,
    isco08                           varchar not null,
    isco_level                       integer not null,
    occupation_title                 varchar not null,
    vacancies_new                    bigint not null,
    vacancies_new_prev_year          bigint,
    vacancies_yoy                    double precision,
    advertised_wage_median           double precision,
    advertised_wage_change           double precision,
    survey_vacancies                 double precision,
    hard_to_fill_rate                double precision,
    fill_rate                        double precision,
    suitable_applicants_per_vacancy  double precision,
    skill_gap_rate                   double precision,
    survey_respondents               integer,
    is_survey_respondents_suppressed boolean not null,
    is_survey_reliable               boolean,
    jobseekers                       double precision,
    returnees_registered             bigint,
    is_returnees_suppressed          boolean not null,
    tightness                        double precision,
    shortage_signals                 integer not null,
    surplus_signals                  integer not null,
    indicators_available             integer not null,
    rating                           varchar not null,
    evidence                         varchar not null,
    is_reliable                      boolean not null,
    method_version                   varchar not null,
    run_id                           varchar not null
);

create table if not exists published.shortage_occupations (
    quarter            varchar not null,
    region_code        varchar not null,
    is_national        boolean not null,
    is_latest_quarter  boolean not null,
    rank               integer not null,
    isco08             varchar not null,
    isco_level         integer not null,
    occupation_title   varchar not null,
    rating             varchar not null,
    tightness          double precision,
    vacancies_new      bigint not null,
    evidence           varchar not null,
    method_version     varchar not null
);

create table if not exists published.surplus_occupations (
    quarter            varchar not null,
    region_code        varchar not null,
    is_national        boolean not null,
    is_latest_quarter  boolean not null,
    rank               integer not null,
    isco08             varchar not null,
    isco_level         integer not null,
    occupation_title   varchar not null,
    rating             varchar not null,
    tightness          double precision,
    vacancies_new      bigint not null,
    evidence           varchar not null,
    method_version     varchar not null
);

create table if not exists published.opportunities (
    region_code               varchar not null,
    isco08                    varchar not null,
    occupation_title          varchar not null,
    quarter                   varchar not null,
    open_vacancies            bigint not null,
    vacancies_new_quarter     bigint not null,
    median_monthly_wage       double precision,
    wage_currency             varchar,
    top_skills                varchar,
    top_sectors               varchar,
    growing_sectors           varchar,
    returnees_registered      bigint,
    is_returnees_suppressed   boolean not null,
    rating                    varchar,
    method_version            varchar not null
);

create table if not exists published.vacancies_open (
    vacancy_id        varchar not null,
    title             varchar not null,
    employer_name     varchar,
    region_code       varchar,
    locality          varchar,
    isco08            varchar,
    occupation_title  varchar,
    isic4_section     varchar,
    employment_type   varchar,
    date_posted       date,
    valid_through     date,
    salary_monthly    double precision,
    salary_currency   varchar,
    url               varchar,
    source            varchar not null,
    postings_in_cluster integer not null
);

create table if not exists published.labour_indicators (
    indicator     varchar not null,
    ref_area      varchar,
    region_code   varchar,
    time_period   varchar not null,
    period_type   varchar not null,
    sex           varchar,
    age           varchar,
    isco08        varchar,
    isic4         varchar,
    obs_value     double precision,
    unit          varchar,
    unit_mult     integer not null,
    obs_status    varchar,
    source        varchar not null,
    release       varchar not null
);

create table if not exists published.skills_demand (
    quarter               varchar not null,
    region_code           varchar not null,
    isco08                varchar not null,
    skill_uri             varchar not null,
    skill_label           varchar not null,
    vacancies_mentioning  bigint not null,
    share_of_vacancies    double precision not null,
    rank                  integer not null
);

create table if not exists published.returnees_summary (
    quarter                   varchar not null,
    region_code               varchar not null,
    isco08                    varchar not null,
    occupation_title          varchar not null,
    returnees_registered      bigint,
    women                     bigint,
    men                       bigint,
    wants_job                 bigint,
    wants_training            bigint,
    wants_business            bigint,
    on_shortage_list          boolean not null,
    is_suppressed             boolean not null
);

create table if not exists published.dataset_metadata (
    table_name       varchar not null,
    refreshed_at     timestamp not null,
    run_id           varchar not null,
    method_version   varchar not null,
    source_releases  varchar not null,     -- JSON: source -> newest release / fetch used
    row_count        bigint not null,
    quality_status   varchar not null      -- 'passed' or 'failed: <expectations>'
);
