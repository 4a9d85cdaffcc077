"""Sites CSV validation: every problem with its row and column, nothing half-imported."""

from __future__ import annotations

from sync_server.org.sites_import import parse_sites

REGIONS = {"NX", "D1"}


def test_a_good_file_with_excel_bom_and_optional_columns_parses() -> None:
    text = (
        "\ufeffcode,name,type,region,lat\n"
        "S1,明珠路便利店,shop,D1,38.47\nS2,鼓楼营业厅,service-hall,NX,\n"
    )
    rows, problems = parse_sites(text, REGIONS)
    assert problems == []
    assert [(r.code, r.region, r.lat, r.address) for r in rows] == [
        ("S1", "D1", 38.47, ""),
        ("S2", "NX", None, ""),
    ]


def test_every_bad_cell_is_reported_with_row_and_column() -> None:
    text = (
        "code,name,type,region,lat,lon\n"
        "S1,,shop,D1,38.4,106.2\n"
        "S2,好,shop,XX,91,106\n"
        "S1,重复,shop,D1,,abc\n"
        "S4,好,shop,D1,,\n"
    )
    rows, problems = parse_sites(text, REGIONS)
    assert [r.code for r in rows] == ["S4"]  # only the valid row parsed (and none imported)
    assert problems == [
        "row 2, column name: is empty",
        "row 3, column region: no region 'XX' (add it first: mingcha regions add)",
        "row 3, column lat: must be a number between -90 and 90, got '91'",
        "row 4, column code: 'S1' is already on row 2",
        "row 4, column lon: must be a number between -180 and 180, got 'abc'",
    ]


def test_header_problems_stop_before_reading_rows() -> None:
    assert parse_sites("code,name,colour\nS1,x,red\n", REGIONS)[1] == [
        "row 1, column type: required column is missing",
        "row 1, column region: required column is missing",
        "row 1, column colour: unknown column",
    ]
    assert parse_sites("", REGIONS)[1][0].startswith("row 1: the file is empty")
    assert parse_sites("code,name,type,region\n", REGIONS)[1] == ["row 2: no sites in the file"]
