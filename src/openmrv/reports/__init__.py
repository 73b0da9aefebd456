"""Reports, exports and comparisons built from result rows."""
