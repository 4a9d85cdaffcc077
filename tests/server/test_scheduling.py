"""Scheduling visit tasks: one site or a seeded sample, checked first, pulled by the right
phones only (a covert task never reaches the site's manager)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from fieldcore.problems import DomainError, ProblemCode
from sync_server.core.changeset import ChangeSet
from sync_server.core.config import Settings
from sync_server.core.db import make_engine, write_session
from sync_server.org import admin
from sync_server.supervision.scheduling import Window, create_task, sample_size, sample_tasks
from sync_server.tables import ChangeLog, Site, User, VisitTask
from tests.server.world import PASSWORD, World


def window(world: World, days: int = 7) -> Window:
    return Window(world.clock(), world.clock() + timedelta(days=days))


def by(session: Session, name: str) -> User:
    return session.exec(select(User).where(User.username == name)).one()


def tasks(world: World) -> list[VisitTask]:
    with Session(world.engine) as s:
        return list(s.exec(select(VisitTask)).all())


@pytest.fixture
def nx(world: World) -> World:
    """Region NX with 41 active sites and one closed one; inspector inspnx covers it."""
    with write_session(world.engine) as s:
        changes = ChangeSet(s)
        admin.add_region(s, "NX", "宁夏")
        admin.add_region(s, "YC", "银川", parent="NX")
        for n in range(41):
            admin.add_site(s, changes, f"N{n:03}", f"店{n}", "shop", "YC" if n % 2 else "NX")
        closed = admin.add_site(s, changes, "N999", "已关闭", "shop", "NX")
        closed.active = False
        changes.assign_seqs()
        for name, role in (("inspnx", "inspector"), ("supnx", "supervisor")):
            admin.assign(s, admin.add_user(s, name, role, PASSWORD), ["NX"])
    return world


def test_sample_size_rounds_up_and_takes_at_least_one() -> None:
    assert [sample_size(n, 5) for n in (0, 1, 19, 20, 21, 40, 41, 100)] == [
        0, 1, 1, 1, 2, 2, 3, 5,
    ]  # fmt: skip
    assert sample_size(7, 100) == 7


def test_sample_draws_rounded_up_share_reproducibly(nx: World) -> None:
    drawn: list[list[str]] = []
    for seed in (7, 7, 8):
        with write_session(nx.engine) as s:
            sample = sample_tasks(
                s, by(s, "supnx"), "NX", 5, "store-patrol", "covert", ["inspnx"], window(nx),
                seed=seed,
            )  # fmt: skip
            assert (sample.seed, sample.population, len(sample.tasks)) == (seed, 41, 3)
            codes = [s.get_one(Site, t.site_id).code for t in sample.tasks]
            drawn.append(codes)
            s.rollback()  # draw again on the same sites
    assert drawn[0] == drawn[1] and len(set(drawn[0])) == 3 and "N999" not in drawn[0]
    assert drawn[2] != drawn[0]  # another seed, another sample (for these two seeds)
    with write_session(nx.engine) as s:
        sample = sample_tasks(
            s, by(s, "admin"), "NX", 100, "store-patrol", "overt", ["inspnx"], window(nx)
        )
    assert len(sample.tasks) == 41 == len(tasks(nx))
    assert all(t.mode == "overt" and t.status == "open" for t in tasks(nx))


def test_covert_tasks_reach_the_inspector_but_never_the_site_manager(world: World) -> None:
    with write_session(world.engine) as s:
        sup1 = by(s, "sup1")
        covert = sample_tasks(
            s, sup1, "R1", 100, "store-patrol", "covert", ["insp1"], window(world), seed=1
        )
        overt = create_task(s, sup1, "S1", "store-patrol", "overt", "insp1", window(world))
        covert_ids = {str(t.id) for t in covert.tasks}
        overt_id = str(overt.id)
    assert len(covert_ids) == 2  # S1 and S2 (in R1's department D1)
    with Session(world.engine) as s:
        logs = s.exec(select(ChangeLog).where(ChangeLog.entity == "visit_task")).all()
        assert {log.entity_id for log in logs} == {*covert_ids, overt_id}
        assert len({log.seq for log in logs}) == 3  # seqs given, phones see them
    pulled = {
        name: {i for (e, i) in world.phone(name).pull_all() if e == "visit_task"}
        for name in ("insp1", "insp2", "mgr1", "mgr3", "sup1")
    }
    assert pulled["insp1"] == pulled["sup1"] == {*covert_ids, overt_id}
    assert pulled["mgr1"] == {overt_id}  # the announced task only, at their site
    assert pulled["insp2"] == pulled["mgr3"] == set()


def expect(code: ProblemCode, world: World, work: Any) -> None:
    with pytest.raises(DomainError) as refused, write_session(world.engine) as s:
        work(s)
    assert refused.value.code == code
    assert tasks(world) == []  # nothing was created


def test_bad_requests_are_refused_with_stable_codes_and_change_nothing(nx: World) -> None:
    w = window(nx)
    backwards = Window(w.end, w.start)
    C = ProblemCode
    cases = [
        (C.AUTH_FORBIDDEN, lambda s: create_task(s, by(s, "insp1"), "S1", "store-patrol",
                                                 "overt", "insp1", w)),
        (C.SCOPE_DENIED, lambda s: create_task(s, by(s, "sup1"), "S3", "store-patrol",
                                               "overt", "insp2", w)),
        (C.SCOPE_DENIED, lambda s: create_task(s, by(s, "sup1"), "NOPE", "store-patrol",
                                               "overt", "insp1", w)),
        (C.REQUEST_INVALID, lambda s: create_task(s, by(s, "sup1"), "S1", "store-patrol",
                                                  "overt", "insp1", backwards)),
        (C.REQUEST_INVALID, lambda s: create_task(s, by(s, "sup1"), "S1", "store-patrol",
                                                  "overt", "mgr1", w)),
        (C.REQUEST_INVALID, lambda s: create_task(s, by(s, "admin"), "S3", "store-patrol",
                                                  "overt", "insp1", w)),
        (C.USER_NOT_FOUND, lambda s: create_task(s, by(s, "sup1"), "S1", "store-patrol",
                                                 "overt", "ghost", w)),
        (C.TEMPLATE_NOT_FOUND, lambda s: create_task(s, by(s, "sup1"), "S1", "no-such",
                                                     "overt", "insp1", w)),
        (C.ANSWERS_MODE_NOT_ALLOWED, lambda s: create_task(s, by(s, "sup1"), "S1",
                                                           "store-patrol", "loud", "insp1", w)),
        (C.REQUEST_INVALID, lambda s: sample_tasks(s, by(s, "supnx"), "NX", 0, "store-patrol",
                                                   "covert", ["inspnx"], w)),
        (C.REQUEST_INVALID, lambda s: sample_tasks(s, by(s, "supnx"), "XX", 5, "store-patrol",
                                                   "covert", ["inspnx"], w)),
        (C.SCOPE_DENIED, lambda s: sample_tasks(s, by(s, "sup1"), "NX", 5, "store-patrol",
                                                "covert", ["inspnx"], w)),
        # the second inspector does not cover NX: the first's tasks are not kept either
        (C.REQUEST_INVALID, lambda s: sample_tasks(s, by(s, "admin"), "NX", 10,
                                                   "store-patrol", "covert",
                                                   ["inspnx", "insp1"], w, seed=3)),
    ]  # fmt: skip
    for code, work in cases:
        expect(code, nx, work)


def test_cli_sample_and_add_print_what_they_created(tmp_path: Path) -> None:
    from sync_server.cli import app

    runner, data = CliRunner(), tmp_path / "server"

    def run(*args: str, input: str | None = None) -> Any:
        result = runner.invoke(app, [*args, "--data-dir", str(data)], input=input)
        return result

    assert run("regions", "add", "NX", "宁夏").exit_code == 0
    csv = tmp_path / "sites.csv"
    csv.write_text("code,name,type,region\n" + "".join(f"N{n},店{n},shop,NX\n" for n in range(30)))
    assert run("sites", "import", str(csv)).exit_code == 0
    assert run("templates", "publish").exit_code == 0
    for name, role in (("boss", "admin"), ("inspector", "inspector")):
        made = run("user", "add", name, "--role", role, "--region", "NX", "--password-stdin",
                   input=f"{PASSWORD}\n")  # fmt: skip
        assert made.exit_code == 0, made.output
    args = ["tasks", "sample", "--region", "NX", "--percent", "5", "--template", "store-patrol"]
    args += ["--mode", "covert", "--assignee", "inspector", "--days", "7", "--by", "boss"]
    first = run(*args, "--seed", "42")
    assert first.exit_code == 0, first.output
    assert "created 2 tasks for 5% of 30 sites in NX (seed 42)" in first.output
    added = run("tasks", "add", "--site", "N1", "--template", "store-patrol", "--mode", "overt",
                "--assignee", "inspector", "--by", "boss")  # fmt: skip
    assert added.exit_code == 0 and "created 1 task" in added.output, added.output
    refused = run("tasks", "add", "--site", "N1", "--template", "store-patrol", "--mode",
                  "overt", "--assignee", "boss", "--by", "boss")  # fmt: skip
    assert refused.exit_code == 2 and "request.invalid" in refused.output
    engine = make_engine(Settings(data_dir=data))
    with Session(engine) as s:
        assert len(s.exec(select(VisitTask)).all()) == 3
    engine.dispose()
