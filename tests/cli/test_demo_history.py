"""`mingcha demo`'s history (sync_server/cli/demo_history.py): seeded through the real sync
and review paths, it gives every dashboard figures that match the database, is seeded once
per data directory, and its photos are stored blobs that read back as JPEGs.

Seeds 30 days (not 90) on a fixed clock, so the story is the same on every run."""

from __future__ import annotations

import hashlib
import io
import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
import sqlalchemy as sa
from PIL import Image
from rich.console import Console
from sqlmodel import Session, col, select

from fieldcore.headline import is_per_subject
from fieldcore.scorecard import round_half_up
from fieldcore.workflow import MANAGER_EDITABLE
from sync_server.cli import demo_answers
from sync_server.cli.common import write
from sync_server.cli.demo import seed_demo_history
from sync_server.cli.demo_history import Seeded, seed_history
from sync_server.core.config import Settings
from sync_server.core.db import make_engine
from sync_server.org import accounts, demo_data
from sync_server.photos.store import PhotoStore
from sync_server.supervision import dashboards
from sync_server.tables import Blob, Finding, Photo, Rectification, Site, User, Visit
from sync_server.templates.catalog import load_catalog, resolve_template
from tests.serverkit import cheap_hasher

TODAY = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # 18:00 in 银川
DAYS = 30


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, Seeded]]:
    data = tmp_path_factory.mktemp("demo-history") / "server"
    data.mkdir()
    settings = Settings(data_dir=data, console=False)
    with mock.patch.object(accounts, "_hasher", cheap_hasher()[0]):
        write(data, lambda s: demo_data.seed(s, TODAY - timedelta(days=DAYS)))
        done = seed_history(settings, days=DAYS, today=TODAY)
    assert done is not None
    yield settings, done


@pytest.fixture
def session(seeded: tuple[Settings, Seeded]) -> Iterator[Session]:
    engine = make_engine(seeded[0])
    with Session(engine) as s:
        yield s
    engine.dispose()


def counted(s: Session) -> list[Visit]:
    return list(
        s.exec(
            select(Visit)
            .where(col(Visit.status).in_(dashboards.COUNTED), col(Visit.deleted_at).is_(None))
            .order_by(col(Visit.submitted_at).desc(), col(Visit.id).desc())
        ).all()
    )


def supervisor(s: Session) -> User:
    return s.exec(select(User).where(User.username == "supervisor")).one()


def test_history_has_every_kind_of_event(seeded: tuple[Settings, Seeded], session: Session) -> None:
    done = seeded[1]
    visits = session.exec(select(Visit)).all()
    assert done.visits == len(visits) > 30 and len(done.weeks) >= 4
    newest = {t.id: t.key for t in load_catalog()}  # sorted by version: the last is newest
    used = set(demo_answers.TEMPLATE_FOR_SITE_TYPE.values())
    assert {v.template_key for v in visits} == {newest[t] for t in used}
    assert {v.mode for v in visits} == {"overt", "covert"}
    assert len({v.site_id for v in visits}) == len(demo_data.SITES) == 18  # every demo site
    inspectors = session.exec(select(User.username).join(Visit, col(Visit.inspector_id) == User.id))
    assert set(inspectors) == {"inspector", "inspector2", "inspector3"}
    days = {v.submitted_at.date() for v in visits if v.submitted_at}
    assert min(days) <= (TODAY - timedelta(days=DAYS - 3)).date() and max(days) < TODAY.date()
    resubmitted = [v for v in visits if v.return_comment and v.status != "returned"]
    assert resubmitted and all(v.status in dashboards.COUNTED for v in resubmitted)
    assert any(v.mode == "covert" and v.status == "published" for v in visits)
    statuses = Counter(session.exec(select(Rectification.status)).all())
    assert set(statuses) >= {"open", "submitted", "verified", "reopened"}, statuses


def test_dashboards_match_counts_from_the_database(session: Session) -> None:
    sup, visits = supervisor(session), counted(session)
    start, end = TODAY - timedelta(days=DAYS + 1), TODAY
    codes = {s.id: s.code for s in session.exec(select(Site)).all()}
    by_site: dict[str, list[Decimal]] = {}
    for v in visits:
        if is_per_subject(v.score):  # scored per post: not in the pooled ranking (issue 13)
            assert v.score_percent is None
            continue
        assert v.score_percent is not None
        by_site.setdefault(codes[v.site_id], []).append(v.score_percent)
    assert len(by_site) > 5
    ranking = dashboards.ranking(session, sup, start, end)
    assert {(r.code, r.visits) for r in ranking} == {(c, len(p)) for c, p in by_site.items()}
    for row in ranking:
        assert row.average == round_half_up(
            sum(by_site[row.code], Decimal(0)) / len(by_site[row.code])
        )
    assert len({r.average for r in ranking}) > 5  # sites differ: a ranking worth reading

    site = next(s for s in session.exec(select(Site)).all() if s.code == "S011")
    trend = dashboards.site_trend(session, sup, site.id)
    mine = [v for v in visits if v.site_id == site.id][:20]
    assert trend == [(v.submitted_at, v.score_percent) for v in reversed(mine)]

    breakdown = dashboards.category_breakdown(session, sup, None, start, end)
    per_template = Counter(v.template_key for v in visits)
    assert {r.template_key for r in breakdown} == set(per_template)
    for category in breakdown:
        assert 0 < category.visits <= per_template[category.template_key]
    assert any(r.kept < 100 for r in breakdown)


def test_repeat_offenders_match_the_last_three_visits(session: Session) -> None:
    expected, visits = [], counted(session)
    names = {s.id: (s.code, s.name) for s in session.exec(select(Site)).all()}
    for site_id, (code, name) in names.items():
        last = [v.id for v in visits if v.site_id == site_id][:3]
        failed = session.exec(
            select(Finding.item_code).where(
                col(Finding.visit_id).in_(last), Finding.result == "fail"
            )
        ).all()
        expected += [
            dashboards.RepeatOffender(code, name, item, n)
            for item, n in Counter(failed).items()
            if n >= 2
        ]
    rows = dashboards.repeat_offenders(session, supervisor(session))
    assert rows == sorted(expected, key=lambda r: (-r.times, r.site_code, r.item_code))
    store = resolve_template("store-patrol")  # the newest, which the story inspects with
    repeat = demo_answers.repeat_item(store)
    s011 = sum(names[v.site_id][0] == "S011" for v in visits)
    assert s011 >= 2  # in the story's 30 days
    times = min(3, s011)
    assert any(r.site_code == "S011" and r.item_code == repeat and r.times == times for r in rows)


def test_rectification_counts_match_including_overdue(session: Session) -> None:
    rows = session.exec(select(Rectification)).all()
    editable = [r for r in rows if r.status in MANAGER_EDITABLE]
    overdue = [r for r in editable if r.due_date < TODAY.date()]
    counts = dashboards.rectification_counts(session, supervisor(session), TODAY)
    assert counts == dashboards.RectificationCounts(
        open=len(editable),
        overdue=len(overdue),
        submitted=sum(r.status == "submitted" for r in rows),
        verified=sum(r.status == "verified" for r in rows),
    )
    assert counts.overdue > 0 and counts.verified > 0


def test_photos_are_stored_blobs_that_read_back(
    seeded: tuple[Settings, Seeded], session: Session
) -> None:
    settings, done = seeded
    photos = session.exec(select(Photo)).all()
    # done.photos counts pictures taken: a manager's one after-photo serves every action
    # of the visit answered that day (one blob, a photo row per action)
    assert len({p.sha256 for p in photos}) == done.photos > 20 and len(photos) > done.photos
    assert session.scalar(sa.select(sa.func.count()).select_from(Blob)) == done.photos
    assert any(p.rectification_id for p in photos) and any(p.finding_id for p in photos)
    store = PhotoStore.from_settings(settings)
    for photo in photos[:: max(1, len(photos) // 15)]:
        assert photo.blob_present and session.get(Blob, photo.sha256) is not None
        data = store.read(photo.sha256) or b""
        assert hashlib.sha256(data).hexdigest() == photo.sha256 and len(data) == photo.byte_size
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == "JPEG" and image.size == (photo.width, photo.height)


def test_seeding_again_adds_nothing(seeded: tuple[Settings, Seeded], session: Session) -> None:
    settings, _ = seeded
    before = [session.scalar(sa.select(sa.func.count()).select_from(m)) for m in TABLES]
    assert seed_history(settings, days=3, today=TODAY) is None
    session.expire_all()
    after = [session.scalar(sa.select(sa.func.count()).select_from(m)) for m in TABLES]
    assert after == before


TABLES = [Visit, Finding, Photo, Rectification, User]


def test_demo_command_reports_progress_and_keeps_what_is_there(tmp_path: Path) -> None:
    """What `mingcha demo` prints while seeding (a week at a time), then on a second start."""
    out = io.StringIO()
    console = Console(file=out, width=200)
    with mock.patch.object(accounts, "_hasher", cheap_hasher()[0]):
        write(tmp_path, lambda s: demo_data.seed(s, datetime.now(UTC)))
        seed_demo_history(console, tmp_path, days=8)
        first = out.getvalue()
        seed_demo_history(console, tmp_path, days=8)
    assert "seeding 8 days of demo history" in first
    assert len(re.findall(r"week: \d+ visits, \d+ photos so far", first)) >= 2
    seeded = re.search(r"demo history seeded: (\d+) visits, (\d+) photos", first)
    assert seeded is not None and int(seeded[1]) > 3
    assert (
        out.getvalue()[len(first) :].strip() == "demo history already there, or visits exist (kept)"
    )
