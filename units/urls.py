from django.urls import path

from units import views
from units.notifications import views as notifications

app_name = "units"

urlpatterns = [
    path("units/", views.UnitListView.as_view(), name="unit_list"),
    path("units/<slug:public_code>/", views.UnitDetailView.as_view(), name="unit_detail"),
    path("units/<slug:public_code>/add-body/", views.SubUnitCreateView.as_view(), name="subunit_create"),
    path("units/<slug:public_code>/contact/", views.UnitContactView.as_view(), name="unit_contact"),
    path("units/<slug:public_code>/staff/new/", views.StaffCreateView.as_view(), name="staff_create"),
    path("units/<slug:public_code>/staff/from-former-units/", views.PredecessorStaffMoveView.as_view(),
         name="staff_from_predecessors"),
    path("staff/", views.StaffListView.as_view(), name="staff_list"),
    path("staff/import/", views.StaffImportView.as_view(), name="staff_import"),
    path("staff/import/template.xlsx", views.staff_import_template_download, name="staff_import_template"),
    path("staff/<int:pk>/", views.StaffDetailView.as_view(), name="staff_detail"),
    path("staff/<int:pk>/edit/", views.StaffUpdateView.as_view(), name="staff_update"),
    path("staff/<int:pk>/move/", views.StaffMoveView.as_view(), name="staff_move"),
    path("staff/<int:pk>/deactivate/", views.StaffDeactivateView.as_view(), name="staff_deactivate"),
    path("notifications/", notifications.NotificationListView.as_view(), name="notification_list"),
    path("notifications/read-all/", notifications.NotificationReadAllView.as_view(), name="notification_read_all"),
    path("notifications/<int:pk>/read/", notifications.NotificationReadView.as_view(), name="notification_read"),
    path("notifications/preferences/", notifications.NotificationPreferencesView.as_view(), name="notification_preferences"),
    path("notifications/unsubscribe/<str:token>/", notifications.UnsubscribeView.as_view(), name="notification_unsubscribe"),
]
