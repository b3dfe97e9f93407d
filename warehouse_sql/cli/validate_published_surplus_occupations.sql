select * from published.surplus_occupations
