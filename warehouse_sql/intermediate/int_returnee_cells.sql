-- Returnees by the quarter of their first registration, region of return and occupation abroad.
with national as (
    select region_code as national_code from core.dim_region where is_national
),

profiles as (
    select
        person_key,
        cast(date_trunc('quarter', first_registered_at) as date) as quarter_start,
        region_code,
        isco08_abroad as isco08,
        sex,
        wants_job,
        wants_training,
        wants_business
    from core.returnee_profiles
    where isco08_abroad is not null
),

cells as (
    select quarter_start, region_code, false as is_national, isco08, 4 as isco_level,
           person_key, sex, wants_job, wants_training, wants_business
    from profiles where region_code is not null
    union all
    select quarter_start, region_code, false, substr(isco08, 1, 2), 2,
           person_key, sex, wants_job, wants_training, wants_business
    from profiles where region_code is not null
    union all
    select p.quarter_start, n.national_code, true, p.isco08, 4,
           p.person_key, p.sex, p.wants_job, p.wants_training, p.wants_business
    from profiles as p cross join national as n
    union all
    select p.quarter_start, n.national_code, true, substr(p.isco08, 1, 2), 2,
           p.person_key, p.sex, p.wants_job, p.wants_training, p.wants_business
    from profiles as p cross join national as n
),

final as (
    select
        cast(extract(year from quarter_start) as integer) * 4
            + cast(extract(quarter from quarter_start) as integer) - 1 as quarter_index,
        *
    from cells
)

select * from final
