-- Reloading the ESCO essential skills per unit group is a full replace.
delete from core.occupation_skills
