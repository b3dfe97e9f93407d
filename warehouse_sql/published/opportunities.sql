-- published.opportunities: per region x occupation (unit group), what a returnee can take up
-- now: open vacancies, new ones in the latest quarter, the advertised wage, skills asked,
-- sectors hiring and growing, the returnees already registered with that occupation, and
-- the occupation's rating in the latest quarter.
with latest as (
    select quarter_index, quarter from core.dim_quarter where is_latest
),

open_vacancies as (
    select * from core.pub_vacancies_open where region_code is not null and isco08 is not null
),

open_cells as (
    select region_code, isco08, count(*) as open_vacancies,
           percentile_cont(0.5) within group (order by
               case when salary_currency = :currency then salary_monthly end) as median_wage
    from open_vacancies
    group by region_code, isco08
),

recent_postings as (
    select c.region_code, c.isco08, c.vacancy_id, c.isic4_section
    from core.int_vacancy_cells as c
    cross join latest as l
    where c.isco_level = 4 and not c.is_national
      and c.quarter_index > l.quarter_index - 4
),

new_cells as (
    select f.region_code, f.isco08, f.vacancies_new
    from core.fct_vacancies_quarterly as f
    join latest as l on l.quarter_index = f.quarter_index
    where f.isco_level = 4 and not f.is_national
),

skill_totals as (
    -- Mentions counted once per publish (core.int_skill_mentions); the postings placed in
    -- a region, the nation's own code included, of the last four quarters.
    select m.region_code, m.isco08, coalesce(k.label_en, m.skill_uri) as label,
           sum(m.vacancies_mentioning) as mentions
    from core.int_skill_mentions as m
    cross join latest as l
    left join core.dim_skill as k on k.skill_uri = m.skill_uri
    where m.region_code is not null and m.quarter_index > l.quarter_index - 4
    group by m.region_code, m.isco08, coalesce(k.label_en, m.skill_uri)
),

skill_thresholds as (
    -- The fifth-highest total of each cell (its lowest if it has fewer than five skills):
    -- only skills at or above it can be in the top five, so only those are sorted.
    select region_code, isco08,
           coalesce(max(case when at_or_above >= 5 then mentions end), min(mentions))
               as threshold
    from (
        select region_code, isco08, mentions,
               sum(skills) over (partition by region_code, isco08
                                 order by mentions desc) as at_or_above
        from (
            select region_code, isco08, mentions, count(*) as skills
            from skill_totals
            group by region_code, isco08, mentions
        ) as counts
    ) as cumulative
    group by region_code, isco08
),

skills_ranked as (
    select s.region_code, s.isco08, s.label,
           row_number() over (partition by s.region_code, s.isco08
                              order by s.mentions desc, s.label) as rn
    from skill_totals as s
    join skill_thresholds as t on t.region_code = s.region_code and t.isco08 = s.isco08
    where s.mentions >= t.threshold
),

top_skills as (
    select region_code, isco08, string_agg(label, '; ' order by rn) as top_skills
    from skills_ranked where rn <= 5
    group by region_code, isco08
),

sectors_ranked as (
    select p.region_code, p.isco08, a.title_en as sector,
           row_number() over (partition by p.region_code, p.isco08
                              order by count(*) desc, a.title_en) as rn
    from recent_postings as p
    join core.dim_activity as a on a.isic4 = p.isic4_section
    group by p.region_code, p.isco08, a.title_en
),

top_sectors as (
    select region_code, isco08, string_agg(sector, '; ' order by rn) as top_sectors
    from sectors_ranked where rn <= 3
    group by region_code, isco08
),

sector_growth as (
    select c.region_code, c.isic4_section,
           sum(case when c.quarter_index > l.quarter_index - 4 then 1 else 0 end) as last_year,
           sum(case when c.quarter_index <= l.quarter_index - 4
                     and c.quarter_index > l.quarter_index - 8 then 1 else 0 end) as year_before
    from core.int_vacancy_cells as c
    cross join latest as l
    where c.isco_level = 4 and not c.is_national and c.isic4_section is not null
    group by c.region_code, c.isic4_section
),

growing_ranked as (
    select g.region_code, a.title_en as sector,
           row_number() over (partition by g.region_code
                              order by cast(g.last_year - g.year_before as double precision)
                                       / g.year_before desc, a.title_en) as rn
    from sector_growth as g
    join core.dim_activity as a on a.isic4 = g.isic4_section
    where g.year_before >= 5 and g.last_year > g.year_before * 1.1
),

growing_sectors as (
    select region_code, string_agg(sector, '; ' order by rn) as growing_sectors
    from growing_ranked where rn <= 3
    group by region_code
),

returnees as (
    select region_code, isco08_abroad as isco08, count(*) as returnees_registered
    from core.returnee_profiles
    where region_code is not null and isco08_abroad is not null
    group by region_code, isco08_abroad
),

spine as (
    select region_code, isco08 from open_cells
    union
    select region_code, isco08 from new_cells
),

with_returnees as (
    select
        s.region_code,
        s.isco08,
        coalesce(r.returnees_registered, 0) as returnees_registered,
        coalesce(r.returnees_registered, 0) > 0
            and coalesce(r.returnees_registered, 0) < :min_persons as is_primary
    from spine as s
    left join returnees as r on r.region_code = s.region_code and r.isco08 = s.isco08
),

-- How many quarterly cells of published.skills_gap hide this region x occupation's returnees:
-- with exactly one hidden quarter, this all-quarter total would reveal it by subtraction.
quarters_hidden as (
    select region_code, isco08,
           sum(case when is_returnees_suppressed then 1 else 0 end) as hidden
    from core.pub_skills_gap
    where isco_level = 4 and not is_national
    group by region_code, isco08
),

-- Secondary suppression within a region (the region's total of returnees is published in
-- published.returnees_summary): a lone suppressed cell takes the smallest other one with it.
returnees_suppressed as (
    select
        w.*,
        w.is_primary or coalesce(q.hidden, 0) = 1 or (
            sum(case when w.is_primary then 1 else 0 end) over (partition by w.region_code) = 1
            and row_number() over (
                partition by w.region_code
                order by case when w.is_primary or w.returnees_registered = 0 then 1 else 0 end,
                         w.returnees_registered, w.isco08
            ) = 1
            and w.returnees_registered > 0
        ) as is_suppressed
    from with_returnees as w
    left join quarters_hidden as q on q.region_code = w.region_code and q.isco08 = w.isco08
),

final as (
    select
        s.region_code,
        s.isco08,
        o.title_en as occupation_title,
        l.quarter,
        cast(coalesce(oc.open_vacancies, 0) as bigint) as open_vacancies,
        cast(coalesce(n.vacancies_new, 0) as bigint) as vacancies_new_quarter,
        oc.median_wage as median_monthly_wage,
        case when oc.median_wage is not null then cast(:currency as varchar) end as wage_currency,
        ts.top_skills,
        tse.top_sectors,
        gs.growing_sectors,
        case when rs.is_suppressed then null else cast(rs.returnees_registered as bigint) end
            as returnees_registered,
        rs.is_suppressed as is_returnees_suppressed,
        g.rating,
        cast(:method_version as varchar) as method_version
    from spine as s
    cross join latest as l
    join core.dim_occupation as o on o.isco08 = s.isco08
    left join open_cells as oc on oc.region_code = s.region_code and oc.isco08 = s.isco08
    left join new_cells as n on n.region_code = s.region_code and n.isco08 = s.isco08
    left join top_skills as ts on ts.region_code = s.region_code and ts.isco08 = s.isco08
    left join top_sectors as tse on tse.region_code = s.region_code and tse.isco08 = s.isco08
    left join growing_sectors as gs on gs.region_code = s.region_code
    left join returnees_suppressed as rs
      on rs.region_code = s.region_code and rs.isco08 = s.isco08
    left join core.pub_skills_gap as g
      on g.quarter = l.quarter and g.region_code = s.region_code and g.isco08 = s.isco08
)

select * from final
