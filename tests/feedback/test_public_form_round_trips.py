"""The public form's POST stores what a citizen sent in as few round trips as the guarantees allow (issue 21): the
unit kept by the web process, the one-time token checked by the unique constraint, the case and its history row in
one statement, the rate limit in one Redis round trip; every guarantee of the form still holds."""

from django.core.cache import cache, caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
import pytest

from feedback.models import FeedbackCase
from feedback.public import ratelimit, services
from feedback.public.services import feedback_submit

pytestmark = pytest.mark.django_db

@pytest.fixture
def unit(phuong_thanh_xuan):
    """A current ward (the package's default ward is a legacy one)."""
    return phuong_thanh_xuan


# Before issue 21: the unit, the token, the case, its history row (and BEGIN/COMMIT around the two INSERTs).
QUERIES_BEFORE = 4


# The officers' notification of the new case (issue 18) is the sweep's, a minute later: never in the request.
NOTIFICATION_TABLES = ('"units_roleassignment"', '"units_notification"', '"units_notificationpreference"')


def _statements(captured) -> list[str]:
    """The statements a request sent to store the case, without the savepoints the test's own transaction adds around
    the write."""
    return [q["sql"].strip() for q in captured if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


def _notifying(sql: str) -> bool:
    return any(table in sql for table in NOTIFICATION_TABLES)


@pytest.fixture
def units_kept(settings, monkeypatch):
    """The process keeps the public units as in production (the test settings turn it off)."""
    settings.FEEDBACK_UNIT_CACHE_SECONDS = 60
    monkeypatch.setattr(services, "_units", {})


def test_a_submission_is_one_statement_once_the_unit_is_known(client, unit, form_url, fresh_form, address, units_kept):
    first, second = fresh_form(), fresh_form()
    with CaptureQueriesContext(connection) as captured:
        response = client.post(form_url, first, REMOTE_ADDR=address)
    assert response.status_code == 302
    statements = _statements(captured.captured_queries)
    assert len(statements) == 2 < QUERIES_BEFORE, statements  # the unit, then the case with its history
    assert statements[0].startswith("SELECT") and statements[1].startswith("WITH new_case AS (INSERT")
    # Telling the ward's officers is left to the sweep: the case waits for it, marked not told yet.
    assert not any(_notifying(q["sql"]) for q in captured.captured_queries)
    assert FeedbackCase.objects.get(submission_token=first["submission_token"]).officers_told_at is None

    with CaptureQueriesContext(connection) as captured:
        response = client.post(form_url, second, REMOTE_ADDR=address)
    assert response.status_code == 302
    statements = _statements(captured.captured_queries)
    assert len(statements) == 1 and statements[0].startswith("WITH new_case AS (INSERT"), statements
    assert FeedbackCase.objects.filter(unit=unit).count() == 2


def test_a_repeat_is_answered_by_the_unique_token_and_not_counted(client, unit, form_url, fresh_form, address,
                                                                  settings):
    settings.FEEDBACK_RATE_LIMIT = 2
    data = fresh_form()
    answers = [client.post(form_url, data, REMOTE_ADDR=address) for _i in range(4)]

    case = FeedbackCase.objects.get(unit=unit)
    assert {answer["Location"] for answer in answers} == {f"/feedback/done/{case.tracking_code}/"}
    assert case.history.count() == 1
    assert client.post(form_url, fresh_form(), REMOTE_ADDR=address).status_code == 302  # the second real one
    assert client.post(form_url, fresh_form(), REMOTE_ADDR=address).status_code == 429


def test_the_history_row_is_the_one_simple_history_would_write(client, unit, form_url, fresh_form, address):
    client.post(form_url, fresh_form(contact_name="Nguyễn Thị Hoa", contact_consent="on"), REMOTE_ADDR=address)
    case = FeedbackCase.objects.get(unit=unit)
    fast = case.history.get()

    # The same case saved through the ORM, whose history row simple-history writes itself.
    case.pk, case.tracking_code, case.submission_token = None, "ACEFGHKMNP", None
    case.save()
    reference = case.history.get()

    skipped = {"id", "history_id", "history_date", "tracking_code", "created_at"}
    fields = [f.attname for f in type(fast)._meta.concrete_fields if f.attname not in skipped]
    assert {f: getattr(fast, f) for f in fields} == {f: getattr(reference, f) for f in fields}
    assert fast.history_type == "+" and fast.history_user_id is None and fast.contact_name == "Nguyễn Thị Hoa"
    assert fast.history_date >= fast.received_at


def test_a_collision_inside_a_transaction_leaves_it_usable(unit, monkeypatch):
    """A tracking code already taken: the statement fails inside a savepoint, another code is drawn, and the
    caller's transaction goes on."""
    first = feedback_submit(unit=unit, kind="attitude", text="Một", submission_token="a" * 32)
    codes = iter([first.tracking_code, "ACEFGHKMNP"])
    monkeypatch.setattr("feedback.public.services.tracking_code_new", lambda: next(codes))

    second = feedback_submit(unit=unit, kind="attitude", text="Hai", submission_token="b" * 32)

    assert second.tracking_code == "ACEFGHKMNP" and second.history.count() == 1
    assert FeedbackCase.objects.filter(unit=unit).count() == 2


def test_the_rate_limit_counts_in_one_round_trip_and_keeps_its_window(address, settings):
    if not hasattr(caches["default"]._cache, "get_client"):
        pytest.skip("the rate limit's one round trip is Redis's (REDIS_URL); the embedded default keeps it in memory")
    settings.FEEDBACK_RATE_LIMIT = 2
    client = caches["default"]._cache.get_client(write=True)
    client.script_load(ratelimit._HIT_SCRIPT)  # as after the first hit since the server started
    calls = []
    original = type(client).execute_command

    def execute_command(self, *args, **kwargs):
        calls.append(args[0])
        return original(self, *args, **kwargs)

    type(client).execute_command = execute_command
    try:
        results = [ratelimit.rate_limit_hit(scope=ratelimit.FORM, address=address) for _i in range(3)]
    finally:
        type(client).execute_command = original

    assert results == [False, False, True] and calls == ["EVALSHA"] * 3  # one command (one round trip) per hit
    key = cache.make_and_validate_key(ratelimit._key(ratelimit.FORM, address))
    assert 0 < client.ttl(key) <= settings.FEEDBACK_RATE_WINDOW
    assert cache.get(ratelimit._key(ratelimit.FORM, address)) == 3  # the cache API reads the same counter
    ratelimit.rate_limit_reset(scope=ratelimit.FORM, address=address)
    assert ratelimit.rate_limit_hit(scope=ratelimit.FORM, address=address) is False
