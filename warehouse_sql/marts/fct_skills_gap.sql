-- The indicators of METHODOLOGY.md per quarter x region (and nation) x occupation, the
-- shortage and surplus signals they give against the method's thresholds, and the rating.
with quarters as (
    select * from core.dim_quarter
),

vacancies as (
    select * from core.fct_vacancies_quarterly
),

jobseekers as (
    select * from core.int_jobseeker_cells
),

returnees as (
    select quarter_index, region_code, is_national, isco08, isco_level,
           count(distinct person_key) as returnees_registered
    from core.int_returnee_cells
    group by quarter_index, region_code, is_national, isco08, isco_level
),

spine as (
    select quarter_index, region_code, is_national, isco08, isco_level from vacancies
    union
    select quarter_index, region_code, is_national, isco08, isco_level from jobseekers
    union
    select quarter_index, region_code, is_national, isco08, isco_level from returnees
),

survey_ranked as (
    select
        s.quarter_index as spine_quarter_index,
        s.region_code,
        s.isco08,
        e.vacancies as survey_vacancies,
        e.hard_to_fill_rate,
        e.fill_rate,
        e.suitable_applicants_per_vacancy,
        e.skill_gap_share,
        e.respondents,
        e.is_reliable,
        row_number() over (
            partition by s.quarter_index, s.region_code, s.isco08
            order by e.quarter_index desc
        ) as recency
    from spine as s
    join core.int_survey_cells as e
      on e.region_code = s.region_code
     and e.isco08 = s.isco08
     and e.quarter_index <= s.quarter_index
     and e.quarter_index > s.quarter_index - :survey_max_age_quarters
),

survey as (
    select * from survey_ranked where recency = 1
),

joined as (
    select
        q.quarter,
        s.quarter_index,
        s.region_code,
        s.is_national,
        s.isco08,
        s.isco_level,
        coalesce(v.vacancies_new, 0) as vacancies_new,
        coalesce(vp.vacancies_new, 0) as vacancies_new_prev_year,
        vp.quarter_index is not null or exists (
            select 1 from quarters as q0 where q0.quarter_index = s.quarter_index - 4
        ) as has_prev_year,
        v.wage_median as advertised_wage_median,
        vp.wage_median as wage_median_prev_year,
        sv.survey_vacancies,
        sv.hard_to_fill_rate,
        sv.fill_rate,
        sv.suitable_applicants_per_vacancy,
        sv.skill_gap_share as skill_gap_rate,
        sv.respondents as survey_respondents,
        sv.is_reliable as is_survey_reliable,
        j.jobseekers,
        coalesce(r.returnees_registered, 0) as returnees_registered
    from spine as s
    join quarters as q on q.quarter_index = s.quarter_index
    left join vacancies as v
      on v.quarter_index = s.quarter_index and v.region_code = s.region_code
     and v.isco08 = s.isco08
    left join vacancies as vp
      on vp.quarter_index = s.quarter_index - 4 and vp.region_code = s.region_code
     and vp.isco08 = s.isco08
    left join jobseekers as j
      on j.quarter_index = s.quarter_index and j.region_code = s.region_code
     and j.isco08 = s.isco08
    left join returnees as r
      on r.quarter_index = s.quarter_index and r.region_code = s.region_code
     and r.isco08 = s.isco08
    left join survey as sv
      on sv.spine_quarter_index = s.quarter_index and sv.region_code = s.region_code
     and sv.isco08 = s.isco08
),

indicators as (
    select
        *,
        case when jobseekers > 0
             then cast(vacancies_new as double precision) / jobseekers end as tightness,
        case when has_prev_year and vacancies_new_prev_year >= :min_base_vacancies
             then cast(vacancies_new - vacancies_new_prev_year as double precision)
                  / vacancies_new_prev_year end as vacancies_yoy,
        case when wage_median_prev_year > 0 and advertised_wage_median is not null
             then advertised_wage_median / wage_median_prev_year - 1 end as advertised_wage_change,
        case when survey_respondents >= :min_firms then hard_to_fill_rate end as htf,
        case when survey_respondents >= :min_firms then fill_rate end as fr,
        case when survey_respondents >= :min_firms then skill_gap_rate end as sgr
    from joined
),

signals as (
    select
        *,
          case when tightness > :tightness_shortage_above then 1 else 0 end
        + case when vacancies_yoy > :vacancies_yoy_shortage_above then 1 else 0 end
        + case when htf > :hard_to_fill_rate_shortage_above then 1 else 0 end
        + case when fr < :fill_rate_shortage_below then 1 else 0 end
        + case when sgr > :skill_gap_rate_shortage_above then 1 else 0 end
        + case when advertised_wage_change > :wage_change_shortage_above then 1 else 0 end
            as shortage_signals,
          case when tightness < :tightness_surplus_below then 1 else 0 end
        + case when vacancies_yoy < :vacancies_yoy_surplus_below then 1 else 0 end
        + case when htf < :hard_to_fill_rate_surplus_below then 1 else 0 end
        + case when fr > :fill_rate_surplus_above then 1 else 0 end
        + case when sgr < :skill_gap_rate_surplus_below then 1 else 0 end
        + case when advertised_wage_change < :wage_change_surplus_below then 1 else 0 end
            as surplus_signals,
          case when tightness is not null then 1 else 0 end
        + case when vacancies_yoy is not null then 1 else 0 end
        + case when htf is not null then 1 else 0 end
        + case when fr is not null then 1 else 0 end
        + case when sgr is not null then 1 else 0 end
        + case when advertised_wage_change is not null then 1 else 0 end
            as indicators_available
    from indicators
),

rated as (
    select
        *,
        case
            when indicators_available < :minimum_indicators then 'no_assessment'
            when shortage_signals - surplus_signals >= :major_shortage_net then 'major_shortage'
            when shortage_signals - surplus_signals >= :shortage_net then 'shortage'
            when shortage_signals - surplus_signals <= :large_surplus_net then 'large_surplus'
            when shortage_signals - surplus_signals <= :surplus_net then 'surplus'
            else 'balanced'
        end as rating
    from signals
),

final as (
    select
        *,
        -- Numbers in words are rounded as numeric (half away from zero on both engines; rounding
        -- a double differs: DuckDB rounds half away from zero, PostgreSQL half to even).
        concat_ws('; ',
            case when tightness > :tightness_shortage_above
                 then 'tight: ' || cast(cast(round(cast(tightness as numeric(18, 6)), 2) as numeric(12, 2)) as varchar)
                      || ' new vacancies per registered jobseeker' end,
            case when tightness < :tightness_surplus_below
                 then 'slack: ' || cast(cast(round(cast(tightness as numeric(18, 6)), 2) as numeric(12, 2)) as varchar)
                      || ' new vacancies per registered jobseeker' end,
            case when vacancies_yoy > :vacancies_yoy_shortage_above
                 then 'vacancies up ' || cast(cast(round(cast(vacancies_yoy * 100 as numeric(18, 6))) as integer) as varchar)
                      || '% on a year earlier' end,
            case when vacancies_yoy < :vacancies_yoy_surplus_below
                 then 'vacancies down ' || cast(cast(round(cast(-vacancies_yoy * 100 as numeric(18, 6))) as integer) as varchar)
                      || '% on a year earlier' end,
            case when htf > :hard_to_fill_rate_shortage_above
                 then cast(cast(round(cast(htf * 100 as numeric(18, 6))) as integer) as varchar)
                      || '% of surveyed vacancies hard to fill' end,
            case when htf < :hard_to_fill_rate_surplus_below
                 then 'only ' || cast(cast(round(cast(htf * 100 as numeric(18, 6))) as integer) as varchar)
                      || '% of surveyed vacancies hard to fill' end,
            case when fr < :fill_rate_shortage_below
                 then 'employers filled only ' || cast(cast(round(cast(fr * 100 as numeric(18, 6))) as integer) as varchar)
                      || '% of vacancies' end,
            case when fr > :fill_rate_surplus_above
                 then 'employers filled ' || cast(cast(round(cast(fr * 100 as numeric(18, 6))) as integer) as varchar)
                      || '% of vacancies' end,
            case when sgr > :skill_gap_rate_shortage_above
                 then cast(cast(round(cast(sgr * 100 as numeric(18, 6))) as integer) as varchar)
                      || '% of employers report missing skills' end,
            case when sgr < :skill_gap_rate_surplus_below
                 then 'only ' || cast(cast(round(cast(sgr * 100 as numeric(18, 6))) as integer) as varchar)
                      || '% of employers report missing skills' end,
            case when advertised_wage_change > :wage_change_shortage_above
                 then 'advertised wages up ' || cast(cast(round(cast(advertised_wage_change * 100 as numeric(18, 6))) as integer) as varchar)
                      || '%' end,
            case when advertised_wage_change < :wage_change_surplus_below
                 then 'advertised wages down ' || cast(cast(round(cast(-advertised_wage_change * 100 as numeric(18, 6))) as integer) as varchar)
                      || '%' end,
            case when indicators_available < :minimum_indicators
                 then 'only ' || cast(indicators_available as varchar)
                      || ' indicator(s) available; at least '
                      || cast(:minimum_indicators as varchar) || ' needed' end
        ) as evidence_text
    from rated
)

select * from final
