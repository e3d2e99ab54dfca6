"""The codes of conduct, readable by anyone: staff before they sign, citizens who want to know the rules."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from pledges import selectors
from pledges.choices import VersionStatus
from pledges.models import CodeOfConduct, CodeVersion


class CodeListView(ListView):
    """Every code with its issuing decision and the version in force. Public, two queries."""

    template_name = "pledges/code_list.html"
    context_object_name = "codes"

    def get_queryset(self):
        published = Prefetch(
            "versions",
            queryset=CodeVersion.objects.filter(status=VersionStatus.PUBLISHED),
            to_attr="published_versions",
        )
        return CodeOfConduct.objects.prefetch_related(published).order_by("decision_date", "pk")


class CodeDetailView(DetailView):
    """The published text of one code, chapter by chapter, laid out to be read on screen or printed."""

    template_name = "pledges/code_detail.html"
    context_object_name = "code"

    def get_object(self, queryset=None):
        return get_object_or_404(CodeOfConduct, slug=self.kwargs["slug"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["version"] = selectors.code_current_version(code=self.object)
        return context
