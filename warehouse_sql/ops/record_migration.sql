insert into ops.schema_migrations (version, name, checksum, applied_at)
values (:version, :name, :checksum, :applied_at)
