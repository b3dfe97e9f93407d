select * from core.returnee_profiles
