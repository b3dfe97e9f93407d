-- Content digests already landed for a source (a drop-folder file with one of these was loaded).
select distinct sha256 from raw.landed_files where source = :source
