"""Fixed vocabularies of reports, commendation lists and exports."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CommendationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")


class EntrySource(models.TextChoices):
    """Why a staff member is on a commendation list: the rule picked them, or the district office added them."""

    RULE = "rule", _("By the rule")
    MANUAL = "manual", _("Added by hand")


class ExportKind(models.TextChoices):
    RATINGS = "ratings", _("Monthly ratings")
    FEEDBACK = "feedback", _("Feedback log")
    PLEDGES = "pledges", _("Pledge roster")
    INSPECTIONS = "inspections", _("Inspections")
