-- How many returnees hold an occupation (abroad, ISCO-08 unit group) that is on the shortage
-- list of their region of return: published.shortage_occupations, regional unit-group rows,
-- of :quarter (e.g. '2026Q3'), or of the latest quarter when :quarter is null.
-- One row: the quarter compared with, all profiles, those assessable (region and occupation
-- known), those on their region's list, and that share of the assessable ones.
with chosen as (
    select coalesce(
        cast(:quarter as varchar),
        (select max(quarter) from published.shortage_occupations where is_latest_quarter)
    ) as quarter
),

shortage as (
    select s.region_code, s.isco08
    from published.shortage_occupations as s
    join chosen as c on c.quarter = s.quarter
    where not s.is_national
      and s.isco_level = 4
),

profiles as (
    select
        p.person_key,
        p.region_code is not null and p.isco08_abroad is not null as is_assessable,
        s.isco08 is not null as is_on_shortage_list
    from core.returnee_profiles as p
    left join shortage as s
      on s.region_code = p.region_code and s.isco08 = p.isco08_abroad
),

final as (
    select
        c.quarter,
        count(p.person_key) as returnees,
        sum(case when p.is_assessable then 1 else 0 end) as assessable,
        sum(case when p.is_on_shortage_list then 1 else 0 end) as on_shortage_list,
        cast(sum(case when p.is_on_shortage_list then 1 else 0 end) as double precision)
            / nullif(sum(case when p.is_assessable then 1 else 0 end), 0) as share_on_shortage_list
    from chosen as c
    left join profiles as p on true
    group by c.quarter
)

select * from final
