-- The reader role reads the published tables and nothing else: USAGE on schema published,
-- SELECT on its tables (those there now, and by default privileges those created later by
-- the role running the migrations or by the loader), and every privilege on the other
-- schemas revoked, so that a grant made by hand earlier does not linger.
do $$
declare
    loader_role text := current_setting('lmis.loader_role');
    reader_role text := current_setting('lmis.reader_role');
    schema_name text;
begin
    execute format('grant connect on database %I to %I', current_database(), reader_role);
    foreach schema_name in array array['raw', 'staging', 'core', 'quarantine', 'ops']
    loop
        execute format('revoke all on all tables in schema %I from %I', schema_name, reader_role);
        execute format('revoke all on schema %I from %I', schema_name, reader_role);
        execute format('alter default privileges in schema %I revoke all on tables from %I',
                       schema_name, reader_role);
    end loop;
    execute format('revoke all on all tables in schema published from %I', reader_role);
    execute format('revoke create on schema published from %I', reader_role);
    execute format('grant usage on schema published to %I', reader_role);
    execute format('grant select on all tables in schema published to %I', reader_role);
    execute format('alter default privileges in schema published grant select on tables to %I',
                   reader_role);
    execute format('alter default privileges for role %I in schema published '
                   'grant select on tables to %I', loader_role, reader_role);
end
$$;
