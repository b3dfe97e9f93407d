-- Rows in quarantine per source and dataset (lmis status: "what is in quarantine").
with q as (
    select 'vacancies' as dataset, source, count(*) as n, max(quarantined_at) as latest
    from quarantine.vacancies group by source
    union all
    select 'labour_observations', source, count(*), max(quarantined_at)
    from quarantine.labour_observations group by source
    union all
    select 'survey_responses', source, count(*), max(quarantined_at)
    from quarantine.survey_responses group by source
    union all
    select 'returnee_profiles', source, count(*), max(quarantined_at)
    from quarantine.returnee_profiles group by source
),
final as (
    select dataset, source, n as row_count, latest from q
)
select * from final
