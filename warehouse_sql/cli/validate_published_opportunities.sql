select * from published.opportunities
