select * from published.skills_gap
