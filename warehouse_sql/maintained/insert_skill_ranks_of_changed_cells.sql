-- The skills most asked in each changed published cell, as a share of the cell's
-- postings; top 10 by postings, then skill. A nation's counts are the sums of its
-- regions' (and of the postings placed in no region).
insert into core.vacancy_skill_ranks (
    quarter_index, region_code, isco08, skill_uri, vacancies_mentioning, share_of_vacancies,
    rank
)
with changed as (
    select * from core.vacancy_skill_ranks_changed
),

mentions as (
    select c.quarter_index, c.region_code, c.isco08, c.skill_uri, c.vacancies_mentioning
    from core.vacancy_skill_counts as c
    join changed as x
      on x.quarter_index = c.quarter_index and x.region_code = c.region_code
     and x.isco08 = c.isco08
    where c.region_code <> c.national_code
    union all
    select c.quarter_index, c.national_code, c.isco08, c.skill_uri,
           sum(c.vacancies_mentioning)
    from core.vacancy_skill_counts as c
    join changed as x
      on x.quarter_index = c.quarter_index and x.region_code = c.national_code
     and x.isco08 = c.isco08
    group by c.quarter_index, c.national_code, c.isco08, c.skill_uri
),

totals as (
    select p.quarter_index, p.region_code, p.isco08, count(*) as vacancies
    from core.vacancy_skill_postings_current as p
    join changed as x
      on x.quarter_index = p.quarter_index and x.region_code = p.region_code
     and x.isco08 = p.isco08
    where p.region_code <> p.national_code
    group by p.quarter_index, p.region_code, p.isco08
    union all
    select p.quarter_index, p.national_code, p.isco08, count(*)
    from core.vacancy_skill_postings_current as p
    join changed as x
      on x.quarter_index = p.quarter_index and x.region_code = p.national_code
     and x.isco08 = p.isco08
    group by p.quarter_index, p.national_code, p.isco08
),

ranked as (
    select
        m.quarter_index,
        m.region_code,
        m.isco08,
        m.skill_uri,
        m.vacancies_mentioning,
        cast(m.vacancies_mentioning as double precision) / t.vacancies as share_of_vacancies,
        row_number() over (
            partition by m.quarter_index, m.region_code, m.isco08
            order by m.vacancies_mentioning desc, m.skill_uri
        ) as rank
    from mentions as m
    join totals as t
      on t.quarter_index = m.quarter_index and t.region_code = m.region_code
     and t.isco08 = m.isco08
)

select quarter_index, region_code, isco08, skill_uri, vacancies_mentioning,
       share_of_vacancies, rank
from ranked
where rank <= 10
