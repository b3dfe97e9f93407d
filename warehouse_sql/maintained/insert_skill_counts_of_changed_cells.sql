-- The changed cells counted again from scratch: postings per (region, skill) in each. Each
-- (posting, skill) pair is in core.vacancy_skills once (the load inserts them distinct,
-- migration 0014) and a posting has one region, so count(*) counts distinct postings.
insert into core.vacancy_skill_counts (
    quarter_index, national_code, region_code, isco08, skill_uri, vacancies_mentioning
)
select p.quarter_index, p.national_code, p.region_code, p.isco08, s.skill_uri, count(*)
from core.vacancy_skill_postings_current as p
join core.vacancy_skill_cells_changed as x
  on x.quarter_index = p.quarter_index and x.national_code = p.national_code
 and x.isco08 = p.isco08
join core.vacancy_skills as s on s.vacancy_id = p.vacancy_id
group by p.quarter_index, p.national_code, p.region_code, p.isco08, s.skill_uri
