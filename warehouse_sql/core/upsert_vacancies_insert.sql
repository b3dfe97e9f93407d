-- Postings staged by the run that are not in core: new ones start as their own cluster
-- until deduplication says otherwise; changed ones that the load deleted to replace them
-- (core.vacancies_replaced, DuckDB) keep when they were first seen and their cluster.
insert into core.vacancies (
    vacancy_id, source, source_id, url, canonical_url, title, employer_name, date_posted,
    valid_through, employment_type, is_remote, locality, country_code, region_code, salary_min,
    salary_max, salary_currency, salary_period, salary_monthly, description_text, language,
    isco08, isco_label, isco_confidence, isco_method, isic4_section, content_hash, cluster_id,
    is_duplicate, first_seen_at, last_seen_at, loaded_run_id
)
select
    s.vacancy_id, s.source, s.source_id, s.url, s.canonical_url, s.title, s.employer_name,
    s.date_posted, s.valid_through, s.employment_type, s.is_remote, s.locality, s.country_code,
    s.region_code, s.salary_min, s.salary_max, s.salary_currency, s.salary_period,
    s.salary_monthly, s.description_text, s.language, s.isco08, s.isco_label, s.isco_confidence,
    s.isco_method, s.isic4_section, s.content_hash, coalesce(k.cluster_id, s.vacancy_id),
    coalesce(k.is_duplicate, false), coalesce(k.first_seen_at, s.fetched_at), s.fetched_at,
    s.run_id
from staging.vacancies as s
left join core.vacancies_replaced as k
  on k.vacancy_id = s.vacancy_id and k.run_id = :run_id and k.source = :source
where s.run_id = :run_id
  and s.source = :source
  and not exists (select 1 from core.vacancies as v where v.vacancy_id = s.vacancy_id)
