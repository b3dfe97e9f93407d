-- Work tables of an earlier build that stopped before it dropped them.
drop table if exists core.vacancy_skill_postings_current
