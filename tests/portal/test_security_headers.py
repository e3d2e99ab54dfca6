"""Security headers on every page, and production settings that pass ``manage.py check --deploy``."""

import os
from pathlib import Path
import subprocess
import sys

from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def test_pages_forbid_inline_scripts_framing_and_foreign_sources(client, db):
    response = client.get(reverse("login"))
    policy = dict(
        directive.strip().split(" ", 1) for directive in response["Content-Security-Policy"].split(";") if directive.strip()
    )
    assert policy["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval', no CDN
    assert policy["default-src"] == "'self'" and policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_template_carries_an_inline_script_or_event_handler():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for marker in ("<script>", "<script type=\"text/javascript\">", " onclick=", " onload=", " onchange=", " onsubmit=", "javascript:"):
            if marker in text:
                offenders.append(f"{path.relative_to(ROOT)}: {marker.strip()}")
    assert not offenders, offenders


def test_production_settings_pass_the_deployment_checks(tmp_path):
    # Only the test run sets DJANGO_ALLOW_ASYNC_UNSAFE (for Playwright, tests/browser/conftest.py): not production's.
    test_only = ("DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    environment = {k: v for k, v in os.environ.items() if k not in test_only}
    environment.update(
        DEBUG="0", SECRET_KEY="k" * 20 + "-production-secret-" + "z" * 30, ALLOWED_HOSTS="quytac.example.gov.vn",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        # Production shares its cache between processes (core.checks warns otherwise); the check connects to nothing.
        REDIS_URL=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=environment, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
