-- The quarter the bulletin is about: the newest quarter of the published skills gap.
-- Quarter labels (2026Q3) sort as text in time order.
select max(quarter) as latest_quarter from published.skills_gap
