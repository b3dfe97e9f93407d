-- The loader and reader roles (PostgreSQL), created once: a second run changes nothing.
-- Both are group roles without login; people and services log in as their own roles and
-- are granted one of these (`create role portal login password '...' in role lmis_reader`),
-- or an administrator gives one of them a login.
-- The role running `lmis init` becomes a member of the loader role, so that it can hand
-- the schemas to the loader and define default privileges for the tables it creates.
do $$
declare
    loader_role text := current_setting('lmis.loader_role');
    reader_role text := current_setting('lmis.reader_role');
begin
    -- Roles are shared by every database of the server: another `lmis init` may create
    -- the same role at the same moment, which is as good as creating it here.
    if not exists (select 1 from pg_catalog.pg_roles where rolname = loader_role) then
        begin
            execute format('create role %I nologin', loader_role);
        exception when duplicate_object then null;
        end;
    end if;
    if not exists (select 1 from pg_catalog.pg_roles where rolname = reader_role) then
        begin
            execute format('create role %I nologin', reader_role);
        exception when duplicate_object then null;
        end;
    end if;
    if loader_role <> current_user and not pg_has_role(current_user, loader_role, 'member') then
        execute format('grant %I to %I', loader_role, current_user);
    end if;
end
$$;
