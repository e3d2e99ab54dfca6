"""Models of the pledges app: arrive with its issue."""
