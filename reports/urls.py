"""URLs of the reports app: the dashboard, quarterly reports, annual summaries, commendation lists, the rules
they follow (commendation rules, ranking weights) and Excel exports."""

from django.urls import path

from reports.annual import views as annual
from reports.commendations import views as commendations
from reports.dashboard import views as dashboard
from reports.exports import views as exports
from reports.quarterly import views as quarterly
from reports.rules import views as rules

app_name = "reports"

urlpatterns = [
    # Dashboard
    path("dashboard/", dashboard.DashboardRedirectView.as_view(), name="dashboard"),
    path("dashboard/<slug:public_code>/", dashboard.UnitDashboardView.as_view(), name="unit_dashboard"),
    path("dashboard/<slug:public_code>/history/", dashboard.UnitHistoryView.as_view(), name="unit_history"),
    # Quarterly
    path("reports/", quarterly.ReportListView.as_view(), name="report_list"),
    path("reports/request/", quarterly.ReportRequestView.as_view(), name="report_request"),
    path("reports/<int:pk>/", quarterly.ReportDetailView.as_view(), name="report_detail"),
    path("reports/<int:pk>/progress/", quarterly.ReportProgressView.as_view(), name="report_progress"),
    path("reports/<int:pk>/report.xlsx", quarterly.report_download, name="report_download"),
    path("reports/<int:pk>/retry/", quarterly.ReportRetryView.as_view(), name="report_retry"),
    # Annual summaries
    path("reports/annual/", annual.AnnualReportListView.as_view(), name="annual_report_list"),
    path("reports/annual/request/", annual.AnnualReportRequestView.as_view(), name="annual_report_request"),
    path("reports/annual/<int:pk>/", annual.AnnualReportDetailView.as_view(), name="annual_report_detail"),
    path("reports/annual/<int:pk>/progress/", annual.AnnualReportProgressView.as_view(), name="annual_report_progress"),
    path("reports/annual/<int:pk>/report.xlsx", annual.annual_report_download, name="annual_report_download"),
    path("reports/annual/<int:pk>/retry/", annual.AnnualReportRetryView.as_view(), name="annual_report_retry"),
    # Commendations
    path("commendations/", commendations.CommendationListView.as_view(), name="commendation_list"),
    # A quarter's list (2026-q3) or the year's (2026).
    path("commendations/<slug:public_code>/<period:period>/", commendations.CommendationForView.as_view(), name="commendation_for"),
    path("commendations/<int:pk>/", commendations.CommendationDetailView.as_view(), name="commendation_detail"),
    path("commendations/<int:pk>/list.xlsx", commendations.CommendationXlsxView.as_view(), name="commendation_xlsx"),
    path("commendations/<int:pk>/list.csv", commendations.CommendationCsvView.as_view(), name="commendation_csv"),
    path("commendations/<int:pk>/decision/", commendations.CommendationDecisionView.as_view(), name="commendation_decision"),
    # A jurisdiction's rules kept by the reports app (the hub of every rule set is portal:rules, /rules/)
    path("rules/commendations/", rules.CommendationRuleListView.as_view(), name="commendation_rule_list"),
    path("rules/commendations/new/", rules.CommendationRuleCreateView.as_view(), name="commendation_rule_create"),
    path("rules/commendations/<int:pk>/", rules.CommendationRuleDetailView.as_view(), name="commendation_rule_detail"),
    path("rules/commendations/<int:pk>/edit/", rules.CommendationRuleUpdateView.as_view(), name="commendation_rule_update"),
    path("rules/commendations/<int:pk>/new-version/", rules.CommendationRuleVersionView.as_view(),
         name="commendation_rule_version"),
    path("rules/weights/", rules.RankingWeightsListView.as_view(), name="ranking_weights_list"),
    path("rules/weights/new/", rules.RankingWeightsCreateView.as_view(), name="ranking_weights_create"),
    path("rules/weights/<int:pk>/", rules.RankingWeightsDetailView.as_view(), name="ranking_weights_detail"),
    path("rules/weights/<int:pk>/new-version/", rules.RankingWeightsVersionView.as_view(), name="ranking_weights_version"),
    # Exports
    path("exports/", exports.ExportListView.as_view(), name="export_list"),
    path("exports/new/", exports.ExportCreateView.as_view(), name="export_create"),
    path("exports/<int:pk>/download/", exports.ExportDownloadView.as_view(), name="export_download"),
    path("exports/<int:pk>/progress/", exports.ExportProgressView.as_view(), name="export_progress"),
    path("exports/<int:pk>/retry/", exports.ExportRetryView.as_view(), name="export_retry"),
]
