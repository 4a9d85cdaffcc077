"""明察 sync server, supervisor console and operator CLI."""
