drop table if exists core.vacancy_skill_ranks_changed
