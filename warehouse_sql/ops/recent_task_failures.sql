select dag_id, task_id, run_id, try_number, map_index, hostname, will_retry, error, failed_at
from ops.task_failures
where failed_at >= :since
order by failed_at desc
limit :limit
