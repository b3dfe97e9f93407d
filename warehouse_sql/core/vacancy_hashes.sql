select vacancy_id, content_hash from core.vacancies where source = :source
