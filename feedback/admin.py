"""Read-only admin pages of citizen feedback: cases (with their history), messages to citizens, reply templates,
kiosk devices and votes.
Every change goes through the staff pages and ``feedback.staff.services``."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdminMixin
from feedback.models import CitizenMessage, FeedbackCase, KioskDevice, KioskVote, ReplyTemplate


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


@admin.register(CitizenMessage)
class CitizenMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["case", "channel", "event", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "channel", "event"]
    list_select_related = ["case"]
    raw_id_fields = ["case"]


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "kind", "jurisdiction", "is_active"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["jurisdiction"]
    raw_id_fields = ["jurisdiction"]
