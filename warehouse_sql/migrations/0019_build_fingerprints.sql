-- What a derived table was last built from: a digest of its inputs. A step that rebuilds a
-- table from sources that change rarely (core.survey_estimates, recomputed by every publish
-- although a survey wave comes once a quarter) compares the digest of its current inputs
-- with this one and keeps the table when they are the same.
create table if not exists ops.build_fingerprints (
    name        varchar primary key,
    fingerprint varchar not null,
    row_count   bigint not null,
    built_at    timestamp not null
);
