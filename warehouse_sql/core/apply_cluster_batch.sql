update core.vacancies
set cluster_id = b.cluster_id,
    is_duplicate = b.is_duplicate
from core.cluster_batch as b
where core.vacancies.vacancy_id = b.vacancy_id
