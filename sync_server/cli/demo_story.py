"""One day of the demo's history at a time: inspectors' visits (mornings and afternoons on
weekdays), returned visits resubmitted, site managers answering their rectifications, and the
supervisor's review at the end of the working day. Who does what is drawn from one seeded
RNG; how it is done is the product's own path (see sync_server/cli/demo_history.py).
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from fieldapp.store.capture import CapturedPhoto
from fieldcore.checklist import Mode, Template
from fieldcore.workflow import MANAGER_EDITABLE, finding_id
from sync_server.cli import demo_answers as story
from sync_server.cli.demo_phone import DemoPhone, at
from sync_server.core.db import write_session
from sync_server.org.demo_data import PASSWORDS
from sync_server.supervision import actions, rectify
from sync_server.tables import Finding, Rectification, Region, Site, User, Visit
from sync_server.templates.catalog import load_catalog

INSPECTORS = {"inspector": None, "inspector2": "D1", "inspector3": None}  # region they cover
COVERT_SHARE = {"inspector": 0.1, "inspector2": 0.1, "inspector3": 0.8}
MANAGER_OF_REGION = {"D1": "manager2", "D2": "manager3"}
# Rectifications raised in one approval share created_at, and the server draws their ids at
# random: their visit's id (from the story's RNG) and item code order them reproducibly.
IN_STORY_ORDER = (
    col(Rectification.created_at),
    col(Rectification.visit_id),
    col(Rectification.item_code),
)
RETURN_SHARE, PUBLISH_SHARE, REOPEN_SHARE = 0.11, 0.95, 0.12


class Story:
    def __init__(
        self, engine: sa.Engine, clock: Any, rng: random.Random, first_day: datetime, days: int
    ) -> None:
        self.engine, self.clock, self.rng, self.days = engine, clock, rng, days
        self.first_day = first_day
        self.phones: dict[str, DemoPhone] = {}
        # by id, the newest version (load_catalog sorts by id, then version)
        self.templates: dict[str, Template] = {t.id: t for t in load_catalog()}
        with Session(engine) as s:
            rows = s.execute(
                sa.select(col(Site.code), col(Site.id), col(Site.type), col(Region.code))
                .join(Region, col(Region.id) == Site.region_id)
                .order_by(col(Site.code))
            ).all()
            self.supervisor = s.exec(select(User.id).where(User.username == "supervisor")).one()
        self.sites = {code: (sid, kind, region) for code, sid, kind, region in rows}
        self.site_codes = {sid: code for code, (sid, _, _) in self.sites.items()}
        self.habits = story.habits(rng, list(self.sites))
        self.last_visit: dict[str, datetime] = dict.fromkeys(self.sites, first_day)
        self.resubmit: dict[uuid.UUID, tuple[str, datetime, str]] = {}  # who, when, item
        self.answer_on: dict[tuple[uuid.UUID, str], datetime | None] = {}
        self.held: set[uuid.UUID] = set()  # approved visits the supervisor does not publish
        self.reopened: set[uuid.UUID] = set()
        self.visits = self.photos = 0

    def new_id(self) -> uuid.UUID:
        """A visit id from the story's RNG: the same story orders its rows the same way."""
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def sign_ins(self) -> list[tuple[str, str]]:
        managers = ["manager", *MANAGER_OF_REGION.values()]
        return [(n, PASSWORDS["inspector"]) for n in INSPECTORS] + [
            (n, PASSWORDS["manager"]) for n in managers
        ]

    def live(self, day: datetime, n: int) -> None:
        # in the day's order, so the clock only moves forward: managers before opening time,
        # visits 9:00–16:10, resubmissions at 16:30, the supervisor's review at 17:30
        self.answer_rectifications(day)
        if day.weekday() >= 5:
            return
        for name in INSPECTORS:
            visits = self.rng.choices((0, 1, 2), (0.52, 0.42, 0.06))[0]
            for k in range(visits):
                self.visit(name, day, n, at(day, 9 + 4 * k + self.rng.random() * 2))
        self.resubmit_returned(day)
        self.review(at(day, 17.5))

    # ---- inspectors ---------------------------------------------------------------------
    def visit(self, name: str, day: datetime, n: int, start: datetime) -> None:
        phone, rng = self.phones[name], self.rng
        region = INSPECTORS[name]
        mine = [c for c, (_, _, r) in self.sites.items() if region is None or r == region]
        code = min(mine, key=lambda c: (self.last_visit[c], rng.random()))
        self.last_visit[code] = day
        site_id, kind, _ = self.sites[code]
        template = self.templates[story.TEMPLATE_FOR_SITE_TYPE[kind]]
        covert = "covert" in template.modes and rng.random() < COVERT_SHARE[name]
        mode: Mode = "covert" if covert else "overt"
        always = story.repeat_item(template) if code == story.REPEAT_SITE else None
        rate = self.habits[code].rate(n / self.days)
        visit_id, finish = self.new_id(), start + timedelta(minutes=rng.randint(25, 70))
        self.clock.now = finish
        fields = {"site_id": site_id, "template_key": template.key, "mode": mode}
        muts = [
            phone.mutation(
                "visit", visit_id, {**fields, "kind": "routine", "started_at": start}, True
            )
        ]
        for item, answer, failed in story.visit_answers(template, mode, rate, rng, always):
            fid = finding_id(visit_id, item.code)
            row = {"visit_id": visit_id, "item_code": item.code, **answer}
            muts.append(phone.mutation("finding", fid, row, creating=True))
            if failed and item.photo_on_fail:
                taken = start + timedelta(minutes=rng.randint(5, 20))
                muts.append(
                    phone.photo(rng, taken, code, item.code, visit_id=visit_id, finding_id=fid)
                )
                self.photos += 1
        done = {"finished_at": finish, "status": "submitted"}
        muts.append(phone.mutation("visit", visit_id, done))
        phone.push(muts)
        self.visits += 1

    def resubmit_returned(self, day: datetime) -> None:
        for visit_id, (name, when, item) in sorted(self.resubmit.items(), key=lambda kv: kv[1][1]):
            if when.astimezone(day.tzinfo).date() > day.date():
                continue
            phone = self.phones[name]
            self.clock.now = at(day, 16.5)
            note = {"note": "已补充说明：经现场复核，扣分属实，照片已重新拍摄"}
            phone.push(
                [
                    phone.mutation("finding", finding_id(visit_id, item), note),
                    phone.mutation("visit", visit_id, {"status": "resubmitted"}),
                ]
            )
            del self.resubmit[visit_id]

    # ---- site managers ------------------------------------------------------------------
    def manager_of(self, code: str) -> str:
        return "manager" if code == "S001" else MANAGER_OF_REGION[self.sites[code][2]]

    def answer_rectifications(self, day: datetime) -> None:
        now = at(day, 8 + self.rng.random() * 0.8)
        with Session(self.engine) as s:
            rows = s.exec(
                select(Rectification)
                .join(Visit, col(Visit.id) == Rectification.visit_id)
                .where(col(Rectification.status).in_(MANAGER_EDITABLE), Visit.status == "published")
                .order_by(*IN_STORY_ORDER)
            ).all()
        answers: dict[str, list[Any]] = {}  # per manager: the day's answers, one sync
        shots: dict[uuid.UUID, CapturedPhoto] = {}  # one after-photo per inspected visit
        self.clock.now = now
        for rect in rows:
            key = (rect.id, rect.status)
            if key not in self.answer_on:
                self.answer_on[key] = self.plan_answer(rect, day)
            when = self.answer_on[key]
            if when is None or when > day:
                continue
            code = self.site_codes[rect.site_id]
            name = self.manager_of(code)
            phone = self.phones[name]
            if rect.visit_id not in shots:
                shots[rect.visit_id] = phone.take(self.rng, now, code, f"整改 {rect.item_code}")
                self.photos += 1
            reply = {"response_note": self.rng.choice(story.RESPONSES), "status": "submitted"}
            answers.setdefault(name, []).extend(
                [
                    phone.photo_row(shots[rect.visit_id], rectification_id=rect.id),
                    phone.mutation("rectification", rect.id, reply),
                ]
            )
        for name, mutations in sorted(answers.items()):
            self.phones[name].push(mutations)

    def plan_answer(self, rect: Rectification, day: datetime) -> datetime | None:
        """When the manager answers: most within the due date, some late, some never."""
        if self.site_codes[rect.site_id] == story.SLOW_SITE:  # a quick answer, then silence
            return None if rect.status == "reopened" else day + timedelta(days=1)
        never = 0.25 if rect.status == "reopened" else 0.06
        if self.rng.random() < never:
            return None
        allowed = max(1, (rect.due_date - day.date()).days)
        return day + timedelta(days=self.rng.randint(1, allowed + 3))

    # ---- the supervisor -----------------------------------------------------------------
    def review(self, now: datetime) -> None:
        self.clock.now = now
        with write_session(self.engine) as s:
            sup = s.get(User, self.supervisor)
            assert sup is not None
            for visit in self._waiting(s, now - timedelta(hours=20)):
                self._decide(s, sup, visit, now)
            for visit in self._approved(s, now - timedelta(days=2)):
                if self.rng.random() < PUBLISH_SHARE:
                    actions.act(s, sup, visit.id, "publish", now)
                else:
                    self.held.add(visit.id)
            for rect in self._answered(s, now - timedelta(hours=20)):
                slow = self.site_codes[rect.site_id] == story.SLOW_SITE
                if rect.id not in self.reopened and (slow or self.rng.random() < REOPEN_SHARE):
                    self.reopened.add(rect.id)
                    rectify.reopen(s, sup, rect.id, self.rng.choice(story.REOPEN_REASONS), now)
                else:
                    rectify.verify(s, sup, rect.id, now, "复查合格")

    def _decide(self, s: Session, sup: User, visit: Visit, now: datetime) -> None:
        failed = s.exec(
            select(Finding.item_code).where(Finding.visit_id == visit.id, Finding.result == "fail")
        ).all()
        if visit.status == "submitted" and failed and self.rng.random() < RETURN_SHARE:
            item = self.rng.choice(sorted(failed))
            comment = self.rng.choice(story.RETURN_COMMENTS)
            actions.act(s, sup, visit.id, "return", now, comment, {item: comment})
            name = s.get(User, visit.inspector_id)
            assert name is not None
            when = now + timedelta(days=self.rng.randint(1, 3))
            self.resubmit[visit.id] = (name.username, when, item)
        else:
            actions.act(s, sup, visit.id, "approve", now)

    @staticmethod
    def _waiting(s: Session, before: datetime) -> list[Visit]:
        return list(
            s.exec(
                select(Visit)
                .where(
                    col(Visit.status).in_(("submitted", "resubmitted")),
                    col(Visit.submitted_at) <= before,
                )
                .order_by(col(Visit.submitted_at), col(Visit.id))
            ).all()
        )

    def _approved(self, s: Session, before: datetime) -> list[Visit]:
        rows = s.exec(
            select(Visit)
            .where(Visit.status == "approved", col(Visit.reviewed_at) <= before)
            .order_by(col(Visit.reviewed_at), col(Visit.id))
        ).all()
        return [v for v in rows if v.id not in self.held]

    @staticmethod
    def _answered(s: Session, before: datetime) -> list[Rectification]:
        return list(
            s.exec(
                select(Rectification)
                .where(
                    Rectification.status == "submitted",
                    col(Rectification.responded_at) <= before,
                )
                .order_by(col(Rectification.responded_at), *IN_STORY_ORDER)
            ).all()
        )
