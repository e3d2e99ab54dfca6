"""Pages of the reports app: exports, as Excel workbooks or CSV files.

A user with the right to export data (district office, city administrator) asks for an export of a unit in
their scope. A small export is written in the request to an anonymous temporary file and sent from there; a
large one (over ``EXPORT_BACKGROUND_ROWS`` rows) becomes a job that the page follows until its file is ready.
Only the requester sees a job, downloads its file or retries it (when it failed or got stuck): anyone else gets a
404.
"""

from __future__ import annotations

import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core.files import private_file_response
from core.xlsx import CSV, CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from reports.exports import services as export_services
from reports.exports.forms import ExportForm
from reports.exports.kinds import export_count, export_csv_stream, export_write
from units.mixins import ScopeRequiredMixin
from units.scope import Capability

JOBS_SHOWN = 30


class ExportAccessMixin(ScopeRequiredMixin):
    """Signed in, and allowed to export data somewhere (a ward officer or unit head is refused: 403)."""

    required_capability = Capability.EXPORT_DATA


def _mark_expiry(jobs):
    now = timezone.now()
    for job in jobs:
        job.expired = bool(job.expires_at and job.expires_at <= now)
    return jobs


def _list_context(request, form: ExportForm) -> dict:
    return {"form": form, "jobs": _mark_expiry(list(export_services.export_jobs_of(user=request.user)[:JOBS_SHOWN]))}


class ExportListView(ExportAccessMixin, TemplateView):
    """The export form and the user's own export jobs, with their progress, rows, expiry and download link."""

    template_name = "reports/export_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = ExportForm(user=self.request.user, units=export_services.export_units(user=self.request.user))
        context.update(_list_context(self.request, form))
        return context


class ExportCreateView(ExportAccessMixin, View):
    """Export now (a download) when small, else record a background job and go back to the list."""

    http_method_names = ["post"]

    def post(self, request):
        user = request.user
        public_code = request.POST.get("unit", "").strip()
        # Resolved before the form: a unit outside the scope is a 404, one without the right to export a 403.
        unit = export_services.export_unit_get_for_user(user=user, public_code=public_code) if public_code else None
        form = ExportForm(request.POST, user=user, units=export_services.export_units(user=user), unit=unit)
        if not form.is_valid():
            return render(request, "reports/export_list.html", _list_context(request, form), status=400)
        export_request = form.export_request()
        rows = export_count(request=export_request, user=user)
        if rows <= settings.EXPORT_BACKGROUND_ROWS and export_request.file_format == CSV:
            # Streamed as it is read: the first bytes leave at once, nothing is kept on the server.
            response = StreamingHttpResponse(export_csv_stream(request=export_request, user=user),
                                             content_type=CSV_CONTENT_TYPE)
            response["Content-Disposition"] = content_disposition_header(True, export_request.filename())
            return response
        if rows <= settings.EXPORT_BACKGROUND_ROWS:
            handle = tempfile.TemporaryFile(suffix=".xlsx")  # gone once the response is closed
            try:
                export_write(request=export_request, user=user, target=handle)
                handle.seek(0)
            except BaseException:
                handle.close()
                raise
            return FileResponse(handle, as_attachment=True, filename=export_request.filename(), content_type=XLSX_CONTENT_TYPE)
        export_services.export_job_create(actor=user, request=export_request)
        messages.success(
            request,
            _("This export holds about %(rows)s rows: it is being prepared in the background. "
              "Download it from the list below when it is ready.") % {"rows": number_format(rows, force_grouping=True)},
        )
        return redirect("reports:export_list")


class ExportProgressView(LoginRequiredMixin, TemplateView):
    """One job's row of the list, polled by htmx while the job waits or runs (only the requester's: else 404)."""

    template_name = "reports/partials/export_job_row.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = export_services.export_job_get_for_user(user=self.request.user, pk=kwargs["pk"])
        context["job"] = _mark_expiry([job])[0]
        return context


class ExportRetryView(ExportAccessMixin, View):
    """POST: queue again one of the user's own jobs that failed or is stuck (anyone else's: 404)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        job = export_services.export_job_get_for_user(user=request.user, pk=pk)
        try:
            export_services.export_job_retry(actor=request.user, job=job)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.info(request, _("The export is being prepared again."))
        return redirect("reports:export_list")


class ExportDownloadView(LoginRequiredMixin, View):
    """The finished workbook, for its requester only, until it expires (anything else: 404)."""

    def get(self, request, pk):
        job = export_services.export_job_get_for_download(user=request.user, pk=pk)
        name = (job.parameters.get("filename") or f"xuat-du-lieu-{job.pk}.xlsx").removesuffix(".xlsx").removesuffix(".csv")
        return private_file_response(job.file, download_name=name)
