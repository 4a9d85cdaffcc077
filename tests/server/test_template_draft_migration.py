"""Migration 0005_template_drafts on a database written by the previous server: the new
table comes and goes, published templates stay as they were, and a draft's JSON round-trips
on both dialects."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlmodel import Session

from sync_server.core import dbinit
from sync_server.tables import TemplateDraft, TemplateVersion
from tests.server.test_blob_holder_migration import old_database  # the empty old schema

pytestmark = pytest.mark.postgres


def _tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


@pytest.mark.parametrize("dialect", ["sqlite", "postgres"])
def test_the_draft_table_comes_and_goes_and_published_templates_stay(
    dialect: str, tmp_path: Path
) -> None:
    with old_database(dialect, tmp_path) as engine:
        dbinit.upgrade(engine, "0004_visit_subject_results")
        with Session(engine) as s, s.begin():
            s.add(
                TemplateVersion(
                    key="x.v1", template_id="x", version=1, title="X", body="{}", sha256="0" * 64
                )
            )
        assert "template_draft" not in _tables(engine)

        dbinit.upgrade(engine)
        draft_id = uuid.uuid4()
        body = {"id": "x", "version": 2, "categories": [{"code": "1", "title": "岗位"}]}
        with Session(engine) as s, s.begin():
            s.add(TemplateDraft(id=draft_id, template_id="x", version=2, body=body))
        with Session(engine) as s:
            row = s.get(TemplateDraft, draft_id)
            assert row is not None and row.body == body and row.revision == 1
            assert row.status == "open" and row.history == []
            assert s.get(TemplateVersion, "x.v1") is not None

        with engine.begin() as conn:
            command.downgrade(dbinit.alembic_config(conn), "0004_visit_subject_results")
        assert "template_draft" not in _tables(engine)
        with Session(engine) as s:
            assert s.get(TemplateVersion, "x.v1") is not None
