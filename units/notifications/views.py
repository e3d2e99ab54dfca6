"""The notification pages: the list (newest first, unread only on demand, mark one or all read), the preferences
per kind, and the one-click unsubscribe link of the e-mails (no login: the signed token is the key)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import ListView

from units.notifications import selectors, services
from units.notifications.forms import PreferencesForm
from units.notifications.kinds import NotificationKind


def _back(request) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = reverse("units:notification_list")
    return HttpResponseRedirect(target)


class NotificationListView(LoginRequiredMixin, ListView):
    """The user's notifications, newest first; ``?unread=1`` keeps the unread ones."""

    template_name = "units/notifications/notification_list.html"
    context_object_name = "notifications"
    paginate_by = 50

    def get_queryset(self):
        self.unread_only = self.request.GET.get("unread") == "1"
        return selectors.notification_list(user=self.request.user, unread_only=self.unread_only)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, unread_only=self.unread_only)


class NotificationReadView(LoginRequiredMixin, View):
    """Mark one notification read (POST); someone else's id changes nothing."""

    def post(self, request, pk: int):
        services.notification_mark_read(user=request.user, notification_id=pk)
        return _back(request)


class NotificationReadAllView(LoginRequiredMixin, View):
    """Mark every notification read (POST)."""

    def post(self, request):
        count = services.notifications_mark_all_read(user=request.user)
        if count:
            messages.success(request, _("All notifications are marked read."))
        return _back(request)


class NotificationPreferencesView(LoginRequiredMixin, View):
    """Per kind of event: e-mail at once, in the daily digest, or only in the portal; and the e-mail language."""

    template_name = "units/notifications/preferences.html"

    def _form(self, data=None):
        user = self.request.user
        return PreferencesForm(data, preferences=selectors.preferences_for(user=user), initial={"language": user.language})

    def get(self, request):
        return render(request, self.template_name, {"form": self._form()})

    def post(self, request):
        form = self._form(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        services.notification_preferences_set(
            user=request.user, choices=form.choices(), language=form.cleaned_data["language"]
        )
        messages.success(request, _("Your notification preferences are saved."))
        return redirect("units:notification_preferences")


@method_decorator(csrf_exempt, name="dispatch")  # the signed token authenticates; mail clients post without a session
class UnsubscribeView(View):
    """The e-mail's one-click link: GET asks to confirm (and never writes: link scanners open links), POST stops
    the e-mails (also the ``List-Unsubscribe-Post`` one-click request of mail clients)."""

    template_name = "units/notifications/unsubscribe.html"

    def _read(self, token):
        found = services.unsubscribe_read(token)
        if found is None:
            return None, None
        user, kind = found
        label = _("all e-mails of the portal") if kind == services.ALL_KINDS else NotificationKind(kind).label
        return found, label

    def get(self, request, token: str):
        found, label = self._read(token)
        return render(request, self.template_name, {"valid": found is not None, "label": label, "done": False},
                      status=200 if found else 400)

    def post(self, request, token: str):
        found, label = self._read(token)
        if found is None:
            return render(request, self.template_name, {"valid": False, "done": False}, status=400)
        user, kind = found
        services.notification_unsubscribe(user=user, kind=kind)
        return render(request, self.template_name, {"valid": True, "label": label, "done": True})
