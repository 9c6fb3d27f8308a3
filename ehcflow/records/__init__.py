"""Records management: backup and restore, the retention schedule and subject access."""
