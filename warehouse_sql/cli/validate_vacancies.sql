select * from core.vacancies
