"""Arithmetic on figures shared by every page and report."""

from __future__ import annotations


def share(part: int, whole: int) -> float | None:
    """``part`` as a percentage (0–100) of ``whole``; ``None`` when there is nothing to divide by."""
    return 100 * part / whole if whole else None
