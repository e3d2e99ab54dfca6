"""QR posters for the one-stop desk: the absolute link to a unit's public form, its QR code as inline SVG, and
the code of conduct the poster and the form cite (the one in force for the unit, never a fixed city's)."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
import segno

from pledges.choices import Audience
from pledges.selectors import codes_in_force
from units.models import Unit


def feedback_form_url(*, request, unit: Unit) -> str:
    """The absolute address of ``unit``'s public form: PORTAL_BASE_URL when set (a poster must carry the public
    address, not the one an officer happened to reach the portal through), else the request's own."""
    path = reverse("feedback:public_form", kwargs={"public_code": unit.public_code})
    base = (settings.PORTAL_BASE_URL or "").rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


def qr_code(data: str) -> segno.QRCode:
    # A full QR code (never Micro QR, which phone cameras do not read), medium error correction for worn prints.
    return segno.make(data, error="m", micro=False)


def qr_svg(data: str, *, title: str) -> str:
    """Inline SVG markup of the QR code for ``data``; scales with CSS (viewBox, no fixed size). segno escapes the title."""
    return qr_code(data).svg_inline(scale=1, border=4, omitsize=True, title=title, svgclass="qr-code", lineclass="qr-line")


def unit_legal_basis(*, unit: Unit) -> dict:
    """What a public page about ``unit`` cites: ``legal_codes``, the codes of conduct in force for the unit today
    (the page's footer), and ``staff_code``, the one its staff follow (the form and the poster name it). Two
    queries."""
    codes = codes_in_force(unit=unit, day=timezone.localdate())
    return {"legal_codes": codes, "staff_code": next((code for code in codes if code.audience == Audience.STAFF), None)}
