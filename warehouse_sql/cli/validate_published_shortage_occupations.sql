select * from published.shortage_occupations
