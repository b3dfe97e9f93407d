-- Rows of the counsellors' skills match after a rebuild.
select count(*) from core.returnee_skills_match
