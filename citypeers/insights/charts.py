"""Charts drawn by the server as SVG, each with the table of its data and a CSV of the same rows.

A :class:`Chart` holds categories (regions, themes, years …) and one or more series; the
template ``insights/_chart.html`` draws it from the geometry computed here — horizontal stacked
bars (``bars``), vertical stacked columns over years (``columns``), lines over years (``lines``),
or only a table (``table``). No JavaScript, no inline style (the CSP forbids it): colours come
from the classes ``s0`` … ``s5`` in ``insights.css``.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from typing import Any

WIDTH = 680
LABEL_WIDTH = 230
LABEL_CHARACTERS = 36
ROW_HEIGHT = 22
BAR_HEIGHT = 16
COLUMNS_HEIGHT = 220
MARGIN_TOP = 10
MARGIN_BOTTOM = 28
MARGIN_LEFT = 56


@dataclass
class Series:
    key: str
    label: str
    values: list[float]
    css: str = ""  # a fixed colour class (e.g. one per geography class); else by position
    percent: bool | None = None  # None: as the chart says


@dataclass
class Rect:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


@dataclass
class Text:
    x: float
    y: float
    text: str
    anchor: str = "start"


@dataclass
class Line:
    points: str
    css: str
    title: str


@dataclass
class Geometry:
    width: int
    height: int
    rects: list[Rect] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    grid: list[tuple[float, float, float, float]] = field(default_factory=list)


def _number(value: float, percent: bool, digits: int = 1) -> str:
    if percent:
        return f"{value * 100:.{digits}f} %"
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", "\u202f")
    return f"{value:.3f}"


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1] + "…"


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    base = 10**exponent
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * base:
            return float(step * base)
    return float(10 * base)


@dataclass
class Chart:
    key: str
    title: str
    category_label: str
    categories: list[tuple[str, str]]  # (key, label)
    series: list[Series]
    kind: str = "bars"
    percent: bool = False
    description: str = ""
    csv_url: str = ""
    links: list[str] = field(default_factory=list)  # optional link per category (tables)

    @property
    def is_empty(self) -> bool:
        return not self.categories or not any(any(s.values) for s in self.series)

    @property
    def legend(self) -> list[tuple[str, str]]:
        return [(s.label, self._css(i)) for i, s in enumerate(self.series)]

    def _css(self, index: int) -> str:
        return self.series[index].css or f"s{index % 6}"

    def _percent(self, series: Series) -> bool:
        return self.percent if series.percent is None else series.percent

    @property
    def header(self) -> list[str]:
        return [self.category_label, *(s.label for s in self.series)]

    def rows(self) -> list[list[Any]]:
        return [
            [label, *(s.values[i] for s in self.series)]
            for i, (_key, label) in enumerate(self.categories)
        ]

    def display_rows(self) -> list[tuple[str, str, list[str]]]:
        """(label, link, formatted values) per category, for the HTML table."""
        return [
            (
                label,
                self.links[i] if i < len(self.links) else "",
                [_number(s.values[i], self._percent(s)) for s in self.series],
            )
            for i, (_key, label) in enumerate(self.categories)
        ]

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([self.category_label, *(s.key for s in self.series)])
        for row in self.rows():
            writer.writerow(row)
        return out.getvalue()

    def geometry(self) -> Geometry | None:
        if self.kind == "table" or self.is_empty:
            return None
        if self.kind in {"bars", "grouped"}:
            return self._bars()
        return self._over_time()

    def _bars(self) -> Geometry:
        if self.kind == "grouped":
            return self._grouped()
        totals = [sum(s.values[i] for s in self.series) for i in range(len(self.categories))]
        top = max(totals) if not self.percent else max(1.0, max(totals))
        area = WIDTH - LABEL_WIDTH - 70
        g = Geometry(width=WIDTH, height=ROW_HEIGHT * len(self.categories) + 6)
        for i, (_key, label) in enumerate(self.categories):
            y = 3 + i * ROW_HEIGHT
            g.texts.append(Text(LABEL_WIDTH - 6, y + BAR_HEIGHT - 3, _short(label), "end"))
            x = float(LABEL_WIDTH)
            for n, s in enumerate(self.series):
                value = s.values[i]
                if value <= 0:
                    continue
                width = area * value / top if top else 0
                g.rects.append(
                    Rect(
                        round(x, 1),
                        y,
                        round(max(width, 0.5), 1),
                        BAR_HEIGHT,
                        self._css(n),
                        f"{label} – {s.label}: {_number(value, self.percent)}",
                    )
                )
                x += width
            g.texts.append(
                Text(round(x + 4, 1), y + BAR_HEIGHT - 3, _number(totals[i], self.percent))
            )
        return g

    def _grouped(self) -> Geometry:
        """One thin bar per series under each category, each on the same scale."""
        top = max(max(s.values) for s in self.series) or 1.0
        area = WIDTH - LABEL_WIDTH - 70
        k = len(self.series)
        bar = 7
        row = bar * k + 8
        g = Geometry(width=WIDTH, height=row * len(self.categories) + 6)
        for i, (_key, label) in enumerate(self.categories):
            y0 = 3 + i * row
            g.texts.append(Text(LABEL_WIDTH - 6, y0 + (bar * k) / 2 + 4, _short(label), "end"))
            for n, s in enumerate(self.series):
                value = s.values[i]
                y = y0 + n * bar
                width = area * value / top
                g.rects.append(
                    Rect(
                        LABEL_WIDTH,
                        y,
                        round(max(width, 0.5), 1),
                        bar - 1,
                        self._css(n),
                        f"{label} – {s.label}: {_number(value, self.percent)}",
                    )
                )
        return g

    def _over_time(self) -> Geometry:
        n = len(self.categories)
        stacked = self.kind == "columns"
        if stacked:
            top = max(sum(s.values[i] for s in self.series) for i in range(n))
        else:
            top = max(max(s.values) for s in self.series)
        top = 1.0 if self.percent and top <= 1 else _nice_max(top)
        plot_w = WIDTH - MARGIN_LEFT - 10
        plot_h = COLUMNS_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
        g = Geometry(width=WIDTH, height=COLUMNS_HEIGHT)
        step = plot_w / max(n, 1)
        base = MARGIN_TOP + plot_h
        for fraction in (0, 0.5, 1):
            y = round(base - plot_h * fraction, 1)
            g.grid.append((MARGIN_LEFT, y, WIDTH - 10, y))
            g.texts.append(
                Text(MARGIN_LEFT - 4, y + 4, _number(top * fraction, self.percent, 0), "end")
            )
        every = max(1, math.ceil(n / 12))
        for i, (_key, label) in enumerate(self.categories):
            if i % every == 0:
                g.texts.append(
                    Text(round(MARGIN_LEFT + step * (i + 0.5), 1), base + 16, label, "middle")
                )
        if stacked:
            bar = max(step * 0.7, 1)
            for i, (_key, label) in enumerate(self.categories):
                y = float(base)
                for k, s in enumerate(self.series):
                    value = s.values[i]
                    if value <= 0:
                        continue
                    h = plot_h * value / top
                    y -= h
                    g.rects.append(
                        Rect(
                            round(MARGIN_LEFT + step * i + (step - bar) / 2, 1),
                            round(y, 1),
                            round(bar, 1),
                            round(h, 1),
                            self._css(k),
                            f"{label} – {s.label}: {_number(value, self.percent)}",
                        )
                    )
        else:
            for k, s in enumerate(self.series):
                points = " ".join(
                    f"{MARGIN_LEFT + step * (i + 0.5):.1f},{base - plot_h * v / top:.1f}"
                    for i, v in enumerate(s.values)
                )
                g.lines.append(Line(points, self._css(k), s.label))
        return g
