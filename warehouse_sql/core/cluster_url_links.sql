-- Exact duplicates across blocks: re-clustered postings with the same (canonical) URL in
-- different clusters. Rare, so the transitive merge of these few is done in Python.
with batch as (
    select b.vacancy_id, b.cluster_id, v.url,
           coalesce(v.date_posted, cast(v.first_seen_at as date)) as date_posted
    from core.cluster_batch as b
    join core.vacancies as v on v.vacancy_id = b.vacancy_id
    where b.run_id = :run_id and v.url is not null
),

split_urls as (
    select url from batch group by url having count(distinct cluster_id) > 1
),

final as (
    select b.url, b.cluster_id, b.vacancy_id, b.date_posted
    from batch as b
    join split_urls as s on s.url = b.url
)

select * from final
