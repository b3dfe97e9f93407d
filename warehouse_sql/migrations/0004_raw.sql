-- Raw landing: every response or file exactly as received; the bytes are files in LMIS_HOME/raw.
create table if not exists raw.landed_files (
    sha256        varchar not null,        -- of the bytes
    source        varchar not null,
    run_id        varchar not null,
    url           varchar not null,        -- or file:// path for drop-folder sources
    http_status   integer,
    content_type  varchar,
    headers       varchar,                 -- JSON of the selected response headers
    byte_size     bigint not null,
    path          varchar not null,        -- where the bytes are, relative to LMIS_HOME
    fetched_at    timestamp not null,
    primary key (source, url, sha256)
);
