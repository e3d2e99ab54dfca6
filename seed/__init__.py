"""Demo and synthetic data: the demo district and its year of activity, demo logins, city-scale synthetic data."""
