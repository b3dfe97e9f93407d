update core.cluster_batch
set cluster_id = m.new_cluster_id
from core.cluster_merge as m
where m.run_id = :run_id and core.cluster_batch.run_id = :run_id
  and core.cluster_batch.cluster_id = m.old_cluster_id
