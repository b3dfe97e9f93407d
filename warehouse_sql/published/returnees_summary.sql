-- published.returnees_summary: returnees registered (by the quarter of their first
-- registration) per quarter x region of return x occupation held abroad (unit group), by
-- sex, age band and intention, with the skills they bring. Aggregates only, with
-- disclosure control at :min_persons persons:
-- * a cell total below the threshold is suppressed with everything in its row (primary);
-- * secondary suppression: where exactly one cell of a group is suppressed, the smallest
--   other cell of the group is suppressed too, so that the hidden count cannot be derived
--   from a published total. Groups: the unit groups of one sub-major group (same quarter
--   and region; the sub-major total is in published.skills_gap) and the regions of one
--   occupation (same quarter; the national total is in published.skills_gap). The rule is
--   applied in four passes, because a cell hidden in one group can leave another group
--   with a single hidden cell (pass 1 is the rule published.skills_gap applies once;
--   every cell it hides is hidden here too);
-- * in a published row, breakdowns are hidden together when one of their cells is below
--   the threshold: sex (women, men and, derived from the total, other), the four age
--   bands; an intention below the threshold is hidden, and when it is the only one, the
--   smallest other non-zero intention with it;
-- * skills brought: up to five ESCO skills declared by at least :min_persons returnees of
--   the cell (so that no skill list describes fewer than that many people).
with cells_people as (
    select
        c.quarter_index,
        c.region_code,
        c.isco08,
        c.person_key,
        c.sex,
        p.age_band,
        c.wants_job,
        c.wants_training,
        c.wants_business
    from core.int_returnee_cells as c
    left join core.returnee_profiles as p on p.person_key = c.person_key
    where c.isco_level = 4 and not c.is_national
),

cells as (
    select
        quarter_index, region_code, isco08,
        count(distinct person_key) as total,
        count(distinct case when sex = 'F' then person_key end) as women,
        count(distinct case when sex = 'M' then person_key end) as men,
        count(distinct case when age_band = '15-24' then person_key end) as age_15_24,
        count(distinct case when age_band = '25-34' then person_key end) as age_25_34,
        count(distinct case when age_band = '35-44' then person_key end) as age_35_44,
        count(distinct case when age_band in ('45-54', '55-64', '65+') then person_key end)
            as age_45_plus,
        count(distinct case when wants_job then person_key end) as wants_job,
        count(distinct case when wants_training then person_key end) as wants_training,
        count(distinct case when wants_business then person_key end) as wants_business
    from cells_people
    group by quarter_index, region_code, isco08
),

primary_flags as (
    select
        *,
        total < :min_persons as is_primary,
        substr(isco08, 1, 2) as occupation_parent
    from cells
),

pass_1 as (
    select
        *,
        is_primary or (
            sum(case when is_primary then 1 else 0 end) over (
                partition by quarter_index, region_code, occupation_parent) = 1
            and row_number() over (
                partition by quarter_index, region_code, occupation_parent
                order by case when is_primary then 1 else 0 end, total, isco08) = 1
        ) or (
            sum(case when is_primary then 1 else 0 end) over (partition by quarter_index, isco08) = 1
            and row_number() over (
                partition by quarter_index, isco08
                order by case when is_primary then 1 else 0 end, total, region_code) = 1
        ) as s1
    from primary_flags
),

pass_2 as (
    select
        *,
        s1 or (
            sum(case when s1 then 1 else 0 end) over (
                partition by quarter_index, region_code, occupation_parent) = 1
            and row_number() over (
                partition by quarter_index, region_code, occupation_parent
                order by case when s1 then 1 else 0 end, total, isco08) = 1
        ) or (
            sum(case when s1 then 1 else 0 end) over (partition by quarter_index, isco08) = 1
            and row_number() over (
                partition by quarter_index, isco08
                order by case when s1 then 1 else 0 end, total, region_code) = 1
        ) as s2
    from pass_1
),

pass_3 as (
    select
        *,
        s2 or (
            sum(case when s2 then 1 else 0 end) over (
                partition by quarter_index, region_code, occupation_parent) = 1
            and row_number() over (
                partition by quarter_index, region_code, occupation_parent
                order by case when s2 then 1 else 0 end, total, isco08) = 1
        ) or (
            sum(case when s2 then 1 else 0 end) over (partition by quarter_index, isco08) = 1
            and row_number() over (
                partition by quarter_index, isco08
                order by case when s2 then 1 else 0 end, total, region_code) = 1
        ) as s3
    from pass_2
),

pass_4 as (
    select
        *,
        s3 or (
            sum(case when s3 then 1 else 0 end) over (
                partition by quarter_index, region_code, occupation_parent) = 1
            and row_number() over (
                partition by quarter_index, region_code, occupation_parent
                order by case when s3 then 1 else 0 end, total, isco08) = 1
        ) or (
            sum(case when s3 then 1 else 0 end) over (partition by quarter_index, isco08) = 1
            and row_number() over (
                partition by quarter_index, isco08
                order by case when s3 then 1 else 0 end, total, region_code) = 1
        ) as s4
    from pass_3
),

flags as (
    select
        *,
        s4 as is_suppressed,
        (women between 1 and :min_persons - 1)
        or (men between 1 and :min_persons - 1)
        or (total - women - men between 1 and :min_persons - 1) as sex_hidden,
        (age_15_24 between 1 and :min_persons - 1)
        or (age_25_34 between 1 and :min_persons - 1)
        or (age_35_44 between 1 and :min_persons - 1)
        or (age_45_plus between 1 and :min_persons - 1)
        or (total - age_15_24 - age_25_34 - age_35_44 - age_45_plus
            between 1 and :min_persons - 1) as age_hidden,
        case when wants_job between 1 and :min_persons - 1 then 1 else 0 end
        + case when wants_training between 1 and :min_persons - 1 then 1 else 0 end
        + case when wants_business between 1 and :min_persons - 1 then 1 else 0 end
            as intention_primaries
    from pass_4
),

-- The one intention hidden with a lone small one: the smallest other non-zero intention.
intention_partner as (
    select
        *,
        case
            when intention_primaries <> 1 then ''
            when wants_job >= :min_persons
                 and (wants_training < :min_persons or wants_job <= wants_training)
                 and (wants_business < :min_persons or wants_job <= wants_business)
                then 'job'
            when wants_training >= :min_persons
                 and (wants_business < :min_persons or wants_training <= wants_business)
                then 'training'
            when wants_business >= :min_persons then 'business'
            else ''
        end as intention_secondary
    from flags
),

skill_counts as (
    select
        p.quarter_index, p.region_code, p.isco08, coalesce(k.label_en, s.skill_uri) as label,
        count(distinct p.person_key) as holders
    from cells_people as p
    join core.returnee_skills as s on s.person_key = p.person_key
    left join core.dim_skill as k on k.skill_uri = s.skill_uri
    group by p.quarter_index, p.region_code, p.isco08, coalesce(k.label_en, s.skill_uri)
),

skills_ranked as (
    select
        *,
        row_number() over (
            partition by quarter_index, region_code, isco08 order by holders desc, label
        ) as rn
    from skill_counts
    where holders >= :min_persons
),

skills_brought as (
    select quarter_index, region_code, isco08,
           string_agg(label, '; ' order by rn) as skills_brought
    from skills_ranked
    where rn <= 5
    group by quarter_index, region_code, isco08
),

final as (
    select
        q.quarter,
        f.region_code,
        f.isco08,
        o.title_en as occupation_title,
        case when f.is_suppressed then null else cast(f.total as bigint) end
            as returnees_registered,
        case when f.is_suppressed or f.sex_hidden then null else cast(f.women as bigint) end
            as women,
        case when f.is_suppressed or f.sex_hidden then null else cast(f.men as bigint) end as men,
        case when f.is_suppressed or f.wants_job between 1 and :min_persons - 1
                  or f.intention_secondary = 'job' then null
             else cast(f.wants_job as bigint) end as wants_job,
        case when f.is_suppressed or f.wants_training between 1 and :min_persons - 1
                  or f.intention_secondary = 'training' then null
             else cast(f.wants_training as bigint) end as wants_training,
        case when f.is_suppressed or f.wants_business between 1 and :min_persons - 1
                  or f.intention_secondary = 'business' then null
             else cast(f.wants_business as bigint) end as wants_business,
        coalesce(g.rating in ('shortage', 'major_shortage'), false) as on_shortage_list,
        f.is_suppressed,
        case when f.is_suppressed or f.age_hidden then null else cast(f.age_15_24 as bigint) end
            as age_15_24,
        case when f.is_suppressed or f.age_hidden then null else cast(f.age_25_34 as bigint) end
            as age_25_34,
        case when f.is_suppressed or f.age_hidden then null else cast(f.age_35_44 as bigint) end
            as age_35_44,
        case when f.is_suppressed or f.age_hidden then null
             else cast(f.age_45_plus as bigint) end as age_45_plus,
        case when f.is_suppressed then null else sb.skills_brought end as skills_brought
    from intention_partner as f
    join core.dim_quarter as q on q.quarter_index = f.quarter_index
    join core.dim_occupation as o on o.isco08 = f.isco08
    left join skills_brought as sb
      on sb.quarter_index = f.quarter_index and sb.region_code = f.region_code
     and sb.isco08 = f.isco08
    left join core.pub_skills_gap as g
      on g.quarter = q.quarter and g.region_code = f.region_code and g.isco08 = f.isco08
)

select * from final
