select version, checksum from ops.schema_migrations order by version
