"""What a user may see: the sites of their assigned regions (with sub-departments) and sites.

Admins see everything. Supervisors and inspectors see their regions' and sites' data (an
inspector's visits are further limited to their own: see sync/pull.py); site managers see
their sites, and of those only published results and their own rectification work.
"""

from __future__ import annotations

import threading
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


def load_scope(session: Session, user: User, server: str | None = None) -> Scope:
    """`user`'s scope as the database has it now (`server`: its epoch, if read already)."""
    epoch = f"{server or server_epoch(session)}.{user.role}.{user.scope_version}"
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


class ScopeCache:
    """Each user's scope, kept by one worker between requests (issue 15 §2: computing it
    took four queries on every push and pull).

    An entry serves only while everything it was computed from is unchanged: the user's
    id, role and `scope_version` and the database's epoch (read fresh by every request,
    with the token), and the database's `scope_version` row, which triggers bump in the
    same transaction as any change to sites, regions or assignments (migration
    0012_scope_version). So a change takes effect on the next request after its commit;
    a database without that row is never cached from.
    """

    MAX_ENTRIES = 10_000  # then start afresh: entries of past versions are dead anyway

    def __init__(self) -> None:
        self._scopes: dict[tuple[object, ...], Scope] = {}
        self._lock = threading.Lock()

    def scope(self, session: Session, user: User, server: str, version: str | None) -> Scope:
        """`user`'s scope; `server` and `version` read in the same statement as `user`."""
        if version is None:
            return load_scope(session, user, server)
        key = (user.id, user.role, user.scope_version, server, version)
        found = self._scopes.get(key)
        if found is not None:
            return found
        # read after `version`: never older than it (newer is only ever more current)
        scope = load_scope(session, user, server)
        with self._lock:
            if len(self._scopes) >= self.MAX_ENTRIES:
                self._scopes.clear()
            self._scopes[key] = scope
        return scope
