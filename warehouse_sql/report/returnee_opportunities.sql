-- Occupations per region where returnees already registered meet open vacancies
-- (published.opportunities), most open vacancies first.
with ranked as (
    select
        p.*,
        row_number() over (
            partition by p.region_code
            order by p.open_vacancies desc, p.vacancies_new_quarter desc, p.isco08
        ) as row_rank
    from published.opportunities as p
    where p.open_vacancies > 0
      and (p.returnees_registered > 0 or p.is_returnees_suppressed)
),

final as (
    select r.region_code, r.isco08, r.open_vacancies, r.vacancies_new_quarter,
           r.returnees_registered, r.is_returnees_suppressed, r.rating,
           r.median_monthly_wage, r.wage_currency,
           o.title_en, o.title_fr, r.row_rank
    from ranked as r
    left join core.dim_occupation as o on o.isco08 = r.isco08
    where r.row_rank <= :top_n
)

select * from final
order by region_code, row_rank
