-- The nation x quarter x unit-group cells whose postings differ from the last build's: a
-- posting came, went (closed cells stay: postings are history), became or stopped being a
-- duplicate, moved region, quarter or occupation, or was reloaded with new content (and so
-- new skills). EXCEPT compares nulls as equal. On the first build every cell is changed.
create table core.vacancy_skill_cells_changed as
select distinct quarter_index, national_code, isco08
from (
    (select vacancy_id, quarter_index, national_code, region_code, isco08, loaded_run_id,
            content_hash
     from core.vacancy_skill_postings
     except
     select vacancy_id, quarter_index, national_code, region_code, isco08, loaded_run_id,
            content_hash
     from core.vacancy_skill_postings_current)
    union all
    (select vacancy_id, quarter_index, national_code, region_code, isco08, loaded_run_id,
            content_hash
     from core.vacancy_skill_postings_current
     except
     select vacancy_id, quarter_index, national_code, region_code, isco08, loaded_run_id,
            content_hash
     from core.vacancy_skill_postings)
) as changed
