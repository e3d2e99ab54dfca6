"""Pages of the evaluations app."""
