-- published.vacancies_open: one row per active deduplicated vacancy (the first posting of
-- each cluster), for portals. Active: posted by the as-of date and not past its closing
-- date; without a closing date, seen within the open window of the method file.
with clusters as (
    select cluster_id, count(*) as postings_in_cluster
    from core.vacancies
    group by cluster_id
),

active as (
    select v.*
    from core.vacancies as v
    where not v.is_duplicate
      and coalesce(v.date_posted, cast(v.first_seen_at as date)) <= cast(:as_of_date as date)
      and (
          v.valid_through >= cast(:as_of_date as date)
          or (v.valid_through is null
              and coalesce(v.date_posted, cast(v.first_seen_at as date))
                  >= cast(:open_since_date as date))
      )
),

final as (
    select
        a.vacancy_id,
        a.title,
        a.employer_name,
        a.region_code,
        a.locality,
        a.isco08,
        o.title_en as occupation_title,
        a.isic4_section,
        a.employment_type,
        a.date_posted,
        a.valid_through,
        a.salary_monthly,
        a.salary_currency,
        a.url,
        a.source,
        cast(c.postings_in_cluster as integer) as postings_in_cluster
    from active as a
    join clusters as c on c.cluster_id = a.cluster_id
    left join core.dim_occupation as o on o.isco08 = a.isco08
)

select * from final
