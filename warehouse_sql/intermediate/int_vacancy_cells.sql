-- Each deduplicated, classified posting counted in its cells: region and nation, at the
-- ISCO-08 unit-group (4-digit) and sub-major-group (2-digit) levels.
with national as (
    select region_code as national_code from core.dim_region where is_national
),

postings as (
    select
        v.vacancy_id,
        cast(date_trunc('quarter', coalesce(v.date_posted, cast(v.first_seen_at as date))) as date)
            as quarter_start,
        v.region_code,
        v.isco08,
        case when v.salary_currency = :currency then v.salary_monthly end as salary_monthly,
        v.isic4_section
    from core.vacancies as v
    where not v.is_duplicate and v.isco08 is not null
),

cells as (
    select quarter_start, region_code, false as is_national, isco08, 4 as isco_level,
           vacancy_id, salary_monthly, isic4_section
    from postings where region_code is not null
    union all
    select quarter_start, region_code, false, substr(isco08, 1, 2), 2,
           vacancy_id, salary_monthly, isic4_section
    from postings where region_code is not null
    union all
    select p.quarter_start, n.national_code, true, p.isco08, 4,
           p.vacancy_id, p.salary_monthly, p.isic4_section
    from postings as p cross join national as n
    union all
    select p.quarter_start, n.national_code, true, substr(p.isco08, 1, 2), 2,
           p.vacancy_id, p.salary_monthly, p.isic4_section
    from postings as p cross join national as n
),

final as (
    select
        cast(extract(year from quarter_start) as integer) * 4
            + cast(extract(quarter from quarter_start) as integer) - 1 as quarter_index,
        *
    from cells
)

select * from final
