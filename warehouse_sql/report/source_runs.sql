-- Each source's latest run from the ledger, with the time of its latest successful run and
-- how many runs it has had.
with ranked as (
    select
        l.*,
        row_number() over (partition by l.source order by l.finished_at desc, l.run_id desc)
            as recency
    from ops.run_ledger as l
),

run_counts as (
    select source, count(*) as runs from ops.run_ledger group by source
),

last_success as (
    select source, max(finished_at) as last_success_at
    from ops.run_ledger
    where status = 'success'
    group by source
),

final as (
    select
        r.source, r.run_id, r.dag_id, r.status, r.detail, r.started_at, r.finished_at,
        r.fetched, r.loaded, r.quarantined, r.duplicates, r.unchanged, r.unclassified,
        s.last_success_at, c.runs
    from ranked as r
    join run_counts as c on c.source = r.source
    left join last_success as s on s.source = r.source
    where r.recency = 1
)

select * from final
order by source
