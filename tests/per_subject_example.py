"""The tobacco worked example for per-subject scoring (issue 13): seed 001 scores each
post on 百分制 on its own (001:L24, L154-156). The shipped v1 template, with
`scoring.per_subject` set on a copy, and answers whose pooled percent passes (290/330 =
87.9) while 送货员 fails (DD.5.3 安全事故 不得分: 70/110 = 63.6, 不合格)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fieldcore.checklist import Template
from sync_server.templates.catalog import checklist_dir, load_template_file

POSTS = ("account-manager", "monopoly-officer", "delivery-driver")
# (score, max, percent, grade, passed) per post in the worked example
EXPECTED = {
    "account-manager": (120, 120, 100, "优秀", True),
    "monopoly-officer": (100, 100, 100, "优秀", True),
    "delivery-driver": (70, 110, 63.6, "不合格", False),
}


def tobacco_v1() -> Template:
    return load_template_file(checklist_dir() / "tobacco-retail.v1.json")


def per_subject_tobacco(version: int | None = None) -> Template:
    """tobacco-retail.v1 with per_subject set (and, for publishing beside the shipped
    versions, another version number)."""
    t = tobacco_v1()
    update: dict[str, Any] = {"scoring": t.scoring.model_copy(update={"per_subject": True})}
    if version is not None:
        update["version"] = version
    return t.model_copy(update=update)


def template_text(t: Template) -> str:
    return t.model_dump_json(exclude_defaults=False)


def worked_answers(t: Template) -> dict[str, Any]:
    """Every item passes (figures on their bound) except DD.5.3 (a delivery safety
    accident: 不得分, the driver's 提升服务 scores 0 of 40)."""
    answers: dict[str, Any] = {}
    for _, item in t.iter_items():
        d = item.deduction
        if d.kind == "figure":
            bound = d.min if d.min is not None else d.max
            answers[item.code] = {"value": float(bound or Decimal(0))}
        else:
            answers[item.code] = {"result": "pass"}
    answers["DD.5.3"] = {"result": "fail"}
    return answers


# ---- on a server (tests/server/world.py) ------------------------------------------------

SERVER_VERSION = 91  # published beside the shipped versions as tobacco-retail.v91


def publish_per_subject(engine: Any) -> str:
    """Publish the per-subject tobacco copy into a World's database; returns its key."""
    from sync_server.core.changeset import ChangeSet
    from sync_server.core.db import write_session
    from sync_server.templates.versions import publish_template

    t = per_subject_tobacco(SERVER_VERSION)
    with write_session(engine) as session:
        changes = ChangeSet(session)
        publish_template(session, changes, template_text(t).encode(), f"{t.key}.json", by="test")
        changes.assign_seqs()
    return t.key


def push_tobacco_visit(world: Any, phone: Any, site: str, answers: dict[str, Any]) -> Any:
    """A submitted visit of the per-subject tobacco template with these answers (no item
    of the worked example that needs a photo fails). Returns the visit id."""
    key = f"tobacco-retail.v{SERVER_VERSION}"
    visit_id, create = phone.new_visit(world.site(site), template_key=key)
    muts = [create]
    for code, answer in answers.items():
        extra = {k: v for k, v in answer.items() if k != "result"}
        muts.append(phone.answer(visit_id, code, answer.get("result", "pass"), **extra))
    muts.append(phone.mutation("visit", visit_id, status="submitted"))
    results = phone.push(*muts)
    assert {r["status"] for r in results} == {"applied"}, results
    return visit_id


def record_on_phone(store: Any, visit_id: Any, answers: dict[str, Any]) -> None:
    """The answers recorded in the phone's store, as the inspector's taps would."""
    for code, answer in answers.items():
        value = answer.get("value")
        store.record_answer(
            visit_id,
            code,
            answer.get("result", "pass"),
            value=Decimal(str(value)) if value is not None else None,
        )
