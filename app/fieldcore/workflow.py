"""Workflow rules shared by phone and server: roles, statuses, transitions, field ownership.

The server enforces these tables on every pushed mutation; the phone reads the same tables
to grey out what the user may not change. They are data, not if-chains, so one test can
walk them all. See sync_server/PROTOCOL.md §Ownership.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

from fieldcore.problems import DomainError, ProblemCode

Role = Literal["admin", "supervisor", "inspector", "site_manager"]
ROLES: tuple[Role, ...] = ("admin", "supervisor", "inspector", "site_manager")
REVIEWERS: frozenset[Role] = frozenset({"supervisor", "admin"})

VisitStatus = Literal[
    "draft", "submitted", "returned", "resubmitted", "approved", "published", "voided"
]
# A visit's status as the console and the reports print it (the phone has its own wording
# in fieldapp/text.py, beside the English).
STATUS_ZH: dict[str, str] = {
    "draft": "草稿",
    "submitted": "已提交",
    "resubmitted": "已重新提交",
    "returned": "已退回",
    "approved": "已审核",
    "published": "已通报",
    "voided": "已作废",
}
# The inspector may change a visit's findings and photos only in these states.
INSPECTOR_EDITABLE: frozenset[str] = frozenset({"draft", "returned"})

VISIT_TRANSITIONS: dict[tuple[str, str], frozenset[Role]] = {
    ("draft", "submitted"): frozenset({"inspector"}),
    ("returned", "resubmitted"): frozenset({"inspector"}),
    ("submitted", "returned"): REVIEWERS,
    ("resubmitted", "returned"): REVIEWERS,
    ("submitted", "approved"): REVIEWERS,
    ("resubmitted", "approved"): REVIEWERS,
    ("approved", "published"): REVIEWERS,
    **{
        (s, "voided"): REVIEWERS
        for s in ("submitted", "returned", "resubmitted", "approved", "published")
    },
}

RectificationStatus = Literal["open", "submitted", "verified", "reopened"]
# The site manager still owes an answer: only now may they change it and its after-photos.
MANAGER_EDITABLE: frozenset[str] = frozenset({"open", "reopened"})
RECTIFICATION_TRANSITIONS: dict[tuple[str, str], frozenset[Role]] = {
    ("open", "submitted"): frozenset({"site_manager"}),
    ("reopened", "submitted"): frozenset({"site_manager"}),
    ("submitted", "verified"): REVIEWERS,
    ("submitted", "reopened"): REVIEWERS,
}

TRANSITIONS: dict[str, dict[tuple[str, str], frozenset[Role]]] = {
    "visit": VISIT_TRANSITIONS,
    "rectification": RECTIFICATION_TRANSITIONS,
}


def can_transition(entity: str, old: str, new: str, role: Role) -> bool:
    return role in TRANSITIONS.get(entity, {}).get((old, new), frozenset())


def check_visit_deletable(status: str, role: Role) -> None:
    """Only its inspector deletes a visit, and only a draft (its findings and photos go
    with it); anything submitted stays for the record — reviewers void it instead.

    Raises:
        DomainError: sync.delete_not_allowed, `details.status`.
    """
    if role != "inspector" or status != "draft":
        raise DomainError(
            ProblemCode.SYNC_DELETE_NOT_ALLOWED,
            "only draft visits are deleted; reviewers void",
            status=status,
        )


def check_photo_parent(
    role: Role,
    *,
    visit_id: object,
    finding_id: object,
    finding_visit_id: object,
    rectification_id: object,
) -> None:
    """What a new photo may hang on. An inspector's evidence hangs on their visit and, if
    on an item, on a finding of that same visit — never on a rectification; a site
    manager's after-photo hangs on a rectification — never on the inspector's evidence.
    `finding_visit_id` is the visit of the finding named (None when there is no such one).

    Raises:
        DomainError: sync.field_not_owned (a link the role may not set),
            scope.denied (a finding of another visit, or none).
    """
    owned: tuple[tuple[str, object], ...]
    if role == "site_manager":
        owned = (("visit_id", visit_id), ("finding_id", finding_id))
    else:
        owned = (("rectification_id", rectification_id),)
    for name, value in owned:
        if value is not None:
            raise DomainError(ProblemCode.SYNC_FIELD_NOT_OWNED, name, field=name, role=role)
    if finding_id is not None and (finding_visit_id is None or finding_visit_id != visit_id):
        raise DomainError(ProblemCode.SCOPE_DENIED, entity="finding", id=str(finding_id))


def check_subject_of_site(
    subject_id: object, subject_site_id: object, visit_site_id: object
) -> None:
    """A finding names a person (subject) of the visit's own site, or nobody.
    `subject_site_id` is the site of the subject named (None when there is no such one).

    Raises:
        DomainError: scope.denied (a person of another site, or none).
    """
    if subject_id is not None and (subject_site_id is None or subject_site_id != visit_site_id):
        raise DomainError(ProblemCode.SCOPE_DENIED, entity="subject", id=str(subject_id))


def rectification_overdue(status: str, due: date, today: date) -> bool:
    """Still owed (open or reopened) after its due date; on the due date it is not yet."""
    return status in MANAGER_EDITABLE and today > due


@dataclass(frozen=True)
class FieldRule:
    """Who may write a field through sync. `owners` empty = server-set (read-only)."""

    owners: frozenset[Role]
    create_only: bool = False  # fixed once the row exists (site, template, mode…)
    required: bool = False  # must be given when the row is created


INSPECTOR: frozenset[Role] = frozenset({"inspector"})
SITE_MANAGER: frozenset[Role] = frozenset({"site_manager"})
SERVER: frozenset[Role] = frozenset()


def _rules(owners: frozenset[Role], *names: str, **kw: bool) -> dict[str, FieldRule]:
    return {n: FieldRule(owners, **kw) for n in names}


FIELDS: dict[str, dict[str, FieldRule]] = {
    "visit": {
        **_rules(INSPECTOR, "site_id", "template_key", "mode", create_only=True, required=True),
        **_rules(INSPECTOR, "kind", "task_id", create_only=True),
        **_rules(
            INSPECTOR,
            "started_at",
            "finished_at",
            "note",
            "lat",
            "lon",
            "ack_name",
            "ack_signature_sha256",
            "ack_at",
            "ack_refused",
        ),
        "status": FieldRule(INSPECTOR | REVIEWERS),  # which change is allowed: TRANSITIONS
        **_rules(REVIEWERS, "return_comment", "void_reason"),
        **_rules(
            SERVER,
            "inspector_id",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "published_at",
            "score",
        ),
    },
    "finding": {
        **_rules(INSPECTOR, "visit_id", "item_code", create_only=True, required=True),
        **_rules(INSPECTOR, "result", "count", "value", "note", "subject_id"),
        **_rules(REVIEWERS, "review_comment"),
    },
    "photo": {
        # visit photos come from the inspector, after-photos of a rectification from the
        # site manager; the creator's role decides (see sync_server/sync/merge/entities.py)
        **_rules(
            INSPECTOR | SITE_MANAGER, "sha256", "byte_size", "mime", create_only=True, required=True
        ),
        **_rules(
            INSPECTOR | SITE_MANAGER,
            "visit_id",
            "finding_id",
            "rectification_id",
            "width",
            "height",
            "captured_at",
            "source",
            "exif_taken_at",
            "kind",
            "annotates_id",
            "annotates_sha256",
            "marks",
            create_only=True,
        ),
        **_rules(INSPECTOR | SITE_MANAGER, "clock_offset_ms", "lat", "lon", "caption"),
        **_rules(SERVER, "blob_present", "uploaded_by"),
    },
    "rectification": {
        **_rules(
            SERVER,
            "visit_id",
            "finding_id",
            "site_id",
            "item_code",
            "subject_code",
            "severity",
            "created_at",
            "responded_at",
            "verified_at",
            "verified_by",
        ),
        **_rules(REVIEWERS, "due_date", "instructions", "verify_comment"),
        "status": FieldRule(SITE_MANAGER | REVIEWERS),
        **_rules(SITE_MANAGER, "response_note"),
    },
}

PUSHABLE_ENTITIES: tuple[str, ...] = tuple(FIELDS)
# per entity, the fields creating a row needs, in the table's order (asked per mutation)
_REQUIRED = {e: tuple(n for n, r in rules.items() if r.required) for e, rules in FIELDS.items()}


def check_writable(entity: str, role: Role, names: Iterable[str]) -> None:
    """Each named field is one of the entity's and `role` owns it.

    The server applies this to every pushed mutation; the phone's store to what it queues,
    so a change its user may not make is refused at once with the server's code.

    Raises:
        DomainError: sync.unknown_field (`details.field`) or sync.field_not_owned
            (`details.field`, `details.role`), for the first such field.
    """
    rules = FIELDS[entity]
    for name in names:
        rule = rules.get(name)
        if rule is None:
            raise DomainError(ProblemCode.SYNC_UNKNOWN_FIELD, name, field=name)
        if role not in rule.owners:
            raise DomainError(ProblemCode.SYNC_FIELD_NOT_OWNED, name, field=name, role=role)


def missing_required(entity: str, values: Mapping[str, object]) -> list[str]:
    """Fields that creating a row of `entity` needs and `values` lacks (or sets to None),
    in the table's order — refused as sync.missing_field (`details.fields`)."""
    return [n for n in _REQUIRED[entity] if values.get(n) is None]


def check_changeable(entity: str, name: str) -> None:
    """A field may take a new value on an existing row unless it is create-only.

    Raises:
        DomainError: sync.field_immutable (`details.field`).
    """
    if FIELDS[entity][name].create_only:
        raise DomainError(ProblemCode.SYNC_FIELD_IMMUTABLE, name, field=name)


# Findings get deterministic ids, so two devices of one inspector that answer the same item
# offline write the same row (and merge field by field) instead of creating two findings.
FINDING_NAMESPACE = uuid.UUID("8c5c2e3a-6f1d-4f0e-9b8a-6d1f3c2a9e71")


_FINDING_PREFIX = FINDING_NAMESPACE.bytes
# uuid5's version (5) and variant (RFC 4122) bits, and the mask that makes room for them
_V5_BITS = (5 << 76) | (0x8000 << 48)
_V5_MASK = ((1 << 128) - 1) ^ ((0xF000 << 64) | (0xC000 << 48))


def finding_id(visit_id: uuid.UUID | str, item_code: str) -> uuid.UUID:
    return uuid.uuid5(FINDING_NAMESPACE, f"{visit_id}:{item_code}")


def is_finding_id(row_id: uuid.UUID, visit_id: uuid.UUID | str, item_code: str) -> bool:
    """`row_id == finding_id(visit_id, item_code)`, without building the UUID: the server
    checks every pushed new finding, and constructing a UUID costs more than the hash."""
    digest = hashlib.sha1(
        _FINDING_PREFIX + f"{visit_id}:{item_code}".encode(), usedforsecurity=False
    ).digest()
    return (int.from_bytes(digest[:16], "big") & _V5_MASK | _V5_BITS) == row_id.int
