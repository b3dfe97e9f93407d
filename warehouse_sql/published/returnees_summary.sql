-- published.returnees_summary: returnees registered per quarter x region x occupation abroad
-- (unit group), by sex and intention, with disclosure control: a total below the persons threshold is
-- suppressed with everything in its row; a breakdown cell below that threshold is suppressed together
-- with its complement (women/men), since one could be derived from the total.
with cells as (
    select
        quarter_index, region_code, isco08,
        count(distinct person_key) as total,
        count(distinct case when sex = 'F' then person_key end) as women,
        count(distinct case when sex = 'M' then person_key end) as men,
        count(distinct case when wants_job then person_key end) as wants_job,
        count(distinct case when wants_training then person_key end) as wants_training,
        count(distinct case when wants_business then person_key end) as wants_business
    from core.int_returnee_cells
    where isco_level = 4 and not is_national
    group by quarter_index, region_code, isco08
),

flags as (
    select
        *,
        total < :min_persons as is_suppressed,
        (women > 0 and women < :min_persons) or (men > 0 and men < :min_persons) as sex_hidden
    from cells
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
        case when f.is_suppressed or f.wants_job between 1 and :min_persons - 1 then null
             else cast(f.wants_job as bigint) end as wants_job,
        case when f.is_suppressed or f.wants_training between 1 and :min_persons - 1 then null
             else cast(f.wants_training as bigint) end as wants_training,
        case when f.is_suppressed or f.wants_business between 1 and :min_persons - 1 then null
             else cast(f.wants_business as bigint) end as wants_business,
        coalesce(g.rating in ('shortage', 'major_shortage'), false) as on_shortage_list,
        f.is_suppressed
    from flags as f
    join core.dim_quarter as q on q.quarter_index = f.quarter_index
    join core.dim_occupation as o on o.isco08 = f.isco08
    left join core.pub_skills_gap as g
      on g.quarter = q.quarter and g.region_code = f.region_code and g.isco08 = f.isco08
)

select * from final
