"""Citizen feedback cases from every channel, the messages the citizen is sent about them, officers' reply
templates, kiosk devices and their satisfaction votes."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from feedback.choices import (
    CaseStatus,
    Channel,
    CitizenEvent,
    FeedbackKind,
    MessageChannel,
    MessageStatus,
    RejectionReason,
)
from units.models import JurisdictionRule
from units.scope import ScopedQuerySet

SCORE = [MinValueValidator(1), MaxValueValidator(5)]


def feedback_photo_path(case, filename):
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"feedback/{case.unit_id}/{case.tracking_code}.{extension}"


class FeedbackCase(models.Model):
    """One piece of feedback about a unit (or a named staff member), from the public form or recorded by staff
    from a hotline call, a feedback box slip, a comment book or a survey slip.

    The citizen's name, phone and e-mail are personal data: kept only with explicit consent, erased after the
    retention period or on request (``contact_erased_at``). The tracking page shows none of them.
    """

    # Indexes are kept to what is read: each one costs every citizen's form an insertion. The unit leads the
    # composite indexes below (no index of its own); the tracking code and the one-time token are unique by
    # constraints (no second "LIKE" index for text patterns); the people and the partner are indexed only where
    # set, which a new case never is.
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="feedback_cases", db_index=False
    )
    tracking_code = models.CharField(_("tracking code"), max_length=12)
    channel = models.CharField(_("channel"), max_length=15, choices=Channel.choices, default=Channel.WEB)
    kind = models.CharField(_("kind"), max_length=15, choices=FeedbackKind.choices)
    text = models.TextField(_("feedback"))
    staff_mentioned = models.CharField(_("staff name or desk number"), max_length=200, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction (1–5)"), null=True, blank=True, validators=SCORE)
    photo = models.FileField(_("photo"), upload_to=feedback_photo_path, blank=True)
    contact_name = models.CharField(_("name"), max_length=150, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    contact_consent = models.BooleanField(_("consent to the use of contact details"), default=False)
    contact_erased_at = models.DateTimeField(_("contact details erased at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    due_on = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.NEW)
    rejection_reason = models.CharField(_("reason for rejection"), max_length=12, choices=RejectionReason.choices, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned to"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        db_index=False,
    )
    staff = models.ForeignKey(
        "units.Staff", verbose_name=_("staff member concerned"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="feedback_cases", db_index=False,
    )
    substantiated = models.BooleanField(_("substantiated"), default=False)
    violation = models.OneToOneField(
        "evaluations.Violation", on_delete=models.SET_NULL, null=True, blank=True, related_name="feedback_case"
    )
    internal_note = models.TextField(_("internal note"), blank=True)
    public_reply = models.TextField(_("reply to the citizen"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The citizen's word on the handling, once per case after it is resolved (SIPAS's "how feedback is handled").
    handling_rating = models.PositiveSmallIntegerField(
        _("satisfaction with the handling (1–5)"), null=True, blank=True, validators=SCORE
    )
    handling_comment = models.TextField(_("comment on the handling"), blank=True)
    handling_rated_at = models.DateTimeField(_("handling rated at"), null=True, blank=True)
    # A citizen not satisfied may reopen the case within FEEDBACK_REOPEN_DAYS: it returns to the inbox with a new
    # due date and counts against the on-time rate.
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)
    # The public form's one-time token: a form submitted twice (double click, resend) creates one case.
    submission_token = models.CharField(max_length=64, null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    # The partner system a case came from (channel Open311); its key may be revoked later, the record stays.
    partner = models.ForeignKey(
        "feedback.Open311Partner", verbose_name=_("partner system"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="cases", db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When the unit's officers were told of the new case: at once for a case staff record; for a citizen's (the
    # public form, Open311) by the sweep a minute later (``new_cases_notify``), which keeps the form's request to
    # storing the case. Null: not told yet.
    officers_told_at = models.DateTimeField(null=True, blank=True, editable=False)

    # The history is read per case (its id) and by date: the other columns need no index there.
    history = HistoricalRecords(
        excluded_fields=["updated_at", "submission_token", "officers_told_at"],
        no_db_index=["unit", "tracking_code", "assigned_to", "staff", "violation", "recorded_by", "partner"],
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("feedback case")
        verbose_name_plural = _("feedback cases")
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["unit", "status", "due_on"], name="feedback_unit_status_due_idx"),
            # The dashboard's and report's counts read only these columns: on PostgreSQL they come from the index
            # alone, without visiting a table page per case (250 ms → 37 ms for a district of a million cases).
            # The handling rating and the reopen count are read by the same counts (handling satisfaction, on-time).
            models.Index(
                fields=["unit", "received_at"],
                include=["id", "status", "closed_at", "due_on", "satisfaction", "kind", "handling_rating",
                         "handling_rated_at", "reopen_count"],
                name="feedback_counts_cover_idx",
            ),
            # The public statistics' handling satisfaction: the rated cases of a unit and period from the index alone.
            models.Index(
                fields=["unit", "handling_rated_at"], include=["handling_rating"],
                condition=Q(handling_rated_at__isnull=False), name="feedback_handling_rated_idx",
            ),
            # The new cases whose officers are not told yet: the sweep's few rows, whatever the number of cases.
            models.Index(fields=["id"], condition=Q(officers_told_at__isnull=True), name="feedback_untold_idx"),
            *(models.Index(fields=[name], condition=Q(**{f"{name}__isnull": False}), name=f"feedback_case_{name}_idx")
              for name in ("assigned_to", "staff", "recorded_by", "partner")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["tracking_code"], name="feedback_case_tracking_code_unique"),
            models.UniqueConstraint(fields=["submission_token"], name="feedback_case_submission_token_unique"),
            models.CheckConstraint(
                condition=Q(contact_consent=True) | (Q(contact_name="") & Q(contact_phone="") & Q(contact_email="")),
                name="feedback_contact_needs_consent",
            ),
            models.CheckConstraint(
                condition=~Q(status=CaseStatus.RESOLVED) | ~Q(public_reply=""), name="feedback_resolved_has_reply"
            ),
        ]

    def __str__(self):
        return self.tracking_code

    @property
    def is_open(self) -> bool:
        return self.status in (CaseStatus.NEW, CaseStatus.IN_PROGRESS)

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_on < timezone.localdate()

    @property
    def is_reopened(self) -> bool:
        """The citizen (or an officer) reopened the case at least once: it no longer counts as answered on time."""
        return self.reopen_count > 0


class CitizenMessage(models.Model):
    """One message sent (or tried) to the citizen of a case: by e-mail or SMS, about which event, how it went.

    Neither the address nor the text is kept here: the contact details live (and are erased) on the case only,
    and the text is rebuilt from the case when the message is sent."""

    case = models.ForeignKey(FeedbackCase, verbose_name=_("feedback case"), on_delete=models.CASCADE,
                             related_name="citizen_messages")
    channel = models.CharField(_("channel"), max_length=5, choices=MessageChannel.choices)
    event = models.CharField(_("event"), max_length=10, choices=CitizenEvent.choices)
    status = models.CharField(_("status"), max_length=8, choices=MessageStatus.choices, default=MessageStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ScopedQuerySet.through("case__unit").as_manager()

    class Meta:
        verbose_name = _("message to the citizen")
        verbose_name_plural = _("messages to the citizen")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="citizen_message_status_idx")]

    def __str__(self):
        return f"{self.case_id} {self.channel} {self.event} {self.status}"


class ReplyTemplate(JurisdictionRule):
    """A reply officers start from, for one kind of feedback (or any kind), of a jurisdiction (the unit's own, or
    one up its tree) or national. Its text may hold placeholders filled from the case: ``{tracking_code}``,
    ``{unit}``, ``{received_on}``, ``{due_on}``, ``{kind}``, ``{today}``."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind of feedback"), max_length=15, choices=FeedbackKind.choices, blank=True,
                            help_text=_("Empty: offered for every kind."))
    text = models.TextField(_("text"))
    is_active = models.BooleanField(_("offered to officers"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name


class KioskDevice(models.Model):
    """A tablet at a one-stop desk, bound to its unit by a secret token an officer created."""

    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="kiosk_devices")
    name = models.CharField(_("name"), max_length=100)
    token = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("kiosk device")
        verbose_name_plural = _("kiosk devices")

    def __str__(self):
        return self.name


class KioskVote(models.Model):
    """One tap on a kiosk's faces: a satisfaction score for the unit, nothing else about the citizen."""

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="kiosk_votes")
    device = models.ForeignKey(KioskDevice, on_delete=models.SET_NULL, null=True, related_name="votes")
    score = models.PositiveSmallIntegerField(validators=SCORE)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("kiosk vote")
        verbose_name_plural = _("kiosk votes")
        indexes = [
            models.Index(fields=["unit", "created_at"], name="kiosk_vote_unit_time_idx"),
            # Satisfaction counts from the index alone on PostgreSQL (see FeedbackCase's covering index).
            models.Index(fields=["unit", "created_at"], include=["id", "score"], name="kiosk_vote_counts_cover_idx"),
        ]
        constraints = [models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=5), name="kiosk_vote_score_range")]

    def __str__(self):
        return f"{self.score} ({self.created_at:%Y-%m-%d %H:%M})"


class Open311Partner(models.Model):
    """A partner system (a city app, FixMyStreet…) allowed to hand cases in through the Open311 API for the units
    of its jurisdiction. Its API key is shown once when created: only its prefix (to look it up) and a SHA-256 hash
    are kept. A revoked partner's key stops working; its cases stay."""

    name = models.CharField(_("name"), max_length=100)
    jurisdiction = models.ForeignKey(
        "units.Unit", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="open311_partners",
        help_text=_("The partner may send cases to this unit and every unit beneath it."),
    )
    key_prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    rate_limit = models.PositiveIntegerField(
        _("requests per hour"), default=120, validators=[MinValueValidator(1), MaxValueValidator(100_000)],
        help_text=_("Cases the partner may send in one hour; further ones are refused until the hour is over."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.through("jurisdiction").as_manager()

    class Meta:
        verbose_name = _("Open311 partner")
        verbose_name_plural = _("Open311 partners")

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class FeedbackMonthFigures(models.Model):
    """The public statistics of one unit's whole subtree (its own cases and kiosk votes and those of every unit
    beneath it) for one finished month, computed at night by ``feedback.stats.rollup`` with the figures engine's
    formulas: a city's twelve months are then read from twelve rows instead of counted again from a year of cases.
    The running month is never stored (it is counted live), and a month missing here is counted live too, so these
    rows only make pages faster, never different (except for what changed since the night)."""

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    received = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    handling_rated = models.PositiveIntegerField(default=0)
    handling_satisfied = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    open_late = models.PositiveIntegerField(default=0)
    median_seconds = models.FloatField(null=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("monthly feedback figures")
        verbose_name_plural = _("monthly feedback figures")
        constraints = [models.UniqueConstraint(fields=["unit", "month"], name="feedback_month_figures_unique")]

    def __str__(self):
        return f"{self.unit_id} {self.month:%m/%Y}"
