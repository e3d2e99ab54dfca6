"""Fixed vocabularies of the pledges app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    """Whom a code of conduct binds."""

    STAFF = "staff", _("Staff of state agencies")
    PUBLIC = "public", _("Everyone in public places")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")


class CampaignKind(models.TextChoices):
    ANNUAL = "annual", _("Annual pledge")
    RESIGN = "resign", _("Re-signing for a new version")


class PledgeMethod(models.TextChoices):
    ONLINE = "online", _("Signed online")
    PAPER = "paper", _("Paper form")
