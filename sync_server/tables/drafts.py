"""Template drafts: the console editor's server-side working copies of a checklist version.

A draft holds the template JSON being edited (valid or not yet) until it is published as a
new immutable `template` row. `revision` grows by one per save; a save must name the
revision it was based on, so two editors never overwrite each other unseen. `history`
keeps who changed which fields at each revision, to show the editor whose save was refused.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from sync_server.tables.base import ServerModel, UTCDateTime, json_col, utcnow, uuid_pk, when


class TemplateDraft(ServerModel, table=True):
    __tablename__ = "template_draft"

    id: uuid.UUID = uuid_pk()
    template_id: str = Field(max_length=64, index=True)
    version: int  # the version it publishes as
    base_key: str | None = Field(default=None, max_length=80)  # the published version it copies
    body: dict[str, Any] = json_col({})  # the template JSON as edited so far
    revision: int = 1
    status: str = Field(default="open", max_length=12)  # open | published | discarded
    history: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    created_by: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_by: str = Field(default="", max_length=64)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    published_key: str | None = Field(default=None, max_length=80)
    published_at: datetime | None = when()
