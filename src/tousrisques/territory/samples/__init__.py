"""Sample territories built from open data and documented rules."""
