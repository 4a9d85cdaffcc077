"""The admin API (/v1/admin): the role matrix, the all-or-nothing sites import, the
last-admin rule and the audit rows, over HTTP."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from sqlmodel import Session, col, select

from sync_server.tables import AuditLog, Site, User
from tests.server.world import HEADERS, PASSWORD, World

pytestmark = pytest.mark.postgres  # NUL in text and the admin count: both databases

ADMIN_ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/v1/admin/regions", None),
    ("POST", "/v1/admin/regions", {"code": "R7", "name": "华西区"}),
    ("PATCH", "/v1/admin/regions/R1", {"name": "北区"}),
    ("GET", "/v1/admin/sites", None),
    ("POST", "/v1/admin/sites", {"code": "S7", "name": "店", "type": "store", "region": "R1"}),
    ("PATCH", "/v1/admin/sites/S1", {"name": "改名"}),
    ("GET", "/v1/admin/sites/S1/staff", None),
    ("POST", "/v1/admin/sites/S1/staff", {"post": "clerk", "name": "张三"}),
    ("POST", "/v1/admin/sites/import/preview", {"content_base64": ""}),
    ("POST", "/v1/admin/sites/import", {"content_base64": ""}),
    ("POST", "/v1/admin/accounts/import/preview", {"content_base64": ""}),
    ("POST", "/v1/admin/accounts/import", {"content_base64": ""}),
    ("GET", "/v1/admin/accounts", None),
    (
        "POST",
        "/v1/admin/accounts",
        {"username": "x1", "role": "inspector", "password": "password123"},
    ),
    ("PATCH", "/v1/admin/accounts/insp1", {"active": False}),
    ("POST", "/v1/admin/accounts/insp1/password", {"password": "password456"}),
    ("POST", "/v1/admin/accounts/insp1/revoke-devices", None),
    ("PUT", "/v1/admin/accounts/insp1/assignments", {"regions": ["R2"]}),
]


def audit_rows(world: World) -> list[str]:
    with Session(world.engine) as s:
        return [a.action for a in s.exec(select(AuditLog).order_by(col(AuditLog.id)))]


@pytest.mark.dialect_free  # access rules / validation only
@pytest.mark.parametrize("username", ["insp1", "mgr1", "sup1"])
def test_only_admins_may_use_the_admin_api(world: World, username: str) -> None:
    phone = world.phone(username)
    for method, path, body in ADMIN_ROUTES:
        r = world.client.request(method, path, json=body, headers=phone.headers)
        assert (r.status_code, r.json()["code"]) == (403, "auth.forbidden"), (method, path)
    r = world.client.get("/v1/admin/regions", headers=HEADERS)
    assert (r.status_code, r.json()["code"]) == (401, "auth.token_missing")
    assert audit_rows(world) == []


def test_an_admin_runs_the_organisation(world: World) -> None:
    admin = world.phone("admin")
    call = admin.headers

    def ok(method: str, path: str, body: dict[str, Any] | None = None, status: int = 200) -> Any:
        r = world.client.request(method, path, json=body, headers=call)
        assert r.status_code == status, (method, path, r.text)
        return r.json()

    assert ok("POST", "/v1/admin/regions", {"code": "R3", "name": "华东区"}, 201) == {
        "code": "R3",
        "name": "华东区",
        "parent": None,
    }
    assert ok("PATCH", "/v1/admin/regions/D1", {"parent": "R3"})["parent"] == "R3"
    assert ok("PATCH", "/v1/admin/regions/D1", {"parent": None})["parent"] is None
    site = {"code": "S9", "name": "新店", "type": "store", "region": "R3", "lat": 31.2}
    assert ok("POST", "/v1/admin/sites", site, 201)["region"] == "R3"
    assert ok("PATCH", "/v1/admin/sites/S9", {"active": False})["active"] is False
    staff = ok("POST", "/v1/admin/sites/S9/staff", {"post": "clerk", "name": "张三"}, 201)
    assert ok("PATCH", f"/v1/admin/staff/{staff['id']}", {"name": "张三丰"})["name"] == "张三丰"
    assert [x["name"] for x in ok("GET", "/v1/admin/sites/S9/staff")] == ["张三丰"]
    account = {
        "username": "insp9",
        "role": "inspector",
        "password": PASSWORD,  # world.phone signs in with it
        "display_name": "王九",
        "regions": ["R3"],
    }
    created = ok("POST", "/v1/admin/accounts", account, 201)
    assert (created["regions"], created["sites"], created["devices"]) == (["R3"], [], 0)
    assigned = ok("PUT", "/v1/admin/accounts/insp9/assignments", {"sites": ["S1"]})
    assert (assigned["regions"], assigned["sites"]) == ([], ["S1"])
    world.phone("insp9")  # the new account signs in
    listed = {a["username"]: a for a in ok("GET", "/v1/admin/accounts")}
    assert listed["insp9"]["devices"] == 1 and listed["admin"]["role"] == "admin"
    assert ok("POST", "/v1/admin/accounts/insp9/revoke-devices") == {"revoked": 1}
    assert ok("PATCH", "/v1/admin/accounts/insp9", {"role": "supervisor"})["role"] == "supervisor"
    assert ok("PATCH", "/v1/admin/accounts/insp9", {"active": False})["active"] is False
    assert audit_rows(world) == [
        "region.create",
        "region.move",
        "region.move",
        "site.create",
        "site.edit",
        "staff.add",
        "staff.edit",
        "account.create",
        "account.assign",
        "account.revoke_devices",
        "account.role",
        "account.disable",
    ]
    with Session(world.engine) as s:
        row = s.exec(select(AuditLog).where(AuditLog.action == "account.role")).one()
        assert row.user_id == world.ids["admin"]
        assert row.details == {"username": "admin", "before": "inspector", "after": "supervisor"}


def test_bad_requests_get_their_codes_and_change_nothing(world: World) -> None:
    admin = world.phone("admin")
    cases: list[tuple[str, str, dict[str, Any] | None, int, str]] = [
        ("POST", "/v1/admin/regions", {"code": "R1", "name": "x"}, 409, "org.exists"),
        ("PATCH", "/v1/admin/regions/R1", {"parent": "D1"}, 422, "request.invalid"),
        ("PATCH", "/v1/admin/sites/NOPE", {"name": "x"}, 404, "org.not_found"),
        ("POST", "/v1/admin/sites", {"code": "S4", "name": "x", "type": "t", "region": "R9"},
         404, "org.not_found"),
        ("POST", "/v1/admin/accounts", {"username": "insp1", "role": "inspector",
                                        "password": "password123"}, 409, "user.exists"),
        ("POST", "/v1/admin/accounts", {"username": "m9", "role": "site_manager",
                                        "password": "password123", "regions": ["R1"]},
         422, "request.invalid"),
        ("POST", "/v1/admin/accounts", {"username": "x", "role": "boss",
                                        "password": "password123"}, 422, "request.invalid"),
        ("PUT", "/v1/admin/accounts/nobody/assignments", {}, 404, "user.not_found"),
        ("PATCH", "/v1/admin/accounts/admin", {"active": False}, 409, "admin.last_admin"),
        ("PATCH", "/v1/admin/accounts/admin", {"role": "inspector"}, 409, "admin.last_admin"),
        # text no database can store is the caller's error, never a 5xx
        ("PATCH", "/v1/admin/sites/S%00", {"name": "x"}, 422, "request.invalid"),
        ("POST", "/v1/admin/regions", {"code": "R\u0000", "name": "x"}, 422, "request.invalid"),
    ]  # fmt: skip
    for method, path, body, status, code in cases:
        r = world.client.request(method, path, json=body, headers=admin.headers)
        assert (r.status_code, r.json()["code"]) == (status, code), (method, path, r.text)
    assert audit_rows(world) == []
    with Session(world.engine) as s:
        me = s.exec(select(User).where(User.username == "admin")).one()
        assert (me.role, me.active) == ("admin", True)
    assert world.client.get("/v1/auth/me", headers=admin.headers).status_code == 200


def encoded(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_the_sites_import_previews_every_problem_and_imports_all_or_nothing(
    world: World,
) -> None:
    admin = world.phone("admin")
    bad = "code,name,type,region\nS5,五号店,store,R1\nS6,,store,R9\n"
    body = {"filename": "sites.csv", "content_base64": encoded(bad)}
    preview = world.client.post("/v1/admin/sites/import/preview", json=body, headers=admin.headers)
    assert preview.status_code == 200
    problems = [
        "row 3, column name: is empty",
        "row 3, column region: no region 'R9' (add it first: mingcha regions add)",
    ]
    assert preview.json() == {"problems": problems, "created": 1, "updated": 0, "sites": ["S5"]}
    r = world.client.post("/v1/admin/sites/import", json=body, headers=admin.headers)
    assert (r.status_code, r.json()["code"]) == (422, "import.invalid")
    assert r.json()["details"]["problems"] == problems
    with Session(world.engine) as s:
        assert s.exec(select(Site).where(Site.code == "S5")).first() is None  # not even row 2
    good = {
        "filename": "sites.csv",
        "content_base64": encoded(bad.replace(",,store,R9", ",六号店,store,R2")),
    }
    r = world.client.post("/v1/admin/sites/import", json=good, headers=admin.headers)
    assert r.status_code == 200 and r.json()["created"] == 2, r.text
    assert audit_rows(world) == ["sites.import"]
    r = world.client.post(
        "/v1/admin/sites/import", json={"content_base64": "***"}, headers=admin.headers
    )
    assert (r.status_code, r.json()["code"]) == (422, "request.invalid")


def test_the_accounts_import_previews_every_problem_and_imports_all_or_nothing(
    world: World,
) -> None:
    admin = world.phone("admin")
    header = "username,role,name,password,regions,sites\n"
    good = "wang9,inspector,王九,password123,R1 R2,\nli9,site_manager,李九,password123,,S3\n"
    bad = good + (
        "insp1,inspector,重名,password123,,\n"
        "x9,boss,,short,,\n"
        "m9,site_manager,店长,password123,R1,\n"
        "wang9,inspector,重复,password123,R9,\n"
    )
    body = {"filename": "accounts.csv", "content_base64": encoded(header + bad)}
    r = world.client.post("/v1/admin/accounts/import/preview", json=body, headers=admin.headers)
    problems = [
        "row 5, column name: is empty",
        "row 5, column role: must be one of admin, supervisor, inspector, site_manager",
        "row 5, column password: needs at least 8 characters",
        "row 6, column regions: a site_manager has no regions",
        "row 7, column username: 'wang9' is already on row 2",
        "row 4, column username: 'insp1' already exists",
        "row 7, column regions: no region 'R9'",
    ]
    assert r.status_code == 200 and r.json()["problems"] == problems, r.text
    r = world.client.post("/v1/admin/accounts/import", json=body, headers=admin.headers)
    assert (r.status_code, r.json()["code"]) == (422, "import.invalid")
    assert r.json()["details"]["problems"] == problems
    with Session(world.engine) as s:
        assert s.exec(select(User).where(User.username == "wang9")).first() is None
    assert audit_rows(world) == []

    body = {"filename": "accounts.csv", "content_base64": encoded(header + good)}
    r = world.client.post("/v1/admin/accounts/import", json=body, headers=admin.headers)
    assert r.status_code == 200 and r.json()["accounts"] == ["wang9", "li9"], r.text
    listed = {a["username"]: a for a in world.client.get(
        "/v1/admin/accounts", headers=admin.headers).json()}  # fmt: skip
    assert (listed["wang9"]["regions"], listed["li9"]["sites"]) == (["R1", "R2"], ["S3"])
    assert audit_rows(world) == ["account.create", "account.create", "accounts.import"]
    world.phone("wang9")  # signs in with the imported password
