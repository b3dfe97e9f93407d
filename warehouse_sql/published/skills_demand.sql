-- published.skills_demand: the skills most asked in vacancies per quarter x region (and
-- nation) x occupation (unit group), as a share of the cell's new vacancies; top 10.
--
-- Mentions come from core.vacancy_skill_counts: postings per (cell, own region, skill),
-- counted once per (posting, skill) pair and kept across runs (etl/warehouse/skill_counts.py).
-- A posting is in one region, so a nation's counts are the sums of its regions' (plus
-- postings placed in no region). A posting whose region is the nation itself counts in the
-- nation only, once.
with national as (
    select region_code as national_code from core.dim_region where is_national
),

mentions as (
    select quarter_index, region_code, isco08, skill_uri, vacancies_mentioning
    from core.vacancy_skill_counts
    where region_code is not null and region_code <> national_code
    union all
    select quarter_index, national_code, isco08, skill_uri, sum(vacancies_mentioning)
    from core.vacancy_skill_counts
    group by quarter_index, national_code, isco08, skill_uri
),

region_totals as (
    select p.quarter_index, n.national_code, p.region_code, p.isco08, count(*) as vacancies
    from core.int_vacancy_postings as p
    cross join national as n
    group by p.quarter_index, n.national_code, p.region_code, p.isco08
),

totals as (
    select quarter_index, region_code, isco08, vacancies
    from region_totals
    where region_code is not null and region_code <> national_code
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
