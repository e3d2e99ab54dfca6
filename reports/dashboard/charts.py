"""The dashboard's server-side SVG charts: the geometry lives in ``core.charts`` (the public statistics pages of the
feedback app draw the same charts), re-exported here for the dashboard."""

from core.charts import (  # noqa: F401
    BAR_COLOUR,
    GRADE_COLOURS,
    HATCHED,
    LINE_COLOUR,
    Bar,
    BarChart,
    LineChart,
    Point,
    Segment,
    Series,
    StackedBarChart,
    StackedRow,
    bar_chart,
    line_chart,
    month_label,
    month_ticks,
    stacked_bar_chart,
)
