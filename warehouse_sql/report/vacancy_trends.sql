-- New vacancies per quarter and area over a window of quarters (sum of the sub-major
-- groups, so each classified vacancy counts once per area).
select quarter, region_code, is_national, sum(vacancies_new) as vacancies_new
from published.skills_gap
where isco_level = 2 and quarter >= :first_quarter and quarter <= :quarter
group by quarter, region_code, is_national
order by region_code, quarter
