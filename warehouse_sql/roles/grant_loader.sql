-- The loader role owns the six schemas and may read and write every table in them, now
-- and later (default privileges for tables created by the role running the migrations and
-- by the loader itself). A schema's owner may also drop and replace its tables, which the
-- model builds do.
do $$
declare
    loader_role text := current_setting('lmis.loader_role');
    schema_name text;
begin
    foreach schema_name in array array['raw', 'staging', 'core', 'quarantine', 'ops', 'published']
    loop
        execute format('alter schema %I owner to %I', schema_name, loader_role);
        execute format('grant all on all tables in schema %I to %I', schema_name, loader_role);
        execute format('alter default privileges in schema %I grant all on tables to %I',
                       schema_name, loader_role);
    end loop;
end
$$;
