-- The regions of the country and the nation itself, with their ISO 3166-2 names.
select region_code, region_name, is_national
from core.dim_region
order by is_national desc, region_name, region_code
