-- core.returnee_skills_match: for PES counsellors, never published (one row per returnee
-- pseudonym and target occupation). Targets: the returnee's own occupation abroad, and the
-- three nearest occupations in demand in the region of return. In demand: open vacancies
-- there now (deduplicated, not past their closing date; without one, posted since
-- :open_since_date) or rated shortage / major shortage in the latest quarter of the live
-- published.skills_gap. Nearest: same ISCO-08 minor group, then sub-major, then major
-- group, then the largest share of the target's core skills the returnee already holds,
-- then the most open vacancies.
-- Core skills of an occupation: its 15 ESCO essential skills shared by most of the ESCO
-- occupations of the unit group (core.occupation_skills.skill_rank). Skills held: those the
-- returnee declared (core.returnee_skills) plus the core skills of the occupation held
-- abroad (having worked as X, the person is presumed to have X's core skills).
with open_vacancies as (
    select
        v.vacancy_id,
        v.region_code,
        v.isco08,
        row_number() over (
            partition by v.region_code, v.isco08
            order by coalesce(v.date_posted, cast(v.first_seen_at as date)) desc, v.vacancy_id
        ) as recency
    from core.vacancies as v
    where not v.is_duplicate
      and v.region_code is not null
      and v.isco08 is not null
      and coalesce(v.date_posted, cast(v.first_seen_at as date)) <= cast(:as_of_date as date)
      and (
          v.valid_through >= cast(:as_of_date as date)
          or (v.valid_through is null
              and coalesce(v.date_posted, cast(v.first_seen_at as date))
                  >= cast(:open_since_date as date))
      )
),

open_cells as (
    select
        region_code,
        isco08,
        count(*) as open_vacancies,
        -- the 20 most recent, enough for a counsellor to start from
        string_agg(case when recency <= 20 then vacancy_id end, '|' order by recency)
            as open_vacancy_ids
    from open_vacancies
    group by region_code, isco08
),

latest_rating as (
    select g.region_code, g.isco08, g.rating
    from published.skills_gap as g
    where g.quarter = (select max(quarter) from published.skills_gap)
      and not g.is_national
      and g.isco_level = 4
),

in_demand as (
    select
        coalesce(o.region_code, r.region_code) as region_code,
        coalesce(o.isco08, r.isco08) as isco08,
        coalesce(o.open_vacancies, 0) as open_vacancies,
        r.rating
    from open_cells as o
    full outer join latest_rating as r
      on r.region_code = o.region_code and r.isco08 = o.isco08
    where coalesce(o.open_vacancies, 0) > 0
       or r.rating in ('shortage', 'major_shortage')
),

core_skills as (
    select isco08, skill_uri, skill_rank
    from core.occupation_skills
    where skill_rank <= 15
),

returnees as (
    select person_key, region_code, isco08_abroad
    from core.returnee_profiles
    where region_code is not null
),

held as (
    select person_key, skill_uri from core.returnee_skills
    union
    select r.person_key, k.skill_uri
    from returnees as r
    join core_skills as k on k.isco08 = r.isco08_abroad
),

candidates as (
    select r.person_key, r.region_code, r.isco08_abroad, r.isco08_abroad as target_isco08,
           true as is_own_occupation
    from returnees as r
    where r.isco08_abroad is not null
    union all
    select r.person_key, r.region_code, r.isco08_abroad, d.isco08, false
    from returnees as r
    join in_demand as d on d.region_code = r.region_code
    where r.isco08_abroad is null or d.isco08 <> r.isco08_abroad
),

core_skill_counts as (
    select isco08, count(*) as core_skills
    from core_skills
    group by isco08
),

-- Per returnee and occupation, how many of its core skills the returnee holds: from the
-- skills held (a few per person), not from every candidate's every core skill.
held_core as (
    select h.person_key, k.isco08 as target_isco08, count(*) as skills_held
    from held as h
    join core_skills as k on k.skill_uri = h.skill_uri
    group by h.person_key, k.isco08
),

scored as (
    select
        c.*,
        coalesce(n.core_skills, 0) as core_skills,
        coalesce(hc.skills_held, 0) as skills_held,
        case
            when c.is_own_occupation then 0
            when c.isco08_abroad is null then 4
            when substr(c.target_isco08, 1, 3) = substr(c.isco08_abroad, 1, 3) then 1
            when substr(c.target_isco08, 1, 2) = substr(c.isco08_abroad, 1, 2) then 2
            when substr(c.target_isco08, 1, 1) = substr(c.isco08_abroad, 1, 1) then 3
            else 4
        end as occupation_distance
    from candidates as c
    left join core_skill_counts as n on n.isco08 = c.target_isco08
    left join held_core as hc
      on hc.person_key = c.person_key and hc.target_isco08 = c.target_isco08
),

ranked as (
    select
        s.*,
        coalesce(d.open_vacancies, 0) as open_vacancies,
        d.rating,
        d.isco08 is not null as is_in_demand,
        row_number() over (
            partition by s.person_key, s.is_own_occupation
            order by s.occupation_distance,
                     cast(s.skills_held as double precision) / nullif(s.core_skills, 0)
                         desc nulls last,
                     coalesce(d.open_vacancies, 0) desc,
                     s.target_isco08
        ) as nearness
    from scored as s
    left join in_demand as d
      on d.region_code = s.region_code and d.isco08 = s.target_isco08
),

chosen as (
    select * from ranked where is_own_occupation or nearness <= 3
),

-- The core skills of each chosen target that the returnee does not hold.
missing as (
    select
        c.person_key,
        c.target_isco08,
        string_agg(k.skill_uri, '|' order by k.skill_rank, k.skill_uri) as missing_skill_uris,
        string_agg(coalesce(d.label_en, k.skill_uri), '; ' order by k.skill_rank, k.skill_uri)
            as missing_skills
    from chosen as c
    join core_skills as k on k.isco08 = c.target_isco08
    left join held as h on h.person_key = c.person_key and h.skill_uri = k.skill_uri
    left join core.dim_skill as d on d.skill_uri = k.skill_uri
    where h.skill_uri is null
    group by c.person_key, c.target_isco08
),

final as (
    select
        c.person_key,
        c.region_code,
        c.isco08_abroad,
        c.target_isco08,
        o.title_en as target_title,
        c.is_own_occupation,
        cast(case when c.is_own_occupation then 0 else c.nearness end as integer) as nearness,
        cast(c.occupation_distance as integer) as occupation_distance,
        c.is_in_demand,
        c.rating as target_rating,
        cast(c.open_vacancies as integer) as open_vacancies,
        v.open_vacancy_ids,
        cast(c.core_skills as integer) as core_skills,
        cast(c.skills_held as integer) as core_skills_held,
        m.missing_skills,
        m.missing_skill_uris,
        cast(:as_of_date as date) as as_of_date
    from chosen as c
    left join core.dim_occupation as o on o.isco08 = c.target_isco08
    left join open_cells as v
      on v.region_code = c.region_code and v.isco08 = c.target_isco08
    left join missing as m
      on m.person_key = c.person_key and m.target_isco08 = c.target_isco08
)

select * from final
