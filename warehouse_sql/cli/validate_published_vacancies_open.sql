select * from published.vacancies_open
