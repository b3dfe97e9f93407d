-- DuckDB only: move the rows stored at positions [:first_row, :end_row) of core.vacancies
-- to the end of the table, where they are appended into full row groups (see
-- etl/warehouse/compaction.py). The rows and their values are unchanged.
create temp table repack_rows as
select * from core.vacancies where rowid >= :first_row and rowid < :end_row;
delete from core.vacancies where rowid >= :first_row and rowid < :end_row;
insert into core.vacancies select * from repack_rows;
drop table repack_rows;
