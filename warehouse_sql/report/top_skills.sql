-- Skills most asked in the quarter's new vacancies per area: mentions summed over the
-- occupations of the area (published.skills_demand keeps each occupation's top ten).
with mentions as (
    select region_code, skill_uri, max(skill_label) as skill_label,
           sum(vacancies_mentioning) as vacancies_mentioning
    from published.skills_demand
    where quarter = :quarter
    group by region_code, skill_uri
),

ranked as (
    select
        m.*,
        row_number() over (
            partition by m.region_code order by m.vacancies_mentioning desc, m.skill_uri
        ) as skill_rank
    from mentions as m
),

final as (
    select r.region_code, r.skill_rank, r.skill_uri, r.vacancies_mentioning,
           coalesce(k.label_en, r.skill_label) as label_en,
           coalesce(k.label_fr, k.label_en, r.skill_label) as label_fr
    from ranked as r
    left join core.dim_skill as k on k.skill_uri = r.skill_uri
    where r.skill_rank <= :top_n
)

select * from final
order by region_code, skill_rank
