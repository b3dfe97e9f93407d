delete from core.dim_skill
