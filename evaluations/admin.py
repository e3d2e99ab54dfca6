"""Admin for scoring schemes (city administrators add a new scheme from a date) and read-only audit views."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import NoRevertMixin, ReadOnlyAdminMixin
from evaluations.models import (
    AnnualClassification,
    AnnualList,
    ChecklistItem,
    ChecklistTemplate,
    CorrectiveAction,
    Criterion,
    CriterionGroup,
    DisciplinaryDecision,
    Finding,
    InspectionTeam,
    InspectionVisit,
    Rating,
    RatingSheet,
    ScoringScheme,
    Violation,
)


class CriterionGroupInline(admin.TabularInline):
    model = CriterionGroup
    extra = 0
    fields = ("order", "code", "name", "max_points", "is_bonus")


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ("order", "name", "max_points")


def _scheme_in_use(scheme) -> bool:
    # Sheets were graded with it: changing its numbers would silently change past grades.
    return scheme is not None and scheme.pk is not None and scheme.sheets.exists()


@admin.register(ScoringScheme)
class ScoringSchemeAdmin(NoRevertMixin, SimpleHistoryAdmin):
    list_display = ("name", "effective_from", "a_min", "b_min", "c_min", "a_share_cap_percent")
    inlines = [CriterionGroupInline]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not _scheme_in_use(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _scheme_in_use(obj)


@admin.register(CriterionGroup)
class CriterionGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "scheme", "max_points", "is_bonus", "order")
    list_filter = ("scheme",)
    inlines = [CriterionInline]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not _scheme_in_use(obj.scheme if obj else None)


class ReadOnlyAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Sheets, ratings and violations are written through the portal's pages only (audited services)."""


@admin.register(RatingSheet)
class RatingSheetAdmin(ReadOnlyAdmin):
    list_display = ("unit", "month", "status", "scheme")
    list_filter = ("status", "month")
    list_select_related = ("unit", "scheme")
    search_fields = ("unit__search_name",)


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ("staff", "sheet", "total", "grade")
    list_filter = ("grade",)
    list_select_related = ("staff", "sheet__unit")
    search_fields = ("staff__search_name", "staff__staff_code")


@admin.register(Violation)
class ViolationAdmin(ReadOnlyAdmin):
    list_display = ("staff", "occurred_on", "article", "severity", "source")
    list_filter = ("severity", "source")
    list_select_related = ("staff", "article")
    search_fields = ("staff__search_name", "staff__staff_code")


@admin.register(DisciplinaryDecision)
class DisciplinaryDecisionAdmin(ReadOnlyAdmin):
    list_display = ("violation", "form", "status", "decision_number", "decision_date")
    list_filter = ("status", "form")
    list_select_related = ("violation__staff",)
    search_fields = ("violation__staff__search_name", "decision_number")


@admin.register(AnnualList)
class AnnualListAdmin(ReadOnlyAdmin):
    list_display = ("unit", "year", "status", "scheme")
    list_filter = ("status", "year")
    list_select_related = ("unit", "scheme")
    search_fields = ("unit__search_name",)


@admin.register(AnnualClassification)
class AnnualClassificationAdmin(ReadOnlyAdmin):
    list_display = ("staff", "year", "computed_grade", "reviewed_grade", "final_grade")
    list_filter = ("year", "final_grade")
    list_select_related = ("staff",)
    search_fields = ("staff__search_name", "staff__staff_code")


# --- Inspections ------------------------------------------------------------------------------------------


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0
    fields = ("order", "kind", "text", "article")
    raw_id_fields = ("article",)


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "is_default")
    inlines = [ChecklistItemInline]


@admin.register(InspectionTeam)
class InspectionTeamAdmin(NoRevertMixin, SimpleHistoryAdmin):
    list_display = ("name", "owner_unit", "leader", "is_active")
    list_select_related = ("owner_unit", "leader")
    raw_id_fields = ("owner_unit", "leader")
    filter_horizontal = ("members",)


@admin.register(InspectionVisit)
class InspectionVisitAdmin(ReadOnlyAdmin):
    list_display = ("unit", "scheduled_at", "kind", "status", "team")
    list_filter = ("kind", "status")
    list_select_related = ("unit", "team")


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ("visit", "severity", "article")
    list_select_related = ("visit__unit", "article")


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(ReadOnlyAdmin):
    list_display = ("description", "owner_unit", "due_on", "status")
    list_filter = ("status",)
    list_select_related = ("owner_unit",)
