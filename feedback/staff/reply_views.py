"""Pages that manage reply templates: the list of those concerning the user, a new one, an edit. A template that
does not concern the user is a 404; changing one needs the right to triage feedback on its jurisdiction (a national
one: superusers), else 403. Reads and writes go through ``feedback.staff.replies``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from core.forms import add_service_errors
from feedback.staff import replies
from feedback.staff.forms import ReplyTemplateForm
from units.scope import Capability, scope_for


class ReplyTemplateListView(LoginRequiredMixin, TemplateView):
    """The reply templates concerning the user, national first, with those they may change marked."""

    template_name = "feedback/reply_template_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        rows = [(template, replies.reply_template_can_manage(user=user, template=template))
                for template in replies.reply_template_list(user=user)]
        return super().get_context_data(
            rows=rows, can_create=scope_for(user).can_anywhere(Capability.TRIAGE_FEEDBACK), **kwargs
        )


class ReplyTemplateCreateView(LoginRequiredMixin, FormView):
    """A new template for one of the user's jurisdictions (national: superusers)."""

    template_name = "feedback/reply_template_form.html"
    form_class = ReplyTemplateForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not scope_for(request.user).can_anywhere(Capability.TRIAGE_FEEDBACK):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        jurisdictions = replies.reply_template_jurisdictions(user=self.request.user)
        kwargs = {**super().get_form_kwargs(), "jurisdictions": jurisdictions,
                  "national": scope_for(self.request.user).is_global}
        units = list(jurisdictions[:2])
        if len(units) == 1:
            kwargs.setdefault("initial", {})["jurisdiction"] = units[0].pk
        return kwargs

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            template = replies.reply_template_create(
                actor=self.request.user, jurisdiction=data.get("jurisdiction"), name=data["name"], kind=data["kind"],
                text=data["text"], is_active=data["is_active"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Reply template %(name)s saved.") % {"name": template.name})
        return redirect("feedback:reply_template_list")


class ReplyTemplateEditView(LoginRequiredMixin, FormView):
    """Change a template: 404 when it does not concern the user; 403 to read-only users on a POST, who see it only."""

    template_name = "feedback/reply_template_form.html"
    form_class = ReplyTemplateForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.template = replies.reply_template_get_for_user(user=request.user, pk=kwargs["pk"])
        self.can_manage = replies.reply_template_can_manage(user=request.user, template=self.template)
        if request.method == "POST" and not self.can_manage:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        t = self.template
        return {"name": t.name, "kind": t.kind, "text": t.text, "is_active": t.is_active}

    def get_context_data(self, **kwargs):
        return super().get_context_data(reply_template=self.template, can_manage=self.can_manage, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            replies.reply_template_update(actor=self.request.user, template=self.template, name=data["name"],
                                          kind=data["kind"], text=data["text"], is_active=data["is_active"])
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Reply template %(name)s saved.") % {"name": self.template.name})
        return redirect("feedback:reply_template_list")
