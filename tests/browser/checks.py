"""Checks every page a browser journey visits must pass: WCAG 2.0/2.1 A and AA (axe-core) and no horizontal
scrolling.

``check_page(page)`` checks the page as it is now (call it where the state matters: a form with errors, an open
dialog, a partial swapped in by htmx). Every page a tracked ``Page`` loads is recorded as well; the ``page`` and
``login`` fixtures (tests/browser/conftest.py) check at the end of a passing test each recorded page that was
not checked in place, by opening it again (a GET, which never writes) at the same window size.

axe-core comes with the ``axe-playwright-python`` package from the package index; nothing is committed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
import re
from urllib.parse import urlsplit

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Violations known to be left in another lane's pages, by (path regex, axe rule id), each with the reason. Keep it
# empty: an entry is a debt that a later change must pay back.
KNOWN_VIOLATIONS: list[tuple[str, str, str]] = []

_AXE = None


def _axe():
    global _AXE
    if _AXE is None:
        from axe_playwright_python.sync_playwright import Axe

        _AXE = Axe()
    return _AXE


@dataclass
class PageRecord:
    """The pages one browser page loaded (in order) and those already checked in place."""

    loaded: list[str] = field(default_factory=list)
    checked: set[str] = field(default_factory=set)


_RECORDS: dict[int, PageRecord] = {}


def track(page) -> PageRecord:
    """Records every document ``page`` loads; returns the record (one per page)."""
    record = _RECORDS.get(id(page))
    if record is None:
        record = _RECORDS[id(page)] = PageRecord()
        # Only a local read in the handler: no call back into the browser from an event.
        page.on("load", lambda loaded: record.loaded.append(loaded.url))
    return record


def forget(page) -> PageRecord:
    return _RECORDS.pop(id(page), PageRecord())


def _key(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _allowed(path: str, rule: str) -> bool:
    return any(re.search(pattern, path) and rule == known for pattern, known, _reason in KNOWN_VIOLATIONS)


def accessibility_violations(page) -> list[str]:
    """The page's WCAG 2.0/2.1 A and AA violations, one readable line per element."""
    results = _axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                         "resultTypes": ["violations"]})
    path = _key(page.url)
    lines = []
    for violation in results.response["violations"]:
        if _allowed(path, violation["id"]):
            continue
        lines.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:8]:
            target = " ".join(str(part) for part in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"      {target}  — {node['html'][:160]}  — {summary[:240]}")
        if len(violation["nodes"]) > 8:
            lines.append(f"      … and {len(violation['nodes']) - 8} more")
    return lines


def horizontal_overflow(page) -> str | None:
    """None when the page fits its window's width; otherwise what sticks out."""
    found = page.evaluate(
        """() => {
          const width = window.innerWidth;
          const total = document.documentElement.scrollWidth;
          if (total <= width) return null;
          const clipped = (el) => {
            for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
              if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(p).overflowX)) return true;
            }
            return false;
          };
          const culprits = [];
          for (const el of document.body.querySelectorAll('*')) {
            const box = el.getBoundingClientRect();
            const parent = el.parentElement.getBoundingClientRect();
            // An absolutely placed element escapes a scrolling wrapper unless the wrapper is its containing block.
            const escapes = getComputedStyle(el).position === 'absolute';
            if (box.width > 0 && box.right > width + 1 && (escapes || (parent.right <= width + 1 && !clipped(el)))) {
              culprits.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
                ' (' + Math.round(box.left) + '–' + Math.round(box.right) + ' px)');
              if (culprits.length >= 6) break;
            }
          }
          return {width, total, culprits};
        }"""
    )
    if found is None:
        return None
    return (f"  {found['total']} px wide in a {found['width']} px window; sticking out: "
            + ", ".join(found["culprits"]))


def assert_no_horizontal_overflow(page) -> None:
    problem = horizontal_overflow(page)
    assert problem is None, f"{_key(page.url)} scrolls sideways:\n{problem}"


def assert_accessible(page) -> None:
    lines = accessibility_violations(page)
    assert not lines, f"{_key(page.url)} breaks WCAG 2.1 A/AA (axe-core):\n" + "\n".join(lines)


def page_problems(page) -> list[str]:
    """Every problem of the page as it is now: accessibility, then width."""
    size = page.viewport_size or {}
    where = f"{_key(page.url)} at {size.get('width')}×{size.get('height')}"
    problems = []
    lines = accessibility_violations(page)
    if lines:
        problems.append(f"{where} breaks WCAG 2.1 A/AA (axe-core):\n" + "\n".join(lines))
    overflow = horizontal_overflow(page)
    if overflow:
        problems.append(f"{where} scrolls sideways:\n{overflow}")
    return problems


def check_page(page) -> None:
    """Fails unless the page as it is now passes axe (WCAG 2.0/2.1 A and AA) and fits its window's width."""
    track(page).checked.add(_key(page.url))
    problems = page_problems(page)
    assert not problems, "\n".join(problems)


def check_recorded(page) -> list[str]:
    """Opens again each page ``page`` loaded and that was not checked in place, and returns their problems."""
    record = forget(page)
    if page.is_closed():
        return []
    base = urlsplit(page.url)
    problems = []
    seen = set(record.checked)
    for url in record.loaded:
        parts = urlsplit(url)
        key = _key(url)
        if key in seen or parts.scheme not in ("http", "https") or parts.netloc != base.netloc:
            continue
        seen.add(key)
        response = page.goto(url)
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        problems.extend(page_problems(page))
    return problems
