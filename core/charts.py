"""Server-side SVG charts (the dashboard's, the public statistics pages'): the geometry is computed here, templates
``templates/reports/charts/`` draw it (no JavaScript, no CDN).

Every chart carries a title and a description (``<title>``/``<desc>``, ``aria-labelledby``) and the page puts a
data table beside it. Colours differ in lightness as well as hue and the D grade is hatched, so a chart printed
in black and white still reads. Coordinates are formatted here with a dot as decimal separator: a template would
localise "12.5" into "12,5" in Vietnamese and break the SVG.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import datetime

# Dark blue, light blue, pale amber, dark red hatched: four steps of lightness that survive greyscale printing.
GRADE_COLOURS = {"A": "#1f4e79", "B": "#6fa8dc", "C": "#f6d776", "D": "#a61c00"}
HATCHED = {"D"}
BAR_COLOUR = "#1f4e79"
LINE_COLOUR = "#1f4e79"


def _n(value: float) -> str:
    """A coordinate for an SVG attribute: a dot as decimal separator, whatever the language."""
    return f"{value:.1f}"


@dataclass
class Series:
    key: str
    label: str
    colour: str
    hatched: bool = False


@dataclass
class Segment:
    series: Series
    value: int
    x: str
    width: str
    label_x: str
    show_label: bool


@dataclass
class StackedRow:
    label: str
    url: str
    y: str
    text_y: str
    total: int
    values: list[int] = field(default_factory=list)  # in the order of the series, for the data table
    segments: list[Segment] = field(default_factory=list)


@dataclass
class StackedBarChart:
    """Horizontal bars, one per row, split into the shares of each series (100% = the row's total)."""

    chart_id: str
    title: str
    description: str
    series: list[Series]
    rows: list[StackedRow]
    width: int
    height: int
    label_width: int
    bar_height: int
    plot_width: int
    legend_y: str
    legend: list[tuple[Series, str, str]]


def stacked_bar_chart(
    *, chart_id: str, title: str, description: str, series: list[Series], rows: list[tuple[str, str, dict[str, int]]],
    width: int = 640, label_width: int = 210, bar_height: int = 22, gap: int = 8,
) -> StackedBarChart:
    """``rows``: (label, link, counts by series key). A row without counts gets an empty bar (only its label)."""
    plot_width = width - label_width - 60
    top = 10
    built = []
    for index, (label, url, counts) in enumerate(rows):
        y = top + index * (bar_height + gap)
        total = sum(counts.get(s.key, 0) for s in series)
        row = StackedRow(label=label, url=url, y=_n(y), text_y=_n(y + bar_height * 0.7), total=total,
                         values=[counts.get(s.key, 0) for s in series])
        x = float(label_width)
        for s in series:
            value = counts.get(s.key, 0)
            if not value:
                continue
            seg_width = plot_width * value / total
            row.segments.append(Segment(s, value, _n(x), _n(seg_width), _n(x + seg_width / 2), seg_width >= 18))
            x += seg_width
        built.append(row)
    legend_y = top + len(rows) * (bar_height + gap) + 8
    legend = [(s, _n(label_width + 70 * i), _n(label_width + 70 * i + 20)) for i, s in enumerate(series)]
    return StackedBarChart(chart_id, title, description, series, built, width, legend_y + 24, label_width, bar_height,
                           plot_width, _n(legend_y), legend)


@dataclass
class Point:
    label: str
    value: float | None
    x: str
    y: str | None
    tick: str = ""  # the short label under the axis (the month's number)
    tick_year: str = ""  # the year, under the first tick and under each January


@dataclass
class LineChart:
    """A line over months; a month without data leaves a gap (the line is split into segments around it)."""

    chart_id: str
    title: str
    description: str
    points: list[Point]
    segments: list[str]
    gridlines: list[tuple[str, str]]
    width: int
    height: int
    left: int
    right: int
    bottom: str

    @property
    def markers(self) -> list[Point]:
        return [p for p in self.points if p.value is not None]


def line_chart(
    *, chart_id: str, title: str, description: str, points: list[tuple[str, float | None]],
    ticks: list[tuple[str, str]] | None = None, width: int = 640, height: int = 260, y_max: float = 100.0,
) -> LineChart:
    """``points``: (label, value or None) in order; values on a 0–``y_max`` axis (a percentage by default).
    ``ticks``: (short label, year or "") under each point; the full label when not given."""
    left, right, top, bottom = 48, width - 16, 14, height - 44
    step = (right - left) / max(len(points) - 1, 1)

    def y_of(value: float) -> float:
        return bottom - (bottom - top) * min(max(value, 0.0), y_max) / y_max

    built, segments, current = [], [], []
    for index, (label, value) in enumerate(points):
        x = left + index * step
        tick, tick_year = ticks[index] if ticks else (label, "")
        built.append(Point(label, value, _n(x), None if value is None else _n(y_of(value)), tick, tick_year))
        if value is None:
            if current:
                segments.append(" ".join(current))
            current = []
        else:
            current.append(f"{_n(x)},{_n(y_of(value))}")
    if current:
        segments.append(" ".join(current))
    gridlines = [(_n(y_of(v)), f"{v:g}") for v in (0, y_max / 4, y_max / 2, 3 * y_max / 4, y_max)]
    return LineChart(chart_id, title, description, built, segments, gridlines, width, height, left, right, _n(bottom))


@dataclass
class Bar:
    label: str
    value: int
    y: str
    text_y: str
    width: str
    value_x: str


@dataclass
class BarChart:
    """Horizontal bars, one per category, the longest as wide as the plot."""

    chart_id: str
    title: str
    description: str
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    bar_height: int
    colour: str = BAR_COLOUR


def bar_chart(
    *, chart_id: str, title: str, description: str, bars: list[tuple[str, int]],
    width: int = 640, label_width: int = 250, bar_height: int = 22, gap: int = 8,
) -> BarChart:
    plot_width = width - label_width - 60
    largest = max((value for _label, value in bars), default=0)
    built = []
    for index, (label, value) in enumerate(bars):
        y = 10 + index * (bar_height + gap)
        bar_width = plot_width * value / largest if largest else 0.0
        built.append(Bar(label, value, _n(y), _n(y + bar_height * 0.7), _n(bar_width), _n(label_width + bar_width + 6)))
    height = 10 + len(bars) * (bar_height + gap) + 10
    return BarChart(chart_id, title, description, built, width, height, label_width, bar_height)


def month_label(month: datetime.date) -> str:
    return f"{month:%m/%Y}"


def month_ticks(months: list[datetime.date]) -> list[tuple[str, str]]:
    """Axis labels of a run of months: the month's number, and the year under the first month and each January."""
    return [(f"{m:%m}", str(m.year) if i == 0 or m.month == 1 else "") for i, m in enumerate(months)]
