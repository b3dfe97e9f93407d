-- published.skills_demand: the skills most asked in vacancies per quarter x region (and
-- nation) x occupation (unit group), as a share of the cell's new vacancies; top 10.
with cells as (
    select c.quarter_index, c.region_code, c.isco08, c.vacancy_id
    from core.int_vacancy_cells as c
    where c.isco_level = 4
),

mentions as (
    select c.quarter_index, c.region_code, c.isco08, s.skill_uri,
           count(distinct c.vacancy_id) as vacancies_mentioning
    from cells as c
    join core.vacancy_skills as s on s.vacancy_id = c.vacancy_id
    group by c.quarter_index, c.region_code, c.isco08, s.skill_uri
),

totals as (
    select quarter_index, region_code, isco08, count(distinct vacancy_id) as vacancies
    from cells
    group by quarter_index, region_code, isco08
),

ranked as (
    select
        m.*,
        cast(m.vacancies_mentioning as double precision) / t.vacancies as share_of_vacancies,
        row_number() over (
            partition by m.quarter_index, m.region_code, m.isco08
            order by m.vacancies_mentioning desc, m.skill_uri
        ) as rank
    from mentions as m
    join totals as t
      on t.quarter_index = m.quarter_index and t.region_code = m.region_code
     and t.isco08 = m.isco08
),

final as (
    select
        q.quarter,
        r.region_code,
        r.isco08,
        r.skill_uri,
        coalesce(k.label_en, r.skill_uri) as skill_label,
        cast(r.vacancies_mentioning as bigint) as vacancies_mentioning,
        r.share_of_vacancies,
        cast(r.rank as integer) as rank
    from ranked as r
    join core.dim_quarter as q on q.quarter_index = r.quarter_index
    left join core.dim_skill as k on k.skill_uri = r.skill_uri
    where r.rank <= 10
)

select * from final
