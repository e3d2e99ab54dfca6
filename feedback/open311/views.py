"""Pages of Open311 partners (``/open311/partners/``) for province and city administrators (``MANAGE_RULES``):
the list, a new partner (its API key shown once, on the page that answers the creation) and revoking one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from feedback.open311 import selectors, services
from feedback.open311.forms import PartnerForm
from units.mixins import ScopeRequiredMixin
from units.scope import Capability


class PartnerListView(ScopeRequiredMixin, FormView):
    """The partners of the user's jurisdictions, and a form to add one."""

    template_name = "feedback/open311/partner_list.html"
    form_class = PartnerForm
    required_capability = Capability.MANAGE_RULES

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "units": selectors.open311_jurisdictions(user=self.request.user)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            partners=selectors.open311_partners(user=self.request.user),
            api_url=self.request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": "json"})),
            **kwargs,
        )

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            partner, key = services.open311_partner_create(
                actor=self.request.user, name=data["name"], jurisdiction=data["jurisdiction"], rate_limit=data["rate_limit"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
            return self.form_invalid(form)
        # Shown on this answer only: the key is not kept, and a reload does not show it again.
        response = render(self.request, "feedback/open311/partner_created.html", {"partner": partner, "key": key})
        response["Cache-Control"] = "no-store"
        return response


class PartnerRevokeView(ScopeRequiredMixin, View):
    """Revoke a partner's key (POST only): 404 outside the user's jurisdictions."""

    http_method_names = ["post"]
    required_capability = Capability.MANAGE_RULES
    scoped_object_name = "partner"

    def get_scoped_object(self):
        return selectors.open311_partner_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def get_scoped_unit(self, obj):
        return obj.jurisdiction

    def post(self, request, pk):
        services.open311_partner_revoke(actor=request.user, partner=self.partner)
        messages.success(request, _("The key of %(name)s no longer works.") % {"name": self.partner.name})
        return redirect("open311:partner_list")
