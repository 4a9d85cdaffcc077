"""Put work on a running server over real HTTP, as a phone would (for console tests)."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

import httpx

from fieldcore.protocol import SCHEMA_HEADER, SCHEMA_VERSION
from fieldcore.workflow import finding_id
from sync_server.templates.catalog import resolve_template


class HttpPhone:
    def __init__(self, base: str, username: str, password: str) -> None:
        self.http = httpx.Client(base_url=base, headers={SCHEMA_HEADER: str(SCHEMA_VERSION)})
        login = self.http.post(
            "v1/auth/login",
            json={"username": username, "password": password, "device_id": str(uuid.uuid4())},
        )
        login.raise_for_status()
        self.http.headers["Authorization"] = f"Bearer {login.json()['token']}"
        self.seq = login.json()["last_mutation_seq"]

    def __enter__(self) -> HttpPhone:
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.close()

    def site_id(self, code: str) -> str:
        sites = [c for c in self.changes() if c["entity"] == "site"]
        [found] = [c["id"] for c in sites if (c.get("data") or {}).get("code") == code]
        return str(found)

    def changes(self) -> list[dict[str, Any]]:
        """Every change in this account's scope, all pages (as a first sync pulls)."""
        cursor, out = 0, []
        while True:
            page = self.http.get("v1/sync/pull", params={"cursor": cursor}).json()
            out += page["changes"]
            if not page.get("has_more"):
                return out
            cursor = page["next_cursor"]

    def push(self, *muts: tuple[str, Any, dict[str, Any]]) -> list[dict[str, Any]]:
        body = []
        for entity, row_id, fields in muts:
            self.seq += 1
            body.append({"seq": self.seq, "entity": entity, "id": str(row_id), "fields": fields})
        r = self.http.post("v1/sync/push", json={"mutations": body})
        r.raise_for_status()
        return r.json()["results"]

    def upload(self, data: bytes) -> None:
        """A photo's bytes in one pack, as the phone sends them (the row must be pushed)."""
        header = json.dumps({"sha256": hashlib.sha256(data).hexdigest(), "length": len(data)})
        r = self.http.post(
            "v1/blobs/pack",
            headers={"Content-Type": "application/vnd.mingcha.pack"},
            content=header.encode() + b"\n" + data,
        )
        r.raise_for_status()
        assert [p["status"] for p in r.json()["results"]] == ["stored"], r.text

    def submitted_visit(self, site_code: str, fails: list[str], mode: str = "overt") -> uuid.UUID:
        """A complete store-patrol visit (failed items without photo rules) submitted."""
        template = resolve_template("store-patrol.v1")
        visit_id = uuid.uuid4()
        muts: list[tuple[str, Any, dict[str, Any]]] = [
            (
                "visit",
                visit_id,
                {
                    "site_id": self.site_id(site_code),
                    "template_key": "store-patrol.v1",
                    "mode": mode,
                },
            )
        ]
        for _, item in template.iter_items():
            if not template.in_mode(item, mode):  # type: ignore[arg-type]
                continue
            fields: dict[str, Any] = {
                "visit_id": str(visit_id),
                "item_code": item.code,
                "result": "pass",
            }
            if item.code in fails:
                fields.update(result="fail")
                if item.deduction.kind == "per_occurrence":
                    fields["count"] = 1
            muts.append(("finding", finding_id(visit_id, item.code), fields))
        muts.append(("visit", visit_id, {"status": "submitted"}))
        results = self.push(*muts)
        assert all(r["status"] == "applied" for r in results), results
        return visit_id
