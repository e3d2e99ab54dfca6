"""Every kind of notification: its name on the preferences page, its one-line wording and its default delivery.

A notification stores its kind and plain parameters (names, codes, dates), never a rendered sentence: the
sentence is rendered when it is shown, in the reader's language (the page's, or the recipient's for e-mail).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext, gettext_lazy as _


class Delivery(models.TextChoices):
    """How a recipient hears of a kind of event besides the bell: at once by e-mail, in the daily digest, or not."""

    IMMEDIATE = "immediate", _("E-mail at once")
    DIGEST = "digest", _("Daily digest")
    NONE = "none", _("Only in the portal")


class NotificationKind(models.TextChoices):
    """What happened."""

    FEEDBACK_NEW = "feedback_new", _("New feedback case in my unit")
    FEEDBACK_ASSIGNED = "feedback_assigned", _("Feedback case assigned to me")
    FEEDBACK_DUE_SOON = "feedback_due_soon", _("Feedback case due in two working days")
    FEEDBACK_OVERDUE = "feedback_overdue", _("Feedback case overdue")
    FEEDBACK_REOPENED = "feedback_reopened", _("Feedback case reopened by the citizen")
    SHEET_REMINDER = "sheet_reminder", _("Monthly rating to be done")
    SHEET_SUBMITTED = "sheet_submitted", _("Rating sheet submitted for approval")
    SHEET_APPROVED = "sheet_approved", _("Rating sheet approved")
    SHEET_RETURNED = "sheet_returned", _("Rating sheet returned for correction")
    SHEET_REOPENED = "sheet_reopened", _("Rating sheet reopened by the level above")
    CAP_EXCEPTION = "cap_exception", _("Exceptional unit decided")
    PLEDGE_UNSIGNED = "pledge_unsigned", _("My pledge is not signed yet")
    VISIT_PLANNED = "visit_planned", _("Inspection visit planned")
    VISIT_STARTED = "visit_started", _("Surprise inspection visit started")
    ACTION_ASSIGNED = "action_assigned", _("Corrective action assigned")
    ACTION_DUE_SOON = "action_due_soon", _("Corrective action due soon")
    ACTION_OVERDUE = "action_overdue", _("Corrective action overdue")
    ACTION_DONE = "action_done", _("Corrective action done, to verify")
    REPORT_READY = "report_ready", _("Report or export ready")
    REPORT_FAILED = "report_failed", _("Report or export failed")
    COMMENDATION_AWAITING = "commendation_awaiting", _("Commendation list awaiting approval")


@dataclass(frozen=True)
class KindSpec:
    """The sentence of a kind (``%(name)s`` placeholders filled from the notification's parameters) and the
    delivery a user has until they choose another."""

    title: str
    default: str
    translated: tuple[str, ...] = ()  # parameters stored as an English message id, translated when shown


KINDS: dict[str, KindSpec] = {
    NotificationKind.FEEDBACK_NEW: KindSpec(
        _("New feedback %(code)s for %(unit)s, due %(due)s."), Delivery.IMMEDIATE),
    NotificationKind.FEEDBACK_ASSIGNED: KindSpec(
        _("Feedback %(code)s of %(unit)s was assigned to you, due %(due)s."), Delivery.IMMEDIATE),
    NotificationKind.FEEDBACK_DUE_SOON: KindSpec(
        _("Feedback %(code)s of %(unit)s is due on %(due)s."), Delivery.DIGEST),
    NotificationKind.FEEDBACK_OVERDUE: KindSpec(
        _("Feedback %(code)s of %(unit)s is overdue since %(due)s."), Delivery.DIGEST),
    NotificationKind.FEEDBACK_REOPENED: KindSpec(
        _("The citizen reopened feedback %(code)s of %(unit)s; now due %(due)s."), Delivery.IMMEDIATE),
    NotificationKind.SHEET_REMINDER: KindSpec(
        _("Rate the staff of %(unit)s for %(period)s by %(due)s."), Delivery.DIGEST),
    NotificationKind.SHEET_SUBMITTED: KindSpec(
        _("The rating sheet of %(unit)s for %(period)s was submitted for your approval."), Delivery.IMMEDIATE),
    NotificationKind.SHEET_APPROVED: KindSpec(
        _("The rating sheet of %(unit)s for %(period)s was approved."), Delivery.DIGEST),
    NotificationKind.SHEET_RETURNED: KindSpec(
        _("The rating sheet of %(unit)s for %(period)s was returned for correction: %(reason)s"), Delivery.IMMEDIATE),
    NotificationKind.SHEET_REOPENED: KindSpec(
        _("The level above reopened the rating sheet of %(unit)s for %(period)s: %(reason)s"), Delivery.IMMEDIATE),
    NotificationKind.CAP_EXCEPTION: KindSpec(
        _("%(unit)s is an exceptional unit for %(period)s: a higher cap on grade A applies."), Delivery.IMMEDIATE),
    NotificationKind.PLEDGE_UNSIGNED: KindSpec(
        _("Please sign your pledge of the campaign “%(campaign)s” by %(due)s."), Delivery.DIGEST),
    NotificationKind.VISIT_PLANNED: KindSpec(
        _("Inspection visit to %(unit)s planned for %(when)s: %(subject)s"), Delivery.IMMEDIATE),
    NotificationKind.VISIT_STARTED: KindSpec(
        _("A surprise inspection visit to %(unit)s has started: %(subject)s"), Delivery.IMMEDIATE),
    NotificationKind.ACTION_ASSIGNED: KindSpec(
        _("Corrective action for %(unit)s, due %(due)s: %(description)s"), Delivery.IMMEDIATE),
    NotificationKind.ACTION_DUE_SOON: KindSpec(
        _("Corrective action of %(unit)s is due on %(due)s: %(description)s"), Delivery.DIGEST),
    NotificationKind.ACTION_OVERDUE: KindSpec(
        _("Corrective action of %(unit)s is overdue since %(due)s: %(description)s"), Delivery.DIGEST),
    NotificationKind.ACTION_DONE: KindSpec(
        _("%(unit)s marked a corrective action done; please verify it: %(description)s"), Delivery.IMMEDIATE),
    NotificationKind.REPORT_READY: KindSpec(
        _("Ready: %(what)s %(period)s of %(unit)s."), Delivery.IMMEDIATE, translated=("what",)),
    NotificationKind.REPORT_FAILED: KindSpec(
        _("Failed: %(what)s %(period)s of %(unit)s. Open it to try again."), Delivery.IMMEDIATE, translated=("what",)),
    NotificationKind.COMMENDATION_AWAITING: KindSpec(
        _("The commendation list of %(unit)s for %(period)s awaits your approval."), Delivery.IMMEDIATE),
}


def default_delivery(kind: str) -> str:
    spec = KINDS.get(kind)
    return spec.default if spec else Delivery.DIGEST


class _Blank(dict):
    """Parameters as stored, a missing one rendered empty (an old row must never break the bell)."""

    def __missing__(self, key):
        return ""


def render_title(kind: str, params: dict) -> str:
    """The notification's sentence in the active language."""
    spec = KINDS.get(kind)
    if spec is None:
        return str(kind)
    values = _Blank(params or {})
    for name in spec.translated:
        if values.get(name):
            values[name] = gettext(values[name])
    try:
        return str(spec.title) % values
    except (TypeError, ValueError):
        return str(NotificationKind(kind).label) if kind in NotificationKind.values else str(kind)
