"""``python -m benchmarks`` (``make bench``): set up the bench database at ``BENCH_SCALE`` (small by default, or
city), run every case and print the table. ``BENCH_CASES=dashboard,sheet`` runs only some; ``BENCH_RUNS`` sets the
runs per figure (at least 5 by default, the median is printed)."""

from __future__ import annotations

import importlib
import os
import platform
import subprocess
import sys
import time

import django
from django.db import connection

from benchmarks import database
from benchmarks.harness import table
from benchmarks.scales import SCALES

CASES = ("dashboard", "sheet", "quarterly", "export", "web", "units_import", "stats", "digest")


def main(argv: list[str] | None = None) -> int:
    scale = os.environ.get("BENCH_SCALE", "small")
    if scale not in SCALES:
        raise SystemExit(f"make bench: BENCH_SCALE must be one of {', '.join(SCALES)}, not {scale!r}.")
    cases = [c for c in os.environ.get("BENCH_CASES", ",".join(CASES)).split(",") if c]
    unknown = set(cases) - set(CASES)
    if unknown:
        raise SystemExit(f"make bench: unknown case(s) {', '.join(sorted(unknown))}; known: {', '.join(CASES)}.")
    runs = int(os.environ.get("BENCH_RUNS", "5"))
    started = time.perf_counter()
    database.ensure_database(scale, SCALES[scale])
    django.setup()
    from benchmarks.cases.context import context_make  # imports models: only once Django is set up

    context = context_make(scale, runs=runs)
    rows = []
    for name in cases:
        case_started = time.perf_counter()
        print(f"… {name}", file=sys.stderr, flush=True)
        rows += importlib.import_module(f"benchmarks.cases.{name}").run(context)
        print(f"  {name} done in {time.perf_counter() - case_started:.0f} s", file=sys.stderr, flush=True)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (version,) = cursor.fetchone()
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"\nScale {scale}: {SCALES[scale]}; {os.cpu_count()} CPUs, PostgreSQL {version}, Python "
          f"{platform.python_version()}; median of {runs} runs; {time.perf_counter() - started:.0f} s in all.")
    print(f"Load: {load}\n")
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
