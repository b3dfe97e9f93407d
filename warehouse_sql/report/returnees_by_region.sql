-- Returnees registered per region of return (all quarters), from the disclosure-controlled
-- published.returnees_summary: the sum of published cells and how many cells are hidden.
select
    region_code,
    sum(returnees_registered) as returnees_published,
    sum(case when is_suppressed then 1 else 0 end) as cells_suppressed,
    count(*) as cells
from published.returnees_summary
group by region_code
order by region_code
