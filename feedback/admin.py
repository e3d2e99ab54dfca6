"""Read-only admin pages of citizen feedback: cases (with their history), kiosk devices and votes.
Every change goes through the staff pages and ``feedback.staff.services``."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdminMixin
from feedback.models import FeedbackCase, KioskDevice, KioskVote


@admin.register(FeedbackCase)
class FeedbackCaseAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["tracking_code", "unit", "kind", "channel", "status", "received_at", "due_on"]
    list_filter = ["status", "kind", "channel"]
    search_fields = ["tracking_code"]
    list_select_related = ["unit"]
    raw_id_fields = ["unit", "assigned_to", "staff", "violation", "recorded_by"]
    date_hierarchy = "received_at"


@admin.register(KioskDevice)
class KioskDeviceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "unit", "created_at", "revoked_at"]
    list_select_related = ["unit"]
    exclude = ["token"]  # the token is a secret: whoever reads it can vote for the unit


@admin.register(KioskVote)
class KioskVoteAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["unit", "score", "created_at"]
    list_filter = ["score"]
    list_select_related = ["unit"]
    date_hierarchy = "created_at"
