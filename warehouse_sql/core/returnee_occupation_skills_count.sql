-- Whether the ESCO essential skills per ISCO-08 unit group are loaded yet.
select count(*) from core.occupation_skills
