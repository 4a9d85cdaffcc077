"""Fixtures of the report tests: `signed`, a signed visit's PDF (signed_visit.py)."""

from tests.reports.signed_visit import signed  # noqa: F401  (a fixture, found by name)
