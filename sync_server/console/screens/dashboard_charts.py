"""Building blocks of the 统计 dashboards screen: panels, tables, stat tiles and charts.

Charts are flet-charts controls (LineChart, BarChart). They need no client build: the
prebuilt Flutter web client that flet-web 1.0.5 ships (and serves with no_cdn) already
contains fl_chart and the flet_charts controls, so they render in the console as they are
(checked in headless Chromium). A chart is canvas paint with no text a screen reader (or
an e2e test) can read, so every chart is shown with its values beside it as text.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import flet as ft
import flet_charts as fch

from fieldcore.scorecard import fmt
from sync_server.console.screens.widgets import heading, string_table

LOW = Decimal(80)  # bars below this are drawn in the warning colour
NO_DATA = "无数据 No data"


def no_data() -> ft.Text:
    """What a panel shows in place of a chart or list with nothing to show."""
    return ft.Text(NO_DATA, size=13)


def panel(ident: str, title: str, body: list[ft.Control], width: int = 600) -> ft.Control:
    """A bordered panel, found in the DOM as [flt-semantics-identifier=ident]."""
    return ft.Semantics(
        identifier=ident,
        content=ft.Container(
            ft.Column([heading(title), *body], spacing=8),
            width=width,
            padding=ft.Padding.all(12),
            border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT),
            border_radius=ft.BorderRadius.all(8),
        ),
    )


def table(
    columns: list[str],
    rows: list[list[str]],
    empty: str = NO_DATA,
    on_row: Sequence[Callable[[Any], Any] | None] = (),
) -> ft.Control:
    """A plain table of strings; `on_row[i]` (if given) runs when row i is clicked."""
    if not rows:
        return ft.Text(empty, size=13, color=ft.Colors.ON_SURFACE_VARIANT)
    handlers = list(on_row) + [None] * (len(rows) - len(on_row))
    return string_table(
        columns,
        [
            ft.DataRow(cells=[ft.DataCell(ft.Text(v)) for v in r], on_select_change=h)
            for r, h in zip(rows, handlers, strict=True)
        ],
        heading_row_height=36,
        data_row_min_height=32,
        data_row_max_height=40,
        show_checkbox_column=False,
    )


def axis_floor(values: Sequence[Decimal]) -> int:
    """A y-axis start in tens below the lowest value: scores crowd near the top, and bars
    from 0 would hide a 3-point gap in a 通报 ranking."""
    return max(0, int(math.floor(float(min(values)) / 10) * 10) - 10) if values else 0


def _grid() -> fch.ChartGridLines:
    return fch.ChartGridLines(interval=10, color=ft.Colors.OUTLINE_VARIANT, width=1)


def bar_chart(labels: list[str], values: list[Decimal], max_y: float = 100) -> ft.Control:
    low = axis_floor(values)
    groups = [
        fch.BarChartGroup(
            x=i,
            rods=[
                fch.BarChartRod(
                    from_y=low,
                    to_y=float(v),
                    width=18,
                    color=ft.Colors.ORANGE_700 if v < LOW else ft.Colors.INDIGO_400,
                    border_radius=ft.BorderRadius.only(top_left=4, top_right=4),
                    tooltip=f"{labels[i]}: {v}",
                )
            ],
        )
        for i, v in enumerate(values)
    ]
    return fch.BarChart(
        groups=groups,
        min_y=low,
        max_y=max_y,
        left_axis=fch.ChartAxis(label_size=36),
        bottom_axis=fch.ChartAxis(
            label_size=28,
            labels=[
                fch.ChartAxisLabel(value=i, label=ft.Text(name, size=11))
                for i, name in enumerate(labels)
            ],
        ),
        horizontal_grid_lines=_grid(),
        height=220,
    )


def trend_chart(points: list[tuple[datetime, Decimal]]) -> ft.Control:
    """Percent per visit, oldest left; dates under (at most ~8 of) the points."""
    values = [v for _, v in points]
    step = max(1, math.ceil(len(points) / 8))
    dates = [
        fch.ChartAxisLabel(value=i, label=ft.Text(at.astimezone().strftime("%m-%d"), size=11))
        for i, (at, _) in enumerate(points)
        if i % step == 0
    ]
    line = fch.LineChartData(
        points=[fch.LineChartDataPoint(x=i, y=float(v)) for i, v in enumerate(values)],
        color=ft.Colors.INDIGO,
        stroke_width=3,
        point=True,
    )
    return fch.LineChart(
        data_series=[line],
        min_y=axis_floor(values),
        max_y=100,
        min_x=0,
        max_x=max(1, len(points) - 1),
        left_axis=fch.ChartAxis(label_size=36),
        bottom_axis=fch.ChartAxis(label_size=28, labels=dates),
        horizontal_grid_lines=_grid(),
        height=220,
    )


def ranked(rows: list[Any], what: str, pick: Callable[[str], Any] | None = None) -> list[Any]:
    """The 通报 ranking: a bar per site or department, best first, and the ranked table;
    clicking a row calls `pick(code)`."""
    top = rows[:20]  # the chart stays readable; the table has every row
    lines = [
        [str(i), f"{r.code} {r.name}", str(r.visits), str(r.average)] for i, r in enumerate(rows, 1)
    ]
    clicks = [(lambda e, c=r.code: pick(c)) for r in rows] if pick else []
    columns = ["名次 Rank", "名称 Name", "次数 Visits", "平均分 Average"]
    return [
        ft.Text(what, weight=ft.FontWeight.W_500),
        *([bar_chart([r.code for r in top], [r.average for r in top])] if rows else []),
        table(columns, lines, on_row=clicks),
    ]


def categories(rows: list[Any]) -> list[ft.Control]:
    """Per template, a bar per category (share of points kept) and the shares as a table."""
    if not rows:
        return [no_data()]
    out: list[ft.Control] = []
    for key in dict.fromkeys(r.template_key for r in rows):
        mine = [r for r in rows if r.template_key == key]
        lines = [[f"{r.code} {r.title}", str(r.visits), str(r.kept), str(r.lost)] for r in mine]
        out += [
            ft.Text(mine[0].template_title, weight=ft.FontWeight.W_500),
            bar_chart([r.code for r in mine], [r.kept for r in mine]),
            table(["类别 Category", "次数 Visits", "得分率 Kept %", "失分率 Lost %"], lines),
        ]
    return out


def stat_tile(ident: str, label: str, value: int, alert: bool = False) -> ft.Control:
    """A count with its label; red when `alert` and the count is not 0."""
    color = ft.Colors.ERROR if alert and value else None
    return ft.Semantics(
        identifier=ident,
        content=ft.Container(
            ft.Column(
                [
                    ft.Text(label, size=13, color=color),
                    ft.Text(str(value), size=28, weight=ft.FontWeight.BOLD, color=color),
                ],
                spacing=2,
                horizontal_alignment=ft.CrossAxisAlignment.CENTER,
            ),
            width=130,
            padding=ft.Padding.all(10),
            bgcolor=ft.Colors.RED_50 if color else ft.Colors.SURFACE_CONTAINER_LOW,
            border_radius=ft.BorderRadius.all(8),
        ),
    )


def activity(rows: list[Any]) -> list[ft.Control]:
    """Visits per inspector as bars of plain containers, the count written beside each."""
    most = max((r.visits for r in rows), default=1)
    return [
        ft.Row(
            [
                ft.Text(r.display_name or r.username, width=120),
                ft.Container(width=300 * r.visits / most, height=16, bgcolor=ft.Colors.TEAL_300),
                ft.Text(f"{r.visits} 次 visits"),
            ]
        )
        for r in rows
    ] or [no_data()]


POST_COLUMNS = ["岗位 Post", "门店 Site", "次数 Visits", "平均分 Average", "达标 Passed"]


def post_lines(rows: list[Any]) -> list[list[str]]:
    """supervision.post_results rows as table lines: post, site (全部 for every site),
    visits, mean percent, passes of visits with the pass rate."""
    return [
        [
            r.subject_title,
            f"{r.code} {r.name}" if r.code else "全部 All",
            str(r.visits),
            fmt(r.average),
            f"{r.passed}/{r.visits} ({fmt(r.pass_rate)}%)",
        ]
        for r in rows
    ]


def posts(overall: list[Any], by_site: list[Any]) -> list[ft.Control]:
    """Per-subject templates: each post's average and pass rate over every site, then each
    post's sites best first (the pooled ranking leaves these visits out)."""
    if not overall:
        return [no_data()]
    out: list[ft.Control] = []
    for key in dict.fromkeys(r.template_key for r in overall):
        mine = [r for r in overall if r.template_key == key]
        sites = [r for r in by_site if r.template_key == key]
        out += [
            ft.Text(
                f"{mine[0].template_title}(按岗位评分 scored per post)", weight=ft.FontWeight.W_500
            ),
            bar_chart([r.subject_title for r in mine], [r.average for r in mine]),
            table(POST_COLUMNS, post_lines(mine)),
            table(POST_COLUMNS, post_lines(sites)),
        ]
    return out
