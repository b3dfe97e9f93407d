select obs_key, release, obs_value, obs_status, unit_mult
from core.labour_observations
