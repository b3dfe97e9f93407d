-- Changed postings: new content, same identity; first_seen_at and cluster are kept.
update core.vacancies
set url = s.url,
    canonical_url = s.canonical_url,
    title = s.title,
    employer_name = s.employer_name,
    date_posted = s.date_posted,
    valid_through = s.valid_through,
    employment_type = s.employment_type,
    is_remote = s.is_remote,
    locality = s.locality,
    country_code = s.country_code,
    region_code = s.region_code,
    salary_min = s.salary_min,
    salary_max = s.salary_max,
    salary_currency = s.salary_currency,
    salary_period = s.salary_period,
    salary_monthly = s.salary_monthly,
    description_text = s.description_text,
    language = s.language,
    isco08 = s.isco08,
    isco_label = s.isco_label,
    isco_confidence = s.isco_confidence,
    isco_method = s.isco_method,
    isic4_section = s.isic4_section,
    content_hash = s.content_hash,
    last_seen_at = s.fetched_at,
    loaded_run_id = s.run_id
from staging.vacancies as s
where s.run_id = :run_id
  and s.source = :source
  and core.vacancies.vacancy_id = s.vacancy_id
