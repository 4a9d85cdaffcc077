"""A small organisation for server tests, and a `Phone` that speaks the sync protocol.

Regions 华北 (R1, with department D1) and 华南 (R2); sites S1 and S2 in R1/D1, S3 in R2.
Users (password "password123"): admin; sup1 (R1); insp1 (R1); insp2 (R2); mgr1 (site S1);
mgr3 (site S3). Every shipped template is published.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import sqlalchemy as sa
from fastapi.testclient import TestClient

from fieldcore.protocol import SCHEMA_HEADER, SCHEMA_VERSION
from fieldcore.workflow import finding_id
from sync_server.core.changeset import ChangeSet
from sync_server.core.db import write_session
from sync_server.org import accounts, admin
from sync_server.templates.catalog import checklist_dir
from sync_server.templates.versions import publish_template

PASSWORD = "password123"
HEADERS = {SCHEMA_HEADER: str(SCHEMA_VERSION)}


@dataclass
class Phone:
    """One enrolled device: numbers its mutations and keeps its pull cursor."""

    client: TestClient
    username: str
    device_id: uuid.UUID = field(default_factory=uuid.uuid4)
    token: str = ""
    seq: int = 0
    cursor: int = 0
    epoch: str | None = None
    user_id: str = ""

    def login(self) -> Phone:
        r = self.client.post(
            "/v1/auth/login",
            headers=HEADERS,
            json={
                "username": self.username,
                "password": PASSWORD,
                "device_id": str(self.device_id),
            },
        )
        assert r.status_code == 200, r.text
        self.token = r.json()["token"]
        self.user_id = r.json()["user"]["id"]
        self.seq = r.json()["last_mutation_seq"]
        return self

    @property
    def headers(self) -> dict[str, str]:
        return {**HEADERS, "Authorization": f"Bearer {self.token}"}

    def mutation(
        self,
        entity: str,
        row_id: Any,
        op: str = "upsert",
        base_seq: dict[str, int] | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        self.seq += 1
        return {
            "seq": self.seq,
            "entity": entity,
            "id": str(row_id),
            "op": op,
            "fields": {k: _wire(v) for k, v in fields.items()},
            "base_seq": base_seq or {},
        }

    def push_raw(self, mutations: list[dict[str, Any]]) -> Any:
        return self.client.post(
            "/v1/sync/push", headers=self.headers, json={"mutations": mutations}
        )

    def push(self, *mutations: dict[str, Any]) -> list[dict[str, Any]]:
        r = self.push_raw(list(mutations))
        assert r.status_code == 200, r.text
        return r.json()["results"]

    def pull(self, limit: int = 500) -> dict[str, Any]:
        params: dict[str, Any] = {"cursor": self.cursor, "limit": limit}
        if self.epoch:
            params["epoch"] = self.epoch
        r = self.client.get("/v1/sync/pull", headers=self.headers, params=params)
        assert r.status_code == 200, r.text
        page = r.json()
        self.cursor, self.epoch = page["next_cursor"], page["epoch"]
        return page

    def pull_all(self) -> dict[tuple[str, str], dict[str, Any] | None]:
        """Everything visible, as (entity, id) → row (None for tombstones)."""
        seen: dict[tuple[str, str], dict[str, Any] | None] = {}
        for _ in itertools.count():
            page = self.pull()
            if page["reset"]:
                seen.clear()
            for change in page["changes"]:
                seen[(change["entity"], change["id"])] = change["data"]
            if not page["has_more"]:
                return seen
        raise AssertionError("unreachable")

    # ---- visit helpers -------------------------------------------------------------
    def new_visit(
        self,
        site_id: Any,
        template_key: str = "mall-property.v1",
        mode: str = "overt",
        **extra: Any,
    ) -> tuple[uuid.UUID, dict[str, Any]]:
        visit_id = uuid.uuid4()
        return visit_id, self.mutation(
            "visit", visit_id, site_id=site_id, template_key=template_key, mode=mode, **extra
        )

    def answer(
        self, visit_id: uuid.UUID, item_code: str, result: str | None = "pass", **extra: Any
    ) -> dict[str, Any]:
        fields: dict[str, Any] = {"visit_id": visit_id, "item_code": item_code, **extra}
        if result is not None:
            fields["result"] = result
        return self.mutation("finding", finding_id(visit_id, item_code), **fields)


def _wire(value: Any) -> Any:
    return str(value) if isinstance(value, uuid.UUID) else value


def live(row: dict[str, Any] | None) -> dict[str, Any]:
    """A row from `Phone.pull_all`, which must not be a tombstone (None)."""
    assert row is not None, "a tombstone where a live row was expected"
    return row


@dataclass
class World:
    client: TestClient
    engine: sa.Engine
    clock: Any
    ids: dict[str, uuid.UUID]

    @property
    def state(self) -> Any:
        """The served app's state (settings, photo store): TestClient types its app as a
        bare ASGI callable, which has none."""
        return self.client.app.state  # type: ignore[attr-defined]

    def phone(self, username: str) -> Phone:
        return Phone(self.client, username).login()

    def site(self, code: str) -> str:
        return str(self.ids[code])

    def place_blob(self, digest: str, data: bytes, holder: str) -> None:
        """Bytes put straight into the store (not uploaded), as `holder` had uploaded them:
        the blob row, the proof of possession and the author's rows marked present."""
        from sync_server.photos.access import mark_present, record_holder
        from sync_server.tables import Blob

        put_blob(self.state.photos, digest, data)
        with write_session(self.engine) as s:
            s.add(Blob(sha256=digest, byte_size=len(data)))
            record_holder(s, digest, self.ids[holder], self.clock())
            mark_present(s, digest, self.ids[holder])


def put_blob(store: Any, digest: str, data: bytes) -> None:
    """`data` straight into the store's backend as blob `digest` (whichever backend)."""
    staged = store.temp_dir / f"placed-{digest}"
    staged.parent.mkdir(parents=True, exist_ok=True)
    staged.write_bytes(data)
    store.blobs.put(digest, staged)


def _password_hash() -> str:
    return accounts.hash_password(PASSWORD)  # cheap in tests (tests/conftest.py), one per world


def build_world(engine: sa.Engine, client: TestClient, clock: Any) -> World:
    ids: dict[str, uuid.UUID] = {}
    quick = mock.patch.object(admin, "hash_password", lambda _: _password_hash())
    with quick, write_session(engine) as session:
        changes = ChangeSet(session)
        admin.add_region(session, "R1", "华北区")
        admin.add_region(session, "D1", "华北一部", parent="R1")
        admin.add_region(session, "R2", "华南区")
        for code, region, kind in (
            ("S1", "R1", "store"),
            ("S2", "D1", "service_hall"),
            ("S3", "R2", "store"),
        ):
            ids[code] = admin.add_site(session, changes, code, f"门店{code}", kind, region).id
        session.flush()
        users = {
            "admin": ("admin", [], []),
            "sup1": ("supervisor", ["R1"], []),
            "insp1": ("inspector", ["R1"], []),
            "insp2": ("inspector", ["R2"], []),
            "mgr1": ("site_manager", [], ["S1"]),
            "mgr3": ("site_manager", [], ["S3"]),
        }
        for name, (role, regions, sites) in users.items():
            user = admin.add_user(session, name, role, PASSWORD, display_name=name)
            admin.assign(session, user, regions, sites)
            ids[name] = user.id
        for path in sorted(checklist_dir().glob("*.json")):
            publish_template(session, changes, path.read_bytes(), path.name, by="test")
        changes.assign_seqs()
    return World(client, engine, clock, ids)
