-- Each deduplicated, classified posting once, with its quarter: what the vacancy cells
-- (int_vacancy_cells) and the maintained skill counts (core.vacancy_skill_counts) are built
-- from. loaded_run_id and content_hash change whenever the load rewrites a posting and its
-- skills, which is how the skill counts tell which postings changed since the last build.
with postings as (
    select
        v.vacancy_id,
        cast(date_trunc('quarter', coalesce(v.date_posted, cast(v.first_seen_at as date))) as date)
            as quarter_start,
        v.region_code,
        v.isco08,
        case when v.salary_currency = :currency then v.salary_monthly end as salary_monthly,
        v.isic4_section,
        v.loaded_run_id,
        v.content_hash
    from core.vacancies as v
    where not v.is_duplicate and v.isco08 is not null
),

final as (
    select
        cast(extract(year from quarter_start) as integer) * 4
            + cast(extract(quarter from quarter_start) as integer) - 1 as quarter_index,
        *
    from postings
)

select * from final
