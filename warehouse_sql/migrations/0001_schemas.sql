-- The six schemas of the warehouse and the migration ledger itself.
create schema if not exists raw;
create schema if not exists staging;
create schema if not exists core;
create schema if not exists quarantine;
create schema if not exists ops;
create schema if not exists published;

create table if not exists ops.schema_migrations (
    version     varchar primary key,
    name        varchar not null,
    checksum    varchar not null,
    applied_at  timestamp not null
);
