"""URLs of monthly ratings (sheets, rows, the workflow, self-assessment, Excel), violations and their
disciplinary handling, the annual classification, inspections, and the scoring schemes province administrators
configure."""

from django.urls import path

from evaluations.annual import views as annual
from evaluations.checklists import views as checklists
from evaluations.inspections.views import actions, reports as inspection_reports, visits as inspections
from evaluations.ratings import views as ratings
from evaluations.schemes import views as schemes
from evaluations.violations import views as violations

app_name = "evaluations"

urlpatterns = [
    path("ratings/", ratings.SheetListView.as_view(), name="sheet_list"),
    path("ratings/open/", ratings.SheetOpenView.as_view(), name="sheet_open"),
    path("ratings/mine/", ratings.MyRatingsView.as_view(), name="my_ratings"),
    path("ratings/<int:pk>/", ratings.SheetDetailView.as_view(), name="sheet_detail"),
    path("ratings/<int:pk>/transition/", ratings.SheetTransitionView.as_view(), name="sheet_transition"),
    path("ratings/<int:pk>/sheet.xlsx", ratings.sheet_xlsx_download, name="sheet_xlsx"),
    path("ratings/<int:pk>/upload/", ratings.SheetUploadView.as_view(), name="sheet_upload"),
    path("ratings/<int:pk>/cap-exception/", ratings.SheetCapExceptionView.as_view(), name="sheet_cap_exception"),
    path("ratings/rows/<int:pk>/", ratings.RatingRowSaveView.as_view(), name="rating_row_save"),
    path("ratings/rows/<int:pk>/self/", ratings.RatingSelfAssessView.as_view(), name="rating_self_assess"),
    path("ratings/<slug:public_code>/<month:month>/", ratings.SheetForMonthView.as_view(), name="sheet_for_month"),
    path("violations/", violations.ViolationListView.as_view(), name="violation_list"),
    path("violations/new/", violations.ViolationCreateView.as_view(), name="violation_create"),
    path("violations/<int:pk>/", violations.ViolationDetailView.as_view(), name="violation_detail"),
    # The annual classification
    path("annual/", annual.AnnualIndexView.as_view(), name="annual_index"),
    path("annual/rows/<int:pk>/", annual.AnnualRowView.as_view(), name="annual_row"),
    path("annual/rows/<int:pk>/print/", annual.AnnualRowPrintView.as_view(), name="annual_row_print"),
    path("annual/<slug:public_code>/<int:year>/", annual.AnnualListView.as_view(), name="annual_list"),
    path("annual/<slug:public_code>/<int:year>/compute/", annual.AnnualComputeView.as_view(), name="annual_compute"),
    path("annual/<slug:public_code>/<int:year>/transition/", annual.AnnualTransitionView.as_view(), name="annual_transition"),
    path("annual/<slug:public_code>/<int:year>/print/", annual.AnnualListPrintView.as_view(), name="annual_list_print"),
    # Inspections
    path("inspections/", inspections.VisitListView.as_view(), name="visit_list"),
    path("inspections/calendar/<month:month>/", inspections.VisitCalendarView.as_view(), name="visit_calendar"),
    path("inspections/new/", inspections.VisitCreateView.as_view(), name="visit_create"),
    path("inspections/teams/", inspections.TeamListView.as_view(), name="team_list"),
    path("inspections/teams/new/", inspections.TeamCreateView.as_view(), name="team_create"),
    # Checklists (province administrators, for their jurisdiction)
    path("inspections/checklists/", checklists.ChecklistListView.as_view(), name="checklist_list"),
    path("inspections/checklists/new/", checklists.ChecklistCreateView.as_view(), name="checklist_create"),
    path("inspections/checklists/<int:pk>/", checklists.ChecklistDetailView.as_view(), name="checklist_detail"),
    path("inspections/checklists/<int:pk>/edit/", checklists.ChecklistUpdateView.as_view(), name="checklist_update"),
    path("inspections/checklists/<int:pk>/copy/", checklists.ChecklistCopyView.as_view(), name="checklist_copy"),
    path("inspections/checklists/<int:pk>/default/", checklists.ChecklistDefaultView.as_view(), name="checklist_default"),
    path("inspections/checklists/<int:pk>/retire/", checklists.ChecklistActiveView.as_view(active=False),
         name="checklist_retire"),
    path("inspections/checklists/<int:pk>/restore/", checklists.ChecklistActiveView.as_view(active=True),
         name="checklist_restore"),
    path("inspections/photos/<int:pk>/", inspections.PhotoView.as_view(), name="visit_photo"),
    path("inspections/<int:pk>/", inspections.VisitDetailView.as_view(), name="visit_detail"),
    path("inspections/<int:pk>/results/<int:result_pk>/", inspections.ResultSaveView.as_view(), name="visit_result_save"),
    path("inspections/<int:pk>/results/<int:result_pk>/findings/", inspections.FindingCreateView.as_view(), name="finding_create"),
    path("inspections/<int:pk>/start/", inspections.VisitTransitionView.as_view(), {"action": "start"}, name="visit_start"),
    path("inspections/<int:pk>/close/", inspections.VisitTransitionView.as_view(), {"action": "close"}, name="visit_close"),
    path("inspections/<int:pk>/reopen/", inspections.VisitTransitionView.as_view(), {"action": "reopen"}, name="visit_reopen"),
    # Corrective actions and reports
    path("inspections/actions/", actions.ActionListView.as_view(), name="action_list"),
    path("inspections/actions/<int:pk>/", actions.ActionDetailView.as_view(), name="action_detail"),
    path("inspections/actions/<int:pk>/done/", actions.ActionMarkDoneView.as_view(), name="action_mark_done"),
    path("inspections/actions/<int:pk>/verify/", actions.ActionVerifyView.as_view(), name="action_verify"),
    path("inspections/actions/<int:pk>/evidence/", actions.action_evidence_download, name="action_evidence"),
    path("inspections/findings/<int:pk>/actions/new/", actions.ActionCreateView.as_view(), name="action_create"),
    path("inspections/<int:pk>/report/", inspection_reports.VisitReportView.as_view(), name="visit_report"),
    path("inspections/export.xlsx", inspection_reports.inspections_export, name="inspections_export"),
    path("inspections/export.csv", inspection_reports.inspections_export_csv, name="inspections_export_csv"),
    # Scoring schemes (rules of a jurisdiction)
    path("rules/schemes/", schemes.SchemeListView.as_view(), name="scheme_list"),
    path("rules/schemes/new/", schemes.SchemeCreateView.as_view(), name="scheme_create"),
    path("rules/schemes/<int:pk>/", schemes.SchemeDetailView.as_view(), name="scheme_detail"),
    path("rules/schemes/<int:pk>/edit/", schemes.SchemeUpdateView.as_view(), name="scheme_update"),
    path("rules/schemes/<int:pk>/new-version/", schemes.SchemeNewVersionView.as_view(), name="scheme_new_version"),
    path("rules/schemes/<int:pk>/delete/", schemes.SchemeDeleteView.as_view(), name="scheme_delete"),
]
