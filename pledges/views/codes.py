"""The codes of conduct, readable by anyone. (Being written.)"""

from django.http import Http404
from django.views.generic import TemplateView


class CodeListView(TemplateView):
    def get(self, request, *args, **kwargs):
        raise Http404


CodeDetailView = CodeListView
