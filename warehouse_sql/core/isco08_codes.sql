select isco08 from core.dim_occupation
