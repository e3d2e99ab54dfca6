"""Campaign pages: the list, a new campaign, coverage per unit with drill-down, and the roster export.

Rows come from ``pledges.selectors`` (scoped, counted in a fixed number of queries): a campaign or a unit
outside the user's scope is a 404, a missing right inside it a 403.
"""

from __future__ import annotations

from dataclasses import dataclass
import tempfile

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _, pgettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from core.forms import add_service_errors
from core.xlsx import CSV, CSV_CONTENT_TYPE, XLSX, XLSX_CONTENT_TYPE
from pledges import selectors, services
from pledges.exports import roster_csv_stream, roster_filename, roster_workbook
from pledges.forms import CampaignForm
from pledges.models import PledgeCampaign
from units.mixins import ScopeRequiredMixin
from units.scope import Capability, scope_for

UNSIGNED_PER_PAGE = 100
RECENT_PLEDGES = 10
# Below the target by at most this many percentage points: a few signatures missing (warning, not danger).
WARNING_MARGIN = 20

STATUS_LABELS = {
    "upcoming": pgettext_lazy("campaign status", "Upcoming"),
    "open": pgettext_lazy("campaign status", "Open"),
    "closed": pgettext_lazy("campaign status", "Closed"),
}
STATUS_COLOURS = {"upcoming": "info", "open": "success", "closed": "secondary"}


def campaign_status(campaign: PledgeCampaign) -> str:
    today = timezone.localdate()
    if today < campaign.opens_on:
        return "upcoming"
    return "open" if today <= campaign.closes_on else "closed"


def coverage_level(percent: float | None, target: int) -> str:
    """The Bootstrap colour of a coverage figure: reached, close to the target, or far below it; grey while nobody
    has signed yet (work not started is not a failure)."""
    if percent is None or percent == 0:
        return "secondary"
    if percent >= target:
        return "success"
    return "warning" if percent >= target - WARNING_MARGIN else "danger"


@dataclass
class CoverageLine:
    """A coverage row as a page shows it: the numbers and the colour against the campaign's target."""

    row: selectors.CoverageRow
    level: str

    @classmethod
    def of(cls, row: selectors.CoverageRow, campaign: PledgeCampaign) -> CoverageLine:
        return cls(row=row, level=coverage_level(row.percent, campaign.target_percent))


@dataclass
class Headline:
    """A campaign's coverage over the user's top units (usually one: the scope, or the user's own unit)."""

    lines: list[CoverageLine]
    target: int

    @property
    def signed(self) -> int:
        return sum(line.row.signed for line in self.lines)

    @property
    def expected(self) -> int:
        return sum(line.row.expected for line in self.lines)

    @property
    def percent(self) -> float | None:
        return None if self.expected == 0 else round(100 * self.signed / self.expected, 1)

    @property
    def level(self) -> str:
        return coverage_level(self.percent, self.target)


def campaign_headline(*, user, campaign: PledgeCampaign) -> Headline:
    """Three or four queries per top unit; called once per campaign, never per unit beneath."""
    units = selectors.campaign_units_for_user(user=user, campaign=campaign)
    lines = [CoverageLine.of(selectors.campaign_coverage(campaign=campaign, root=unit), campaign) for unit in units]
    return Headline(lines=lines, target=campaign.target_percent)


def _campaign_context(campaign: PledgeCampaign) -> dict:
    status = campaign_status(campaign)
    return {
        "campaign": campaign,
        "status": status,
        "status_label": STATUS_LABELS[status],
        "status_colour": STATUS_COLOURS[status],
    }


class CampaignListView(LoginRequiredMixin, TemplateView):
    """The campaigns that concern the user, each with the coverage of the units the user looks after."""

    template_name = "pledges/campaign_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        entries = []
        for campaign in selectors.campaign_list(user=user):
            entry = _campaign_context(campaign)
            entry["headline"] = campaign_headline(user=user, campaign=campaign)
            entries.append(entry)
        context.update(
            entries=entries,
            can_create=scope_for(user).can_anywhere(Capability.MANAGE_CAMPAIGNS),
            has_staff_record=user.staff_member_id is not None,
        )
        return context


class CampaignCreateView(ScopeRequiredMixin, FormView):
    """A new campaign, for a unit where the user may manage campaigns (403 for those who may nowhere)."""

    template_name = "pledges/campaign_form.html"
    form_class = CampaignForm
    required_capability = Capability.MANAGE_CAMPAIGNS

    def get_form_kwargs(self):
        units = selectors.campaign_units_to_manage(user=self.request.user)
        kwargs = super().get_form_kwargs()
        first_two = list(units[:2])
        if len(first_two) == 1:  # a district office has one district: choose it for them
            kwargs["initial"] = {**kwargs["initial"], "scope_unit": first_two[0]}
        return {**kwargs, "units": units}

    def form_valid(self, form):
        try:
            campaign = services.campaign_create(actor=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The campaign “%(title)s” was created.") % {"title": campaign.title})
        return redirect(campaign)


class CampaignDetailView(ScopeRequiredMixin, TemplateView):
    """Straight to the coverage of the user's unit; a choice only when the user looks after several."""

    template_name = "pledges/campaign_detail.html"
    scoped_object_name = "campaign"

    def get_scoped_object(self):
        return selectors.campaign_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        campaign = self.campaign
        units = selectors.campaign_units_for_user(user=request.user, campaign=campaign)
        if len(units) == 1:
            return redirect("pledges:campaign_unit", pk=campaign.pk, public_code=units[0].public_code)
        lines = [CoverageLine.of(selectors.campaign_coverage(campaign=campaign, root=unit), campaign) for unit in units]
        return self.render_to_response(self.get_context_data(lines=lines, **_campaign_context(campaign)))


class CampaignUnitView(ScopeRequiredMixin, TemplateView):
    """Coverage of one unit: its totals, the units directly beneath (drill-down), who has not signed yet.

    The query count does not depend on the number of units or staff: coverage is three grouped queries,
    the unsigned list one paginated query, and rights are decided in memory from the user's scope.
    For htmx requests (the unsigned list's pages) only that list is rendered.
    """

    template_name = "pledges/campaign_unit.html"
    partial_template_name = "pledges/partials/unsigned_staff.html"
    scoped_object_name = "unit"

    def get_scoped_object(self):
        user = self.request.user
        self.campaign = selectors.campaign_get_for_user(user=user, pk=self.kwargs["pk"])
        return selectors.campaign_unit_get_for_user(user=user, campaign=self.campaign, public_code=self.kwargs["public_code"])

    def _partial(self) -> bool:
        htmx = self.request.htmx
        return bool(htmx) and not htmx.history_restore_request

    def get_template_names(self):
        return [self.partial_template_name if self._partial() else self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, campaign, unit, scope = self.request.user, self.campaign, self.unit, self.scope
        unsigned = Paginator(selectors.campaign_unsigned_staff(campaign=campaign, root=unit), UNSIGNED_PER_PAGE)
        page_obj = unsigned.get_page(self.request.GET.get("page"))
        context.update(
            _campaign_context(campaign),
            unit=unit,
            page_obj=page_obj,
            paginator=unsigned,
            is_paginated=page_obj.has_other_pages(),
            unsigned_rows=[(person, scope.can(Capability.RECORD_PLEDGES, person.unit)) for person in page_obj],
            back_url=self.request.get_full_path(),
        )
        if self._partial():
            return context
        coverage = selectors.campaign_coverage(campaign=campaign, root=unit)
        context.update(
            breadcrumb_units=selectors.campaign_breadcrumb_units(user=user, campaign=campaign, unit=unit),
            total=CoverageLine.of(coverage, campaign),
            child_lines=[CoverageLine.of(row, campaign) for row in coverage.children],
            recent_pledges=selectors.campaign_recent_pledges(campaign=campaign, unit=unit, limit=RECENT_PLEDGES),
            export_url=f"{reverse('pledges:campaign_export', args=[campaign.pk])}?unit={unit.public_code}",
            export_csv_url=f"{reverse('pledges:campaign_export_csv', args=[campaign.pk])}?unit={unit.public_code}",
        )
        return context


class CampaignRosterExportView(ScopeRequiredMixin, View):
    """The roster as .xlsx (or .csv) for ``?unit=<public code>`` (default: the user's top unit of the campaign).

    A workbook is written to an anonymous temporary file and streamed from there, so a large district never sits
    in memory; the file disappears when the response is closed. A CSV is streamed as it is read.
    """

    scoped_object_name = "campaign"
    file_format = XLSX

    def get_scoped_object(self):
        return selectors.campaign_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        campaign = self.campaign
        public_code = request.GET.get("unit", "").strip()
        if public_code:
            root = selectors.campaign_unit_get_for_user(user=request.user, campaign=campaign, public_code=public_code)
        else:
            units = selectors.campaign_units_for_user(user=request.user, campaign=campaign)
            if not units:
                raise Http404
            root = units[0]
        if self.file_format == CSV:
            response = StreamingHttpResponse(roster_csv_stream(campaign=campaign, root=root),
                                             content_type=CSV_CONTENT_TYPE)
            response["Content-Disposition"] = content_disposition_header(True, roster_filename(campaign, root, CSV))
            return response
        handle = tempfile.TemporaryFile(suffix=".xlsx")
        try:
            roster_workbook(campaign=campaign, root=root, target=handle)
            handle.seek(0)
        except BaseException:
            handle.close()
            raise
        return FileResponse(
            handle, as_attachment=True, filename=roster_filename(campaign, root), content_type=XLSX_CONTENT_TYPE
        )
