-- Cells are matched with coalesce(region_code, ''): postings placed in no region form a
-- cell of their own, and a plain equality would never match their null.
delete from core.vacancy_skill_counts
where exists (
    select 1
    from core.vacancy_skill_cells_changed as x
    where x.quarter_index = core.vacancy_skill_counts.quarter_index
      and x.national_code = core.vacancy_skill_counts.national_code
      and coalesce(x.region_code, '') = coalesce(core.vacancy_skill_counts.region_code, '')
      and x.isco08 = core.vacancy_skill_counts.isco08
)
