create table if not exists raw.landing_batch as select * from raw.landed_files where 1 = 0
