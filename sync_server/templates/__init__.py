"""Checklist templates: the shipped files on disk (catalog) and the versions the server
publishes and serves (versions)."""
