"""Admin for the reports app: commendation rules are edited here; reports, summaries, lists and exports are shown only
(they change through their pages, whose services check scope and keep the audit trail)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import NoRevertMixin, ReadOnlyAdminMixin
from reports.models import (
    AnnualReport,
    CommendationEntry,
    CommendationList,
    CommendationRule,
    ExportJob,
    QuarterlyReport,
)


@admin.register(CommendationRule)
class CommendationRuleAdmin(NoRevertMixin, SimpleHistoryAdmin):
    list_display = ("name", "effective_from", "min_grade", "months_required", "quota_percent", "quota_min")
    ordering = ("-effective_from",)


@admin.register(QuarterlyReport)
class QuarterlyReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("unit", "year", "quarter", "status", "progress", "requested_by", "created_at", "finished_at")
    list_filter = ("status", "year", "quarter")
    search_fields = ("unit__name", "unit__public_code")
    exclude = ("data",)


@admin.register(AnnualReport)
class AnnualReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("unit", "year", "status", "progress", "requested_by", "created_at", "finished_at")
    list_filter = ("status", "year")
    search_fields = ("unit__name", "unit__public_code")
    exclude = ("data",)


class CommendationEntryInline(admin.TabularInline):
    model = CommendationEntry
    fields = ("rank", "staff", "staff_unit", "total_score", "praise_count", "source", "included", "reason")
    readonly_fields = fields
    can_delete = False
    extra = 0


@admin.register(CommendationList)
class CommendationListAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ("unit", "year", "quarter", "status", "approved_by", "approved_at")
    list_filter = ("status", "year", "quarter")
    search_fields = ("unit__name",)
    inlines = [CommendationEntryInline]


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("kind", "unit", "requested_by", "status", "row_count", "created_at", "expires_at")
    list_filter = ("kind", "status")
