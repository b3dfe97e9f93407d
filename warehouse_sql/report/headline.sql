-- Headline figures of the quarter, nationally: new vacancies (sum of the sub-major groups,
-- so each classified vacancy counts once) against the same quarter a year earlier (null when
-- that quarter was not published), returnees first registered in the quarter (sum of the
-- published sub-major group cells, and how many cells are suppressed), and how many unit
-- groups each rating has.
with national as (
    select * from published.skills_gap
    where quarter = :quarter and is_national
),

vacancies as (
    select
        sum(vacancies_new) as vacancies_new,
        sum(returnees_registered) as returnees_registered,
        sum(case when is_returnees_suppressed then 1 else 0 end) as returnee_cells_suppressed
    from national
    where isco_level = 2
),

year_earlier as (
    select sum(vacancies_new) as vacancies_new_prev_year
    from published.skills_gap
    where quarter = :prev_quarter and is_national and isco_level = 2
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
    select v.*, y.*, r.*
    from vacancies as v cross join year_earlier as y cross join ratings as r
)

select * from final
