"""The monthly sheet in Excel: download it to fill in offline, upload it back. The work is in ``evaluations.excel``.

A sheet outside the user's scope is a 404; uploading needs the right to rate the sheet's unit (403 otherwise).
"""

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _, ngettext
from django.views.generic import FormView

from conduct_portal.xlsx import XLSX_CONTENT_TYPE
from evaluations.excel import max_upload_bytes, sheet_filename, sheet_import, sheet_workbook
from evaluations.selectors import rating_sheet_get_for_user
from units.scope import Capability, scope_for


@login_required
def sheet_xlsx_download(request, pk: int):
    """The sheet as an .xlsx prefilled with the staff and their current points, for anyone who may see it."""
    sheet = rating_sheet_get_for_user(user=request.user, pk=pk)
    response = HttpResponse(sheet_workbook(sheet), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{sheet_filename(sheet)}"'
    return response


class SheetUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_CONTENT_TYPE}"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class SheetUploadView(LoginRequiredMixin, FormView):
    """Upload a filled-in sheet: every changed row is saved, or none is and each problem is listed by row."""

    template_name = "evaluations/excel_upload.html"
    form_class = SheetUploadForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.sheet = rating_sheet_get_for_user(user=request.user, pk=kwargs["pk"])
        if not scope_for(request.user).can(Capability.RATE, self.sheet.unit):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        result = sheet_import(actor=self.request.user, sheet=self.sheet, upload=form.cleaned_data["file"])
        if not result.ok:
            return self.render_to_response(self.get_context_data(form=form, result=result))
        if result.updated:
            message = ngettext("%(count)s row updated.", "%(count)s rows updated.", result.updated)
            messages.success(self.request, message % {"count": result.updated})
        else:
            message = _("Nothing changed: the file holds the points and remarks already on the sheet.")
            messages.info(self.request, message)
        return redirect("evaluations:sheet_detail", pk=self.sheet.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(sheet=self.sheet, max_megabytes=max_upload_bytes() // 2**20, **kwargs)
