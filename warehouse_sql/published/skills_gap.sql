-- published.skills_gap: one row per quarter x region (or nation) x occupation (ISCO-08 2 and
-- 4 digits), with disclosure control on counts of persons (returnees) and firms (survey).
with gap as (
    select * from core.fct_skills_gap
),

returnee_primary as (
    select
        *,
        returnees_registered > 0 and returnees_registered < :min_persons as is_primary,
        case when isco_level = 4 then substr(isco08, 1, 2) else '' end as occupation_parent
    from gap
),

-- Secondary suppression: where exactly one cell of a group that adds up to a published
-- total is suppressed, also suppress the smallest other non-zero cell of that group, so the
-- hidden value cannot be derived by subtraction. Groups: unit groups under their sub-major
-- group (same quarter and area) and regions under the nation (same quarter and occupation).
by_occupation as (
    select
        *,
        sum(case when is_primary then 1 else 0 end) over (
            partition by quarter_index, region_code, isco_level, occupation_parent
        ) as occ_primaries,
        row_number() over (
            partition by quarter_index, region_code, isco_level, occupation_parent
            order by case when is_primary or returnees_registered = 0 then 1 else 0 end,
                     returnees_registered, isco08
        ) as occ_rank
    from returnee_primary
),

by_region as (
    select
        *,
        sum(case when is_primary and not is_national then 1 else 0 end) over (
            partition by quarter_index, isco08, is_national
        ) as reg_primaries,
        row_number() over (
            partition by quarter_index, isco08, is_national
            order by case when is_primary or returnees_registered = 0 then 1 else 0 end,
                     returnees_registered, region_code
        ) as reg_rank
    from by_occupation
),

suppressed as (
    select
        *,
        is_primary
        or (occ_primaries = 1 and occ_rank = 1 and isco_level = 4 and returnees_registered > 0)
        or (reg_primaries = 1 and reg_rank = 1 and not is_national and returnees_registered > 0)
            as is_returnees_suppressed
    from by_region
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
