drop table core.cluster_batch
