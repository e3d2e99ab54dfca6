"""Export of ratings (``reports.exports.kinds.export_write``, what the Celery export job runs), as .xlsx against the
same rows and cell formats written with XlsxWriter's ``constant_memory`` mode directly (the fastest writer; openpyxl's
write-only mode beside it for the record), and as .csv against the same rows written with ``csv.writer`` directly.
Each run in a fresh process, for its peak memory."""

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
    jobs = {
        "portal": ("export_portal", arguments),
        "xlsxwriter": ("export_direct_xlsxwriter", arguments),
        "openpyxl": ("export_direct", arguments),
        "portal_csv": ("export_portal", {**arguments, "format": "csv"}),
        "csv": ("export_direct_csv", arguments),
    }
    results: dict[str, list[dict]] = {name: [] for name in jobs}
    for _ in range(runs):  # interleaved, so a busy moment of the shared machine hits all alike
        for name, (job, job_arguments) in jobs.items():
            results[name].append(child(job, job_arguments))
    counts = {name: result[0]["rows"] for name, result in results.items()}
    assert set(counts.values()) == {rows}, (counts, rows)

    def seconds(name):
        return statistics.median(r["seconds"] for r in results[name]) * 1000

    def peak(name):
        return max(r["peak_mb"] for r in results[name])

    size = f"{rows:,} ratings, {start:%m/%Y}–{end:%m/%Y}"
    limit_label = "XlsxWriter constant_memory directly"
    memory_note = (f"median of {runs} runs; peak resident memory of the whole process (Django loaded: "
                   f"{results['portal'][0]['baseline_mb']:.0f} MB before the export); highest of the runs")
    return [
        Row("Excel export of ratings (time)", size, seconds("portal"), seconds("xlsxwriter"), limit_label=limit_label,
            target=f"≤ {TARGET_RATIO}×", met=seconds("portal") / seconds("xlsxwriter") <= TARGET_RATIO),
        Row("Excel export of ratings (peak memory)", size, peak("portal"), peak("xlsxwriter"), unit="MB",
            limit_label=limit_label, target=f"< {TARGET_MB} MB", met=peak("portal") < TARGET_MB, note=memory_note),
        Row("  for the record: against openpyxl", size, seconds("portal"), seconds("openpyxl"),
            limit_label="openpyxl write-only directly"),
        Row("CSV export of ratings (time)", size, seconds("portal_csv"), seconds("csv"),
            limit_label="csv.writer directly", target=f"≤ {TARGET_RATIO}×",
            met=seconds("portal_csv") / seconds("csv") <= TARGET_RATIO),
        Row("CSV export of ratings (peak memory)", size, peak("portal_csv"), peak("csv"), unit="MB",
            limit_label="csv.writer directly", target=f"< {TARGET_MB} MB", met=peak("portal_csv") < TARGET_MB),
    ]
