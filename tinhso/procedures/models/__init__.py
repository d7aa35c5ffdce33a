"""Models of the procedure catalogue."""
