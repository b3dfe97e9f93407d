delete from core.dim_activity
