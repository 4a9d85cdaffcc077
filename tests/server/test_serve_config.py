"""How `mingcha serve` runs the app.

It keeps idle connections open longer than clients do: if the server closed an idle
keep-alive connection first (uvicorn's default is 5 s, the same as httpx's client-side
expiry), a push sent on it at that moment would fail with "server disconnected".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner


def _serve_kwargs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *extra: str) -> dict[str, Any]:
    import uvicorn

    from sync_server.cli import app

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda target, **kw: seen.update(kw, target=target))
    # serve exports MINGCHA_DATA_DIR for its workers: set here, so it is undone afterwards
    monkeypatch.setenv("MINGCHA_DATA_DIR", str(tmp_path / "srv"))
    result = CliRunner().invoke(app, ["serve", "--data-dir", str(tmp_path / "srv"), *extra])
    assert result.exit_code == 0, result.output
    return seen


def test_idle_connections_outlive_the_clients_expiry(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    client_expiry = httpx.Limits().keepalive_expiry
    assert client_expiry is not None
    assert _serve_kwargs(monkeypatch, tmp_path)["timeout_keep_alive"] > client_expiry


def test_keep_alive_can_be_set(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert _serve_kwargs(monkeypatch, tmp_path, "--keep-alive", "30")["timeout_keep_alive"] == 30
