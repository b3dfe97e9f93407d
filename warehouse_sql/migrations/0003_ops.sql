-- Operational tables: run ledger, validation results, bookmarks, HTTP cache, failures.
create table if not exists ops.run_ledger (
    run_id              varchar not null,
    source              varchar not null,
    dag_id              varchar,
    data_interval_start timestamp,
    data_interval_end   timestamp,
    fetched             bigint not null,
    loaded              bigint not null,
    quarantined         bigint not null,
    duplicates          bigint not null,
    unchanged           bigint not null,
    unclassified        bigint not null default 0,
    status              varchar not null,  -- 'success' | 'failed'
    detail              varchar,
    started_at          timestamp not null,
    finished_at         timestamp not null,
    primary key (run_id, source)
);

create table if not exists ops.validation_results (
    run_id           varchar not null,
    source           varchar not null,
    suite            varchar not null,
    expectation      varchar not null,
    column_name      varchar,
    success          boolean not null,
    observed_value   varchar,
    unexpected_count bigint,
    validated_at     timestamp not null
);

create table if not exists ops.bookmarks (
    source      varchar primary key,
    bookmark    varchar not null,          -- JSON document owned by the source
    updated_at  timestamp not null
);

create table if not exists ops.http_cache (
    url            varchar primary key,
    etag           varchar,
    last_modified  varchar,
    sha256         varchar,
    fetched_at     timestamp not null
);

create table if not exists ops.task_failures (
    dag_id      varchar not null,
    task_id     varchar not null,
    run_id      varchar,
    try_number  integer,
    error       varchar,
    failed_at   timestamp not null
);
