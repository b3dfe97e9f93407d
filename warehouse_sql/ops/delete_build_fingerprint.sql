delete from ops.build_fingerprints where name = :name
