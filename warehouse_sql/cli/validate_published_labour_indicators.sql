select * from published.labour_indicators
