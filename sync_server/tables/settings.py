"""The organisation's appraisal (考核) settings as an admin changed them.

One row per changed setting (fieldcore.appraisal_settings.SPECS names the keys, their
defaults and seed lines); a key without a row has its default. Server-only.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field

from sync_server.tables.base import ServerModel, UTCDateTime, utcnow


class AppraisalSetting(ServerModel, table=True):
    __tablename__ = "appraisal_setting"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=500)
    updated_by: str = Field(default="", max_length=64)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
