"""Signing online, recording paper pledges, the printable form, a pledge's page, its scan, and withdrawal.

Staff and pledges outside the user's scope are a 404 (as if missing); a missing right inside the scope is a
403. The services make the final decisions (open campaign, expected signer, one pledge per person); their
refusals are shown to the user as messages or form errors, never as a server error.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from core.files import private_file_response
from core.forms import add_service_errors
from core.http import client_address
from pledges import selectors, services
from pledges.forms import PaperPledgeForm, PledgeSignForm, PledgeWithdrawForm
from pledges.models import PledgeCampaign
from units import selectors as unit_selectors
from units.mixins import ScopeRequiredMixin
from units.models import Staff
from units.scope import Capability, is_within


def _own_staff(user) -> Staff | None:
    if user.staff_member_id is None:
        return None
    return Staff.objects.select_related("unit").filter(pk=user.staff_member_id).first()


def _day(day) -> str:
    return day.strftime("%d/%m/%Y")


# --- Signing online -----------------------------------------------------------------------------------------


class MyPledgesView(LoginRequiredMixin, TemplateView):
    """The open campaigns the user's staff record is expected to sign, signed or not yet."""

    template_name = "pledges/my_pledges.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        staff = _own_staff(self.request.user)
        context.update(staff=staff, entries=selectors.campaigns_to_sign(staff=staff) if staff else [])
        return context


def _signing_blocker(campaign: PledgeCampaign, staff: Staff | None) -> tuple[str, str] | None:
    """Why the user cannot sign now (a Bootstrap colour and a message), or None. The service checks again."""
    if staff is None:
        return "warning", _("Your account is not linked to a staff record, so you cannot sign online.")
    pledge = selectors.pledge_for_staff(campaign=campaign, staff=staff)
    if pledge is not None:
        return "success", _("You signed this code on %(day)s (%(method)s).") % {
            "day": _day(pledge.signed_on),
            "method": pledge.get_method_display(),
        }
    today = timezone.localdate()
    if today < campaign.opens_on:
        return "info", _("The campaign opens on %(day)s; pledges cannot be recorded before.") % {"day": _day(campaign.opens_on)}
    if today > campaign.closes_on:
        return "secondary", _("The campaign closed on %(day)s; pledges can no longer be recorded.") % {
            "day": _day(campaign.closes_on)
        }
    if not selectors.campaign_expected_staff(campaign=campaign).filter(pk=staff.pk).exists():
        return "warning", _("%(name)s is not expected to sign in this campaign.") % {"name": staff.full_name}
    return None


class PledgeSignView(ScopeRequiredMixin, FormView):
    """The staff member reads the full text, ticks the box and confirms. The campaign is one whose scope holds
    the user's own unit, or one the user can see (404 otherwise); signing needs no capability, only oneself."""

    template_name = "pledges/pledge_sign.html"
    form_class = PledgeSignForm
    scoped_object_name = "campaign"

    def get_scoped_object(self):
        self.staff = _own_staff(self.request.user)
        return selectors.campaign_get_for_signer(user=self.request.user, staff=self.staff, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            campaign=self.campaign,
            staff=self.staff,
            version=selectors.code_version_with_text(version_id=self.campaign.code_version_id),
            blocker=_signing_blocker(self.campaign, self.staff),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            pledge = services.pledge_sign_online(
                actor=self.request.user, campaign=self.campaign, ip_address=client_address(self.request)
            )
        except ValidationError as error:
            # Already signed, closed, not yet open, not expected: say so on the same page, nothing saved.
            messages.error(self.request, " ".join(error.messages))
            return redirect("pledges:pledge_sign", pk=self.campaign.pk)
        messages.success(
            self.request, _("Thank you. Your pledge was recorded on %(day)s.") % {"day": _day(pledge.signed_on)}
        )
        return redirect("pledges:my_pledges")


# --- Paper pledges and the printable form ---------------------------------------------------------------------


class CampaignStaffMixin(ScopeRequiredMixin):
    """Loads the campaign and the staff member, both in the user's scope and the staff inside the campaign
    (404 otherwise), and requires the right to record pledges for the staff member's unit (403)."""

    required_capability = Capability.RECORD_PLEDGES
    scoped_object_name = "staff"

    def get_scoped_object(self):
        user = self.request.user
        self.campaign = selectors.campaign_get_for_user(user=user, pk=self.kwargs["pk"])
        staff = unit_selectors.staff_get_for_user(user=user, pk=self.kwargs["staff_id"])
        if not is_within(staff.unit, self.campaign.scope_unit):
            raise Http404
        return staff

    def get_context_data(self, **kwargs):
        return super().get_context_data(campaign=self.campaign, staff=self.staff, **kwargs)


class PledgeRecordView(CampaignStaffMixin, FormView):
    """An officer enters a pledge signed on paper, with the scan of the form if there is one."""

    template_name = "pledges/pledge_record.html"
    form_class = PaperPledgeForm

    def _next_url(self) -> str:
        """Back to the coverage page the officer came from (a local address only), else the staff's unit."""
        candidate = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return candidate
        return reverse("pledges:campaign_unit", args=[self.campaign.pk, self.staff.unit.public_code])

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            existing=selectors.pledge_for_staff(campaign=self.campaign, staff=self.staff),
            is_open=self.campaign.is_open,
            next_url=self._next_url(),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            services.pledge_record_paper(
                actor=self.request.user,
                campaign=self.campaign,
                staff=self.staff,
                signed_on=form.cleaned_data["signed_on"],
                scan=form.cleaned_data["scan"] or None,
                ip_address=client_address(self.request),
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Recorded the paper pledge of %(name)s, signed on %(day)s.")
            % {"name": self.staff.full_name, "day": _day(form.cleaned_data["signed_on"])},
        )
        return redirect(self._next_url())


class PledgeFormPrintView(CampaignStaffMixin, TemplateView):
    """The pledge form of one staff member, with the full text of the code, to print on A4 and sign."""

    template_name = "pledges/pledge_form_print.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            version=selectors.code_version_with_text(version_id=self.campaign.code_version_id), **kwargs
        )


# --- A pledge: its page, its scan, its withdrawal ------------------------------------------------------------


def _pledge_history(pledge) -> list[dict]:
    """The pledge's audit trail, newest first: recorded, withdrawn, with who and why."""
    trail = []
    for record in pledge.history.select_related("history_user").order_by("-history_date", "-history_id"):
        if record.history_type == "+":
            what = _("Recorded")
        elif record.withdrawn_at is not None:
            what = _("Withdrawn")
        else:
            what = _("Changed")
        trail.append(
            {
                "when": record.history_date,
                "who": record.history_user,
                "what": what,
                "reason": record.history_change_reason or "",
            }
        )
    return trail


class PledgeDetailView(ScopeRequiredMixin, TemplateView):
    """Who recorded the pledge, for whom, when, how, from where, to which text, and what happened to it since."""

    template_name = "pledges/pledge_detail.html"
    scoped_object_name = "pledge"

    def get_scoped_object(self):
        return selectors.pledge_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pledge = self.pledge
        version = pledge.campaign.code_version
        context.update(
            pledge=pledge,
            version=version,
            text_matches=bool(version.text_hash) and version.text_hash == pledge.text_hash,
            history=_pledge_history(pledge),
            can_withdraw=not pledge.is_withdrawn
            and self.scope.can(Capability.WITHDRAW_PLEDGES, pledge.staff.unit),
        )
        return context


class PledgeScanDownloadView(ScopeRequiredMixin, View):
    """The scan of a paper pledge, as an attachment: never rendered inline, whatever its content claims."""

    scoped_object_name = "pledge"

    def get_scoped_object(self):
        return selectors.pledge_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        pledge = self.pledge
        return private_file_response(pledge.scan, download_name=f"cam-ket-{pledge.campaign.year}-{pledge.staff.staff_code}")


class PledgeWithdrawView(ScopeRequiredMixin, FormView):
    """Administrators only: withdraw a pledge, with a reason kept in its history."""

    template_name = "pledges/pledge_withdraw.html"
    form_class = PledgeWithdrawForm
    required_capability = Capability.WITHDRAW_PLEDGES
    scoped_object_name = "pledge"

    def get_scoped_object(self):
        return selectors.pledge_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def get_scoped_unit(self, obj):
        return obj.staff.unit  # the staff member's unit now, as the service checks (not the unit at signing)

    def get_context_data(self, **kwargs):
        return super().get_context_data(pledge=self.pledge, **kwargs)

    def form_valid(self, form):
        try:
            services.pledge_withdraw(actor=self.request.user, pledge=self.pledge, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The pledge of %(name)s was withdrawn.") % {"name": self.pledge.staff.full_name})
        return redirect("pledges:pledge_detail", pk=self.pledge.pk)
