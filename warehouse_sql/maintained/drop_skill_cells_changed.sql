drop table if exists core.vacancy_skill_cells_changed
