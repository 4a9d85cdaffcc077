"""The problem-code catalogue is complete and its wire shape stable."""

from __future__ import annotations

import re

from fieldcore.problems import MESSAGES, DomainError, ProblemCode, message


def test_every_code_has_chinese_and_english_messages() -> None:
    assert set(MESSAGES) == set(ProblemCode)
    for zh, en in MESSAGES.values():
        assert re.search(r"[\u4e00-\u9fff]", zh) and en.isascii()


def test_codes_are_namespaced_and_unique() -> None:
    values = [c.value for c in ProblemCode]
    assert len(values) == len(set(values))
    assert all(re.fullmatch(r"[a-z]+\.[a-z_]+", v) for v in values)


def test_domain_error_becomes_the_problem_json_shape() -> None:
    err = DomainError(ProblemCode.ANSWERS_UNKNOWN_ITEM, "no item 'Z'", item="Z")
    assert err.to_problem() == {
        "code": "answers.unknown_item",
        "message": "模板中没有该条目: no item 'Z'",
        "details": {"item": "Z"},
    }
    assert message(ProblemCode.ANSWERS_UNKNOWN_ITEM, "en") == "No such item in the template"
