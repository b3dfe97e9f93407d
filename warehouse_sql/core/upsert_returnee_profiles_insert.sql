-- First registration of a person: a new profile.
insert into core.returnee_profiles (
    person_key, sex, age_band, return_date, destination_country, isco08_abroad, isco_confidence,
    isco_method, isco08_before, skill_uris, isced_level, has_certificate, certificate_recognised,
    region_code, wants_job, wants_training, wants_business, first_registered_at, registered_at,
    source, content_hash, loaded_run_id
)
select
    s.person_key, s.sex, s.age_band, s.return_date, s.destination_country, s.isco08_abroad,
    s.isco_confidence, s.isco_method, s.isco08_before, s.skill_uris, s.isced_level,
    s.has_certificate, s.certificate_recognised, s.region_code, s.wants_job, s.wants_training,
    s.wants_business, s.first_registered_at, s.registered_at, s.source, s.content_hash, s.run_id
from staging.returnee_profiles as s
where s.run_id = :run_id
  and s.source = :source
  and not exists (select 1 from core.returnee_profiles as c where c.person_key = s.person_key)
