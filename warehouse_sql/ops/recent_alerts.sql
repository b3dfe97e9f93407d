select kind, source, severity, message, dag_id, run_id, channels, raised_at
from ops.alerts
where raised_at >= :since
order by raised_at desc
limit :limit
