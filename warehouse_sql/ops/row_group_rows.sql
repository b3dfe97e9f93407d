-- DuckDB only: rows stored per row group of a table, in storage order (deleted rows not yet
-- vacuumed included, as in the row ids), from the first column's segments.
select row_group_id, sum("count") as stored_rows
from pragma_storage_info(:table_name)
where column_id = 0 and column_path = '[0]'
group by row_group_id
order by row_group_id
