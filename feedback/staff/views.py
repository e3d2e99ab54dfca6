"""Staff pages of citizen feedback: the inbox, a case with its triage forms, recording a case from another
channel, and kiosk devices. A case outside the user's scope is 404; inside it without the right, 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView, TemplateView

from core.files import private_file_response
from core.forms import add_service_errors
from feedback.choices import FeedbackKind
from feedback.models import KioskDevice
from feedback.staff import selectors, services
from feedback.staff.forms import (
    AssignForm,
    CaseRecordForm,
    DueDateForm,
    EraseContactForm,
    InboxFilterForm,
    KioskDeviceForm,
    LinkStaffForm,
    NoteForm,
    ReplyForm,
    StatusForm,
    ViolationFromCaseForm,
)
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


ACTIONS = ("assign", "status", "note", "reply", "due", "link", "violation", "erase")


class CaseDetailView(LoginRequiredMixin, TemplateView):
    """One case: everything about it, its history and, for those who triage, the forms that act on it."""

    template_name = "feedback/case_detail.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.case = selectors.case_get_for_user(user=request.user, pk=kwargs["pk"])
        self.can_triage = scope_for(request.user).can(Capability.TRIAGE_FEEDBACK, self.case.unit)
        return super().dispatch(request, *args, **kwargs)

    def _forms(self, data=None, action=None) -> dict:
        case = self.case

        def bound(name):
            return data if action == name else None

        return {
            "assign": AssignForm(bound("assign"), users=selectors.triagers_for(unit=case.unit), initial={"assignee": case.assigned_to_id}),
            "status": StatusForm(bound("status"), initial={"status": case.status, "rejection_reason": case.rejection_reason}),
            "note": NoteForm(bound("note"), initial={"internal_note": case.internal_note}),
            "reply": ReplyForm(bound("reply"), initial={"public_reply": case.public_reply}),
            "due": DueDateForm(bound("due"), initial={"due_on": case.due_on}),
            "link": LinkStaffForm(bound("link"), unit=case.unit, initial={"staff": case.staff_id, "substantiated": case.substantiated}),
            "violation": ViolationFromCaseForm(bound("violation")),
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
        return context

    def post(self, request, *args, **kwargs):
        if not self.can_triage:
            raise PermissionDenied
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            raise Http404
        forms = self._forms(request.POST, action)
        form = forms[action]
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
            services.feedback_update(actor=actor, case=case, status=data["status"], rejection_reason=data["rejection_reason"])
            return _("Status changed.")
        if action == "note":
            services.feedback_update(actor=actor, case=case, internal_note=data["internal_note"])
            return _("Internal note saved.")
        if action == "reply":
            services.feedback_update(actor=actor, case=case, public_reply=data["public_reply"])
            return _("Reply saved.")
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


class CaseRecordView(LoginRequiredMixin, FormView):
    """Record feedback received by hotline, feedback box, comment book or survey slip."""

    template_name = "feedback/case_record.html"
    form_class = CaseRecordForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not scope_for(request.user).can_anywhere(Capability.TRIAGE_FEEDBACK):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "units": selectors.triage_units(user=self.request.user)}

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


class KioskDeviceListView(LoginRequiredMixin, FormView):
    """The kiosk tablets of the user's units, and a form to bind a new one."""

    template_name = "feedback/kiosk_devices.html"
    form_class = KioskDeviceForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not scope_for(request.user).can_anywhere(Capability.MANAGE_KIOSKS):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        units = Unit.objects.where_user_can(self.request.user, Capability.MANAGE_KIOSKS).order_by("path")
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


class KioskDeviceRevokeView(LoginRequiredMixin, TemplateView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        device = KioskDevice.objects.visible_to(request.user).filter(pk=kwargs["pk"]).select_related("unit").first()
        if device is None:
            raise Http404
        services.kiosk_device_revoke(actor=request.user, device=device)
        messages.success(request, _("Kiosk %(name)s revoked.") % {"name": device.name})
        return redirect("feedback:kiosk_devices")


class HomeTileView(LoginRequiredMixin, TemplateView):
    """The overview's "open citizen feedback" tile, fetched by htmx once the overview has loaded."""

    template_name = "feedback/partials/case_home_tile.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(feedback_headline=selectors.feedback_headline(user=self.request.user), **kwargs)


def case_photo_download(request, pk):
    """The citizen's photo, only for those who handle the case (it may show people): never from MEDIA_URL."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    if not scope_for(request.user).can(Capability.TRIAGE_FEEDBACK, case.unit):
        raise PermissionDenied
    return private_file_response(case.photo)
