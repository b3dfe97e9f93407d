-- The postings just counted become the ones the next build compares with.
alter table core.vacancy_skill_postings_current rename to vacancy_skill_postings
