select * from core.labour_observations where is_current
