delete from core.vacancy_skill_counts
where exists (
    select 1
    from core.vacancy_skill_cells_changed as x
    where x.quarter_index = core.vacancy_skill_counts.quarter_index
      and x.national_code = core.vacancy_skill_counts.national_code
      and x.isco08 = core.vacancy_skill_counts.isco08
)
