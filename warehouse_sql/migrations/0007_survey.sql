-- Employer skills-gap surveys: firms (one per submission), occupation lines, estimates.
create table if not exists staging.survey_firms (
    run_id         varchar not null,
    survey_id      varchar not null,
    wave           varchar not null,
    submission_id  varchar not null,
    submitted_at   timestamp,
    firm_id        varchar,
    firm_name      varchar,                -- kept in core for follow-up, never published
    isic4_section  varchar,
    region_code    varchar,
    size_band      varchar,
    weight         double precision not null
);

create table if not exists staging.survey_occupations (
    run_id               varchar not null,
    survey_id            varchar not null,
    wave                 varchar not null,
    submission_id        varchar not null,
    line_no              integer not null,
    occupation_text      varchar,
    isco08               varchar,
    isco_confidence      double precision,
    vacancies            double precision,
    hard_to_fill         double precision,
    filled               double precision,
    applicants           double precision,
    suitable_applicants  double precision,
    skills_lacking       varchar,          -- '|'-separated
    reasons              varchar           -- '|'-separated
);

create table if not exists core.survey_firms (
    survey_id      varchar not null,
    wave           varchar not null,
    submission_id  varchar not null,
    submitted_at   timestamp,
    firm_id        varchar,
    firm_name      varchar,
    isic4_section  varchar,
    region_code    varchar,
    size_band      varchar,
    weight         double precision not null,
    loaded_run_id  varchar not null,
    primary key (survey_id, submission_id)
);

create table if not exists core.survey_occupations (
    survey_id            varchar not null,
    wave                 varchar not null,
    submission_id        varchar not null,
    line_no              integer not null,
    occupation_text      varchar,
    isco08               varchar,
    isco_confidence      double precision,
    vacancies            double precision,
    hard_to_fill         double precision,
    filled               double precision,
    applicants           double precision,
    suitable_applicants  double precision,
    skills_lacking       varchar,
    reasons              varchar,
    loaded_run_id        varchar not null,
    primary key (survey_id, submission_id, line_no)
);

create table if not exists quarantine.survey_responses (
    run_id               varchar not null,
    source               varchar not null,
    record_key           varchar,
    record               varchar not null,
    failed_expectations  varchar not null,
    offending_values     varchar,
    quarantined_at       timestamp not null
);

-- Weighted estimates per quarter x region (or nation) x occupation, rebuilt from core at publish time.
create table if not exists core.survey_estimates (
    quarter                          varchar not null,
    region_code                      varchar not null,   -- a region, or the country code for national
    isco08                           varchar not null,
    vacancies                        double precision,
    hard_to_fill                     double precision,
    hard_to_fill_rate                double precision,
    fill_rate                        double precision,
    suitable_applicants_per_vacancy  double precision,
    skill_gap_share                  double precision,
    respondents                      integer not null,
    cv                               double precision,
    is_reliable                      boolean not null
);
