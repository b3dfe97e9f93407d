select region_code from core.dim_region
