-- Per region of return: vacancies open now and returnees already registered (all quarters)
-- in the same occupations, from published.opportunities (region x unit group). Returnee
-- counts there are disclosure-controlled: the region's figure is the sum of its published
-- cells, with the number of cells hidden, so a reader is told when it is a lower bound.
select
    region_code,
    sum(open_vacancies) as open_vacancies,
    sum(returnees_registered) as returnees_published,
    sum(case when is_returnees_suppressed then 1 else 0 end) as cells_suppressed,
    count(*) as cells
from published.opportunities
group by region_code
order by region_code
