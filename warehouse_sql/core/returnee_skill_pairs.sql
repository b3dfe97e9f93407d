-- Skills already recorded for returnees (only new pairs are inserted).
select person_key, skill_uri
from core.returnee_skills
