"""``import_units --province all`` (the whole country, both structures) into a fresh scratch database, each run
in a new copy of a migrated empty database, against writing the same rows (units, their history and links) with
COPY into emptied tables."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys

from django.conf import settings

from benchmarks import database
from benchmarks.cases.export import child
from benchmarks.harness import Row


def run(context) -> list[Row]:
    url = os.environ["DATABASE_URL"]
    name = database.database_name(url)
    template, scratch = f"{name}_units_template", f"{name}_units"
    database.recreate(url, template)
    environment = os.environ.copy()
    try:
        os.environ["DATABASE_URL"] = database.with_name(url, template)
        subprocess.run([sys.executable, "manage.py", "migrate", "--verbosity", "0"], check=True,
                       cwd=settings.BASE_DIR, env=os.environ.copy())
        results = []
        for _ in range(context.runs):
            database.recreate(url, scratch, template=template)
            os.environ["DATABASE_URL"] = database.with_name(url, scratch)
            results.append(child("import_units", {}))
    finally:
        os.environ.clear()
        os.environ.update(environment)
        database.drop(url, scratch)
        database.drop(url, template)
    seconds = statistics.median(r["seconds"] for r in results) * 1000
    copy = statistics.median(r["copy_seconds"] for r in results) * 1000
    return [Row("import_units --province all (whole country)", f"{results[0]['rows']:,} units, both structures",
                seconds, copy, limit_label="COPY of the same rows", target="(no target)")]
