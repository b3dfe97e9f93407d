-- The newest open vacancies, as they were advertised (titles and employers are scraped
-- text: the page escapes them).
select
    v.vacancy_id, v.title, v.employer_name, v.region_code, v.locality, v.isco08,
    o.title_en, o.title_fr, v.date_posted, v.source, v.url
from published.vacancies_open as v
left join core.dim_occupation as o on o.isco08 = v.isco08
order by v.date_posted desc nulls last, v.vacancy_id
limit :top_n
