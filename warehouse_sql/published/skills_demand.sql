-- published.skills_demand: the skills most asked in vacancies per quarter x region (and
-- nation) x occupation (unit group), as a share of the cell's new vacancies; top 10.
--
-- The ranking is kept across runs in core.vacancy_skill_ranks and redone only in the cells
-- whose postings changed (etl/warehouse/skill_counts.py,
-- warehouse_sql/maintained/insert_skill_ranks_of_changed_cells.sql): a posting counts once
-- per skill in its region's cell and in its nation's; a posting whose region is the nation
-- itself counts in the nation only, once.
with ranked as (
    select * from core.vacancy_skill_ranks
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
