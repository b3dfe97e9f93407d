insert into raw.landed_files
select b.* from raw.landing_batch b
where not exists (
    select 1 from raw.landed_files f
    where f.source = b.source and f.url = b.url and f.sha256 = b.sha256
)
