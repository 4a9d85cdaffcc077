"""Property: nothing a client sends crashes a route or blocks its own outbox (issue 11 §3).

Hypothesis sends pushes, pack headers and pull queries full of extreme values — times at
and beyond the edges of the calendar, integers around 2^31 and 2^63, NUL and unpaired
surrogates, 1 MB strings, deep JSON — on SQLite and PostgreSQL, and checks:
- no answer is a 5xx, and every error is `{code, message, details}`;
- a push of well-framed mutations is answered 200 whatever their fields hold, and the
  device's mark (`last_mutation_seq`) advances past every mutation it sent;
- the feed can still be pulled afterwards (whatever was stored can be served).
Bounded: a few dozen examples per property, no example database, so it runs in `make test`.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from fieldcore.workflow import FIELDS, finding_id
from tests.server.world import Phone, World

pytestmark = (
    pytest.mark.postgres
)  # the dialect matters: values at the edge of what each column type stores

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    database=None,
    derandomize=True,  # the same examples every run: a failure here is reproducible
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # one world per test, shared by its examples
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
SHA = "ab" * 32
EDGE_INTS = [
    0, 1, -1, 2**31 - 1, 2**31, 2**31 + 1, -(2**31) - 1, 2**63 - 1, 2**63, 2**63 + 1,
    -(2**63) - 1, 2**64, 10**40,
]  # fmt: skip
EDGE_TIMES = [
    "0001-01-01T00:00:00+08:00",
    "0001-01-01T00:00:00-08:00",
    "9999-12-31T23:59:59-08:00",
    "9999-12-31T23:59:59+14:00",
    "1999-12-31T23:59:59Z",
    "1970-01-01T00:00:00Z",
    "1970-01-01T07:59:59+08:00",
    "1969-12-31T23:59:59Z",
    "2100-12-31T23:59:59.999999Z",
    "2101-01-01T00:00:00Z",
    "2026-11-02T09:00:00",  # naive
    "2026-02-30T00:00:00Z",
    "0000-00-00",
    "2026-11-02",
    "2000-01-01T00:00:00Z",
]
EDGE_TEXT = [
    "\x00",
    "a\x00b",
    "\ud800",
    "\udfff\ud800",
    "x\udbffy",
    "检" * 4001,
    "x" * 1_000_000,
    "",
    " ",
    "\u202e\ufeff",
    "🙂" * 10,
    "'; DROP TABLE visit; --",
]


def nested(depth: int) -> Any:
    value: Any = "deep"
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


times = st.one_of(
    st.sampled_from(EDGE_TIMES),
    st.builds(
        lambda d, h: d.replace(tzinfo=timezone(timedelta(hours=h))).isoformat(),
        st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
        st.integers(-23, 23),
    ),
)
values = st.one_of(
    st.sampled_from(EDGE_INTS),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    times,
    st.sampled_from(EDGE_TEXT),
    st.text(max_size=50),
    st.booleans(),
    st.none(),
    st.integers(1, 200).map(nested),
    st.lists(st.integers(), max_size=3),
    st.just({"$gt": ""}),
)
names = st.one_of(
    st.sampled_from(sorted({n for rules in FIELDS.values() for n in rules})),
    st.sampled_from(["\x00", "\ud800", "x" * 10_000, "__class__", "id", "seq"]),
)  # any entity's, for envelopes


class Valid:
    """Valid fields to start each mutation from, so hostile values reach deep code paths."""

    def __init__(self, world: World, phone: Phone) -> None:
        self.world, self.phone = world, phone
        visit_id, visit = phone.new_visit(world.site("S1"))
        assert phone.push(visit)[0]["status"] == "applied"
        self.visit_id = visit_id

    def mutation(self, entity: str, fields: dict[str, Any], base_seq: dict[str, int]) -> dict:
        row_id: Any = uuid.uuid4()
        start: dict[str, Any] = {}
        if entity == "visit":
            start = {"site_id": self.world.site("S1"), "template_key": "mall-property.v1"}
            start["mode"] = "overt"
        elif entity == "finding":
            start = {"visit_id": self.visit_id, "item_code": "1.1", "result": "fail"}
            row_id = finding_id(self.visit_id, "1.1")
        elif entity == "photo":
            start = {"visit_id": self.visit_id, "sha256": SHA, "byte_size": 10}
            start["mime"] = "image/jpeg"
        elif entity == "rectification":
            row_id = uuid.uuid4()
        m = self.phone.mutation(entity, row_id, base_seq=base_seq)
        m["fields"] = {
            **{k: str(v) if isinstance(v, uuid.UUID) else v for k, v in start.items()},
            **fields,
        }
        return m


HOSTILE_NAMES = ["\x00", "\ud800", "x" * 10_000, "__class__", "id", "seq"]


@st.composite
def mutations(draw: st.DrawFn) -> tuple[str, dict, dict, str]:
    """Mostly the entity's own field names, so the hostile values reach the database."""
    entity = draw(st.sampled_from(["visit", "visit", "finding", "photo", "photo", "rectification"]))
    own = sorted(FIELDS[entity])
    name = st.one_of(st.sampled_from(own), st.sampled_from(own), st.sampled_from(HOSTILE_NAMES))
    fields = draw(st.dictionaries(name, values, max_size=3))
    bases = st.sampled_from([0, 0, 0, 1, 2**31, 2**63 - 1, 2**63, 10**30])
    base_seq = draw(st.dictionaries(st.sampled_from(own), bases, max_size=1))
    return entity, fields, base_seq, draw(st.sampled_from(["upsert"] * 5 + ["delete"]))


def post_json(world: World, phone: Phone, path: str, body: Any) -> Any:
    """JSON as Python writes it: lone surrogates as \\u escapes, NaN and Infinity bare."""
    headers = {**phone.headers, "Content-Type": "application/json"}
    return world.client.post(path, headers=headers, content=json.dumps(body))


def clean(text: str) -> str:
    return text.encode("utf-8", "replace").decode("utf-8")


def no_server_error(r: Any) -> None:
    assert r.status_code < 500, r.text[:500]
    if r.status_code >= 400:
        body = r.json()
        assert set(body) == {"code", "message", "details"}, body
        assert isinstance(body["code"], str) and body["code"], body


@pytest.fixture
def raw_world(world: World) -> World:
    """The world, with a client that returns a 500 instead of raising it in the test."""
    from fastapi.testclient import TestClient

    client = TestClient(world.client.app, raise_server_exceptions=False)
    return World(client, world.engine, world.clock, world.ids)


def test_pushed_values_never_crash_the_push_and_the_mark_always_advances(
    raw_world: World,
) -> None:
    world = raw_world
    phone = world.phone("insp1")
    valid = Valid(world, phone)

    @SETTINGS
    @given(st.lists(mutations(), min_size=1, max_size=3))
    @example([("visit", {"started_at": "0001-01-01T00:00:00+08:00"}, {}, "upsert")])
    @example([("photo", {"byte_size": 2**63}, {}, "upsert")])
    @example([("visit", {"note": "a\x00b"}, {}, "upsert")])
    def push(batch: list[tuple[str, dict, dict, str]]) -> None:
        sent = []
        for entity, fields, base_seq, op in batch:
            m = valid.mutation(entity, fields, base_seq)
            m["op"] = op
            sent.append(m)
        r = post_json(world, phone, "/v1/sync/push", {"mutations": sent})
        no_server_error(r)
        assert r.status_code == 200, r.text[:500]
        answer = r.json()
        assert answer["last_mutation_seq"] == sent[-1]["seq"]
        assert [x["seq"] for x in answer["results"]] == [m["seq"] for m in sent]
        for result in answer["results"]:
            assert result["status"] in ("applied", "rejected")
            assert result["status"] == "applied" or result["code"], result
        pull = world.client.get(
            "/v1/sync/pull", headers=phone.headers, params={"cursor": phone.cursor}
        )
        assert pull.status_code == 200, pull.text[:500]
        phone.cursor, phone.epoch = pull.json()["next_cursor"], pull.json()["epoch"]

    push()


envelopes = st.one_of(
    st.integers(1, 400).map(nested),
    st.just("[" * 5000 + "]" * 5000).map(lambda s: {"raw": s}),
    st.fixed_dictionaries(
        {
            "seq": st.sampled_from(EDGE_INTS),
            "entity": st.sampled_from(["visit", "user", "\x00", ""]),
            "id": st.sampled_from([str(uuid.uuid4()), "x", "\ud800", ""]),
            "fields": st.one_of(st.dictionaries(names, values, max_size=2), values),
        }
    ).map(lambda m: {"mutations": [m]}),
    st.dictionaries(st.sampled_from(["mutations", "\x00", "x"]), values, max_size=2),
)


def test_a_malformed_push_is_a_problem_and_consumes_nothing(raw_world: World) -> None:
    world = raw_world
    phone = world.phone("insp1")

    @SETTINGS
    @given(envelopes)
    def push(body: Any) -> None:
        if isinstance(body, dict) and "raw" in body:
            headers = {**phone.headers, "Content-Type": "application/json"}
            r = world.client.post("/v1/sync/push", headers=headers, content=body["raw"])
        else:
            r = post_json(world, phone, "/v1/sync/push", body)
        no_server_error(r)
        if r.status_code == 200:  # an empty or all-old batch: nothing new to consume
            assert r.json()["results"] == []

    push()


queries = st.fixed_dictionaries(
    {},
    optional={
        "cursor": st.one_of(st.sampled_from(EDGE_INTS), st.sampled_from(EDGE_TEXT[:5])),
        "limit": st.one_of(st.sampled_from(EDGE_INTS), st.text(max_size=5)),
        "epoch": st.one_of(
            st.text(max_size=300), st.sampled_from(["EPOCH", "\x00", "%00", "x" * 201])
        ),
    },
)


def test_pull_queries_never_crash(raw_world: World) -> None:
    world = raw_world
    phone = world.phone("insp1")
    phone.pull()

    @SETTINGS
    @given(queries)
    @example({"cursor": 2**63, "epoch": "EPOCH"})  # the named 500 of issue 11 §3
    @example({"cursor": 2**64, "limit": -(2**63) - 1, "epoch": "\x00"})
    def pull(params: dict[str, Any]) -> None:
        if params.get("epoch") == "EPOCH":  # the current one: the cursor is taken as is
            params["epoch"] = phone.epoch
        # a URL carries UTF-8: an unpaired surrogate cannot even be sent
        params = {k: clean(v) if isinstance(v, str) else v for k, v in params.items()}
        r = world.client.get("/v1/sync/pull", headers=phone.headers, params=params)
        no_server_error(r)

    pull()


headers = st.one_of(
    st.integers(1, 3000).map(lambda n: b"[" * n),
    st.integers(1, 3000).map(lambda n: b'{"a":' * n),
    st.binary(max_size=200).filter(lambda b: b"\n" not in b),
    st.fixed_dictionaries(
        {
            "sha256": st.sampled_from([SHA, "", "\x00", "\ud800"]),
            "length": st.one_of(st.sampled_from(EDGE_INTS), values),
            "offset": st.one_of(st.sampled_from(EDGE_INTS), values),
        }
    ).map(lambda h: json.dumps(h).encode()),
)


def test_pack_headers_never_crash(raw_world: World) -> None:
    world = raw_world
    phone = world.phone("insp1")
    Valid(world, phone)

    @SETTINGS
    @given(headers, st.binary(max_size=64))
    @example(b"[" * 1000, b"")
    @example(b"{" * 1000, b"")
    def pack(header: bytes, data: bytes) -> None:
        r = world.client.post(
            "/v1/blobs/pack",
            headers={**phone.headers, "Content-Type": "application/vnd.mingcha.pack"},
            content=header + b"\n" + data,
        )
        no_server_error(r)

    pack()


def test_photo_requests_never_crash(raw_world: World) -> None:
    """The JSON routes of photo bytes: `missing` echoes hashes back, uploads take sizes."""
    world = raw_world
    phone = world.phone("insp1")

    @SETTINGS
    @given(
        st.lists(st.one_of(st.sampled_from([*EDGE_TEXT[:5], SHA]), values), max_size=3),
        st.one_of(st.sampled_from(EDGE_INTS), values),
    )
    @example(["\ud800"], 1)
    def photos(hashes: list[Any], length: Any) -> None:
        no_server_error(post_json(world, phone, "/v1/blobs/missing", {"sha256": hashes}))
        body = {"sha256": hashes[0] if hashes else SHA, "length": length}
        no_server_error(post_json(world, phone, "/v1/uploads", body))

    photos()
