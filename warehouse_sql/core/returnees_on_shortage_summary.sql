-- Returnees (all registered) whose occupation abroad is rated shortage or major shortage in
-- their region of return in the latest published quarter.
with latest as (
    select max(quarter) as quarter from published.skills_gap
),

listed as (
    select g.region_code, g.isco08
    from published.skills_gap as g
    join latest as l on l.quarter = g.quarter
    where g.rating in ('shortage', 'major_shortage') and not g.is_national and g.isco_level = 4
)

select
    count(*) as returnees,
    coalesce(sum(case when s.isco08 is not null then 1 else 0 end), 0) as on_list
from core.returnee_profiles as p
left join listed as s on s.region_code = p.region_code and s.isco08 = p.isco08_abroad
