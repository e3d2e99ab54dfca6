"""Administrative units, staff members, users and role assignments."""

import datetime

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from units.choices import Leadership, Role, StaffCategory, Structure, UnitKind
from units.scope import ScopedQuerySet, scope_for


class UnitQuerySet(ScopedQuerySet):
    """Units: scoped as rows of their own subtree (``visible_to``, ``where_user_can``, ``within``)."""

    unit_field = ""

    def valid_on(self, day: datetime.date):
        """Units in force on ``day``: the legacy structure before 1 July 2025, the current one after."""
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )

    def in_force_or_with_records(self, day: datetime.date | None = None):
        """What lists show by default: units in force on ``day`` (today), and former units whose subtree holds
        records (staff, now or before they moved on): a dissolved district that had no staff in the portal stays
        out of sight, one with history stays reachable."""
        day = day or timezone.localdate()
        in_force = (Q(valid_from__isnull=True) | Q(valid_from__lte=day)) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        # A subtree is a prefix of the path (units.scope.subtree_q), here the path of the unit the row is about.
        had_staff = Exists(Staff.objects.filter(unit__path__startswith=OuterRef("path"))) | Exists(
            StaffTransfer.objects.filter(from_unit__path__startswith=OuterRef("path"))
        )
        return self.filter(in_force | had_staff)

    def scope_tops(self, user):
        """The units at the top of the user's scope (none nested in another): where their pages start."""
        condition = scope_for(user).top_units_q()
        return self if condition is None else self.filter(condition)


class Unit(models.Model):
    """An administrative unit (city, district, ward, commune, …) or a body inside one (a department).

    Units form a tree through ``parent``; ``path`` ("/1/12/345/") is the chain of ids from the root, so a
    subtree is one indexed prefix match. Hanoi's legacy structure (city → districts → wards, until
    30 June 2025) and its current one (city → wards and communes, since 1 July 2025) live side by side,
    told apart by ``structure`` and the dates of validity. Official codes are reused across the reform, so
    they are unique only within a structure; ``public_code`` is unique across the portal and never changes
    once printed on a poster.
    """

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    structure = models.CharField(_("structure"), max_length=10, choices=Structure.choices, blank=True)
    official_code = models.CharField(
        _("official code"), max_length=10, blank=True, help_text=_("The code in the national list of units.")
    )
    public_code = models.SlugField(_("public code"), max_length=100, unique=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    merged_from = models.ManyToManyField(
        "self",
        verbose_name=_("formed from"),
        symmetrical=False,
        blank=True,
        related_name="merged_into",
        help_text=_("Legacy units merged, wholly or in part, into this one on 1 July 2025."),
    )
    hotline = models.CharField(
        _("hotline"), max_length=50, blank=True,
        help_text=_("The phone number citizens call about staff conduct; printed on the unit's feedback poster. A unit "
                    "without one prints the nearest unit above it that has one."),
    )
    address = models.CharField(
        _("address"), max_length=255, blank=True, help_text=_("The unit's office (the one-stop desk), printed on its poster.")
    )
    path = models.CharField(max_length=255, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    search_name = models.CharField(max_length=200, editable=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["path", "depth", "search_name", "updated_at"])
    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["structure", "official_code"],
                condition=~Q(official_code=""),
                name="unit_official_code_unique_in_structure",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="unit_validity_ordered",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("units:unit_detail", kwargs={"public_code": self.public_code})

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return (self.valid_from is None or self.valid_from <= today) and (self.valid_to is None or self.valid_to >= today)

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part][:-1]


class JurisdictionRule(models.Model):
    """A rule that belongs to a jurisdiction (see ``units.jurisdiction``): it applies to ``jurisdiction``'s whole
    subtree, or to the whole country when ``jurisdiction`` is empty. ``shipped_for`` holds the official code of the
    province a rule shipped with the portal waits for (Hanoi's are "01") until that province is imported."""

    jurisdiction = models.ForeignKey(
        Unit, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text=_("The unit whose whole subtree this rule applies to; empty for the national default."),
    )
    shipped_for = models.CharField(max_length=10, blank=True, editable=False, default="")

    class Meta:
        abstract = True

    @property
    def is_national(self) -> bool:
        return self.jurisdiction_id is None


class StaffQuerySet(ScopedQuerySet):
    def active_on(self, day: datetime.date):
        return self.filter(active_from__lte=day).filter(Q(active_to__isnull=True) | Q(active_to__gte=day))

    def active(self):
        return self.active_on(timezone.localdate())


class Staff(models.Model):
    """A member of a unit's personnel: cán bộ, công chức, viên chức or người lao động.

    Active from ``active_from`` until ``active_to`` (open-ended while employed); deactivating sets
    ``active_to`` rather than deleting, because ratings and pledges keep pointing at the person.
    """

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="staff")
    staff_code = models.CharField(_("staff code"), max_length=30, unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    category = models.CharField(_("category"), max_length=20, choices=StaffCategory.choices)
    position = models.CharField(_("position"), max_length=150, blank=True)
    leadership = models.CharField(_("leadership role"), max_length=10, choices=Leadership.choices, blank=True)
    active_from = models.DateField(_("active from"), default=timezone.localdate)
    active_to = models.DateField(_("active to"), null=True, blank=True)
    search_name = models.CharField(max_length=150, editable=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["search_name", "updated_at"])
    objects = StaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["unit", "full_name"]
        indexes = [models.Index(fields=["unit", "active_to"], name="staff_unit_active_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(active_to__isnull=True) | Q(active_to__gte=F("active_from")),
                name="staff_active_period_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.full_name} ({self.staff_code})"

    def get_absolute_url(self):
        return reverse("units:staff_detail", kwargs={"pk": self.pk})

    @property
    def is_active(self) -> bool:
        today = timezone.localdate()
        return self.active_from <= today and (self.active_to is None or self.active_to >= today)


class StaffTransfer(models.Model):
    """A staff member's move from one unit to another, kept so past sheets know where they were."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="transfers")
    from_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    effective_date = models.DateField(_("effective date"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_by = models.ForeignKey("units.User", on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("staff transfer")
        verbose_name_plural = _("staff transfers")
        ordering = ["-effective_date", "-id"]

    def __str__(self):
        return f"{self.staff} {self.from_unit} → {self.to_unit}"


class User(AbstractUser):
    """A person who logs in. What they may see is decided by their role assignments, not by this row.

    ``staff_member`` links the account to the person's staff record, so they can sign their own pledge and
    enter their own self-assessment.
    """

    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    staff_member = models.OneToOneField(
        Staff, verbose_name=_("staff record"), on_delete=models.SET_NULL, null=True, blank=True, related_name="user"
    )
    # The language of the portal's e-mail to this person (notifications, digests); the pages follow the switch.
    language = models.CharField(
        _("e-mail language"), max_length=8, choices=[("vi", "Tiếng Việt"), ("en", "English")], default="vi"
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.username

    def get_full_name(self):
        return self.full_name or super().get_full_name() or self.username


class RoleAssignment(models.Model):
    """Gives a user a role over a unit and everything beneath it in the tree."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_assignments")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="role_assignment_unique")]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} — {self.unit}"


# Notifications are a bounded context of their own (units.notifications); their tables belong to this app.
from units.notifications.models import Notification, NotificationPreference  # noqa: E402, F401
