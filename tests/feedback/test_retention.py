"""Contact details of closed cases are erased after the retention period, by the service and by the Celery task."""

import datetime

from celery.contrib.testing.worker import start_worker
from django.test import override_settings
from django.utils import timezone
import pytest

from conduct_portal.celery import app
from feedback.choices import CaseStatus
from feedback.models import FeedbackCase
from feedback.staff.services import feedback_contacts_purge
from feedback.tasks import feedback_contacts_purge as purge_task
from tests.factories import FeedbackCaseFactory

CONTACT = {"contact_name": "Lê Thị Hoa", "contact_phone": "0912345678", "contact_email": "hoa@example.vn", "contact_consent": True}


def _cases(unit):
    now = timezone.now()
    closed = {"status": CaseStatus.RESOLVED, "public_reply": "Đã trả lời."}
    return {
        "old_closed": FeedbackCaseFactory(unit=unit, closed_at=now - datetime.timedelta(days=40), **closed, **CONTACT),
        "old_rejected": FeedbackCaseFactory(unit=unit, status=CaseStatus.REJECTED, rejection_reason="spam",
                                              closed_at=now - datetime.timedelta(days=31), **CONTACT),
        "recent_closed": FeedbackCaseFactory(unit=unit, closed_at=now - datetime.timedelta(days=5), **closed, **CONTACT),
        "old_but_open": FeedbackCaseFactory(unit=unit, received_at=now - datetime.timedelta(days=90),
                                            status=CaseStatus.IN_PROGRESS, **CONTACT),
    }


def _has_contact(case):
    case.refresh_from_db()
    return bool(case.contact_name or case.contact_phone or case.contact_email)


@pytest.mark.django_db
@override_settings(FEEDBACK_RETENTION_DAYS=30)
def test_the_purge_erases_only_closed_cases_past_the_retention(thanh_xuan_bac):
    cases = _cases(thanh_xuan_bac)

    assert feedback_contacts_purge(today=timezone.localdate()) == 2

    assert not _has_contact(cases["old_closed"]) and not _has_contact(cases["old_rejected"])
    assert _has_contact(cases["recent_closed"]) and _has_contact(cases["old_but_open"])
    erased = cases["old_closed"]
    assert erased.contact_erased_at is not None and not erased.contact_consent
    assert erased.history.first().history_change_reason == "retention period"  # audited
    assert not erased.history.exclude(contact_phone="").exists()  # and gone from the history too
    assert cases["recent_closed"].history.count() == 1  # untouched cases get no history row

    assert feedback_contacts_purge(today=timezone.localdate()) == 0  # idempotent
    assert erased.history.count() == 2


@pytest.fixture
def celery_worker(transactional_db):
    with start_worker(app, pool="threads", concurrency=1, perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30):
        yield


@pytest.mark.celery
@override_settings(FEEDBACK_RETENTION_DAYS=30)
def test_the_task_purges_through_a_real_worker(celery_worker, thanh_xuan_bac):
    cases = _cases(thanh_xuan_bac)

    assert purge_task.delay().get(timeout=60) == 2

    assert not _has_contact(cases["old_closed"]) and _has_contact(cases["recent_closed"])
    assert FeedbackCase.objects.filter(contact_erased_at__isnull=False).count() == 2
