-- Vacancies open now (published.vacancies_open), per region; region_code is null for
-- vacancies whose place could not be mapped to a region.
select region_code, count(*) as open_vacancies
from published.vacancies_open
group by region_code
order by region_code
