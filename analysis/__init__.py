"""Statistics: pure functions on arrays and DataFrames that return small result objects."""
