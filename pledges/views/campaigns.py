"""Campaign pages: list, create, coverage per unit with drill-down, roster export. (Being written.)"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.views.generic import TemplateView


class CampaignListView(LoginRequiredMixin, TemplateView):
    def get(self, request, *args, **kwargs):
        raise Http404


CampaignCreateView = CampaignDetailView = CampaignUnitView = CampaignListView


def campaign_roster_export(request, pk):
    raise Http404
