-- published.skills_demand: the skills most asked in vacancies per quarter x region (and
-- nation) x occupation (unit group), as a share of the cell's new vacancies; top 10.
--
-- The mentions come counted per posting's region (core.int_skill_mentions); the nation's
-- counts are the sums of its regions' (plus postings placed in no region or in the
-- nation's own code), which is what distinct counts per cell would give, with hash
-- aggregates instead of sorting every mention of every cell.
with by_region as (
    -- A posting whose region is the nation itself counts in the nation only, once.
    select quarter_index, national_code,
           case when region_code <> national_code then region_code end as region_code,
           isco08, skill_uri, vacancies_mentioning
    from core.int_skill_mentions
),

mentions as (
    select quarter_index, region_code, isco08, skill_uri, vacancies_mentioning
    from by_region
    where region_code is not null
    union all
    select quarter_index, national_code, isco08, skill_uri,
           cast(sum(vacancies_mentioning) as bigint)
    from by_region
    group by quarter_index, national_code, isco08, skill_uri
),

national as (
    select region_code as national_code from core.dim_region where is_national
),

totals as (
    -- The cell's new vacancies, as the quarterly facts count them; a posting placed in
    -- the nation's own code is in the nation's cell only.
    select f.quarter_index, f.region_code, f.isco08, f.vacancies_new as vacancies
    from core.fct_vacancies_quarterly as f
    cross join national as n
    where f.isco_level = 4 and (f.is_national or f.region_code <> n.national_code)
),

counts as (
    -- How many skills of each cell are mentioned by each number of postings: far fewer
    -- rows than the mentions, since most counts are small.
    select quarter_index, region_code, isco08, vacancies_mentioning, count(*) as skills
    from mentions
    group by quarter_index, region_code, isco08, vacancies_mentioning
),

thresholds as (
    -- The tenth-highest count of each cell (its lowest if it has fewer than ten skills):
    -- only mentions at or above it can rank in the top ten, so only those are sorted.
    select quarter_index, region_code, isco08,
           coalesce(max(case when at_or_above >= 10 then vacancies_mentioning end),
                    min(vacancies_mentioning)) as threshold
    from (
        select c.*, sum(skills) over (
            partition by quarter_index, region_code, isco08
            order by vacancies_mentioning desc) as at_or_above
        from counts as c
    ) as cumulative
    group by quarter_index, region_code, isco08
),

ranked as (
    select
        m.*,
        row_number() over (
            partition by m.quarter_index, m.region_code, m.isco08
            order by m.vacancies_mentioning desc, m.skill_uri
        ) as rank
    from mentions as m
    join thresholds as t
      on t.quarter_index = m.quarter_index and t.region_code = m.region_code
     and t.isco08 = m.isco08
    where m.vacancies_mentioning >= t.threshold
),

top_ten as (
    select r.*, cast(r.vacancies_mentioning as double precision) / t.vacancies
               as share_of_vacancies
    from ranked as r
    join totals as t
      on t.quarter_index = r.quarter_index and t.region_code = r.region_code
     and t.isco08 = r.isco08
    where r.rank <= 10
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
    from top_ten as r
    join core.dim_quarter as q on q.quarter_index = r.quarter_index
    left join core.dim_skill as k on k.skill_uri = r.skill_uri
)

select * from final
