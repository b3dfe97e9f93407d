select obs_key, release,
       cast(obs_value as varchar) || '|' || coalesce(obs_status, 'None') || '|'
           || cast(unit_mult as varchar) as value_hash
from core.labour_observations
where source is not null
