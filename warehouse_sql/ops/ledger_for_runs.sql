select source, fetched, loaded, quarantined, duplicates, unchanged, unclassified
from ops.run_ledger
where run_id in :run_ids
order by source
