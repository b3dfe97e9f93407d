-- Registered jobseekers (current release) per quarter, region and occupation. Regional
-- observations are summed to the nation where the source gives no national figure.
with roles as (
    select indicator from core.indicator_roles where role = 'jobseekers'
),

national as (
    select region_code as national_code from core.dim_region where is_national
),

observations as (
    select
        o.period_start as quarter_start,
        o.region_code,
        o.isco08,
        o.isco_level,
        o.obs_value * power(10, o.unit_mult) as jobseekers
    from core.labour_observations as o
    where o.is_current
      and o.period_type = 'Q'
      and o.obs_value is not null
      and o.isco08 is not null
      and o.isco_level in (2, 4)
      and (o.sex is null or o.sex in ('SEX_T', 'T', '_T'))
      and o.indicator in (select indicator from roles)
),

regional as (
    select quarter_start, region_code, false as is_national, isco08, isco_level,
           sum(jobseekers) as jobseekers
    from observations
    where region_code is not null
    group by quarter_start, region_code, isco08, isco_level
),

national_sum as (
    select r.quarter_start, n.national_code as region_code, true as is_national,
           r.isco08, r.isco_level, sum(r.jobseekers) as jobseekers
    from regional as r cross join national as n
    group by r.quarter_start, n.national_code, r.isco08, r.isco_level
),

final as (
    select
        cast(extract(year from quarter_start) as integer) * 4
            + cast(extract(quarter from quarter_start) as integer) - 1 as quarter_index,
        *
    from (select * from regional union all select * from national_sum) as cells
)

select * from final
