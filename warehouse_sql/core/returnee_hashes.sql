-- The content hash of every profile: a staged profile with the same hash is unchanged.
select person_key, content_hash
from core.returnee_profiles
