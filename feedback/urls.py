"""URLs of citizen feedback: the public pages (no login), the kiosk, and the staff pages."""

from django.urls import path

from feedback.citizen import views as citizen
from feedback.public import views as public
from feedback.staff import reply_views as replies, views as staff
from feedback.stats import views as stats

app_name = "feedback"

urlpatterns = [
    # Public pages (no login)
    path("feedback/", public.UnitFinderView.as_view(), name="unit_finder"),
    path("feedback/track/", public.TrackingFormView.as_view(), name="track"),
    path("feedback/track/<str:code>/", public.TrackingDetailView.as_view(), name="track_detail"),
    path("feedback/track/<str:code>/rate/", citizen.HandlingRateView.as_view(), name="track_rate"),
    path("feedback/track/<str:code>/reopen/", citizen.CaseReopenView.as_view(), name="track_reopen"),
    path("feedback/done/<str:code>/", public.FeedbackDoneView.as_view(), name="done"),
    path("kiosk/<str:token>/", public.KioskView.as_view(), name="kiosk"),
    path("feedback/stats/", stats.StatsListView.as_view(), name="stats_list"),
    # Staff pages
    # (added by the staff side; keep them above the <public_code> patterns below, which match any slug)
    path("feedback/inbox/", staff.InboxView.as_view(), name="inbox"),
    path("feedback/inbox/new/", staff.CaseRecordView.as_view(), name="case_record"),
    path("feedback/inbox/<int:pk>/", staff.CaseDetailView.as_view(), name="case_detail"),
    path("feedback/inbox/<int:pk>/photo/", staff.CasePhotoDownloadView.as_view(), name="case_photo"),
    path("feedback/kiosks/", staff.KioskDeviceListView.as_view(), name="kiosk_devices"),
    path("feedback/replies/", replies.ReplyTemplateListView.as_view(), name="reply_template_list"),
    path("feedback/replies/new/", replies.ReplyTemplateCreateView.as_view(), name="reply_template_create"),
    path("feedback/replies/<int:pk>/", replies.ReplyTemplateEditView.as_view(), name="reply_template_edit"),
    path("feedback/inbox/tile/", staff.HomeTileView.as_view(), name="home_tile"),
    path("feedback/kiosks/<int:pk>/revoke/", staff.KioskDeviceRevokeView.as_view(), name="kiosk_device_revoke"),
    # Per-unit public pages: public codes always end in the unit's official code ("…-00367"), so they never
    # collide with the fixed words above.
    path("feedback/<slug:public_code>/", public.FeedbackFormView.as_view(), name="public_form"),
    path("feedback/<slug:public_code>/poster/", public.PosterView.as_view(), name="poster"),
    path("feedback/<slug:public_code>/stats/", stats.UnitStatsView.as_view(), name="unit_stats"),
]
