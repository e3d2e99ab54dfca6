"""``make bench``: the portal measured at city scale on PostgreSQL, each figure beside a limit measured in the same run.

``python -m benchmarks`` (``BENCH_SCALE=small|city``) works on a database of its own next to the configured one
(``<name>_bench``, see ``benchmarks.database``), filled once by ``generate_synthetic`` and reused while the
recorded scale matches, so a developer's data is never touched. Each case (``benchmarks.cases``) times the
portal's own code path and a limit — the same work done as directly as the tools allow (hand-written SQL, a
bulk UPDATE, openpyxl without the portal, a minimal view) — and the table prints both and their ratio.
Speed is checked here, never in the pytest suite.
"""
