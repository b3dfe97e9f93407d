drop table raw.landing_batch
