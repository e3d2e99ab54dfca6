"""On a real Celery worker (a thread pool in this process, on the run's broker and queue): the citizen's e-mail
leaves only after the officer's change is committed, reaches a real SMTP server, and is recorded as sent."""

from celery.contrib.testing.worker import start_worker
from django.db import transaction
import pytest

from conduct_portal.celery import app
from feedback.choices import MessageStatus
from feedback.models import CitizenMessage
from feedback.public.services import tracking_code_new
from feedback.staff import services
from tests.builders import make_user
from tests.factories import FeedbackCaseFactory
from tests.reports.celery_helpers import wait_for
from units.choices import Role

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(transactional_db):
    with start_worker(app, pool="threads", concurrency=1, perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30):
        yield


def test_the_email_is_sent_by_the_worker_after_the_commit(phuong_thanh_xuan, mailbox, worker, settings):
    settings.PORTAL_BASE_URL = "https://quytac.hanoi.example"
    officer = make_user("officer.ptx", Role.WARD_OFFICER, phuong_thanh_xuan)
    case = FeedbackCaseFactory(unit=phuong_thanh_xuan, tracking_code=tracking_code_new(), with_contact=True, contact_phone="")

    with transaction.atomic():
        services.feedback_reply_and_resolve(actor=officer, case=case, public_reply="Đã trả hồ sơ cho Ông/Bà.")
        message = CitizenMessage.objects.get(case=case)
        assert message.status == MessageStatus.PENDING  # nothing leaves before the commit

    wait_for(lambda: CitizenMessage.objects.filter(pk=message.pk, status=MessageStatus.SENT).exists(), timeout=30)
    (mail,) = mailbox.messages
    assert mail["to"] == [case.contact_email] and "Đã trả hồ sơ cho Ông/Bà." in mail["body"]
    assert f"https://quytac.hanoi.example/feedback/track/{case.tracking_code}/" in mail["body"]
