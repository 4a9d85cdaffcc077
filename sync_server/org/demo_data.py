"""Demo organisation for `make demo`: one region with two departments, 18 sites of eight
kinds with their staff (every shipped template has sites of its kind), every shipped
template, four accounts and a few visit tasks.

Names are invented (the seeds' real names are not used). Idempotent: seeding an already
seeded database changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from sync_server.core.changeset import ChangeSet
from sync_server.org import admin
from sync_server.tables import Site, User
from sync_server.templates.catalog import checklist_dir
from sync_server.templates.versions import publish_template

PASSWORDS = {
    "inspector": "inspect-2026",
    "supervisor": "review-2026",
    "manager": "manage-2026",
    "admin": "admin-2026",
}

SITES = [  # code, name, type, department, address, staff (post, name)
    (
        "S001",
        "明珠路便利店",
        "shop",
        "D1",
        "银川市兴庆区明珠路12号",
        [("clerk", "赵小红"), ("manager", "钱大明")],
    ),
    (
        "S002",
        "北京路旗舰店",
        "shop",
        "D1",
        "银川市金凤区北京路88号",
        [("clerk", "孙丽"), ("manager", "李强")],
    ),
    (
        "S003",
        "鼓楼营业厅",
        "service-hall",
        "D1",
        "银川市兴庆区鼓楼南街3号",
        [("clerk", "周敏"), ("manager", "吴刚")],
    ),
    (
        "S004",
        "新华街营业厅",
        "service-hall",
        "D1",
        "银川市兴庆区新华东街101号",
        [("clerk", "郑洁")],
    ),
    ("S005", "阅海万家门店", "shop", "D1", "银川市金凤区阅海万家B区", [("clerk", "王芳")]),
    (
        "S006",
        "金凤大酒店",
        "hotel",
        "D2",
        "银川市金凤区正源北街6号",
        [("front-office", "冯前台"), ("housekeeping", "陈客房")],
    ),
    ("S007", "西夏宾馆", "hotel", "D2", "银川市西夏区文昌路20号", [("front-office", "褚前台")]),
    ("S008", "国贸商场", "mall", "D2", "银川市兴庆区解放西街2号", [("property-company", "卫物业")]),
    (
        "S009",
        "宁安大厦保安岗",
        "guard-post",
        "D2",
        "银川市金凤区宁安大街9号",
        [("guard", "蒋保安"), ("team-leader", "沈队长")],
    ),
    (
        "S010",
        "滨河小区大门岗",
        "guard-post",
        "D2",
        "银川市兴庆区滨河新区1号",
        [("guard", "韩保安")],
    ),
    ("S011", "丽景街便利店", "shop", "D1", "银川市兴庆区丽景街33号", [("clerk", "杨光")]),
    ("S012", "上海路营业厅", "service-hall", "D1", "银川市西夏区上海西路56号", [("clerk", "朱红")]),
    (
        "S013",
        "长城路零售户",
        "retail",
        "D1",
        "银川市金凤区长城中路8号",
        [
            ("account-manager", "秦经理"),
            ("monopoly-officer", "尤专管"),
            ("delivery-driver", "许送货"),
        ],
    ),
    (
        "S014",
        "湖滨街零售户",
        "retail",
        "D1",
        "银川市兴庆区湖滨西街15号",
        [("account-manager", "何经理")],
    ),
    # courier stations and an outsourced property service: the courier-service and
    # property-services checklists (their templates' site_types) have sites to try them at
    (
        "S015",
        "清和街快递服务站",
        "courier-station",
        "D2",
        "银川市兴庆区清和北街45号",
        [("courier", "马快递"), ("vehicle-support", "白后勤")],
    ),
    (
        "S016",
        "宝湖快递驿站",
        "courier-station",
        "D2",
        "银川市金凤区宝湖中路17号",
        [("courier", "田快递")],
    ),
    (
        "S017",
        "阅海湾商务楼",
        "office-campus",
        "D2",
        "银川市金凤区阅海湾中央商务区2号楼",
        [("cleaner", "罗保洁"), ("reception", "高前台"), ("monitor", "林监控")],
    ),
    (
        "S018",
        "文萃科技园办公区",
        "office-campus",
        "D2",
        "银川市西夏区文萃南街10号",
        [("cleaner", "梁保洁"), ("reception", "宋接待")],
    ),
]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    password: str
    note: str


ACCOUNTS = [
    DemoAccount("inspector", "inspector", PASSWORDS["inspector"], "检查员 · 宁夏银川区全部门店"),
    DemoAccount("supervisor", "supervisor", PASSWORDS["supervisor"], "督察 · 审核、退回、通报"),
    DemoAccount("manager", "site_manager", PASSWORDS["manager"], "店长 · 明珠路便利店的整改"),
    DemoAccount("admin", "admin", PASSWORDS["admin"], "管理员"),
]


def seed(session: Session, now: datetime) -> bool:
    """Create the demo organisation; returns False when it was already there."""
    if session.exec(select(User).where(User.username == "inspector")).first() is not None:
        return False
    changes = ChangeSet(session)
    for path in sorted(checklist_dir().glob("*.json")):
        publish_template(session, changes, path.read_bytes(), path.name, by="demo")
    admin.add_region(session, "NX", "宁夏银川区")
    admin.add_region(session, "D1", "零售一部", parent="NX")
    admin.add_region(session, "D2", "服务二部", parent="NX")
    sites: dict[str, Site] = {}
    for code, name, kind, dept, address, staff in SITES:
        sites[code] = admin.add_site(session, changes, code, name, kind, dept, address)
        session.flush()
        for post, person in staff:
            admin.add_subject(session, changes, sites[code], post, person)
    users = {}
    for account in ACCOUNTS:
        user = admin.add_user(
            session,
            account.username,
            account.role,
            account.password,
            display_name={
                "inspector": "王检查",
                "supervisor": "李督察",
                "manager": "钱大明",
                "admin": "管理员",
            }[account.username],
        )
        users[account.username] = user
    admin.assign(session, users["inspector"], regions=["NX"])
    admin.assign(session, users["supervisor"], regions=["NX"])
    admin.assign(session, users["manager"], sites=["S001"])
    for code, template, mode in (
        ("S001", "store-patrol", "overt"),
        ("S003", "store-patrol", "covert"),
        ("S006", "hotel-daily", "overt"),
        ("S009", "guard-post", "covert"),
    ):
        admin.add_task(
            session,
            changes,
            sites[code],
            template,
            mode,
            users["inspector"],
            now,
            now + timedelta(days=7),
            created_by=users["supervisor"].id,
        )
    changes.assign_seqs()
    return True
