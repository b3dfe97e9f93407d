-- Headline figures of the quarter, nationally: new vacancies (sum of the sub-major groups,
-- so each classified vacancy counts once) against a year earlier, and how many unit groups
-- each rating has.
with national as (
    select * from published.skills_gap
    where quarter = :quarter and is_national
),

vacancies as (
    select
        sum(vacancies_new) as vacancies_new,
        sum(vacancies_new_prev_year) as vacancies_new_prev_year,
        count(vacancies_new_prev_year) as cells_with_prev_year
    from national
    where isco_level = 2
),

ratings as (
    select
        sum(case when rating = 'major_shortage' then 1 else 0 end) as major_shortage,
        sum(case when rating = 'shortage' then 1 else 0 end) as shortage,
        sum(case when rating = 'balanced' then 1 else 0 end) as balanced,
        sum(case when rating = 'surplus' then 1 else 0 end) as surplus,
        sum(case when rating = 'large_surplus' then 1 else 0 end) as large_surplus,
        sum(case when rating = 'no_assessment' then 1 else 0 end) as no_assessment
    from national
    where isco_level = 4
),

final as (
    select v.*, r.* from vacancies as v cross join ratings as r
)

select * from final
