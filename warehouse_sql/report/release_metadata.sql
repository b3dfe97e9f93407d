-- One row per published table: when it was refreshed, by which run, with which method and
-- source releases, its row count and the outcome of its audit.
select table_name, refreshed_at, run_id, method_version, source_releases, row_count,
       quality_status
from published.dataset_metadata
order by table_name
