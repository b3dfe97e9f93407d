insert into ops.alerts (alert_id, kind, source, severity, message, dag_id, run_id, channels, raised_at)
values (:alert_id, :kind, :source, :severity, :message, :dag_id, :run_id, :channels, :raised_at)
