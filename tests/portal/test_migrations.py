"""Models and migrations agree (CI fails on a forgotten `makemigrations`)."""

from io import StringIO

from django.core.management import call_command
import pytest


@pytest.mark.django_db
def test_no_missing_migrations():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=StringIO())
    except SystemExit:
        pytest.fail(f"Models changed without a migration:\n{out.getvalue()}")
