"""Sites imported from a spreadsheet (.xlsx, first sheet) or CSV: a preview lists every
row's problem before anything is written, and the import is all or nothing.

The columns and their checks are sites_import.py's (code,name,type,region[,address,lat,lon],
header on row 1); an existing code is updated, never duplicated.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session, select

from fieldcore.problems import DomainError, ProblemCode
from sync_server.core.changeset import ChangeSet
from sync_server.org import admin
from sync_server.org.audit import audit, require_admin
from sync_server.org.sites_import import SiteRow, parse_sites
from sync_server.tables import Region, Site, User

MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class SitesPreview:
    rows: list[SiteRow]
    problems: list[str]  # "row N, column C: …"; any problem and nothing is imported
    created: int  # rows whose code is new
    updated: int  # rows whose code exists (they are updated)


def sheet_text(data: bytes, filename: str = "") -> str:
    """The file as CSV text: an .xlsx's first sheet, else UTF-8 text (a BOM is accepted)."""
    if len(data) > MAX_BYTES:
        problem = f"the file is over {MAX_BYTES} bytes"
        raise DomainError(ProblemCode.IMPORT_INVALID, problem, problems=[problem])
    if data[:2] == b"PK" or filename.lower().endswith(".xlsx"):
        return _xlsx_as_csv(data)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        problem = "the file is neither .xlsx nor UTF-8 text (save it as CSV UTF-8)"
        raise DomainError(ProblemCode.IMPORT_INVALID, problem, problems=[problem]) from None


def _xlsx_as_csv(data: bytes) -> str:
    from openpyxl import load_workbook  # here, not at import: every server start paid it

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        problem = f"not a readable .xlsx workbook ({type(exc).__name__})"
        raise DomainError(ProblemCode.IMPORT_INVALID, problem, problems=[problem]) from None
    out = io.StringIO()
    writer = csv.writer(out)
    try:
        for row in book.worksheets[0].iter_rows(values_only=True):
            writer.writerow(["" if v is None else _cell(v) for v in row])
    finally:
        book.close()
    return out.getvalue()


def _cell(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a numeric code typed in Excel: 1001, not 1001.0
    return str(value)


def preview_sites(session: Session, data: bytes, filename: str = "") -> SitesPreview:
    """What an import of this file would do; writes nothing."""
    try:
        text = sheet_text(data, filename)
    except DomainError as exc:
        return SitesPreview([], list(exc.details.get("problems") or [exc.detail]), 0, 0)
    rows, problems = parse_sites(text, set(session.exec(select(Region.code)).all()))
    existing = set(session.exec(select(Site.code)).all())
    created = sum(1 for r in rows if r.code not in existing)
    return SitesPreview(rows, problems, created, len(rows) - created)


def write_sites(
    session: Session,
    changes: ChangeSet,
    data: bytes,
    filename: str = "",
    tick: Callable[[int], None] = lambda total: None,
) -> SitesPreview:
    """Check the whole file, then write every row (an existing code is updated); any
    problem raises import.invalid listing all of them and writes nothing. `tick(total)`
    is called once per row written (a command line's progress bar)."""
    preview = preview_sites(session, data, filename)
    if preview.problems:
        raise DomainError(
            ProblemCode.IMPORT_INVALID, "\n".join(preview.problems), problems=preview.problems
        )
    for row in preview.rows:
        admin.add_site(
            session, changes, row.code, row.name, row.type, row.region, row.address, row.lat,
            row.lon,
        )  # fmt: skip
        tick(len(preview.rows))
    return preview


def import_sites(
    session: Session, changes: ChangeSet, by: User, data: bytes, filename: str = ""
) -> SitesPreview:
    """An admin's import (console, admin API): all or nothing, and audited."""
    require_admin(by)
    preview = write_sites(session, changes, data, filename)
    audit(
        session,
        by,
        "sites.import",
        "site",
        filename or "upload",
        created=preview.created,
        updated=preview.updated,
    )
    return preview
