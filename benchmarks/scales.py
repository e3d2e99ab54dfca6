"""The sizes ``BENCH_SCALE`` chooses: the database generate_synthetic fills and the size of each case."""

SCALES = {
    # The smoke test's size (tests/benchmarks): a few seconds end to end.
    "tiny": {"wards": 3, "staff_per_ward": 12, "months": 4, "feedback": 2_000},
    "small": {"wards": 40, "staff_per_ward": 80, "months": 12, "feedback": 50_000},
    # Hanoi: ~600 wards, 100,000 staff, five years of monthly ratings (6 million), a million feedback cases.
    "city": {"wards": 600, "staff_per_ward": 170, "months": 60, "feedback": 1_000_000},
}
# Rows of the Excel export case.
EXPORT_ROWS = {"tiny": 500, "small": 38_000, "city": 1_000_000}
# Runs of the export case: at city scale each run writes a million rows twice (the portal, then openpyxl directly),
# several minutes, so the median is of three runs there.
EXPORT_RUNS = {"tiny": 5, "small": 5, "city": 3}
# Seconds of each load-tool run of the web case.
WEB_SECONDS = {"tiny": 2, "small": 5, "city": 8}
