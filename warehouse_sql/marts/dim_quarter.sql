-- The quarters the vacancy data cover, with their labels (2025Q3) and an integer index
-- (year * 4 + quarter - 1) that makes "a year earlier" and "within N quarters" arithmetic.
with bounds as (
    select min(quarter_index) as first_index, max(quarter_index) as last_index
    from core.int_vacancy_cells
),

indexes as (
    select distinct quarter_index from core.int_vacancy_cells
    union
    select distinct quarter_index from core.int_jobseeker_cells
    union
    select distinct quarter_index from core.int_returnee_cells
),

final as (
    select
        i.quarter_index,
        cast(cast(floor(i.quarter_index / 4.0) as integer) as varchar) || 'Q'
            || cast(i.quarter_index - 4 * cast(floor(i.quarter_index / 4.0) as integer) + 1
                    as varchar) as quarter,
        i.quarter_index = b.last_index as is_latest
    from indexes as i cross join bounds as b
    where i.quarter_index between b.first_index and b.last_index
)

select * from final
