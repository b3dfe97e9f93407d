-- Per source: the last successful run, and the last run that brought new data (a record
-- fetched that was not already in the warehouse unchanged), for freshness and lmis status.
with successes as (
    select source, run_id, finished_at, fetched, loaded, quarantined, duplicates, unchanged,
           row_number() over (partition by source order by finished_at desc, run_id desc) as rn
    from ops.run_ledger
    where status = 'success'
),
new_data as (
    select source, max(finished_at) as last_new_data_at
    from ops.run_ledger
    where status = 'success' and fetched > unchanged
    group by source
),
final as (
    select s.source, s.run_id, s.finished_at, s.fetched, s.loaded, s.quarantined,
           s.duplicates, s.unchanged, n.last_new_data_at
    from successes s
    left join new_data n on n.source = s.source
    where s.rn = 1
)
select * from final
