"""Settings come from the environment; production refuses to start without a secret key."""

import os
from pathlib import Path
import subprocess
import sys

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def _load_settings(**env):
    environment = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE")}
    environment.update(env)
    code = "import conduct_portal.settings as s; print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.LANGUAGE_CODE, s.TIME_ZONE)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True)


def test_production_refuses_to_start_without_a_secret_key():
    result = _load_settings(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_starts_with_a_secret_key():
    result = _load_settings(DEBUG="0", SECRET_KEY="x" * 60, DATABASE_URL="sqlite:////tmp/conduct-settings-test.sqlite3")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "django.db.backends.sqlite3", "vi", "Asia/Ho_Chi_Minh"]


def test_development_generates_a_key_once():
    first = _load_settings(DEBUG="1")
    assert first.returncode == 0, first.stderr
    key_file = ROOT / "var" / "secret_key"
    key = key_file.read_text()
    assert _load_settings(DEBUG="1").returncode == 0
    assert key_file.read_text() == key and len(key) >= 50


def test_database_url_is_honoured():
    result = _load_settings(DEBUG="1", DATABASE_URL="postgres://someone@db.example:5433/conduct")
    assert "django.db.backends.postgresql" in result.stdout


def test_persistent_connections_on_postgresql():
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        assert settings.DATABASES["default"]["CONN_MAX_AGE"] >= 60
