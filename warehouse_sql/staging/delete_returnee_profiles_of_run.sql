-- A retried run replaces what it staged for the source, so staging holds one copy per run.
delete from staging.returnee_profiles
where run_id = :run_id
  and source = :source
