-- Operations: alerts raised (stale sources, failed tasks, missed deadlines) and what the
-- failure callback knows about a failed try (map index, host, whether Airflow retries it).
create table if not exists ops.alerts (
    alert_id    varchar primary key,       -- uuid4 hex
    kind        varchar not null,          -- 'stale_source' | 'task_failed' | 'deadline_missed' | 'lock_timeout'
    source      varchar,                   -- the source or DAG the alert is about
    severity    varchar not null,          -- 'warning' | 'error'
    message     varchar not null,
    dag_id      varchar,
    run_id      varchar,
    channels    varchar not null,          -- where it was sent: 'log', 'log,webhook', ...
    raised_at   timestamp not null
);

alter table ops.task_failures add column if not exists map_index integer;
alter table ops.task_failures add column if not exists hostname varchar;
alter table ops.task_failures add column if not exists will_retry boolean;
