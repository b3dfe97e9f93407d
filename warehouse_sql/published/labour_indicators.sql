-- published.labour_indicators: the current release of every observatory statistic.
with current_values as (
    select * from core.labour_observations where is_current
),

final as (
    select
        indicator, ref_area, region_code, time_period, period_type, sex, age, isco08, isic4,
        obs_value, unit, unit_mult, obs_status, source, release
    from current_values
)

select * from final
