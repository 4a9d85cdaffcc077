"""The admin API, /v1/admin: regions, sites and their staff, and the sites import. Accounts
are in admin_accounts.py. Thin: parse, call the domain (sync_server/org/manage_*.py), answer.

Every route needs an admin's bearer token (the login phones and the console use); any
other role gets 403 auth.forbidden. What each route does: api/ADMIN.md.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable
from typing import Annotated, TypeVar

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Path
from pydantic import AfterValidator
from sqlmodel import Session

from fieldcore.bounds import storable_text
from fieldcore.problems import DomainError, ProblemCode
from sync_server.api.admin_models import (
    ImportFile,
    RegionCreate,
    RegionOut,
    RegionPatch,
    SiteCreate,
    SiteOut,
    SitePatch,
    SitesImportOut,
    StaffCreate,
    StaffOut,
    StaffPatch,
)
from sync_server.api.deps import EngineDep, require_role, schema_version
from sync_server.api.problems import responses
from sync_server.core.changeset import ChangeSet
from sync_server.core.db import read_session, run_write
from sync_server.org import manage_org as org
from sync_server.org import org_import
from sync_server.org.scope import Actor
from sync_server.tables import Region, Site, Subject, User

C = ProblemCode
T = TypeVar("T")
AUTH = (
    C.AUTH_TOKEN_MISSING,
    C.AUTH_TOKEN_INVALID,
    C.AUTH_TOKEN_EXPIRED,
    C.AUTH_TOKEN_REVOKED,
    C.AUTH_FORBIDDEN,
    C.REQUEST_INVALID,
    C.SYNC_SCHEMA_UNSUPPORTED,
)
AdminDep = Annotated[Actor, Depends(require_role("admin"))]
# a region or site code, or a username, in the path: text every database can look up
PathCode = Annotated[str, Path(min_length=1, max_length=64), AfterValidator(storable_text)]
router = APIRouter(
    prefix="/v1/admin",
    tags=["admin"],
    dependencies=[Depends(schema_version)],
    responses=responses(*AUTH),
)


def as_admin(engine: sa.Engine, actor: Actor, work: Callable[[Session, User, ChangeSet], T]) -> T:
    """Run one change as the calling admin in one transaction; rows phones pull get seqs."""

    def run(session: Session) -> T:
        by = session.get(User, actor.user_id)
        assert by is not None  # the token resolved to this user just now
        changes = ChangeSet(session)
        out = work(session, by, changes)
        changes.assign_seqs()
        session.flush()
        return out

    return run_write(engine, run)


def region_out(session: Session, region: Region) -> RegionOut:
    parent = session.get(Region, region.parent_id) if region.parent_id else None
    return RegionOut(code=region.code, name=region.name, parent=parent.code if parent else None)


def site_out(session: Session, site: Site) -> SiteOut:
    region = session.get(Region, site.region_id)
    return SiteOut(
        code=site.code,
        name=site.name,
        type=site.type,
        region=region.code if region else "",
        address=site.address,
        lat=site.lat,
        lon=site.lon,
        active=site.active,
    )


def staff_out(session: Session, subject: Subject) -> StaffOut:
    site = session.get(Site, subject.site_id)
    return StaffOut(
        id=subject.id,
        site=site.code if site else "",
        post=subject.post,
        name=subject.name,
        active=subject.active,
    )


@router.get("/regions", response_model=list[RegionOut])
def list_regions(actor: AdminDep, engine: EngineDep) -> list[RegionOut]:
    """Every region and department, by code."""
    with read_session(engine) as session:
        return [region_out(session, r) for r in org.list_regions(session)]


@router.post(
    "/regions",
    response_model=RegionOut,
    status_code=201,
    responses=responses(*AUTH, C.ORG_EXISTS, C.ORG_NOT_FOUND),
)
def create_region(body: RegionCreate, actor: AdminDep, engine: EngineDep) -> RegionOut:
    """Create a region, or with `parent` a department under one."""
    return as_admin(
        engine,
        actor,
        lambda s, by, _: region_out(s, org.create_region(s, by, body.code, body.name, body.parent)),
    )


@router.patch(
    "/regions/{code}", response_model=RegionOut, responses=responses(*AUTH, C.ORG_NOT_FOUND)
)
def edit_region(code: PathCode, body: RegionPatch, actor: AdminDep, engine: EngineDep) -> RegionOut:
    """Rename (`name`) or move (`parent`; null: to the top level) a region. A move changes
    who sees which sites: the affected phones re-download their scope."""

    def work(s: Session, by: User, _: ChangeSet) -> RegionOut:
        region = org.region_named(s, code)
        if body.name is not None:
            region = org.rename_region(s, by, code, body.name)
        if "parent" in body.model_fields_set:
            region = org.move_region(s, by, code, body.parent)
        return region_out(s, region)

    return as_admin(engine, actor, work)


@router.get("/sites", response_model=list[SiteOut])
def list_sites(actor: AdminDep, engine: EngineDep) -> list[SiteOut]:
    """Every site, by code (inactive ones included)."""
    with read_session(engine) as session:
        return [site_out(session, s) for s in org.list_sites(session)]


@router.post(
    "/sites",
    response_model=SiteOut,
    status_code=201,
    responses=responses(*AUTH, C.ORG_EXISTS, C.ORG_NOT_FOUND),
)
def create_site(body: SiteCreate, actor: AdminDep, engine: EngineDep) -> SiteOut:
    """Create a site in a region."""
    return as_admin(
        engine,
        actor,
        lambda s, by, changes: site_out(
            s,
            org.create_site(
                s,
                changes,
                by,
                body.code,
                body.name,
                body.type,
                body.region,
                body.address,
                body.lat,
                body.lon,
            ),
        ),
    )


@router.patch("/sites/{code}", response_model=SiteOut, responses=responses(*AUTH, C.ORG_NOT_FOUND))
def edit_site(code: PathCode, body: SitePatch, actor: AdminDep, engine: EngineDep) -> SiteOut:
    """Change a site's given fields; `active: false` retires it (its history stays)."""
    fields = body.model_dump(exclude_unset=True)
    return as_admin(
        engine,
        actor,
        lambda s, by, changes: site_out(s, org.edit_site(s, changes, by, code, **fields)),
    )


@router.get(
    "/sites/{code}/staff",
    response_model=list[StaffOut],
    responses=responses(*AUTH, C.ORG_NOT_FOUND),
)
def list_staff(code: PathCode, actor: AdminDep, engine: EngineDep) -> list[StaffOut]:
    """A site's staff and posts (the subjects a per-subject checklist scores)."""
    with read_session(engine) as session:
        return [staff_out(session, x) for x in org.list_staff(session, code)]


@router.post(
    "/sites/{code}/staff",
    response_model=StaffOut,
    status_code=201,
    responses=responses(*AUTH, C.ORG_NOT_FOUND),
)
def add_staff(code: PathCode, body: StaffCreate, actor: AdminDep, engine: EngineDep) -> StaffOut:
    """Add a person or post to a site."""
    return as_admin(
        engine,
        actor,
        lambda s, by, changes: staff_out(
            s, org.add_staff(s, changes, by, code, body.post, body.name)
        ),
    )


@router.patch(
    "/staff/{subject_id}", response_model=StaffOut, responses=responses(*AUTH, C.ORG_NOT_FOUND)
)
def edit_staff(
    subject_id: uuid.UUID, body: StaffPatch, actor: AdminDep, engine: EngineDep
) -> StaffOut:
    """Change a staff member's post or name, or retire them (`active: false`)."""
    fields = body.model_dump(exclude_unset=True)
    return as_admin(
        engine,
        actor,
        lambda s, by, changes: staff_out(s, org.edit_staff(s, changes, by, subject_id, **fields)),
    )


def file_bytes(body: ImportFile) -> bytes:
    try:
        return base64.b64decode(body.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise DomainError(C.REQUEST_INVALID, "content_base64 is not base64") from None


def import_out(preview: org_import.SitesPreview) -> SitesImportOut:
    return SitesImportOut(
        problems=preview.problems,
        created=preview.created,
        updated=preview.updated,
        sites=[r.code for r in preview.rows],
    )


@router.post("/sites/import/preview", response_model=SitesImportOut)
def preview_sites_import(body: ImportFile, actor: AdminDep, engine: EngineDep) -> SitesImportOut:
    """What importing this .xlsx or CSV would do, with every row's problem; writes nothing.
    Columns: code,name,type,region[,address,lat,lon], header on row 1."""
    data = file_bytes(body)
    with read_session(engine) as session:
        return import_out(org_import.preview_sites(session, data, body.filename))


@router.post(
    "/sites/import", response_model=SitesImportOut, responses=responses(*AUTH, C.IMPORT_INVALID)
)
def import_sites(body: ImportFile, actor: AdminDep, engine: EngineDep) -> SitesImportOut:
    """Import every row or none: any problem is 422 import.invalid with `details.problems`
    (the preview's list). An existing code is updated, never duplicated."""
    data = file_bytes(body)
    return as_admin(
        engine,
        actor,
        lambda s, by, changes: import_out(
            org_import.import_sites(s, changes, by, data, body.filename)
        ),
    )
