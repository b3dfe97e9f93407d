-- The critical-shortage list of the quarter per region and nationally (unit groups), with
-- the indicators behind each rating from published.skills_gap.
with listed as (
    select * from published.shortage_occupations
    where quarter = :quarter and isco_level = 4 and rank <= :top_n
),

final as (
    select
        l.region_code, l.is_national, l.rank, l.isco08, l.rating, l.evidence,
        l.vacancies_new, l.tightness,
        o.title_en, o.title_fr,
        g.vacancies_yoy, g.hard_to_fill_rate, g.fill_rate, g.skill_gap_rate,
        g.advertised_wage_change, g.jobseekers, g.returnees_registered,
        g.is_returnees_suppressed, g.indicators_available, g.is_reliable
    from listed as l
    left join core.dim_occupation as o on o.isco08 = l.isco08
    left join published.skills_gap as g
      on g.quarter = l.quarter and g.region_code = l.region_code and g.isco08 = l.isco08
)

select * from final
order by is_national desc, region_code, rank
