delete from core.vacancy_skill_ranks
where exists (
    select 1
    from core.vacancy_skill_ranks_changed as x
    where x.quarter_index = core.vacancy_skill_ranks.quarter_index
      and x.region_code = core.vacancy_skill_ranks.region_code
      and x.isco08 = core.vacancy_skill_ranks.isco08
)
