-- Ratings of the quarter by occupation group (ISCO-08 sub-major group) and area.
select
    g.region_code, g.is_national, g.isco08, g.rating, g.vacancies_new, g.indicators_available,
    o.title_en, o.title_fr
from published.skills_gap as g
left join core.dim_occupation as o on o.isco08 = g.isco08
where g.quarter = :quarter and g.isco_level = 2
order by g.isco08, g.region_code
