-- published.surplus_occupations: occupations rated surplus or large surplus, ranked per
-- quarter and area (large surpluses first, then by slackest tightness).
with gap as (
    select g.*, q.is_latest
    from core.pub_skills_gap as g
    join core.dim_quarter as q on q.quarter = g.quarter
    where g.rating in ('large_surplus', 'surplus')
),

final as (
    select
        quarter,
        region_code,
        is_national,
        is_latest as is_latest_quarter,
        cast(row_number() over (
            partition by quarter, region_code, isco_level
            order by case when rating = 'large_surplus' then 0 else 1 end,
                     surplus_signals - shortage_signals desc,
                     coalesce(tightness, 999) asc, vacancies_new asc, isco08
        ) as integer) as rank,
        isco08,
        isco_level,
        occupation_title,
        rating,
        tightness,
        vacancies_new,
        evidence,
        method_version
    from gap
)

select * from final
