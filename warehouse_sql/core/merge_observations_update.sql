-- The same release loaded again with other values (a corrected file): overwrite that release.
update core.labour_observations
set obs_value = s.obs_value,
    obs_status = s.obs_status,
    unit = s.unit,
    unit_mult = s.unit_mult,
    note_source = s.note_source,
    loaded_run_id = s.run_id,
    loaded_at = :loaded_at
from staging.labour_observations as s
where s.run_id = :run_id
  and core.labour_observations.obs_key = s.obs_key
  and core.labour_observations.release = s.release
