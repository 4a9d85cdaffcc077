"""统计 (dashboards): a period's 通报 ranking of sites and departments, one site's score
trend, the category breakdown, repeat offenders, rectification counts and inspector
activity; for per-subject templates (scoring.per_subject) each post's average and pass
rate (supervision.post_results), since their visits have no pooled percent to rank.
Every number comes from sync_server.supervision.dashboards through ConsoleServices; the
charts and tables are in dashboard_charts (flet-charts, which the prebuilt web client of
flet-web 1.0.5 already contains: see there).

The period (last 30/90/365 days) drives the ranking, the category breakdown and the
activity; the site (picker, or a click on a ranked site) drives the trend and the
breakdown. Without a picked site the trend shows the site with the most visits.
"""

from __future__ import annotations

from typing import Any

import flet as ft

from fieldcore.problems import DomainError
from sync_server.console.screens import dashboard_charts as ui
from sync_server.console.screens.widgets import section_view
from sync_server.console.shell import Console
from sync_server.supervision import dashboards as dash
from sync_server.supervision.post_results import post_results

PERIODS = [("30", "近30天 30 days"), ("90", "近90天 90 days"), ("365", "近一年 1 year")]
ALL = ""  # the site picker's "every site in scope"
REPEAT_LAST_N = 3  # repeat offenders: failed in ≥2 of a site's last 3 visits


async def dashboards(console: Console) -> ft.View:
    services, user = console.services, console.user
    state: dict[str, Any] = {"days": 30, "site": ALL}
    body = ft.Row(
        wrap=True, spacing=16, run_spacing=16, vertical_alignment=ft.CrossAxisAlignment.START
    )
    site_pick = ft.Dropdown(label="门店 Site", width=260, value=ALL, options=[])

    async def load() -> None:
        days, site = state["days"], state["site"]
        try:
            start, end = services.last(days)
            sites = await services.read(dash.ranking, user, start, end, "site")
            departments = await services.read(dash.ranking, user, start, end, "region")
            busiest = max(sites, key=lambda r: r.visits, default=None)  # the longest line
            trend_site = site or (busiest.code if busiest else "")
            trend = await services.site_trend(user, trend_site) if trend_site else []
            categories = await services.read(
                dash.category_breakdown, user, site or None, start, end
            )
            repeats = await services.read(dash.repeat_offenders, user, REPEAT_LAST_N)
            rects = await services.read(dash.rectification_counts, user, services.clock())
            activity = await services.read(dash.inspector_activity, user, start, end)
            posts = await services.read(post_results, user, start, end, "post")
            post_sites = await services.read(post_results, user, start, end, "site")
        except DomainError as exc:
            console.fail(exc)
            return
        names = {r.code: r.name for r in sites}
        site_pick.value = site
        site_pick.options = [
            ft.DropdownOption(key=ALL, text="全部门店 All sites"),
            *[ft.DropdownOption(key=r.code, text=f"{r.code} {r.name}") for r in sites],
            # a site picked earlier keeps its entry in a period where it has no visits
            *([ft.DropdownOption(key=site, text=site)] if site and site not in names else []),
        ]
        tiles = [
            ui.stat_tile("dash-rect-open", "待整改 Open", rects.open),
            ui.stat_tile("dash-rect-overdue", "已逾期 Overdue", rects.overdue, alert=True),
            ui.stat_tile("dash-rect-submitted", "待验证 Submitted", rects.submitted),
            ui.stat_tile("dash-rect-verified", "已验证 Verified", rects.verified),
        ]
        last = ", ".join(str(v) for _, v in trend[-10:])
        repeat_rows = [
            [f"{r.site_code} {r.site_name}", r.item_code, f"{r.times}/{REPEAT_LAST_N}"]
            for r in repeats
        ]
        ranking = ui.panel(
            "dash-ranking",
            f"通报排名 Ranking · 近{days}天",
            [
                *ui.ranked(sites, "门店 Sites (点击查看趋势 click for the trend)", pick),
                ft.Divider(),
                *ui.ranked(departments, "部门 Departments"),
            ],
        )
        who = ui.panel(
            "dash-activity", f"检查员工作量 Inspector activity · 近{days}天", ui.activity(activity)
        )
        rect_panel = ui.panel(
            "dash-rect-counts", "整改情况 Rectifications", [ft.Row(tiles, wrap=True)]
        )
        repeat = ui.panel(
            "dash-repeat",
            f"屡查屡犯 Repeat offenders · 近{REPEAT_LAST_N}次中≥2次不合格",
            [ui.table(["门店 Site", "检查项 Item", "次数 Times"], repeat_rows, "无 None")],
        )
        trend_panel = ui.panel(
            "dash-trend",
            f"得分趋势 Score trend · {trend_site} {names.get(trend_site, '')}".rstrip(" ·"),
            [
                ui.trend_chart(trend) if trend else ui.no_data(),
                ft.Text(f"最近 Last: {last}" if trend else "", size=12),
            ],
        )
        scope_name = f"{site} {names.get(site, '')}".strip() if site else "全部门店 All sites"
        breakdown = ui.panel(
            "dash-categories",
            f"分类得分率 Category breakdown · {scope_name} · 近{days}天",
            ui.categories(categories),
        )
        per_post = ui.panel(
            "dash-posts", f"分岗位 Per post · 近{days}天", ui.posts(posts, post_sites)
        )
        # two columns that wrap into one on a narrow window; the 通报 ranking leads
        body.controls = [
            ft.Column([ranking, *([per_post] if posts else []), who], spacing=16, width=600),
            ft.Column([rect_panel, trend_panel, breakdown, repeat], spacing=16, width=600),
        ]

    async def show(**change: Any) -> None:
        state.update(change)
        await load()
        console.page.update()

    def pick(code: str) -> None:
        console.page.run_task(show, site=code)

    async def on_period(e: Any) -> None:
        await show(days=int(e.control.selected[0]))

    async def on_site(e: Any) -> None:
        await show(site=site_pick.value or ALL)

    site_pick.on_select = on_site
    await load()
    period = ft.SegmentedButton(
        segments=[ft.Segment(value=v, label=ft.Text(t)) for v, t in PERIODS],
        selected=["30"],
        on_change=on_period,
    )
    return section_view(
        console,
        "/dash",
        "统计 Dashboards",
        [
            ft.Row(
                [
                    ft.Semantics(content=period, identifier="dash-period"),
                    site_pick,  # a Semantics identifier does not reach the DOM on a Dropdown
                ],
                wrap=True,
            ),
            body,
        ],
    )
