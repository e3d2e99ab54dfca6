"""Django admin for city administrators: units, staff, users and their roles. Writes go through services."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.admin import NoRevertMixin
from units import services
from units.models import RoleAssignment, Staff, StaffTransfer, Unit, User


@admin.register(Unit)
class UnitAdmin(NoRevertMixin, SimpleHistoryAdmin):
    list_display = ("name", "kind", "official_code", "structure", "parent", "valid_from", "valid_to", "public_code")
    list_filter = ("structure", "kind")
    search_fields = ("search_name", "name", "official_code", "public_code")
    raw_id_fields = ("parent",)
    filter_horizontal = ()
    readonly_fields = ("path", "depth")
    fields = ("name", "kind", "structure", "official_code", "public_code", "parent", "valid_from", "valid_to", "hotline",
              "address", "path")

    def get_readonly_fields(self, request, obj=None):
        # The public code is printed on posters and QR codes: fixed once the unit exists.
        return (*self.readonly_fields, "public_code") if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        if change:
            services.unit_update(unit=Unit.objects.get(pk=obj.pk), actor=request.user, **data)
        else:
            created = services.unit_create(
                name=obj.name, kind=obj.kind, parent=obj.parent, official_code=obj.official_code,
                structure=obj.structure, valid_from=obj.valid_from, valid_to=obj.valid_to,
                public_code=obj.public_code, actor=request.user,
            )
            if obj.hotline or obj.address:  # the poster's contact details, given on the same form
                services.unit_update(unit=created, actor=request.user, hotline=obj.hotline, address=obj.address)
            obj.pk = created.pk


@admin.register(Staff)
class StaffAdmin(NoRevertMixin, SimpleHistoryAdmin):
    list_display = ("full_name", "staff_code", "unit", "category", "position", "leadership", "active_from", "active_to")
    list_filter = ("category", "leadership")
    search_fields = ("search_name", "full_name", "staff_code")
    raw_id_fields = ("unit",)
    list_select_related = ("unit",)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in services.STAFF_EDITABLE_FIELDS if name in form.cleaned_data}
        if change:
            staff = Staff.objects.select_related("unit").get(pk=obj.pk)
            services.staff_update(actor=request.user, staff=staff, **fields)
            if form.cleaned_data.get("unit") and form.cleaned_data["unit"] != staff.unit:
                services.staff_move(actor=request.user, staff=staff, to_unit=form.cleaned_data["unit"],
                                    effective_date=staff.updated_at.date(), reason=str(_("Changed in administration")))
        else:
            obj.pk = services.staff_create(actor=request.user, unit=form.cleaned_data["unit"], **fields).pk


@admin.register(StaffTransfer)
class StaffTransferAdmin(admin.ModelAdmin):
    list_display = ("staff", "from_unit", "to_unit", "effective_date", "created_by")
    list_select_related = ("staff", "from_unit", "to_unit", "created_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 1
    raw_id_fields = ("unit",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("full_name", "email", "staff_member")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    list_display = ("username", "full_name", "email", "is_active", "is_staff")
    search_fields = ("username", "full_name", "email")
    raw_id_fields = ("staff_member",)
    inlines = [RoleAssignmentInline]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(NoRevertMixin, SimpleHistoryAdmin):
    list_display = ("user", "role", "unit", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__full_name", "unit__search_name")
    raw_id_fields = ("user", "unit")
    list_select_related = ("user", "unit")
