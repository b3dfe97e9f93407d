-- New deduplicated vacancies and the median advertised monthly wage per cell.
with cells as (
    select * from core.int_vacancy_cells
),

final as (
    select
        quarter_index,
        region_code,
        is_national,
        isco08,
        isco_level,
        count(*) as vacancies_new,
        count(salary_monthly) as wages_advertised,
        percentile_cont(0.5) within group (order by salary_monthly) as wage_median
    from cells
    group by isco08, region_code, quarter_index, is_national, isco_level
)

select * from final
