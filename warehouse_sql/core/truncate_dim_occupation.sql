delete from core.dim_occupation
