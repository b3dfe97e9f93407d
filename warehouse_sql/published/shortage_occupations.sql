-- published.shortage_occupations: occupations rated shortage or major shortage, ranked per
-- quarter and area (major shortages first, then by tightness and new vacancies).
with gap as (
    select g.*, q.is_latest
    from core.pub_skills_gap as g
    join core.dim_quarter as q on q.quarter = g.quarter
    where g.rating in ('major_shortage', 'shortage')
),

final as (
    select
        quarter,
        region_code,
        is_national,
        is_latest as is_latest_quarter,
        cast(row_number() over (
            partition by quarter, region_code, isco_level
            order by case when rating = 'major_shortage' then 0 else 1 end,
                     shortage_signals - surplus_signals desc,
                     coalesce(tightness, 0) desc, vacancies_new desc, isco08
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
