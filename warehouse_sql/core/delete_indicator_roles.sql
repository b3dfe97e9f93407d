delete from core.indicator_roles
