"""Reading and validating facilities and activity files."""
