"""URLs of monthly ratings: sheets, rows, the workflow, self-assessment, Excel and violations."""

from django.urls import path, register_converter

from evaluations.views import excel, sheets, violations

app_name = "evaluations"

register_converter(sheets.MonthConverter, "month")

urlpatterns = [
    path("ratings/", sheets.SheetListView.as_view(), name="sheet_list"),
    path("ratings/open/", sheets.SheetOpenView.as_view(), name="sheet_open"),
    path("ratings/mine/", sheets.MyRatingsView.as_view(), name="my_ratings"),
    path("ratings/<int:pk>/", sheets.SheetDetailView.as_view(), name="sheet_detail"),
    path("ratings/<int:pk>/transition/", sheets.SheetTransitionView.as_view(), name="sheet_transition"),
    path("ratings/<int:pk>/sheet.xlsx", excel.sheet_xlsx_download, name="sheet_xlsx"),
    path("ratings/<int:pk>/upload/", excel.SheetUploadView.as_view(), name="sheet_upload"),
    path("ratings/rows/<int:pk>/", sheets.RatingRowSaveView.as_view(), name="rating_row_save"),
    path("ratings/rows/<int:pk>/self/", sheets.RatingSelfAssessView.as_view(), name="rating_self_assess"),
    path("ratings/<slug:public_code>/<month:month>/", sheets.SheetForMonthView.as_view(), name="sheet_for_month"),
    path("violations/", violations.ViolationListView.as_view(), name="violation_list"),
    path("violations/new/", violations.ViolationCreateView.as_view(), name="violation_create"),
]
