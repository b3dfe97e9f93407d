-- Current = the most recently loaded release of each observation touched by this run.
update core.labour_observations
set is_current = (
    core.labour_observations.release = (
        select o.release
        from core.labour_observations as o
        where o.obs_key = core.labour_observations.obs_key
        order by o.loaded_at desc, o.release desc
        limit 1
    )
)
where obs_key in (select obs_key from staging.labour_observations where run_id = :run_id)
