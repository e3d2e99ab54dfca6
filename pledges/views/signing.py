"""Signing online, recording paper pledges, printable forms, withdrawal. (Being written.)"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.views.generic import TemplateView


class MyPledgesView(LoginRequiredMixin, TemplateView):
    def get(self, request, *args, **kwargs):
        raise Http404


PledgeSignView = PledgeRecordView = PledgeFormPrintView = PledgeDetailView = PledgeWithdrawView = MyPledgesView


def pledge_scan_download(request, pk):
    raise Http404
