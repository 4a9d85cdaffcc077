"""What a user may see: the sites of their assigned regions (with sub-departments) and sites.

Admins see everything. Supervisors and inspectors see their regions' and sites' data (an
inspector's visits are further limited to their own: see sync/pull.py); site managers see
their sites, and of those only published results and their own rectification work.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from fieldcore.problems import DomainError, ProblemCode
from fieldcore.workflow import REVIEWERS, Role
from sync_server.tables import Region, ServerMeta, Site, User, UserScope


@dataclass(frozen=True)
class Scope:
    user_id: uuid.UUID
    role: str
    site_ids: frozenset[uuid.UUID] | None  # None: every site (admin)
    epoch: str  # changes when the server database or this user's assignments change

    def sees_site(self, site_id: uuid.UUID | None) -> bool:
        return site_id is not None and (self.site_ids is None or site_id in self.site_ids)

    def require_site(self, site_id: uuid.UUID | None) -> None:
        if not self.sees_site(site_id):
            raise DomainError(ProblemCode.SCOPE_DENIED, entity="site", id=str(site_id))


@dataclass(frozen=True)
class Actor:
    """Who is acting, from which device, seeing what: every push, pull, upload and console
    action runs as one."""

    user_id: uuid.UUID
    role: Role
    device_id: uuid.UUID
    scope: Scope


def load_scope(session: Session, user: User) -> Scope:
    epoch = f"{server_epoch(session)}.{user.role}.{user.scope_version}"
    if user.role == "admin":
        return Scope(user.id, user.role, None, epoch)
    rows = session.exec(select(UserScope).where(UserScope.user_id == user.id)).all()
    regions = with_descendants(session, [r.region_id for r in rows if r.region_id])
    sites = {r.site_id for r in rows if r.site_id}
    if regions:
        sites |= set(session.exec(select(Site.id).where(col(Site.region_id).in_(regions))).all())
    return Scope(user.id, user.role, frozenset(sites), epoch)


def with_descendants(session: Session, roots: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    children: dict[uuid.UUID | None, list[uuid.UUID]] = {}
    for region in session.exec(select(Region)).all():
        children.setdefault(region.parent_id, []).append(region.id)
    found, todo = set(), list(roots)
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(children.get(current, []))
    return found


def server_epoch(session: Session) -> str:
    """A random id made once per central database; a restored or replaced one differs."""
    row = session.get(ServerMeta, "epoch")
    if row is None:
        raise RuntimeError("database not initialised: run `mingcha db upgrade`")
    return row.value


def reviewer_scope(session: Session, user: User) -> Scope:
    """The scope of a supervisor or admin acting as a reviewer (queue, dashboards, 整改,
    scheduling); anyone else is refused."""
    if user.role not in REVIEWERS or not user.active:
        raise DomainError(ProblemCode.AUTH_FORBIDDEN, "review needs a supervisor or admin")
    return load_scope(session, user)
