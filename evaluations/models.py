"""Models of the evaluations app: arrive with its issue."""
