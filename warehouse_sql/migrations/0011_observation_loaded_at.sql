-- When each release of an observation was loaded: the newest load of an observation is
-- its current value (release labels are not always orderable: dates, names or checksums).
alter table core.labour_observations add column loaded_at timestamp;
