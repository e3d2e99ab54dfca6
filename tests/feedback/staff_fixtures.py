"""Helpers for the staff-side feedback tests: cases made straight in the database (the public form is tested on
its own), a logged-in English client."""

from __future__ import annotations

import datetime
import itertools

from django.conf import settings as django_settings
from django.utils import timezone

from feedback.choices import CaseStatus, Channel, FeedbackKind
from feedback.models import FeedbackCase, KioskVote

_codes = itertools.count(1)


def make_case(unit, **fields) -> FeedbackCase:
    defaults = {
        "tracking_code": f"T{next(_codes):09d}",
        "kind": FeedbackKind.ATTITUDE,
        "channel": Channel.WEB,
        "text": "Cán bộ một cửa nói chuyện thiếu tôn trọng.",
        "due_on": timezone.localdate() + datetime.timedelta(days=10),
        "status": CaseStatus.NEW,
    }
    defaults.update(fields)
    return FeedbackCase.objects.create(unit=unit, **defaults)


def make_vote(unit, score, at):
    return KioskVote.objects.create(unit=unit, score=score, created_at=at)


def local_at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def client_for(client, user):
    client.force_login(user)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
