-- PostgreSQL only: a table's row count as of its last ANALYZE (-1 when never analysed) and
-- the rows other transactions changed since then (committed, as the statistics collector
-- counts them): what decides whether its planner statistics are taken again.
select c.reltuples as rows_at_analyze,
       coalesce(s.n_mod_since_analyze, 0) as changed_since
from pg_class as c
join pg_namespace as n on n.oid = c.relnamespace
left join pg_stat_user_tables as s on s.relid = c.oid
where n.nspname = :schema and c.relname = :table_name
