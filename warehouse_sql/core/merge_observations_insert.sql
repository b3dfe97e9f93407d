-- A new release of an observation is added beside the earlier ones (vintages are kept).
insert into core.labour_observations (
    obs_key, release, indicator, dataflow, ref_area, country_code, region_code, time_period,
    period_type, period_start, period_end, sex, age, classif1, classif2, isco08, isco_level,
    isic4, obs_value, unit, unit_mult, obs_status, note_source, source, is_current,
    loaded_run_id, loaded_at
)
select
    s.obs_key, s.release, s.indicator, s.dataflow, s.ref_area, s.country_code, s.region_code,
    s.time_period, s.period_type, s.period_start, s.period_end, s.sex, s.age, s.classif1,
    s.classif2, s.isco08, s.isco_level, s.isic4, s.obs_value, s.unit, s.unit_mult,
    s.obs_status, s.note_source, s.source, false, s.run_id, :loaded_at
from staging.labour_observations as s
where s.run_id = :run_id
  and not exists (
      select 1 from core.labour_observations as o
      where o.obs_key = s.obs_key and o.release = s.release
  )
