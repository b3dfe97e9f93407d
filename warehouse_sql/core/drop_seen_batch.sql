drop table core.seen_batch
