-- Re-registration of a known person (same keyed hash): the profile is updated, not duplicated.
-- The newer registration wins field by field where it states something; an older one that
-- arrives late only fills gaps. The occupation abroad (code, confidence, method) moves as one.
-- first_registered_at is the earliest registration ever seen; registered_at the latest.
update core.returnee_profiles as c
set sex = case when s.registered_at >= c.registered_at then coalesce(s.sex, c.sex)
               else coalesce(c.sex, s.sex) end,
    age_band = case when s.registered_at >= c.registered_at
                    then coalesce(s.age_band, c.age_band) else coalesce(c.age_band, s.age_band) end,
    return_date = case when s.registered_at >= c.registered_at
                       then coalesce(s.return_date, c.return_date)
                       else coalesce(c.return_date, s.return_date) end,
    destination_country = case when s.registered_at >= c.registered_at
                               then coalesce(s.destination_country, c.destination_country)
                               else coalesce(c.destination_country, s.destination_country) end,
    isco08_abroad = case when s.isco08_abroad is not null
                              and (s.registered_at >= c.registered_at or c.isco08_abroad is null)
                         then s.isco08_abroad else c.isco08_abroad end,
    isco_confidence = case when s.isco08_abroad is not null
                                and (s.registered_at >= c.registered_at or c.isco08_abroad is null)
                           then s.isco_confidence else c.isco_confidence end,
    isco_method = case when s.isco08_abroad is not null
                            and (s.registered_at >= c.registered_at or c.isco08_abroad is null)
                       then s.isco_method else c.isco_method end,
    isco08_before = case when s.registered_at >= c.registered_at
                         then coalesce(s.isco08_before, c.isco08_before)
                         else coalesce(c.isco08_before, s.isco08_before) end,
    skill_uris = case when s.registered_at >= c.registered_at
                      then coalesce(s.skill_uris, c.skill_uris)
                      else coalesce(c.skill_uris, s.skill_uris) end,
    isced_level = case when s.registered_at >= c.registered_at
                       then coalesce(s.isced_level, c.isced_level)
                       else coalesce(c.isced_level, s.isced_level) end,
    has_certificate = case when s.registered_at >= c.registered_at
                           then coalesce(s.has_certificate, c.has_certificate)
                           else coalesce(c.has_certificate, s.has_certificate) end,
    certificate_recognised = case when s.registered_at >= c.registered_at
                                  then coalesce(s.certificate_recognised, c.certificate_recognised)
                                  else coalesce(c.certificate_recognised, s.certificate_recognised)
                             end,
    region_code = case when s.registered_at >= c.registered_at
                       then coalesce(s.region_code, c.region_code)
                       else coalesce(c.region_code, s.region_code) end,
    wants_job = case when s.registered_at >= c.registered_at
                     then coalesce(s.wants_job, c.wants_job)
                     else coalesce(c.wants_job, s.wants_job) end,
    wants_training = case when s.registered_at >= c.registered_at
                          then coalesce(s.wants_training, c.wants_training)
                          else coalesce(c.wants_training, s.wants_training) end,
    wants_business = case when s.registered_at >= c.registered_at
                          then coalesce(s.wants_business, c.wants_business)
                          else coalesce(c.wants_business, s.wants_business) end,
    source = case when s.registered_at >= c.registered_at then s.source else c.source end,
    first_registered_at = least(c.first_registered_at, s.first_registered_at),
    registered_at = greatest(c.registered_at, s.registered_at),
    content_hash = s.content_hash,
    loaded_run_id = s.run_id
from staging.returnee_profiles as s
where s.run_id = :run_id
  and s.source = :source
  and c.person_key = s.person_key
