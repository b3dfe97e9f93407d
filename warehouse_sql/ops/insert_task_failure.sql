insert into ops.task_failures (dag_id, task_id, run_id, try_number, error, failed_at, map_index,
                               hostname, will_retry)
values (:dag_id, :task_id, :run_id, :try_number, :error, :failed_at, :map_index, :hostname,
        :will_retry)
