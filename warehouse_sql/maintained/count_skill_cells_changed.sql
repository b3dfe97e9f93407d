select count(*) from core.vacancy_skill_cells_changed
