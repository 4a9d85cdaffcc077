"""Server tests use the fixtures of tests/serverkit.py (loaded by tests/conftest.py)."""
