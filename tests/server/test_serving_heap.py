"""While the app serves, its start-up heap is frozen and the collector runs less often
(sync_server/main.py `serving_heap`); both are undone when it stops."""

from __future__ import annotations

import gc

from fastapi import FastAPI
from fastapi.testclient import TestClient

from sync_server.main import SERVING_GC_THRESHOLDS


def test_serving_freezes_the_start_up_heap_and_raises_the_collectors_thresholds(
    app: FastAPI,
) -> None:
    before = gc.get_threshold()
    assert before != SERVING_GC_THRESHOLDS  # else this test could not tell
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        assert gc.get_threshold() == SERVING_GC_THRESHOLDS
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
