"""The organisation's appraisal (考核) settings, stored server-side (table
appraisal_setting): read them as `AppraisalSettings`, list them for the console with their
defaults and seed lines, and let an admin change them (each change audited).

A key without a row has its default from fieldcore.appraisal_settings (the seeds' values,
or assumed where the seed gives none); setting a value back to its default removes the row.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from fieldcore.appraisal_settings import SPECS, AppraisalSettings, SettingSpec, check_value
from fieldcore.problems import DomainError, ProblemCode
from sync_server.tables import AppraisalSetting, AuditLog, User, utcnow


@dataclass(frozen=True)
class SettingView:
    """One setting as the console lists it."""

    spec: SettingSpec
    value: str  # the value in force
    changed_by: str  # "" while the default holds

    @property
    def is_default(self) -> bool:
        return self.value == check_value(self.spec.key, self.spec.default)


def stored_values(session: Session) -> dict[str, str]:
    return {row.key: row.value for row in session.exec(select(AppraisalSetting)).all()}


def load_settings(session: Session) -> AppraisalSettings:
    """The settings in force: stored values over the defaults."""
    return AppraisalSettings.from_stored(stored_values(session))


def list_settings(session: Session) -> list[SettingView]:
    rows = {row.key: row for row in session.exec(select(AppraisalSetting)).all()}
    out = []
    for spec in SPECS:
        row = rows.get(spec.key)
        value = row.value if row else check_value(spec.key, spec.default)
        out.append(SettingView(spec, value, row.updated_by if row else ""))
    return out


def change_settings(session: Session, user: User, changes: dict[str, str]) -> AppraisalSettings:
    """An admin's changes, all checked before any is saved; returns the settings in force.

    Raises:
        DomainError(auth.forbidden): not an active admin.
        DomainError(appraisal.setting_invalid): an unknown key or bad value (nothing saved).
    """
    if user.role != "admin" or not user.active:
        raise DomainError(
            ProblemCode.AUTH_FORBIDDEN, "appraisal settings are changed by admins", role=user.role
        )
    checked = {key: check_value(key, value) for key, value in changes.items()}
    before = stored_values(session)
    for key, value in checked.items():
        row = session.get(AppraisalSetting, key)
        if value == check_value(key, next(s.default for s in SPECS if s.key == key)):
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(AppraisalSetting(key=key, value=value, updated_by=user.username))
        else:
            row.value, row.updated_by, row.updated_at = value, user.username, utcnow()
    session.add(
        AuditLog(
            user_id=user.id,
            action="appraisal_settings",
            entity="appraisal_setting",
            entity_id=",".join(sorted(checked))[:80],
            details={"username": user.username, "before": before, "changes": checked},
        )
    )
    session.flush()
    return load_settings(session)
