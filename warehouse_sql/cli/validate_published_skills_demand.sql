select * from published.skills_demand
