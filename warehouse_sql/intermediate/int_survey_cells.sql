-- Survey estimates (computed by etl/pipelines/survey_estimates.py into core.survey_estimates)
-- keyed like the other cells.
with estimates as (
    select
        e.*,
        cast(substr(e.quarter, 1, 4) as integer) * 4
            + cast(substr(e.quarter, 6, 1) as integer) - 1 as quarter_index,
        r.is_national,
        length(e.isco08) as isco_level
    from core.survey_estimates as e
    join core.dim_region as r on r.region_code = e.region_code
),

final as (
    select * from estimates
)

select * from final
