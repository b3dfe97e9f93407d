select * from published.returnees_summary
