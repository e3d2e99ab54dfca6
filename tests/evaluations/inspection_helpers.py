"""Shared builders for the inspection tests: a team of Quận Thanh Xuân and visits planned through the service."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from evaluations.choices import VisitKind
from evaluations.inspections import services


def png_upload(name="photo.png", size=(20, 20)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def make_team(*, actor, owner_unit, leader, members=(), name="Tổ kiểm tra số 1"):
    return services.team_create(actor=actor, name=name, owner_unit=owner_unit, leader=leader, members=list(members))


def plan(*, actor, team, unit, kind=VisitKind.SURPRISE, when: datetime.datetime | None = None, subject="Kiểm tra đột xuất"):
    when = when or timezone.now() - datetime.timedelta(hours=1)
    return services.visit_plan(actor=actor, team=team, unit=unit, kind=kind, scheduled_at=when, subject=subject)
