"""Administering the organisation's tree: regions and departments, sites, and a site's
staff (`Subject` rows: the people or posts a per-subject checklist scores).

Every function checks everything first, then changes the rows and writes one audit row, so
bad input (DomainError with a problem code) changes nothing. The caller commits.
"""

from __future__ import annotations

import math
import uuid

from sqlmodel import Session, select

from fieldcore.problems import DomainError, ProblemCode
from sync_server.core.changeset import ChangeSet
from sync_server.org.audit import audit, require_admin
from sync_server.org.scope import with_descendants
from sync_server.tables import Region, Site, Subject, User

C = ProblemCode


def text(field: str, value: str, limit: int, required: bool = True) -> str:
    """A trimmed text field; empty (when required) or too long is request.invalid."""
    value = value.strip()
    if required and not value:
        raise DomainError(C.REQUEST_INVALID, f"{field} is empty", field=field)
    if len(value) > limit:
        raise DomainError(C.REQUEST_INVALID, f"{field} over {limit} characters", field=field)
    return value


def region_named(session: Session, code: str) -> Region:
    region = session.exec(select(Region).where(Region.code == code)).first()
    if region is None:
        raise DomainError(C.ORG_NOT_FOUND, f"no region {code!r}", entity="region", key=code)
    return region


def site_named(session: Session, code: str) -> Site:
    site = session.exec(select(Site).where(Site.code == code)).first()
    if site is None:
        raise DomainError(C.ORG_NOT_FOUND, f"no site {code!r}", entity="site", key=code)
    return site


def list_regions(session: Session) -> list[Region]:
    return list(session.exec(select(Region).order_by(Region.code)).all())


def create_region(
    session: Session, by: User, code: str, name: str, parent: str | None = None
) -> Region:
    require_admin(by)
    code, name = text("code", code, 64), text("name", name, 200)
    if session.exec(select(Region).where(Region.code == code)).first() is not None:
        raise DomainError(C.ORG_EXISTS, code, entity="region", key=code)
    parent_id = region_named(session, parent).id if parent else None
    region = Region(code=code, name=name, parent_id=parent_id)
    session.add(region)
    session.flush()
    audit(session, by, "region.create", "region", code, name=name, parent=parent)
    return region


def rename_region(session: Session, by: User, code: str, name: str) -> Region:
    require_admin(by)
    region, name = region_named(session, code), text("name", name, 200)
    audit(session, by, "region.rename", "region", code, before=region.name, after=name)
    region.name = name
    return region


def move_region(session: Session, by: User, code: str, parent: str | None) -> Region:
    """Put a region under another (None: make it top-level). A region cannot move under
    itself or its own departments. Everyone's scope changes: phones re-download it."""
    require_admin(by)
    region = region_named(session, code)
    parent_region = region_named(session, parent) if parent else None
    if parent_region is not None and parent_region.id in with_descendants(session, [region.id]):
        raise DomainError(
            C.REQUEST_INVALID, f"{parent} is {code} or one of its departments", field="parent"
        )
    old = session.get(Region, region.parent_id) if region.parent_id else None
    audit(session, by, "region.move", "region", code, before=old and old.code, after=parent)
    region.parent_id = parent_region.id if parent_region else None
    bump_all_scopes(session)
    return region


def bump_all_scopes(session: Session) -> None:
    for user in session.exec(select(User)).all():
        user.scope_version += 1


def list_sites(session: Session) -> list[Site]:
    return list(session.exec(select(Site).order_by(Site.code)).all())


def _coordinate(field: str, value: float | None, bound: int) -> float | None:
    if value is not None and (not math.isfinite(value) or abs(value) > bound):
        raise DomainError(C.REQUEST_INVALID, f"{field} must be within ±{bound}", field=field)
    return value


def create_site(
    session: Session,
    changes: ChangeSet,
    by: User,
    code: str,
    name: str,
    type: str,
    region: str,
    address: str = "",
    lat: float | None = None,
    lon: float | None = None,
) -> Site:
    require_admin(by)
    code = text("code", code, 64)
    if session.exec(select(Site).where(Site.code == code)).first() is not None:
        raise DomainError(C.ORG_EXISTS, code, entity="site", key=code)
    site = Site(
        code=code,
        name=text("name", name, 200),
        type=text("type", type, 64),
        region_id=region_named(session, region).id,
        address=text("address", address, 500, required=False),
        lat=_coordinate("lat", lat, 90),
        lon=_coordinate("lon", lon, 180),
    )
    session.add(site)
    changes.touch(site)
    audit(session, by, "site.create", "site", code, name=site.name, type=type, region=region)
    return site


def edit_site(
    session: Session,
    changes: ChangeSet,
    by: User,
    code: str,
    *,
    name: str | None = None,
    type: str | None = None,
    region: str | None = None,
    address: str | None = None,
    active: bool | None = None,
) -> Site:
    """Change the given fields only; moving a site to another region changes scopes."""
    require_admin(by)
    site = site_named(session, code)
    after: dict[str, object] = {}
    if name is not None:
        after["name"] = text("name", name, 200)
    if type is not None:
        after["type"] = text("type", type, 64)
    if address is not None:
        after["address"] = text("address", address, 500, required=False)
    if active is not None:
        after["active"] = active
    if region is not None:
        after["region_id"] = region_named(session, region).id
    before = {k: getattr(site, k) for k in after}
    for key, value in after.items():
        setattr(site, key, value)
    if "region_id" in after and before["region_id"] != after["region_id"]:
        bump_all_scopes(session)
    changes.touch(site)
    audit(session, by, "site.edit", "site", code, before=_plain(before), after=_plain(after))
    return site


def _plain(values: dict[str, object]) -> dict[str, object]:
    return {k: str(v) if isinstance(v, uuid.UUID) else v for k, v in values.items()}


def list_staff(session: Session, site_code: str) -> list[Subject]:
    site = site_named(session, site_code)
    rows = session.exec(select(Subject).where(Subject.site_id == site.id)).all()
    return sorted(rows, key=lambda s: (s.post, s.name))


def add_staff(
    session: Session, changes: ChangeSet, by: User, site_code: str, post: str, name: str = ""
) -> Subject:
    """A person or post at a site (post: the template's subject code, e.g. clerk)."""
    require_admin(by)
    site = site_named(session, site_code)
    subject = Subject(
        site_id=site.id, post=text("post", post, 64), name=text("name", name, 200, False)
    )
    session.add(subject)
    changes.touch(subject)
    audit(session, by, "staff.add", "subject", str(subject.id), site=site_code, post=post)
    return subject


def edit_staff(
    session: Session,
    changes: ChangeSet,
    by: User,
    subject_id: uuid.UUID,
    *,
    post: str | None = None,
    name: str | None = None,
    active: bool | None = None,
) -> Subject:
    require_admin(by)
    subject = session.get(Subject, subject_id)
    if subject is None:
        raise DomainError(C.ORG_NOT_FOUND, entity="subject", key=str(subject_id))
    after: dict[str, object] = {}
    if post is not None:
        after["post"] = text("post", post, 64)
    if name is not None:
        after["name"] = text("name", name, 200, required=False)
    if active is not None:
        after["active"] = active
    before = {k: getattr(subject, k) for k in after}
    for key, value in after.items():
        setattr(subject, key, value)
    changes.touch(subject)
    audit(session, by, "staff.edit", "subject", str(subject_id), before=before, after=after)
    return subject
