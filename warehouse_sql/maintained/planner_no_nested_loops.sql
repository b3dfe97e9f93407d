-- PostgreSQL only, for the rest of the step's transaction (reset at its end): the joins on
-- (quarter, region, unit group) are estimated as if the three columns were independent,
-- at a few hundred rows instead of hundreds of thousands, and the planner then picks
-- nested loops (measured at 100k postings: the ranking took 505 s; 6 s without them).
set local enable_nestloop = off
