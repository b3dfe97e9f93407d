-- Clusters merged by URL after the blocks were clustered: relabels point at the merged one.
update core.cluster_relabel
set new_cluster_id = m.new_cluster_id
from core.cluster_merge as m
where m.run_id = :run_id and core.cluster_relabel.run_id = :run_id
  and core.cluster_relabel.new_cluster_id = m.old_cluster_id
