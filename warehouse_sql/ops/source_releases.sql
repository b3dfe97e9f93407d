-- What each source had when this release was built: the newest observation release per
-- statistics source, else the time of its newest landed file.
select source, max(release) as latest from core.labour_observations group by source
union all
select l.source, cast(max(l.fetched_at) as varchar) as latest
from raw.landed_files as l
where l.source not in (select source from core.labour_observations)
group by l.source
