"""Excel export of ratings (``reports.exports.kinds.export_write``, what the Celery export job runs) against the same
rows written with openpyxl's write-only mode directly; each run in a fresh process, for its peak memory."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys

from benchmarks.harness import Row
from benchmarks.scales import EXPORT_ROWS, EXPORT_RUNS
from evaluations.models import Rating

TARGET_RATIO, TARGET_MB = 1.3, 150


def _months(context, wanted: int) -> tuple:
    """The latest months whose ratings under the city add up to about ``wanted`` rows."""
    counts = list(
        Rating.objects.within(context.city).values_list("sheet__month")
        .order_by("-sheet__month").distinct()
    )
    months = [month for (month,) in counts]
    chosen, total = [], 0
    for month in months:
        if total >= wanted:
            break
        chosen.append(month)
        total += Rating.objects.within(context.city).filter(sheet__month=month).count()
    return min(chosen), max(chosen), total


def child(job: str, arguments: dict) -> dict:
    output = subprocess.run([sys.executable, "-m", "benchmarks.child", job, json.dumps(arguments)],
                            capture_output=True, text=True, env=os.environ.copy())
    if output.returncode:
        raise RuntimeError(f"benchmarks.child {job} failed:\n{output.stderr[-3000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def run(context) -> list[Row]:
    start, end, rows = _months(context, EXPORT_ROWS[context.scale])
    arguments = {"unit": context.city.pk, "start": start.isoformat(), "end": end.isoformat()}
    runs = min(context.runs, EXPORT_RUNS[context.scale])
    portal, direct = [], []
    for _ in range(runs):  # interleaved, so a busy moment of the shared machine hits both alike
        portal.append(child("export_portal", arguments))
        direct.append(child("export_direct", arguments))
    assert portal[0]["rows"] == direct[0]["rows"] == rows, (portal[0]["rows"], direct[0]["rows"], rows)
    seconds = statistics.median(r["seconds"] for r in portal) * 1000
    limit = statistics.median(r["seconds"] for r in direct) * 1000
    peak = max(r["peak_mb"] for r in portal)
    peak_direct = max(r["peak_mb"] for r in direct)
    size = f"{rows:,} ratings, {start:%m/%Y}–{end:%m/%Y}"
    return [
        Row("Excel export of ratings (time)", size, seconds, limit, limit_label="openpyxl write-only directly",
            target=f"≤ {TARGET_RATIO}×", met=seconds / limit <= TARGET_RATIO),
        Row("Excel export of ratings (peak memory)", size, peak, peak_direct, unit="MB",
            limit_label="openpyxl write-only directly", target=f"< {TARGET_MB} MB", met=peak < TARGET_MB,
            note=f"median of {runs} runs; peak resident memory of the whole process (Django loaded: {portal[0]['baseline_mb']:.0f} MB before "
                 "the export); highest of the runs"),
    ]
