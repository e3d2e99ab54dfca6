"""Timing and the printed table: every case yields ``Row``s (the portal's figure, its limit, the ratio)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
import statistics
import time


@dataclass
class Row:
    """One line of the table: ``value`` against ``limit`` (same unit); ``target`` says what issue #9 asks."""

    operation: str
    size: str
    value: float
    limit: float | None
    unit: str = "ms"
    limit_label: str = ""
    target: str = ""
    met: bool | None = None
    note: str = ""
    higher_is_better: bool = False

    @property
    def ratio(self) -> float | None:
        if not self.limit or not self.value:
            return None
        return self.limit / self.value if self.higher_is_better else self.value / self.limit


def median_time(action: Callable[[], object], *, runs: int = 5, warmup: int = 1) -> float:
    """Median wall time of ``action`` in milliseconds, after ``warmup`` untimed calls."""
    for _ in range(warmup):
        action()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "ms" and value >= 10_000:
        return f"{value / 1000:,.1f} s"
    if unit == "ms":
        return f"{value:,.1f} ms" if value < 100 else f"{value:,.0f} ms"
    return f"{value:,.0f} {unit}"


def table(rows: list[Row]) -> str:
    """A Markdown table (pasted as is into docs/performance.md)."""
    header = ["operation", "size", "time", "limit", "limit is", "ratio", "target", "met"]
    lines = []
    for row in rows:
        ratio = row.ratio
        lines.append([
            row.operation, row.size, _number(row.value, row.unit), _number(row.limit, row.unit), row.limit_label,
            f"{ratio:.2f}×" if ratio is not None else "—", row.target,
            "" if row.met is None else ("yes" if row.met else "**no**"),
        ])
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]

    def fmt(cells):
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)) + " |"

    out = [fmt(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [fmt(line) for line in lines]
    notes = [f"- {row.operation}: {row.note}" for row in rows if row.note]
    return "\n".join(out + ([""] + notes if notes else []))
