"""Shared test fixtures."""

from __future__ import annotations

import sqlite3

import pytest

from tests.serverkit import (  # noqa: F401  (fixtures shared by server, client and e2e tests)
    app,
    client,
    clock,
    database_url,
    engine,
    settings,
    world,
)


def pytest_report_header() -> list[str]:
    return [f"sqlite {sqlite3.sqlite_version}"]


@pytest.fixture(autouse=True)
def _clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see a developer's MINGCHA_* settings."""
    import os

    for name in list(os.environ):
        if name.startswith("MINGCHA_"):
            monkeypatch.delenv(name)
