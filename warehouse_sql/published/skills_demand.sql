-- published.skills_demand: the skills most asked in vacancies per quarter x region (and
-- nation) x occupation (unit group), as a share of the cell's new vacancies; top 10.
--
-- Each (posting, skill) pair is grouped once, by the posting's region, and the nation's
-- counts are the sums of its regions' (plus postings placed in no region). Pairs are
-- unique in core.vacancy_skills (the load inserts them distinct, migration 0014) and a
-- posting is in one region, so plain counts and sums give what distinct counts per cell
-- would, with hash aggregates instead of sorting every mention of every cell.
with postings as (
    -- One row per classified posting: its nation's cell and its region (null: none). A
    -- posting whose region is the nation itself counts in the nation only, once.
    select n.quarter_index, n.region_code as national_code, n.isco08, n.vacancy_id,
           case when r.region_code <> n.region_code then r.region_code end as region_code
    from core.int_vacancy_cells as n
    left join core.int_vacancy_cells as r
      on r.vacancy_id = n.vacancy_id and r.isco_level = 4 and not r.is_national
    where n.isco_level = 4 and n.is_national
),

by_region as (
    select p.quarter_index, p.national_code, p.region_code, p.isco08, s.skill_uri,
           count(*) as vacancies_mentioning
    from postings as p
    join core.vacancy_skills as s on s.vacancy_id = p.vacancy_id
    group by p.quarter_index, p.national_code, p.region_code, p.isco08, s.skill_uri
),

mentions as (
    select quarter_index, region_code, isco08, skill_uri, vacancies_mentioning
    from by_region
    where region_code is not null
    union all
    select quarter_index, national_code, isco08, skill_uri, sum(vacancies_mentioning)
    from by_region
    group by quarter_index, national_code, isco08, skill_uri
),

region_totals as (
    select quarter_index, national_code, region_code, isco08, count(*) as vacancies
    from postings
    group by quarter_index, national_code, region_code, isco08
),

totals as (
    select quarter_index, region_code, isco08, vacancies
    from region_totals
    where region_code is not null
    union all
    select quarter_index, national_code, isco08, sum(vacancies)
    from region_totals
    group by quarter_index, national_code, isco08
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
