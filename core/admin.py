"""Admin pieces shared by the apps."""

from django.core.exceptions import PermissionDenied


class NoRevertMixin:
    """Shows a row's history without its "revert" button: a revert would bypass the services (and their checks)."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # django-simple-history saves ("reverts to") the historical row on POST, whatever the change permission.
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyAdminMixin(NoRevertMixin):
    """Shows rows and their history; nothing can be added, changed, reverted or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        raise PermissionDenied
