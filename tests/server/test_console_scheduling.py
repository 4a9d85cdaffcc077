"""What the console's 排期 page calls: a task or a sample over whole China-time days typed
as YYYY-MM-DD, refused with request.invalid (and nothing written) for bad text, and the
newest tasks in the supervisor's own scope — covert ones included, for reviewers only."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import Session, select

from fieldcore.problems import DomainError, ProblemCode
from sync_server.console.services import ConsoleServices
from sync_server.supervision.scheduling import recent_tasks
from sync_server.tables import User, VisitTask
from tests.server.world import World


def services(world: World) -> ConsoleServices:
    return ConsoleServices(world.state)


def user(world: World, name: str) -> User:
    with Session(world.engine) as s:
        return s.exec(select(User).where(User.username == name)).one()


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def all_tasks(world: World) -> list[VisitTask]:
    with Session(world.engine) as s:
        return list(s.exec(select(VisitTask)).all())


def test_one_task_spans_whole_china_days(world: World) -> None:
    sup = user(world, "sup1")
    [row] = run(
        services(world).create_task(
            sup, " S2 ", "store-patrol", "covert", "insp1", "2026-11-03", "2026-11-09"
        )
    )
    assert (row.site_code, row.mode, row.assignee, row.status) == ("S2", "covert", "insp1", "open")
    [task] = all_tasks(world)
    assert task.window_start == datetime(2026, 11, 2, 16, 0, tzinfo=UTC)  # 11-03 00:00 CST
    assert task.window_end == datetime(2026, 11, 9, 16, 0, tzinfo=UTC)  # end of 11-09 CST
    assert task.created_by == world.ids["sup1"]


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [("2026-11-31", "2026-12-01", "start"), ("2026-11-03", "next week", "end")],
)
def test_bad_dates_are_request_invalid_and_write_nothing(
    world: World, first: str, last: str, field: str
) -> None:
    with pytest.raises(DomainError) as refused:
        run(
            services(world).create_task(
                user(world, "sup1"), "S1", "store-patrol", "overt", "insp1", first, last
            )
        )
    assert refused.value.code == ProblemCode.REQUEST_INVALID
    assert refused.value.details["field"] == field
    assert all_tasks(world) == []


def test_sample_from_the_form_and_its_refusals(world: World) -> None:
    sup, svc = user(world, "sup1"), services(world)
    seed, population, rows = run(
        svc.sample_tasks(sup, "R1", "5", "store-patrol", "overt", "insp1,", "2026-11-03",
                         "2026-11-04")
    )  # fmt: skip
    assert population == 2 and len(rows) == 1 and rows[0].site_code in {"S1", "S2"}
    assert rows[0].note == f"sample 5% of R1, seed {seed}"
    for percent, region, code in (
        ("five", "R1", ProblemCode.REQUEST_INVALID),
        ("0", "R1", ProblemCode.REQUEST_INVALID),
        ("5", "R2", ProblemCode.SCOPE_DENIED),  # another supervisor's region
    ):
        with pytest.raises(DomainError) as refused:
            run(svc.sample_tasks(sup, region, percent, "store-patrol", "overt", "insp1",
                                 "2026-11-03", "2026-11-04"))  # fmt: skip
        assert refused.value.code == code
    assert len(all_tasks(world)) == 1


def test_recent_tasks_are_the_reviewers_scope_newest_first(world: World) -> None:
    svc = services(world)
    run(svc.create_task(user(world, "admin"), "S3", "store-patrol", "covert", "insp2",
                        "2026-11-03", "2026-11-04"))  # fmt: skip
    world.clock.advance(minutes=1)
    for code in ("S1", "S2"):
        run(svc.create_task(user(world, "sup1"), code, "store-patrol", "covert", "insp1",
                            "2026-11-03", "2026-11-04"))  # fmt: skip
    mine = run(svc.read(recent_tasks, user(world, "sup1")))
    assert {t.site_code for t in mine} == {"S1", "S2"}  # S3 is in R2, not sup1's
    assert all(t.mode == "covert" for t in mine)  # reviewers see covert tasks
    everything = run(svc.read(recent_tasks, user(world, "admin")))
    assert len(everything) == 3
    stamps = [t.created_at for t in everything]
    assert stamps == sorted(stamps, reverse=True) and everything[-1].site_code == "S3"
    with Session(world.engine) as s:
        for name in ("mgr1", "insp1"):  # a covert task is never listed for them
            who = s.exec(select(User).where(User.username == name)).one()
            with pytest.raises(DomainError) as refused:
                recent_tasks(s, who)
            assert refused.value.code == ProblemCode.AUTH_FORBIDDEN
