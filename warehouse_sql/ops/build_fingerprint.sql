-- The digest of the inputs a derived table was last built from, and the rows it then had.
select fingerprint, row_count
from ops.build_fingerprints
where name = :name
