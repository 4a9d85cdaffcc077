"""Migration 0006_appraisal_settings on a database written by the previous server: the
settings table comes and goes, a stored setting is read over the defaults, and the rows
already there (template drafts) stay."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlmodel import Session

from sync_server.core import dbinit
from sync_server.org.appraisal_settings import load_settings
from sync_server.tables import AppraisalSetting, TemplateDraft
from tests.server.test_blob_holder_migration import old_database  # the empty old schema

pytestmark = pytest.mark.postgres


def _tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


@pytest.mark.parametrize("dialect", ["sqlite", "postgres"])
def test_the_settings_table_comes_and_goes_and_drafts_stay(dialect: str, tmp_path: Path) -> None:
    with old_database(dialect, tmp_path) as engine:
        dbinit.upgrade(engine, "0005_template_drafts")
        draft_id = uuid.uuid4()
        with Session(engine) as s, s.begin():
            s.add(TemplateDraft(id=draft_id, template_id="x", version=2, body={"id": "x"}))
        assert "appraisal_setting" not in _tables(engine)

        dbinit.upgrade(engine)
        with Session(engine) as s:
            assert load_settings(s).month_pool == Decimal(300)  # no rows: the defaults
        with Session(engine) as s, s.begin():
            s.add(AppraisalSetting(key="guard.month_pool", value="450", updated_by="admin"))
        with Session(engine) as s:
            settings = load_settings(s)
            assert settings.month_pool == Decimal(450) and settings.quarter_pool == Decimal(900)
            assert s.get(TemplateDraft, draft_id) is not None

        with engine.begin() as conn:
            command.downgrade(dbinit.alembic_config(conn), "0005_template_drafts")
        assert "appraisal_setting" not in _tables(engine)
        with Session(engine) as s:
            assert s.get(TemplateDraft, draft_id) is not None
