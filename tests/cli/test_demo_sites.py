"""The demo organisation (sync_server/org/demo_data.py) lets every shipped checklist be
tried: each template has active sites of a kind it lists (site_types, what the phone offers
at a site), staffed with its posts, that the demo inspector covers."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

from sqlmodel import Session, col, select

from sync_server.cli.common import write
from sync_server.core.config import Settings
from sync_server.core.db import make_engine
from sync_server.org import accounts, demo_data
from sync_server.org.scope import load_scope
from sync_server.tables import Site, Subject, User
from sync_server.templates.catalog import load_catalog
from tests.serverkit import cheap_hasher


def test_every_shipped_template_has_staffed_demo_sites_the_inspector_covers(
    tmp_path: Path,
) -> None:
    with mock.patch.object(accounts, "_hasher", cheap_hasher()[0]):
        write(tmp_path, lambda s: demo_data.seed(s, datetime(2026, 12, 1, tzinfo=UTC)))
    engine = make_engine(Settings(data_dir=tmp_path))
    try:
        with Session(engine) as s:
            sites = s.exec(select(Site).where(col(Site.active))).all()
            posts: dict[str, set[str]] = defaultdict(set)
            for site in sites:
                staff = s.exec(select(Subject.post).where(Subject.site_id == site.id)).all()
                posts[site.code] = set(staff)
            inspector = s.exec(select(User).where(User.username == "inspector")).one()
            scope = load_scope(s, inspector)
            covered = {site.code for site in sites if scope.sees_site(site.id)}
    finally:
        engine.dispose()
    newest = {t.id: t for t in load_catalog()}  # sorted by version: the last is the newest
    assert {"courier-service", "property-services"} <= set(newest)
    for template in newest.values():
        mine = [site for site in sites if site.type in template.site_types]
        assert mine, f"{template.id}: no demo site of a kind in {template.site_types}"
        codes = {subject.code for subject in template.subjects}
        for site in mine:
            assert posts[site.code] and posts[site.code] <= codes, (template.id, site.code)
        assert {site.code for site in mine} <= covered, template.id
    kinds = {site.code: site.type for site in sites}
    assert [kinds[c] for c in ("S015", "S016", "S017", "S018")] == [
        "courier-station", "courier-station", "office-campus", "office-campus"
    ]  # fmt: skip
    assert len(sites) == len(demo_data.SITES) == 18
