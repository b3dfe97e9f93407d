-- The counted postings as they are now, in the form core.vacancy_skill_postings keeps them
-- from the last build: each posting in its nation's cell, with its own region (null: none)
-- and what changes when the load rewrites the posting and its skills.
create table core.vacancy_skill_postings_current as
select
    p.vacancy_id,
    p.quarter_index,
    n.region_code as national_code,
    p.region_code,
    p.isco08,
    p.loaded_run_id,
    p.content_hash
from core.int_vacancy_postings as p
cross join core.dim_region as n
where n.is_national
