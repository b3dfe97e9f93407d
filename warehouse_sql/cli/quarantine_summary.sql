select dataset, source, run_id, failed_expectations, count(*) as records,
       max(quarantined_at) as last_at
from (
    select 'vacancies' as dataset, source, run_id, failed_expectations, quarantined_at
    from quarantine.vacancies
    union all
    select 'labour_observations', source, run_id, failed_expectations, quarantined_at
    from quarantine.labour_observations
    union all
    select 'survey_responses', source, run_id, failed_expectations, quarantined_at
    from quarantine.survey_responses
    union all
    select 'returnee_profiles', source, run_id, failed_expectations, quarantined_at
    from quarantine.returnee_profiles
) as held
group by dataset, source, run_id, failed_expectations
order by max(quarantined_at) desc, dataset, source
