"""Report test data made through real pushes: mall-property visits with real JPEG evidence."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlmodel import Session

from fieldcore.checklist import Mode
from fieldcore.workflow import finding_id
from sync_server.core.db import write_session
from sync_server.tables import Visit
from sync_server.templates.catalog import checklist_dir, load_template_file
from tests.server.images import jpeg, sha
from tests.server.world import Phone, World

OVERT_ITEMS = ["1.1", "1.2", "1.3", "1.4", "1.5", *[f"{n}.1" for n in range(2, 11)]]
COVERT_ITEMS = ["1.1", "1.2", "1.4", "2.1", "3.1", "6.1", "8.1", "10.1"]


def visit(
    world: World,
    phone: Phone,
    site: str,
    fails: dict[str, int],
    mode: str = "overt",
    notes: dict[str, str] | None = None,
    template: str = "mall-property.v1",
) -> tuple[uuid.UUID, list[str]]:
    """A submitted visit (mall-property unless `template` names another shipped one); each
    failed item gets one real photo stored in the PhotoStore. Returns the visit id and
    the photos' sha256."""
    visit_id, create = phone.new_visit(world.site(site), template_key=template, mode=mode)
    muts: list[dict[str, Any]] = [create]
    hashes: list[str] = []
    blobs = []
    for code in _items(template, mode):
        if code not in fails:
            muts.append(phone.answer(visit_id, code, "pass"))
            continue
        note = (notes or {}).get(code, "")
        count = {"count": fails[code]} if fails[code] != 1 else {}  # fixed rules take none
        muts.append(phone.answer(visit_id, code, "fail", note=note, **count))
        data = jpeg(64, 48, seed=visit_id.int % 100_000 + len(hashes))
        digest = sha(data)
        hashes.append(digest)
        blobs.append((digest, data))
        muts.append(
            phone.mutation(
                "photo",
                uuid.uuid4(),
                visit_id=visit_id,
                finding_id=finding_id(visit_id, code),
                sha256=digest,
                byte_size=len(data),
                mime="image/jpeg",
            )
        )
    muts.append(phone.mutation("visit", visit_id, status="submitted"))
    results = phone.push(*muts)
    assert {r["status"] for r in results} == {"applied"}, results
    for digest, data in blobs:  # as if uploaded by the inspector
        world.place_blob(digest, data, holder=phone.username)
    return visit_id, hashes


def _items(template: str, mode: str) -> list[str]:
    if template == "mall-property.v1":
        return OVERT_ITEMS if mode == "overt" else COVERT_ITEMS
    shipped = load_template_file(checklist_dir() / f"{template}.json")
    wanted: Mode = "covert" if mode == "covert" else "overt"
    return [i.code for _, i in shipped.iter_items() if shipped.in_mode(i, wanted)]


def publish(world: World, visit_id: uuid.UUID) -> None:
    sup = world.phone("sup1")
    for status in ("approved", "published"):
        (result,) = sup.push(sup.mutation("visit", visit_id, status=status))
        assert result["status"] == "applied", result


def stored_score(world: World, visit_id: uuid.UUID) -> dict[str, Any]:
    with Session(world.engine) as session:
        row = session.get(Visit, visit_id)
        assert row is not None and row.score is not None
        return row.score


def sheet_rows(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    """Every row of one sheet, as values (the read-only workbook closed again)."""
    wb = load_workbook(path, read_only=True)
    try:
        return [tuple(r) for r in wb[sheet].iter_rows(values_only=True)]
    finally:
        wb.close()


def padded(row: tuple[Any, ...], width: int) -> tuple[Any, ...]:
    """A row read back to its full width (a streamed row leaves its trailing blanks out)."""
    return (*row, *[None] * (width - len(row)))


def sheet_names(path: Path) -> list[str]:
    wb = load_workbook(path, read_only=True)
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def run(world: World, work: Any) -> Any:
    with write_session(world.engine) as session:
        return work(session)
