"""Public writes of the feedback app: a citizen's form submission and a kiosk vote.

The staff side (triage, other channels) lives in ``feedback.staff.services``; this module only holds what an
anonymous visitor can cause, so every function here assumes hostile input: it validates everything, never
trusts the client for identifiers, and is safe under concurrent and repeated requests.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import logging
import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.models import HistoricalRecords

from core.dates import add_working_days
from core.uploads import validate_image
from feedback.choices import Channel, FeedbackKind
from feedback.models import FeedbackCase, KioskDevice, KioskVote
from units.models import Unit
from units.validity import unit_require_open

logger = logging.getLogger(__name__)

# No look-alikes: 0/O/Q/D, 1/I/L/J, 2/Z, 5/S, 8/B and U/V are left out. 20 symbols ** 10 ≈ 1e13 codes (43 bits),
# so guessing one is hopeless under the lookup rate limit.
TRACKING_ALPHABET = "ACEFGHKMNPRTWXY34679"
TRACKING_CODE_LENGTH = 10
TEXT_MAX_LENGTH = 5000
_INSERT_ATTEMPTS = 5


def tracking_code_new() -> str:
    """A fresh tracking code: 10 random symbols from an alphabet without look-alike characters.

    Uniqueness is the database's job (``tracking_code`` is unique); callers retry on a collision.
    """
    return "".join(secrets.choice(TRACKING_ALPHABET) for _i in range(TRACKING_CODE_LENGTH))


def tracking_code_normalise(raw: str) -> str:
    """A code as typed by a citizen ("abcd-efgh jk") in its stored form ("ABCDEFGHJK")."""
    return "".join(ch for ch in (raw or "").upper() if ch not in " -\t\r\n.")


def tracking_code_is_wellformed(code: str) -> bool:
    return len(code) == TRACKING_CODE_LENGTH and all(ch in TRACKING_ALPHABET for ch in code)


def tracking_code_display(code: str) -> str:
    """The code grouped for reading aloud or copying: "ABCD-EFGH-JK"."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def due_date_for(received: datetime.date) -> datetime.date:
    """The day ``settings.FEEDBACK_DUE_WORKING_DAYS`` working days (Monday to Friday) after ``received``."""
    return add_working_days(received, settings.FEEDBACK_DUE_WORKING_DAYS)


def _existing_for_token(token: str | None) -> FeedbackCase | None:
    if not token or "\x00" in token:  # no case holds a NUL (PostgreSQL refuses one even in a query)
        return None
    return FeedbackCase.objects.filter(submission_token=token).first()


def feedback_case_for_token(*, submission_token: str | None) -> FeedbackCase | None:
    """The case a one-time form token already created, if any (a repeated or double-clicked submission)."""
    return _existing_for_token(submission_token)


# Units of the public forms, by public code, kept by each web process for FEEDBACK_UNIT_CACHE_SECONDS: a citizen's
# POST then reads nothing before storing what was sent. A unit's name or dates changed in the admin reach the form
# within that time (a unit is dissolved on a date set long before; the date itself is checked on every request).
_units: dict[str, tuple[float, Unit]] = {}
_UNITS_KEPT = 5000


def public_unit(*, public_code: str) -> Unit | None:
    """The unit of a public page by its public code; kept in this process for ``FEEDBACK_UNIT_CACHE_SECONDS``
    (60 by default; 0 reads the database every time)."""
    seconds = settings.FEEDBACK_UNIT_CACHE_SECONDS
    now = time.monotonic()
    kept = _units.get(public_code)
    if kept is not None and kept[0] > now and seconds > 0:
        return kept[1]
    unit = next(iter(Unit.objects.filter(public_code=public_code)[:1]), None)  # unique: no ORDER BY needed
    if unit is not None and seconds > 0:
        if len(_units) >= _UNITS_KEPT:
            _units.clear()
        _units[public_code] = (now + seconds, unit)
    return unit


def _history_user_id() -> int | None:
    """Who simple-history would record for a change made now: the signed-in user of the request, if any."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


@functools.cache
def _insert_plan() -> tuple[list, list, str]:
    """The case's fields, its history row's fields and the statement writing both (built once per process:
    simple-history's descriptor alone builds a manager class on every access)."""
    history_model = FeedbackCase.history.model
    fields = [field for field in FeedbackCase._meta.concrete_fields if not field.primary_key]
    history_fields = [field for field in history_model._meta.concrete_fields if field.attname not in ("id", "history_id")]
    quote = connection.ops.quote_name
    sql = (
        f"WITH new_case AS (INSERT INTO {quote(FeedbackCase._meta.db_table)} "
        f"({', '.join(quote(field.column) for field in fields)}) VALUES ({', '.join(['%s'] * len(fields))}) RETURNING id) "
        f"INSERT INTO {quote(history_model._meta.db_table)} "
        f"(id, {', '.join(quote(field.column) for field in history_fields)}) "
        f"VALUES ((SELECT id FROM new_case), {', '.join(['%s'] * len(history_fields))}) RETURNING id"
    )
    return fields, history_fields, sql


def _insert_with_history(case: FeedbackCase) -> None:
    """INSERT ``case`` and its history row (simple-history's "+", created) in one statement, so in one round trip
    and atomically (one statement is one transaction), instead of BEGIN, two INSERTs and COMMIT.

    The history row holds what simple-history's own ``post_save`` would write: every tracked field's value, the
    date, the type "+", the request's user. Raises IntegrityError (nothing written) on a tracking code or token
    already taken."""
    fields, history_fields, sql = _insert_plan()
    values = [field.get_db_prep_save(field.pre_save(case, True), connection) for field in fields]  # sets created_at…
    # The history row repeats the case's columns (each converted once) and adds its own.
    prepared = {field.attname: value for field, value in zip(fields, values, strict=True)}
    prepared.update(history_date=timezone.now(), history_type="+", history_change_reason=None,
                    history_user_id=_history_user_id())
    history_values = [prepared[field.attname] for field in history_fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, *history_values])
        (case.pk,) = cursor.fetchone()
    case._state.adding = False
    case._state.db = connection.alias


def feedback_submit(
    *,
    unit: Unit,
    kind: str,
    text: str,
    staff_mentioned: str = "",
    satisfaction: int | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    contact_consent: bool = False,
    photo=None,
    submission_token: str | None = None,
    check_token_first: bool = True,
    channel: str = Channel.WEB,
    partner=None,
) -> FeedbackCase:
    """Record a citizen's feedback from the public form and return its case (status new, due in N working days).

    ``submission_token`` is the form's one-time token: submitting the same form again returns the case the
    first submission created, also when both arrive at the same moment (the unique constraint decides);
    ``check_token_first=False`` skips the first look-up (the public form: the unique constraint answers a repeat
    then, at no cost to a first submission). A case returned for a repeat has ``repeated_submission = True``.
    ``channel`` and ``partner`` record a case handed in by a partner system (Open311) through this same path.
    Contact details need explicit consent; a photo must be a real JPEG, PNG or WebP image under the limit.
    The case's history (simple-history) records the creation: without a photo, the case and its history row are
    written by one statement (``_insert_with_history``), the public form's one round trip to store what was sent.
    """
    # A caller that has just looked the token up skips it; a race between the two still ends on the unique constraint.
    existing = _existing_for_token(submission_token) if check_token_first else None
    if existing is not None:
        existing.repeated_submission = True
        return existing
    # The public form sends citizens of a dissolved unit to its successor; this is the last guard.
    unit_require_open(unit, timezone.localdate())

    text = (text or "").strip()
    contact_name, contact_phone = (contact_name or "").strip(), (contact_phone or "").strip()
    contact_email = (contact_email or "").strip()
    errors: dict[str, list[str]] = {}
    if not text:
        errors.setdefault("text", []).append(_("Please write your feedback."))
    elif len(text) > TEXT_MAX_LENGTH:
        errors.setdefault("text", []).append(
            _("Please keep your feedback under %(limit)s characters.") % {"limit": TEXT_MAX_LENGTH}
        )
    if kind not in FeedbackKind.values:
        errors.setdefault("kind", []).append(_("Choose what your feedback is about."))
    if satisfaction is not None and satisfaction not in range(1, 6):
        errors.setdefault("satisfaction", []).append(_("Choose a rating from 1 to 5."))
    has_contact = bool(contact_name or contact_phone or contact_email)
    if has_contact and not contact_consent:
        errors.setdefault("contact_consent", []).append(
            _("To leave your name, phone or e-mail, tick the box that allows us to use them.")
        )
    extension = None
    if photo:
        try:
            extension = validate_image(photo, max_bytes=settings.FEEDBACK_PHOTO_MAX_BYTES)
        except ValidationError as error:
            errors.setdefault("photo", []).extend(error.messages)
    if errors:
        raise ValidationError(errors)

    received_at = timezone.now()
    case = FeedbackCase(
        unit=unit,
        channel=channel,
        partner=partner,
        kind=kind,
        text=text,
        staff_mentioned=(staff_mentioned or "").strip(),
        satisfaction=satisfaction,
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
        contact_consent=has_contact and contact_consent,
        received_at=received_at,
        due_on=due_date_for(timezone.localtime(received_at).date()),
        submission_token=submission_token or None,
    )
    for _attempt in range(_INSERT_ATTEMPTS):
        case.tracking_code = tracking_code_new()
        # The unit is the row the view loaded, and the database enforces the constraints (consent, reply) that the
        # checks above already cover: validating them again would cost three queries on every citizen's form.
        case.full_clean(exclude=["unit", "photo", "submission_token"], validate_unique=False, validate_constraints=False)
        try:
            if extension is not None or connection.vendor != "postgresql":  # SQLite has no INSERT inside WITH
                with transaction.atomic():
                    case.save()  # its history row by simple-history's post_save, in the same transaction
                    if extension is not None:
                        # Saved after the row exists, so a lost race never leaves an orphaned file behind.
                        case.photo.save(f"photo.{extension}", photo, save=False)
                        FeedbackCase.objects.filter(pk=case.pk).update(photo=case.photo.name)
            elif connection.in_atomic_block:
                with transaction.atomic():  # a savepoint: a collision must not break the caller's transaction
                    _insert_with_history(case)
            else:
                _insert_with_history(case)
        except IntegrityError:
            case.pk = None
            case._state.adding = True
            existing = _existing_for_token(submission_token)
            if existing is not None:
                existing.repeated_submission = True
                return existing
            continue  # a tracking code collision: draw another
        # The unit's officers are told by the sweep within a minute (feedback.notifications.new_cases_notify): the
        # case row, not told yet, is the truth, so the citizen's request only stores it, and a broker down loses
        # nothing.
        return case
    raise RuntimeError("could not draw a free tracking code")


def kiosk_vote(*, device: KioskDevice, score: int) -> KioskVote | None:
    """Record one tap on a kiosk's faces for the device's unit; None when the device is inside its lock-out.

    The lock-out (``settings.KIOSK_LOCKOUT_SECONDS``) is one atomic ``cache.add`` per device, so two taps in
    quick succession (or two requests racing) record one vote. When the cache cannot be reached, the device's last
    vote in the database decides instead (two requests racing may then both count): the kiosk keeps working.
    """
    if device.revoked_at is not None:
        raise ValidationError(_("This kiosk has been switched off."), code="revoked")
    if score not in range(1, 6):
        raise ValidationError(_("Choose a rating from 1 to 5."), code="score")
    if _kiosk_locked(device):
        return None
    return KioskVote.objects.create(unit_id=device.unit_id, device=device, score=score)


def _kiosk_locked(device: KioskDevice) -> bool:
    """True when the device voted less than ``KIOSK_LOCKOUT_SECONDS`` ago; otherwise starts its lock-out."""
    lockout = settings.KIOSK_LOCKOUT_SECONDS
    lock_key = "feedback:kiosk-lock:" + hashlib.sha256(device.token.encode()).hexdigest()[:32]
    try:
        return not cache.add(lock_key, 1, timeout=lockout)
    except Exception as error:  # the backend's own error class: any failure means "unreachable"
        logger.warning("Kiosk lock-out read from the database: the cache is unreachable (%s: %s)",
                       type(error).__name__, error)
    since = timezone.now() - datetime.timedelta(seconds=lockout)
    return KioskVote.objects.filter(device=device, created_at__gt=since).exists()
