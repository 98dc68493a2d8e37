"""Server-drawn charts: bar lengths follow the values, every chart has its table and CSV rows."""

from __future__ import annotations

from citypeers.insights.charts import Chart, Series


def chart(kind: str = "bars", values=(10.0, 5.0, 0.0)) -> Chart:
    return Chart(
        key="k",
        title="Title",
        category_label="Region",
        categories=[("a", "Africa"), ("e", "Europe"), ("o", "Oceania")],
        series=[Series("n", "Partnerships", list(values))],
        kind=kind,
    )


def test_bars_are_proportional_and_skip_zero():
    geometry = chart().geometry()
    assert geometry is not None
    widths = [r.width for r in geometry.rects]
    assert len(widths) == 2  # Oceania's zero draws no bar
    assert abs(widths[0] / widths[1] - 2) < 0.01
    assert geometry.rects[0].title == "Africa – Partnerships: 10"


def test_columns_and_lines_share_the_scale():
    columns = chart("columns").geometry()
    lines = chart("lines").geometry()
    assert columns is not None and lines is not None
    heights = [r.height for r in columns.rects]
    assert abs(heights[0] / heights[1] - 2) < 0.01
    assert len(lines.lines) == 1 and lines.lines[0].points.count(",") == 3


def test_table_only_and_empty_charts_have_no_svg():
    assert chart("table").geometry() is None
    empty = chart(values=(0.0, 0.0, 0.0))
    assert empty.is_empty and empty.geometry() is None


def test_csv_and_display_rows():
    c = chart()
    assert c.csv().splitlines() == ["Region,n", "Africa,10.0", "Europe,5.0", "Oceania,0.0"]
    share = Chart("s", "t", "Year", [("2020", "2020")], [Series("ss", "S", [0.25])], percent=True)
    assert share.display_rows() == [("2020", "", ["25.0 %"])]
