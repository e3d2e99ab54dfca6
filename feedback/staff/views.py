"""Staff pages of citizen feedback: the inbox, a case with its triage forms, recording a case from another
channel, and kiosk devices. A case outside the user's scope is 404; inside it without the right, 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from core.files import private_file_response
from core.forms import add_service_errors
from feedback.choices import FeedbackKind
from feedback.staff import replies, selectors, services
from feedback.staff.forms import (
    AssignForm,
    CaseRecordForm,
    DueDateForm,
    EraseContactForm,
    InboxFilterForm,
    KioskDeviceForm,
    LinkStaffForm,
    NoteForm,
    ReplyResolveForm,
    StatusForm,
    ViolationFromCaseForm,
)
from units.mixins import ScopeRequiredMixin
from units.models import Unit
from units.scope import Capability, scope_for


class InboxView(LoginRequiredMixin, ListView):
    """The cases of the user's scope, filtered; an htmx request gets the rows only."""

    template_name = "feedback/inbox.html"
    context_object_name = "cases"
    paginate_by = 50

    def get_queryset(self):
        user = self.request.user
        self.filters = InboxFilterForm(self.request.GET or None, units=selectors.inbox_units(user=user))
        data = self.filters.cleaned_data if self.filters.is_valid() else {}
        return selectors.inbox(
            user=user,
            status=data.get("status") or None,
            kind=data.get("kind") or None,
            channel=data.get("channel") or None,
            unit=data.get("unit"),
            overdue=bool(data.get("overdue")),
            assigned_to_me=bool(data.get("mine")),
            q=data.get("q") or "",
        )

    def get_template_names(self):
        if self.request.htmx:
            return ["feedback/partials/case_rows.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = scope_for(self.request.user)
        context.update(
            filters=self.filters,
            today=timezone.localdate(),
            can_record=scope.can_anywhere(Capability.TRIAGE_FEEDBACK),
            can_manage_kiosks=scope.can_anywhere(Capability.MANAGE_KIOSKS),
        )
        return context


ACTIONS = ("assign", "status", "note", "reply", "resolve", "due", "link", "violation", "erase")


class CaseDetailView(ScopeRequiredMixin, TemplateView):
    """One case: everything about it, its history and, for those who triage, the forms that act on it.
    Anyone whose scope holds the case may read it; acting on it (a POST) needs the right to triage (403)."""

    template_name = "feedback/case_detail.html"
    scoped_object_name = "case"

    @property
    def required_capability(self) -> str | None:
        return Capability.TRIAGE_FEEDBACK if self.request.method == "POST" else None

    def get_scoped_object(self):
        return selectors.case_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    @property
    def can_triage(self) -> bool:
        return self.scope.can(Capability.TRIAGE_FEEDBACK, self.case.unit)

    def _forms(self, data=None, action=None) -> dict:
        case = self.case

        def bound(name):
            return data if action == name else None

        # The reply form serves two buttons: save the reply, or reply and resolve in one step.
        reply_data = data if action in ("reply", "resolve") else None
        return {
            "assign": AssignForm(bound("assign"), users=selectors.triagers_for(unit=case.unit), initial={"assignee": case.assigned_to_id}),
            "status": StatusForm(bound("status"), case=case,
                                 initial={"status": case.status, "rejection_reason": case.rejection_reason}),
            "note": NoteForm(bound("note"), initial={"internal_note": case.internal_note}),
            "reply": ReplyResolveForm(reply_data, initial={"public_reply": self._reply_initial()}),
            "due": DueDateForm(bound("due"), initial={"due_on": case.due_on}),
            "link": LinkStaffForm(bound("link"), unit=case.unit, initial={"staff": case.staff_id, "substantiated": case.substantiated}),
            "violation": ViolationFromCaseForm(bound("violation"), case=case),
            "erase": EraseContactForm(bound("erase")),
        }

    def get_context_data(self, forms=None, **kwargs):
        context = super().get_context_data(**kwargs)
        case = self.case
        context.update(
            case=case,
            today=timezone.localdate(),
            can_triage=self.can_triage,
            history=selectors.case_history(case=case),
            has_contact=bool(case.contact_name or case.contact_phone or case.contact_email),
            can_create_violation=(
                case.kind != FeedbackKind.PRAISE and case.staff_id is not None and case.substantiated and case.violation_id is None
            ),
        )
        if self.can_triage:
            context["forms"] = forms or self._forms()
            context["reply_templates"] = self.reply_templates
            context["chosen_template"] = self.chosen_template
            context["can_resolve"] = case.is_open
        context["citizen_messages"] = list(case.citizen_messages.all())
        return context

    @cached_property
    def reply_templates(self) -> list:
        return replies.reply_templates_for_case(case=self.case)

    @cached_property
    def chosen_template(self):
        """The template picked on the page (``?template=``, a GET that writes nothing), among those offered."""
        pk = self.request.GET.get("template")
        return next((t for t in self.reply_templates if str(t.pk) == pk), None) if pk else None

    def _reply_initial(self) -> str:
        if self.chosen_template is not None:
            return replies.reply_template_fill(template=self.chosen_template, case=self.case)
        return self.case.public_reply

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            raise Http404
        forms = self._forms(request.POST, action)
        form = forms["reply" if action == "resolve" else action]
        if form.is_valid():
            try:
                message = self._apply(action, form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, message)
                return redirect("feedback:case_detail", pk=self.case.pk)
        # Show the case as stored, not as the refused change left it in memory.
        self.case = selectors.case_get_for_user(user=request.user, pk=self.case.pk)
        return self.render_to_response(self.get_context_data(forms=forms), status=400)

    def _apply(self, action: str, data: dict) -> str:
        actor, case = self.request.user, self.case
        if action == "assign":
            services.feedback_assign(actor=actor, case=case, assignee=data["assignee"])
            return _("Assignment saved.")
        if action == "status":
            services.feedback_update(actor=actor, case=case, status=data["status"], rejection_reason=data.get("rejection_reason", ""))
            return _("Status changed.")
        if action == "note":
            services.feedback_update(actor=actor, case=case, internal_note=data["internal_note"])
            return _("Internal note saved.")
        if action == "reply":
            services.feedback_update(actor=actor, case=case, public_reply=data["public_reply"])
            return _("Reply saved.")
        if action == "resolve":
            services.feedback_reply_and_resolve(actor=actor, case=case, public_reply=data["public_reply"])
            return _("Reply sent and case resolved.")
        if action == "due":
            services.feedback_update(actor=actor, case=case, due_on=data["due_on"])
            return _("Due date changed.")
        if action == "link":
            services.feedback_link_staff(actor=actor, case=case, staff=data["staff"], substantiated=data["substantiated"])
            return _("Staff member saved.")
        if action == "violation":
            services.feedback_create_violation(
                actor=actor, case=case, article=data["article"], severity=data["severity"], description=data["description"]
            )
            return _("Violation recorded; the month's grade of the staff member is capped.")
        services.feedback_contacts_erase(actor=actor, case=case, reason=data["reason"])
        return _("Contact details erased.")


class CaseRecordView(ScopeRequiredMixin, FormView):
    """Record feedback received by hotline, feedback box, comment book or survey slip."""

    template_name = "feedback/case_record.html"
    form_class = CaseRecordForm
    required_capability = Capability.TRIAGE_FEEDBACK

    def get_form_kwargs(self):
        # Units in force today: a dissolved unit opens no new case.
        units = selectors.triage_units(user=self.request.user).valid_on(timezone.localdate())
        return {**super().get_form_kwargs(), "units": units}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            case = services.feedback_record(
                actor=self.request.user, unit=data["unit"], channel=data["channel"], kind=data["kind"], text=data["text"],
                received_at=data["received_at"], satisfaction=data["satisfaction"], staff_mentioned=data["staff_mentioned"],
                contact_name=data["contact_name"], contact_phone=data["contact_phone"], contact_email=data["contact_email"],
                consent=data["consent"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Case %(code)s recorded.") % {"code": case.tracking_code})
        return redirect("feedback:case_detail", pk=case.pk)


class KioskDeviceListView(ScopeRequiredMixin, FormView):
    """The kiosk tablets of the user's units, and a form to bind a new one."""

    template_name = "feedback/kiosk_devices.html"
    form_class = KioskDeviceForm
    required_capability = Capability.MANAGE_KIOSKS

    def get_form_kwargs(self):
        units = (
            Unit.objects.where_user_can(self.request.user, Capability.MANAGE_KIOSKS)
            .valid_on(timezone.localdate())
            .order_by("path")
        )
        return {**super().get_form_kwargs(), "units": units}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        devices = list(selectors.kiosk_devices(user=self.request.user))
        for device in devices:
            device.kiosk_url = self.request.build_absolute_uri(reverse("feedback:kiosk", args=[device.token]))
        context["devices"] = devices
        return context

    def form_valid(self, form):
        try:
            device = services.kiosk_device_create(actor=self.request.user, unit=form.cleaned_data["unit"], name=form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error(None, error.messages)
            return self.form_invalid(form)
        messages.success(self.request, _("Kiosk %(name)s added. Open its address on the tablet.") % {"name": device.name})
        return redirect("feedback:kiosk_devices")


class KioskDeviceRevokeView(ScopeRequiredMixin, View):
    """Switch a kiosk tablet off (POST only): 404 outside the scope, 403 without the right to manage kiosks."""

    http_method_names = ["post"]
    required_capability = Capability.MANAGE_KIOSKS
    scoped_object_name = "device"

    def dispatch(self, request, *args, **kwargs):
        # A method the page does not take is refused before the device is looked up (405, wherever it lies).
        if request.user.is_authenticated and request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def get_scoped_object(self):
        return selectors.kiosk_device_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def post(self, request, *args, **kwargs):
        services.kiosk_device_revoke(actor=request.user, device=self.device)
        messages.success(request, _("Kiosk %(name)s revoked.") % {"name": self.device.name})
        return redirect("feedback:kiosk_devices")


class HomeTileView(LoginRequiredMixin, TemplateView):
    """The overview's "open citizen feedback" tile, fetched by htmx once the overview has loaded."""

    template_name = "feedback/partials/case_home_tile.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(feedback_headline=selectors.feedback_headline(user=self.request.user), **kwargs)


class CasePhotoDownloadView(ScopeRequiredMixin, View):
    """The citizen's photo, only for those who handle the case (it may show people): never from MEDIA_URL."""

    required_capability = Capability.TRIAGE_FEEDBACK
    scoped_object_name = "case"

    def get_scoped_object(self):
        return selectors.case_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        return private_file_response(self.case.photo)
