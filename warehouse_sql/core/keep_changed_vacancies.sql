-- Changed postings of the run and source (staged, already in core): what they keep.
insert into core.vacancies_replaced (run_id, source, vacancy_id, first_seen_at, cluster_id,
                                     is_duplicate)
select :run_id, :source, v.vacancy_id, v.first_seen_at, v.cluster_id, v.is_duplicate
from core.vacancies as v
join staging.vacancies as s on s.vacancy_id = v.vacancy_id
where s.run_id = :run_id
  and s.source = :source
