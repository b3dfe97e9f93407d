delete from core.dim_region
