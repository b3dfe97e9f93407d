select table_name, row_count, quality_status, method_version
from published.dataset_metadata
order by table_name
