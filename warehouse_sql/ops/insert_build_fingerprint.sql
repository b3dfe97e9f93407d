insert into ops.build_fingerprints (name, fingerprint, row_count, built_at)
values (:name, :fingerprint, :row_count, :built_at)
