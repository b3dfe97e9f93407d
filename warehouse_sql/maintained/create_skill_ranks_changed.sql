-- The published cells (quarter x region or nation x unit group) to rank again: each
-- changed region's own cell (a posting whose region is the nation itself counts in the
-- nation only) and its nation's cell, which sums all of the nation's regions.
create table core.vacancy_skill_ranks_changed as
select quarter_index, region_code, isco08
from core.vacancy_skill_cells_changed
where region_code is not null and region_code <> national_code
union
select quarter_index, national_code, isco08
from core.vacancy_skill_cells_changed
