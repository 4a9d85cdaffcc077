"""Central-database tables (one SQLModel registry, separate from the phone's)."""

from sync_server.tables.base import ServerModel, UTCDateTime, utcnow
from sync_server.tables.drafts import TemplateDraft
from sync_server.tables.org import Device, LoginAttempt, Region, Site, Subject, User, UserScope
from sync_server.tables.settings import AppraisalSetting
from sync_server.tables.sync import (
    ChangeLog,
    ConflictLog,
    PushResultRow,
    ServerMeta,
    SyncCounter,
)
from sync_server.tables.work import (
    AuditLog,
    Blob,
    BlobHolder,
    Finding,
    Photo,
    Rectification,
    TemplateVersion,
    Upload,
    Visit,
    VisitSubjectResult,
    VisitTask,
)

__all__ = [
    "AppraisalSetting",
    "AuditLog",
    "Blob",
    "BlobHolder",
    "ChangeLog",
    "ConflictLog",
    "Device",
    "Finding",
    "LoginAttempt",
    "Photo",
    "PushResultRow",
    "Rectification",
    "Region",
    "ServerMeta",
    "ServerModel",
    "Site",
    "Subject",
    "SyncCounter",
    "TemplateDraft",
    "TemplateVersion",
    "UTCDateTime",
    "Upload",
    "User",
    "UserScope",
    "Visit",
    "VisitSubjectResult",
    "VisitTask",
    "utcnow",
]
