"""The printable report of one visit and the Excel (or CSV) export of visits and findings, both in the user's scope
(``visits_visible_to``: a planned surprise visit is a 404 and absent from the file for the inspected unit)."""

from __future__ import annotations

import tempfile

from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.views.generic import TemplateView

from core.xlsx import CSV, CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from evaluations.choices import CheckResult
from evaluations.inspections.exports import inspections_csv_stream, inspections_filename, inspections_workbook
from evaluations.inspections.selectors import visit_report
from evaluations.inspections.services import user_can_follow_up


class VisitReportView(LoginRequiredMixin, TemplateView):
    """The visit's report, laid out for A4 paper: team, unit, checklist results, findings, actions, signatures."""

    template_name = "evaluations/visit_report.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        visit = visit_report(user=self.request.user, pk=kwargs["pk"])
        results = list(visit.results.all())
        context.update(
            visit=visit,
            results=results,
            findings=list(visit.findings.all()),
            failed_count=sum(1 for r in results if r.result == CheckResult.FAIL),
            passed_count=sum(1 for r in results if r.result == CheckResult.PASS),
            members=[m for m in visit.team.members.all() if m.pk != visit.team.leader_id],
            can_follow_up=user_can_follow_up(user=self.request.user, visit=visit),
        )
        return context


def inspections_export(request):
    """Visits and findings of the user's scope as .xlsx, written to a temporary file and streamed from it."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    try:
        inspections_workbook(user=request.user, target=handle)
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    return FileResponse(handle, as_attachment=True, filename=inspections_filename(), content_type=XLSX_CONTENT_TYPE)


def inspections_export_csv(request):
    """Visits and findings of the user's scope as .csv (one after the other), streamed as they are read."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    response = StreamingHttpResponse(inspections_csv_stream(user=request.user), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, inspections_filename(CSV))
    return response
