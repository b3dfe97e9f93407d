-- published.skills_gap: one row per quarter x region (or nation) x occupation (ISCO-08 2 and
-- 4 digits), with disclosure control on counts of persons (returnees) and firms (survey).
with gap as (
    select * from core.fct_skills_gap
),

-- Disclosure control of the returnee counts (persons), :min_persons and up are published.
-- Primary: a count from 1 to :min_persons - 1 is hidden. Secondary: the cells of this table
-- add up in two ways, and in each group a single hidden cell could be derived from the
-- others: G1, a sub-major group (2 digits) and its unit groups (4 digits) in one area and
-- quarter (the 2-digit cell is the total); G2, the nation and its regions for one occupation
-- and quarter (the national cell is the total). Where a group has exactly one hidden cell,
-- its smallest other non-zero cell is hidden too: another detail cell if there is one, else
-- the total. A cell hidden for one group can leave its other group with a single hidden
-- cell, so the rule is applied again, six passes in all (enough for the chains the
-- cross-classification produces; the test of the marts checks a four-step chain).
pass_0 as (
    select
        *,
        returnees_registered > 0 and returnees_registered < :min_persons as s0,
        region_code as g1_area,
        substr(isco08, 1, 2) as g1_total
    from gap
),

pass_1 as (
    select
        *,
        s0 or (
            sum(case when s0 then 1 else 0 end) over (
                partition by quarter_index, g1_area, g1_total) = 1
            and row_number() over (
                partition by quarter_index, g1_area, g1_total
                order by case when s0 or returnees_registered = 0 then 1 else 0 end,
                         returnees_registered, isco_level desc, isco08) = 1
            and not s0 and returnees_registered > 0
        ) or (
            sum(case when s0 then 1 else 0 end) over (partition by quarter_index, isco08) = 1
            and row_number() over (
                partition by quarter_index, isco08
                order by case when s0 or returnees_registered = 0 then 1 else 0 end,
                         returnees_registered, is_national, region_code) = 1
            and not s0 and returnees_registered > 0
        ) as s1
    from pass_0
),

pass_2 as (
    select
        *,
        s1 or (
            sum(case when s1 then 1 else 0 end) over (
                partition by quarter_index, g1_area, g1_total) = 1
            and row_number() over (
                partition by quarter_index, g1_area, g1_total
                order by case when s1 or returnees_registered = 0 then 1 else 0 end,
                         returnees_registered, isco_level desc, isco08) = 1
            and not s1 and returnees_registered > 0
        ) or (
            sum(case when s1 then 1 else 0 end) over (partition by quarter_index, isco08) = 1
            and row_number() over (
                partition by quarter_index, isco08
                order by case when s1 or returnees_registered = 0 then 1 else 0 end,
                         returnees_registered, is_national, region_code) = 1
            and not s1 and returnees_registered > 0
        ) as s2
    from pass_1
),

pass_3 as (
    select
        *,
        s2 or (
            sum(case when s2 then 1 else 0 end) over (
                partition by quarter_index, g1_area, g1_total) = 1
            and row_number() over (
                partition by quarter_index, g1_area, g1_total
                order by case when s2 or returnees_registered = 0 then 1 else 0 end,
                         returnees_registered, isco_level desc, isco08) = 1
            and not s2 and returnees_registered > 0
        ) or (
            sum(case when s2 then 1 else 0 end) over (partition by quarter_index, isco08) = 1
            and row_number() over (
                partition by quarter_index, isco08
                order by case when s2 or returnees_registered = 0 then 1 else 0 end,
                         returnees_registered, is_national, region_code) = 1
            and not s2 and returnees_registered > 0
        ) as s3
    from pass_2
),

pass_4 as (
    select
        *,
        s3 or (
            sum(case when s3 then 1 else 0 end) over (
                partition by quarter_index, g1_area, g1_total) = 1
            and row_number() over (
                partition by quarter_index, g1_area, g1_total
                order by case when s3 or returnees_registered = 0 then 1 else 0 end,
                         returnees_registered, isco_level desc, isco08) = 1
            and not s3 and returnees_registered > 0
        ) or (
            sum(case when s3 then 1 else 0 end) over (partition by quarter_index, isco08) = 1
            and row_number() over (
                partition by quarter_index, isco08
                order by case when s3 or returnees_registered = 0 then 1 else 0 end,
                         returnees_registered, is_national, region_code) = 1
            and not s3 and returnees_registered > 0
        ) as s4
    from pass_3
),

pass_5 as (
    select
        *,
        s4 or (
            sum(case when s4 then 1 else 0 end) over (
                partition by quarter_index, g1_area, g1_total) = 1
            and row_number() over (
                partition by quarter_index, g1_area, g1_total
                order by case when s4 or returnees_registered = 0 then 1 else 0 end,
                         returnees_registered, isco_level desc, isco08) = 1
            and not s4 and returnees_registered > 0
        ) or (
            sum(case when s4 then 1 else 0 end) over (partition by quarter_index, isco08) = 1
            and row_number() over (
                partition by quarter_index, isco08
                order by case when s4 or returnees_registered = 0 then 1 else 0 end,
                         returnees_registered, is_national, region_code) = 1
            and not s4 and returnees_registered > 0
        ) as s5
    from pass_4
),

pass_6 as (
    select
        *,
        s5 or (
            sum(case when s5 then 1 else 0 end) over (
                partition by quarter_index, g1_area, g1_total) = 1
            and row_number() over (
                partition by quarter_index, g1_area, g1_total
                order by case when s5 or returnees_registered = 0 then 1 else 0 end,
                         returnees_registered, isco_level desc, isco08) = 1
            and not s5 and returnees_registered > 0
        ) or (
            sum(case when s5 then 1 else 0 end) over (partition by quarter_index, isco08) = 1
            and row_number() over (
                partition by quarter_index, isco08
                order by case when s5 or returnees_registered = 0 then 1 else 0 end,
                         returnees_registered, is_national, region_code) = 1
            and not s5 and returnees_registered > 0
        ) as s6
    from pass_5
),
suppressed as (
    select *, s6 as is_returnees_suppressed from pass_6
),

final as (
    select
        s.quarter,
        s.region_code,
        s.is_national,
        s.isco08,
        s.isco_level,
        o.title_en as occupation_title,
        cast(s.vacancies_new as bigint) as vacancies_new,
        case when s.has_prev_year then cast(s.vacancies_new_prev_year as bigint) end
            as vacancies_new_prev_year,
        s.vacancies_yoy,
        s.advertised_wage_median,
        s.advertised_wage_change,
        case when s.survey_respondents >= :min_firms then s.survey_vacancies end
            as survey_vacancies,
        s.htf as hard_to_fill_rate,
        s.fr as fill_rate,
        case when s.survey_respondents >= :min_firms then s.suitable_applicants_per_vacancy end
            as suitable_applicants_per_vacancy,
        s.sgr as skill_gap_rate,
        case when s.survey_respondents >= :min_firms then cast(s.survey_respondents as integer) end
            as survey_respondents,
        coalesce(s.survey_respondents > 0 and s.survey_respondents < :min_firms, false)
            as is_survey_respondents_suppressed,
        case when s.survey_respondents >= :min_firms then s.is_survey_reliable end
            as is_survey_reliable,
        s.jobseekers,
        case when s.is_returnees_suppressed then null
             else cast(s.returnees_registered as bigint) end as returnees_registered,
        s.is_returnees_suppressed,
        s.tightness,
        cast(s.shortage_signals as integer) as shortage_signals,
        cast(s.surplus_signals as integer) as surplus_signals,
        cast(s.indicators_available as integer) as indicators_available,
        s.rating,
        coalesce(
            nullif(s.evidence_text, ''),
            'all ' || cast(s.indicators_available as varchar)
                || ' available indicators within their thresholds'
        ) as evidence,
        s.indicators_available >= :minimum_indicators
            and coalesce(s.is_survey_reliable, true) as is_reliable,
        cast(:method_version as varchar) as method_version,
        cast(:run_id as varchar) as run_id
    from suppressed as s
    join core.dim_occupation as o on o.isco08 = s.isco08
)

select * from final
