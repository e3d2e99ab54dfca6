"""The Open311 GeoReport v2 API: a contract test of every endpoint in JSON and XML (parsed with xml.etree), every
error a partner can cause (400 bad input, 403 bad key, 404 unknown, 429 over its hourly limit) with nothing saved,
and the partner pages (key shown once, stored hashed, revocable)."""

from __future__ import annotations

import datetime
import json
import xml.etree.ElementTree as ET

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
import pytest

from feedback.choices import CaseStatus, Channel, FeedbackKind
from feedback.models import FeedbackCase, Open311Partner
from feedback.open311.services import key_hash
from tests.builders import make_user
from tests.factories import FeedbackCaseFactory, Open311PartnerFactory
from units.choices import Role

pytestmark = pytest.mark.django_db
FORMATS = ("json", "xml")


@pytest.fixture(autouse=True)
def _fresh_counters(settings):
    # A cache of the test's own: the rate-limit counters of parallel test workers (and their partners' ids) never meet.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "open311"}}
    cache.clear()


@pytest.fixture
def partner(hanoi):
    return Open311PartnerFactory(jurisdiction=hanoi, rate_limit=5)


def url(name: str, fmt: str, **kwargs) -> str:
    return reverse(f"open311:{name}", kwargs={"fmt": fmt, **kwargs})


def parse(response, fmt: str):
    """The body as Python data: JSON as is; XML as (root tag, list of dicts of the children's text)."""
    if fmt == "json":
        assert response["Content-Type"].startswith("application/json")
        return json.loads(response.content)
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    return ET.fromstring(response.content)


def records(response, fmt: str, root: str, item: str) -> list[dict]:
    data = parse(response, fmt)
    if fmt == "json":
        return data
    assert data.tag == root
    return [{child.tag: child.text for child in element} for element in data.findall(item)]


def assert_error(response, fmt: str, status: int, words: str = "") -> None:
    assert response.status_code == status, response.content
    errors = records(response, fmt if fmt in FORMATS else "json", "errors", "error")
    assert len(errors) >= 1 and str(errors[0]["code"]) == str(status)
    assert words.lower() in " ".join(e["description"] for e in errors).lower()


def submit(client, fmt, partner, unit, **changes):
    data = {"api_key": partner.key, "jurisdiction_id": unit.public_code, "service_code": FeedbackKind.DELAY,
            "description": "Hồ sơ của tôi quá hẹn hai tuần.", **changes}
    return client.post(url("requests", fmt), {k: v for k, v in data.items() if v is not None})


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery(client, hanoi, fmt):
    response = client.get(url("discovery", fmt))
    assert response.status_code == 200
    data = parse(response, fmt)
    if fmt == "json":
        endpoint = data["endpoints"][0]
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert endpoint["url"].endswith("/open311/v2/") and set(endpoint["formats"]) == {"text/xml", "application/json"}
    else:
        assert data.tag == "discovery"
        assert data.find("endpoints/endpoint/specification").text == "http://wiki.open311.org/GeoReport_v2"
        assert [f.text for f in data.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_are_the_feedback_kinds_of_a_jurisdiction(client, phuong_thanh_xuan, fmt):
    response = client.get(url("services", fmt), {"jurisdiction_id": phuong_thanh_xuan.public_code})
    assert response.status_code == 200
    services = records(response, fmt, "services", "service")
    assert [s["service_code"] for s in services] == FeedbackKind.values
    assert all(str(s["metadata"]).lower() == "true" and s["type"] == "realtime" for s in services)
    assert_error(client.get(url("services", fmt)), fmt, 400, "jurisdiction_id")
    assert_error(client.get(url("services", fmt), {"jurisdiction_id": "khong-co-99999"}), fmt, 404, "jurisdiction_id")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_service_definition_lists_its_attributes_with_the_consent_question(client, phuong_thanh_xuan, fmt):
    response = client.get(url("service", fmt, service_code="delay"), {"jurisdiction_id": phuong_thanh_xuan.public_code})
    assert response.status_code == 200
    data = parse(response, fmt)
    if fmt == "json":
        attributes = data["attributes"]
        assert data["service_code"] == "delay"
        consent = next(a for a in attributes if a["code"] == "consent")
        assert [v["key"] for v in consent["values"]] == ["true", "false"] and consent["datatype"] == "singlevaluelist"
    else:
        assert data.tag == "service_definition" and data.find("service_code").text == "delay"
        codes = [a.find("code").text for a in data.findall("attributes/attribute")]
        assert codes == ["consent", "satisfaction", "staff_mentioned"]
        consent = data.find("attributes/attribute")
        assert [v.find("key").text for v in consent.findall("values/value")] == ["true", "false"]
    assert_error(client.get(url("service", fmt, service_code="pothole")), fmt, 404, "service_code")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_partner_hands_a_case_in_through_the_public_form_path(client, partner, phuong_thanh_xuan, fmt):
    response = submit(client, fmt, partner, phuong_thanh_xuan, email="dan@example.vn", first_name="Lan",
                      last_name="Nguyễn", **{"attribute[consent]": "true", "attribute[satisfaction]": "2",
                                              "attribute[staff_mentioned]": "Quầy 3"})
    assert response.status_code == 201, response.content
    [created] = records(response, fmt, "service_requests", "request")
    case = FeedbackCase.objects.get(tracking_code=created["service_request_id"])
    assert case.unit == phuong_thanh_xuan and case.channel == Channel.OPEN311 and case.partner == partner
    assert case.status == CaseStatus.NEW and case.kind == "delay" and case.satisfaction == 2
    assert case.contact_name == "Lan Nguyễn" and case.contact_consent and case.staff_mentioned == "Quầy 3"
    assert case.history.count() == 1  # the same history as a case from the web form
    assert created["service_notice"]

    # Its status, by its id, with no text and no contact details.
    response = client.get(url("request", fmt, service_request_id=case.tracking_code))
    assert response.status_code == 200
    [shown] = records(response, fmt, "service_requests", "request")
    assert shown["service_request_id"] == case.tracking_code and shown["status"] == "open"
    assert shown["service_code"] == "delay" and shown["requested_datetime"].endswith("+07:00")
    body = response.content.decode()
    assert "quá hẹn" not in body and "dan@example.vn" not in body and "Lan" not in body


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_requests_filters_and_never_shows_personal_data(client, phuong_thanh_xuan, fmt):
    now = timezone.now()
    old = FeedbackCaseFactory(unit=phuong_thanh_xuan, with_contact=True, received_at=now - datetime.timedelta(days=40),
                              kind="praise", status=CaseStatus.RESOLVED, closed_after_days=3,
                              public_reply="Cảm ơn ông/bà đã góp ý.")
    new = FeedbackCaseFactory(unit=phuong_thanh_xuan, with_contact=True, kind="delay")
    elsewhere = FeedbackCaseFactory(kind="delay")
    params = {"jurisdiction_id": phuong_thanh_xuan.public_code}

    def ids(**extra):
        response = client.get(url("requests", fmt), {**params, **extra})
        assert response.status_code == 200, response.content
        body = response.content.decode()
        assert "riêng tư" not in body and "@example.vn" not in body and "Nguyễn Công Dân" not in body
        return {r["service_request_id"] for r in records(response, fmt, "service_requests", "request")}

    assert ids() == {old.tracking_code, new.tracking_code}  # the last 90 days, this jurisdiction only
    assert ids(status="open") == {new.tracking_code}
    assert ids(status="closed") == {old.tracking_code}
    assert ids(status="open,closed", service_code="praise") == {old.tracking_code}
    day = timezone.localdate()
    assert ids(start_date=(day - datetime.timedelta(days=10)).isoformat()) == {new.tracking_code}
    assert ids(end_date=(now - datetime.timedelta(days=20)).isoformat()) == {old.tracking_code}
    assert ids(service_request_id=f"{old.tracking_code},{elsewhere.tracking_code},NOPE") == {old.tracking_code}
    # By its id, the official reply is the status notes (what the tracking page shows).
    response = client.get(url("requests", fmt), {**params, "service_request_id": old.tracking_code})
    assert "Cảm ơn ông" in response.content.decode()


@pytest.mark.parametrize("fmt", FORMATS)
def test_bad_get_requests_are_400s(client, phuong_thanh_xuan, fmt):
    params = {"jurisdiction_id": phuong_thanh_xuan.public_code}
    for bad, words in [({"start_date": "yesterday"}, "start_date"), ({"end_date": "2026-02-30"}, "end_date"),
                       ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2025-01-01T00:00:00Z"}, "end_date"),
                       ({"start_date": "2020-01-01", "end_date": "2026-01-01"}, "90"),
                       ({"status": "pending"}, "status"), ({"service_code": "pothole"}, "service_code"),
                       ({"service_request_id": ",".join(["A" * 10] * 101)}, "service_request_id")]:
        assert_error(client.get(url("requests", fmt), {**params, **bad}), fmt, 400, words)
    assert_error(client.get(url("requests", fmt)), fmt, 400, "jurisdiction_id")
    assert_error(client.get(url("request", fmt, service_request_id="NOTACODE")), fmt, 404)


@pytest.mark.parametrize("fmt", FORMATS)
def test_bad_posts_are_clear_errors_and_save_nothing(client, partner, phuong_thanh_xuan, thanh_xuan_bac, an_giang, fmt):
    cases = [
        ({"api_key": None}, 403, "api_key"),
        ({"api_key": "cp311_nope_nope"}, 403, "api_key"),
        ({"api_key": partner.key + "x"}, 403, "api_key"),
        ({"jurisdiction_id": None}, 400, "jurisdiction_id"),
        ({"jurisdiction_id": "khong-co-99999"}, 404, "jurisdiction_id"),
        ({"service_code": None}, 400, "service_code"),
        ({"service_code": "pothole"}, 404, "service_code"),
        ({"description": None}, 400, "description"),
        ({"description": "   "}, 400, "description"),
        ({"description": "x" * 100_000}, 400, "description"),
        ({"description": "a\x00b"}, 400, "NUL"),
        ({"lat": "north"}, 400, "lat"),
        ({"long": "999"}, 400, "long"),
        ({"attribute[satisfaction]": "7"}, 400, "satisfaction"),
        ({"attribute[satisfaction]": "five"}, 400, "satisfaction"),
        ({"attribute[consent]": "maybe"}, 400, "consent"),
        ({"email": "dan@example.vn"}, 400, ""),  # contact details without consent: the form's own refusal
        ({"email": "not-an-address", "attribute[consent]": "true"}, 400, ""),
        ({"phone": "9" * 200, "attribute[consent]": "true"}, 400, "phone"),
        ({"jurisdiction_id": thanh_xuan_bac.public_code}, 400, ""),  # dissolved on 1 July 2025: names its successor
    ]
    for changes, status, words in cases:
        assert_error(submit(client, fmt, partner, phuong_thanh_xuan, **changes), fmt, status, words)
    # Outside the partner's jurisdiction.
    local = Open311PartnerFactory(jurisdiction=phuong_thanh_xuan)
    assert_error(submit(client, fmt, local, an_giang), fmt, 403)
    assert not FeedbackCase.objects.exists()


def test_an_unknown_format_or_method_is_a_clear_error(client, partner, phuong_thanh_xuan):
    for path in ("/open311/v2/discovery.yaml", "/open311/v2/services.yaml?jurisdiction_id=x",
                 "/open311/v2/services/delay.yaml", "/open311/v2/requests.yaml", "/open311/v2/requests/ABCDEFGHJK.yaml"):
        assert_error(client.get(path), "json", 400, "yaml")
    assert_error(submit(client, "yaml", partner, phuong_thanh_xuan), "json", 400, "yaml")
    assert client.delete(url("requests", "xml")).status_code == 405
    assert not FeedbackCase.objects.exists()


def test_a_revoked_key_stops_working(client, partner, phuong_thanh_xuan, city_admin):
    assert submit(client, "json", partner, phuong_thanh_xuan).status_code == 201
    client.force_login(city_admin)
    assert client.post(reverse("open311:partner_revoke", args=[partner.pk])).status_code == 302
    client.logout()
    assert_error(submit(client, "json", partner, phuong_thanh_xuan), "json", 403, "api_key")
    assert FeedbackCase.objects.count() == 1


def test_each_key_has_its_own_hourly_limit(client, partner, phuong_thanh_xuan, hanoi):
    other = Open311PartnerFactory(jurisdiction=hanoi, rate_limit=1)
    for _i in range(partner.rate_limit):
        assert submit(client, "json", partner, phuong_thanh_xuan).status_code == 201
    assert_error(submit(client, "xml", partner, phuong_thanh_xuan), "xml", 429)
    assert submit(client, "json", other, phuong_thanh_xuan).status_code == 201  # another key, its own counter
    assert_error(submit(client, "json", other, phuong_thanh_xuan), "json", 429)
    assert FeedbackCase.objects.count() == partner.rate_limit + 1


def test_an_administrator_creates_a_partner_whose_key_is_shown_once_and_stored_hashed(client, city_admin, hanoi,
                                                                                       phuong_thanh_xuan):
    client.force_login(city_admin)
    page = client.get(reverse("open311:partner_list"))
    assert page.status_code == 200
    response = client.post(reverse("open311:partner_list"),
                           {"name": "iHanoi", "jurisdiction": hanoi.pk, "rate_limit": 50})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    key = response.content.decode().split('data-testid="partner-key">', 1)[1].split("<", 1)[0]
    partner = Open311Partner.objects.get(name="iHanoi")
    assert key.startswith("cp311_") and partner.key_hash == key_hash(key) and key not in partner.key_hash
    listing = client.get(reverse("open311:partner_list")).content.decode()
    assert "iHanoi" in listing and key not in listing
    client.logout()
    created = client.post(url("requests", "json"), {"api_key": key, "jurisdiction_id": phuong_thanh_xuan.public_code,
                                                     "service_code": "praise", "description": "Cảm ơn."})
    assert created.status_code == 201


def test_partner_pages_need_the_right_to_manage_rules(client, ward_officer, city_admin, an_giang_admin, hanoi):
    client.force_login(ward_officer)
    assert client.get(reverse("open311:partner_list")).status_code == 403
    partner = Open311PartnerFactory(jurisdiction=hanoi)
    client.force_login(an_giang_admin)
    assert client.post(reverse("open311:partner_revoke", args=[partner.pk])).status_code == 404
    assert client.post(reverse("open311:partner_list"), {"name": "x", "jurisdiction": hanoi.pk, "rate_limit": 5}).status_code == 200
    assert not Open311Partner.objects.filter(name="x").exists()  # Hanoi is not a choice for An Giang's administrator
    assert make_user("other.admin", Role.CITY_ADMIN, hanoi)


def test_the_demo_partner_uses_the_published_key_and_the_banner_prints_it(client, hanoi, phuong_thanh_xuan, settings):
    from io import StringIO

    from django.core.management import call_command

    from seed.demo_open311 import demo_open311_seed

    settings.DEMO_OPEN311_KEY = "cp311_demo0000_test-demo-key"
    partner = demo_open311_seed()
    assert demo_open311_seed() == partner  # idempotent
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "cp311_demo0000_test-demo-key" in out.getvalue()
    response = client.post(url("requests", "json"), {"api_key": settings.DEMO_OPEN311_KEY, "service_code": "praise",
                                                     "jurisdiction_id": phuong_thanh_xuan.public_code,
                                                     "description": "Cảm ơn."})
    assert response.status_code == 201


def test_reading_requests_costs_a_constant_number_of_queries(client, phuong_thanh_xuan, django_assert_max_num_queries):
    params = {"jurisdiction_id": phuong_thanh_xuan.public_code}
    FeedbackCaseFactory(unit=phuong_thanh_xuan)
    with django_assert_max_num_queries(3) as few:
        client.get(url("requests", "xml"), params)
    FeedbackCaseFactory.create_batch(20, unit=phuong_thanh_xuan, status=CaseStatus.RESOLVED, closed_after_days=1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url("requests", "xml"), params)
    assert len(ET.fromstring(response.content).findall("request")) == 21
