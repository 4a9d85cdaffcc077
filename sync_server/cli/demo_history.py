"""`mingcha demo`'s 90 days of history, so the console's dashboards have something to show.

Everything goes through the paths real use takes, on a clock set back in time: inspectors'
phones push visits, findings and photos over the sync protocol (sync_server/cli/demo_phone.py,
the server in process); the supervisor returns, approves and publishes (通报) from the
console's functions (supervision.actions, supervision.rectify); site managers answer their
rectifications with after-photos from their phones. Nothing is inserted into tables directly.

The story (seeded RNG, so the same every time): three inspectors visit the 18 sites on
weekdays, 明查 and 暗访, with every template; sites drift better or worse; S011 fails the same
item every visit; about one visit in nine goes back and is resubmitted; most approved visits
are published; site managers answer most actions in time, a few late or never (overdue), and
some answers are reopened. Seeded once per data directory: nothing happens where visits exist.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import Session, select

from sync_server.cli.demo_phone import CHINA, DemoPhone
from sync_server.cli.demo_story import Story
from sync_server.core.config import Settings
from sync_server.core.db import write_session
from sync_server.main import create_app
from sync_server.org import admin
from sync_server.org.demo_data import PASSWORDS, DemoAccount
from sync_server.tables import User, Visit

# (account, display name, regions, sites): the people the history needs beyond the bare demo
HISTORY_ACCOUNTS = [
    (DemoAccount("inspector2", "inspector", PASSWORDS["inspector"], "检查员 · 零售一部"),
     "张巡查", ["D1"], []),
    (DemoAccount("inspector3", "inspector", PASSWORDS["inspector"], "暗访检查员 · 全区"),
     "刘暗访", ["NX"], []),
    (DemoAccount("manager2", "site_manager", PASSWORDS["manager"], "店长 · 零售一部其余门店"),
     "孙店长", [], ["S002", "S003", "S004", "S005", "S011", "S012", "S013", "S014"]),
    (DemoAccount("manager3", "site_manager", PASSWORDS["manager"], "经理 · 服务二部各场所"),
     "周经理", [], ["S006", "S007", "S008", "S009", "S010", "S015", "S016", "S017", "S018"]),
]  # fmt: skip


class DemoClock:
    """The server's clock while seeding: moved forward by the story, never by itself."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Seeded:
    """What the history added (printed by `mingcha demo`, checked by its test)."""

    days: int
    visits: int = 0
    photos: int = 0
    seconds: float = 0.0
    weeks: list[str] = field(default_factory=list)


def has_history(session: Session) -> bool:
    """Visits exist: the history (or someone's own work) is there; never seed over it."""
    return session.exec(select(Visit.id).limit(1)).first() is not None


def add_people(session: Session) -> None:
    for account, name, regions, sites in HISTORY_ACCOUNTS:
        if session.exec(select(User).where(User.username == account.username)).first():
            continue
        user = admin.add_user(
            session, account.username, account.role, account.password, display_name=name
        )
        admin.assign(session, user, regions=regions, sites=sites)


def commit_without_waiting(engine: sa.Engine) -> None:
    """SQLite's synchronous=NORMAL while seeding: in WAL mode still consistent after a crash,
    it only skips the wait for the disk on each commit (the server's FULL makes an
    acknowledged push survive a power cut; seeding needs no such promise, and waiting on a
    busy disk for hundreds of commits is most of the time seeding takes)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def normal(dbapi_conn: Any, _record: Any) -> None:  # after the server's own pragmas
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    engine.dispose()  # connections opened before this listener reconnect with it


def seed_history(
    settings: Settings,
    days: int = 90,
    seed: int = 2026,
    today: datetime | None = None,
    report: Callable[[str], None] = lambda line: None,
) -> Seeded | None:
    """Seed `days` of history ending the day before `today` (days and working hours in
    China's time zone; the server stores UTC) into the demo organisation (already seeded by
    sync_server.org.demo_data.seed) at `settings`; None when visits are already there.

    `report` receives a line when seeding starts and one per week seeded."""
    started = time.perf_counter()
    end = (today or datetime.now(UTC)).astimezone(CHINA)
    first_day = (end - timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)
    clock = DemoClock(first_day.astimezone(UTC))
    # Long-lived tokens: the phones sign in once, on the first day of the story.
    settings = settings.model_copy(update={"console": False, "token_days": days + 30})
    app = create_app(settings, clock=clock)
    engine = app.state.engine
    commit_without_waiting(engine)
    try:
        with write_session(engine) as session:
            if has_history(session):
                return None
            add_people(session)
        report(f"正在生成 {days} 天的演示历史 / seeding {days} days of demo history …")
        done = Seeded(days)
        # the phones' own copies of their photos live only while seeding (in memory if can)
        shm = "/dev/shm" if Path("/dev/shm").is_dir() else None
        with TestClient(app) as http, tempfile.TemporaryDirectory(dir=shm) as phones_root:
            story = Story(engine, clock, random.Random(seed), first_day, days)
            story.phones = {
                name: DemoPhone(http, name, password, Path(phones_root))
                for name, password in story.sign_ins()
            }
            for n in range(days):
                day = first_day + timedelta(days=n)
                story.live(day, n)
                if day.weekday() == 6 or n == days - 1:
                    line = (
                        f"  {day:%Y-%m-%d}  第{len(done.weeks) + 1}周 / week: "
                        f"{story.visits} visits, {story.photos} photos so far"
                    )
                    done.weeks.append(line)
                    report(line)
        done.visits, done.photos = story.visits, story.photos
        done.seconds = time.perf_counter() - started
        return done
    finally:
        engine.dispose()
