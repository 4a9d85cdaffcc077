"""The console's appraisal (考核) page: a period's tables for the signed-in reviewer, and
the organisation's settings, which admins change.

The figures come from sync_server.reports.appraisal (which visit counts for which person,
and the two seeds' schemes) and are shown as the same tables the 考核表 workbook holds
(reports.appraisal_xlsx.appraisal_sheets), so screen and file never disagree.
"""

from __future__ import annotations

from sqlmodel import Session

from fieldcore.appraisal import parse_period
from fieldcore.problems import DomainError, ProblemCode
from fieldcore.workflow import REVIEWERS
from sync_server.org.appraisal_settings import SettingView, change_settings, list_settings
from sync_server.org.scope import load_scope
from sync_server.reports.appraisal import build_appraisal
from sync_server.reports.appraisal_xlsx import Sheet, appraisal_sheets
from sync_server.tables import User


def _require_reviewer(user: User) -> None:
    if user.role not in REVIEWERS or not user.active:
        raise DomainError(
            ProblemCode.AUTH_FORBIDDEN, "appraisal is for supervisors and admins", role=user.role
        )


def appraisal_tables(
    session: Session, user: User, period: str, department: str = ""
) -> list[Sheet]:
    """The period's tables (people, departments, settings) within the user's scope.

    Raises:
        DomainError(auth.forbidden | appraisal.period_invalid | request.not_found)
    """
    _require_reviewer(user)
    report = build_appraisal(
        session, load_scope(session, user), parse_period(period), department.strip() or None
    )
    return appraisal_sheets(report)


def appraisal_settings(session: Session, user: User) -> list[SettingView]:
    """Every setting with its value in force, seed line and assumed flag."""
    _require_reviewer(user)
    return list_settings(session)


def save_appraisal_settings(
    session: Session, user: User, changes: dict[str, str]
) -> list[SettingView]:
    """An admin's changes (only the values that differ from those in force), then the list.

    Raises:
        DomainError(auth.forbidden | appraisal.setting_invalid): nothing saved.
    """
    current = {v.spec.key: v.value for v in list_settings(session)}
    changed = {k: v for k, v in changes.items() if current.get(k) != v.strip()}
    if changed or user.role != "admin":
        change_settings(session, user, changed)
    return list_settings(session)
