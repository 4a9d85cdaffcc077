"""What the console's 考核 page calls: a period's tables for a reviewer (the same tables as
the workbook), the settings with their seed lines, an admin's change that moves the
figures, a supervisor's change refused, a bad value refused with nothing saved, and the
export as a download link."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlmodel import Session, select

from fieldcore.problems import DomainError, ProblemCode
from sync_server.console import transfers
from sync_server.console.services import ConsoleServices
from sync_server.supervision import appraisal
from sync_server.tables import AuditLog, User
from tests.reports.test_appraisal_exports import day, scored
from tests.server.world import World


def services(world: World) -> ConsoleServices:
    return ConsoleServices(world.state)


def user(world: World, name: str) -> User:
    with Session(world.engine) as s:
        return s.exec(select(User).where(User.username == name)).one()


def run(coro: Any) -> Any:
    return asyncio.run(coro)


@pytest.fixture
def october(world: World) -> None:
    """S1 (R1) guard: 92 in October; S3 (R2) guard: 70 in October."""
    scored(world, "S1", "guard-post.v1", day(10), {"guard": 92})
    scored(world, "S3", "guard-post.v1", day(10), {"guard": 70})


def test_a_period_shows_people_departments_and_settings(world: World, october: None) -> None:
    sheets = run(services(world).read(appraisal.appraisal_tables, user(world, "sup1"), "2026-10"))
    assert [s.name for s in sheets] == ["月度考核表", "部门汇总", "考核设置"]
    # sup1 covers R1 only: S1's guard, 92 → bonus 300 × 92 / 100 = 276 (000:L933)
    (row,) = sheets[0].rows
    assert [row[0], row[2], row[5], row[6], str(row[7])] == ["R1", "当班保安", 92, "否", "276.00"]


def test_an_admin_change_moves_the_figures_and_is_audited(world: World, october: None) -> None:
    svc, admin = services(world), user(world, "admin")
    views = run(svc.read(appraisal.appraisal_settings, admin))
    pool = next(v for v in views if v.spec.key == "guard.month_pool")
    assert (pool.value, pool.spec.source, pool.spec.assumed, pool.is_default) == (
        "300", "000:L933", True, True)  # fmt: skip
    changes = {v.spec.key: v.value for v in views} | {"guard.month_pool": "400"}
    views = run(svc.write(appraisal.save_appraisal_settings, admin, changes))
    pool = next(v for v in views if v.spec.key == "guard.month_pool")
    assert (pool.value, pool.changed_by, pool.is_default) == ("400", "admin", False)
    sheets = run(svc.read(appraisal.appraisal_tables, admin, "2026-10", "R2"))
    assert str(sheets[0].rows[0][7]) == "280.00"  # 400 × 70 / 100
    with Session(world.engine) as s:
        (row,) = s.exec(select(AuditLog).where(AuditLog.action == "appraisal_settings")).all()
        assert row.details["changes"] == {"guard.month_pool": "400"}  # only what changed


def test_a_supervisor_may_not_change_settings_and_a_bad_value_saves_nothing(
    world: World,
) -> None:
    svc = services(world)
    with pytest.raises(DomainError) as err:
        run(svc.write(appraisal.save_appraisal_settings, user(world, "sup1"),
                      {"guard.month_pool": "1"}))  # fmt: skip
    assert err.value.code == ProblemCode.AUTH_FORBIDDEN
    with pytest.raises(DomainError) as err:
        bad = {"guard.month_pool": "350", "tobacco.department_mark": "八十五"}
        run(svc.write(appraisal.save_appraisal_settings, user(world, "admin"), bad))
    assert err.value.code == ProblemCode.APPRAISAL_SETTING_INVALID
    views = run(svc.read(appraisal.appraisal_settings, user(world, "admin")))
    assert all(v.is_default for v in views)


def test_inspectors_see_no_appraisal_and_bad_periods_are_refused(world: World) -> None:
    svc = services(world)
    with pytest.raises(DomainError) as err:
        run(svc.read(appraisal.appraisal_tables, user(world, "insp1"), "2026-10"))
    assert err.value.code == ProblemCode.AUTH_FORBIDDEN
    with pytest.raises(DomainError) as err:
        run(svc.read(appraisal.appraisal_tables, user(world, "sup1"), "2026-10-01"))
    assert err.value.code == ProblemCode.APPRAISAL_PERIOD_INVALID


def test_the_export_button_makes_a_download_of_the_workbook(world: World, october: None) -> None:
    download = run(
        transfers.export(
            services(world),
            user(world, "admin"),
            "appraisal",
            lambda d, t: None,
            first="2026-q4",
            region="R1",
        )
    )
    assert (download.filename, download.rows) == ("考核表_2026-Q4_R1.xlsx", 1)
    assert download.url.startswith("/downloads/")
