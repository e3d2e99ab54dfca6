from django.urls import path

from pledges.views import campaigns, codes, signing

app_name = "pledges"

urlpatterns = [
    # The codes' text: public, for staff and citizens alike.
    path("codes/", codes.CodeListView.as_view(), name="code_list"),
    # Writing a code (province administrators, for their jurisdiction): particulars, drafts, publishing.
    path("codes/new/", codes.CodeCreateView.as_view(), name="code_create"),
    path("codes/versions/<int:pk>/", codes.CodeVersionDetailView.as_view(), name="code_version_detail"),
    path("codes/versions/<int:pk>/publish/", codes.CodeVersionPublishView.as_view(), name="code_version_publish"),
    path("codes/versions/<int:pk>/discard/", codes.CodeVersionDiscardView.as_view(), name="code_version_discard"),
    path("codes/versions/<int:pk>/chapters/new/", codes.ChapterCreateView.as_view(), name="chapter_create"),
    path("codes/chapters/<int:pk>/edit/", codes.ChapterUpdateView.as_view(), name="chapter_update"),
    path("codes/chapters/<int:pk>/delete/", codes.ChapterDeleteView.as_view(), name="chapter_delete"),
    path("codes/chapters/<int:pk>/articles/new/", codes.ArticleCreateView.as_view(), name="article_create"),
    path("codes/articles/<int:pk>/edit/", codes.ArticleUpdateView.as_view(), name="article_update"),
    path("codes/articles/<int:pk>/delete/", codes.ArticleDeleteView.as_view(), name="article_delete"),
    path("codes/<slug:slug>/", codes.CodeDetailView.as_view(), name="code_detail"),
    path("codes/<slug:slug>/versions/", codes.CodeVersionsView.as_view(), name="code_versions"),
    path("codes/<slug:slug>/versions/new/", codes.CodeVersionCreateView.as_view(), name="code_version_create"),
    path("codes/<slug:slug>/edit/", codes.CodeUpdateView.as_view(), name="code_update"),
    # Campaigns and coverage.
    path("pledges/", campaigns.CampaignListView.as_view(), name="campaign_list"),
    path("pledges/new/", campaigns.CampaignCreateView.as_view(), name="campaign_create"),
    path("pledges/<int:pk>/", campaigns.CampaignDetailView.as_view(), name="campaign_detail"),
    path("pledges/<int:pk>/units/<slug:public_code>/", campaigns.CampaignUnitView.as_view(), name="campaign_unit"),
    path("pledges/<int:pk>/roster.xlsx", campaigns.CampaignRosterExportView.as_view(), name="campaign_export"),
    path("pledges/<int:pk>/roster.csv", campaigns.CampaignRosterExportView.as_view(file_format="csv"),
         name="campaign_export_csv"),
    # Signing and recording.
    path("pledges/mine/", signing.MyPledgesView.as_view(), name="my_pledges"),
    path("pledges/<int:pk>/sign/", signing.PledgeSignView.as_view(), name="pledge_sign"),
    path("pledges/<int:pk>/staff/<int:staff_id>/record/", signing.PledgeRecordView.as_view(), name="pledge_record"),
    path("pledges/<int:pk>/staff/<int:staff_id>/form/", signing.PledgeFormPrintView.as_view(), name="pledge_form_print"),
    path("pledges/pledge/<int:pk>/", signing.PledgeDetailView.as_view(), name="pledge_detail"),
    path("pledges/pledge/<int:pk>/scan/", signing.PledgeScanDownloadView.as_view(), name="pledge_scan"),
    path("pledges/pledge/<int:pk>/withdraw/", signing.PledgeWithdrawView.as_view(), name="pledge_withdraw"),
]
