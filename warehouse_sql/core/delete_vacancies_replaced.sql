delete from core.vacancies_replaced where run_id = :run_id and source = :source
