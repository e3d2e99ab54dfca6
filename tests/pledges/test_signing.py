"""Signing in the browser, recording paper pledges with their scans, the printable form, a pledge's page and
its withdrawal — with the refusals a user meets: twice, too early, too late, wrong file, outside the scope."""

from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
import pytest

from pledges import services
from pledges.choices import PledgeMethod
from pledges.models import Pledge
from tests.builders import make_campaign
from tests.factories import UserFactory
from tests.helpers import days, in_page
from tests.pledges.helpers import EXE_BYTES, PDF_BYTES, png_bytes, total_numbers

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _stored_files() -> set[Path]:
    """Files in the media folder (shared by the whole test run: compare before and after)."""
    return {path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()}


# --- Signing online -----------------------------------------------------------------------------------------


def test_staff_member_reads_ticks_and_signs(client, signer, campaign, code_version):
    client.force_login(signer)
    mine = client.get(reverse("pledges:my_pledges")).content.decode()
    sign_url = reverse("pledges:pledge_sign", args=[campaign.pk])
    assert campaign.title in mine and sign_url in mine
    page = client.get(sign_url).content.decode()
    assert "Điều 5. Giao tiếp, ứng xử" in page and "xin chào, xin lỗi, xin cảm ơn, xin phép" in page
    assert 'name="agree"' in page

    unticked = client.post(sign_url, {})
    assert unticked.status_code == 200 and "agree" in unticked.context["form"].errors
    assert not Pledge.objects.exists()

    response = client.post(sign_url, {"agree": "on"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("pledges:my_pledges")
    pledge = Pledge.objects.get()
    assert (pledge.staff, pledge.unit, pledge.method) == (signer.staff_member, signer.staff_member.unit, PledgeMethod.ONLINE)
    assert (pledge.recorded_by, pledge.ip_address, pledge.signed_on) == (signer, "127.0.0.1", days(0))
    assert pledge.text_hash == code_version.text_hash
    assert any(days(0).strftime("%d/%m/%Y") in message for message in _messages(response))
    page = response.content.decode()
    assert 'data-testid="signed"' in page and sign_url not in page


@pytest.mark.parametrize(("trusted_proxies", "recorded"), [(0, "10.0.0.2"), (1, "203.0.113.25")])
def test_the_recorded_address_is_the_clients_only_behind_a_trusted_proxy(client, signer, campaign, settings,
                                                                         trusted_proxies, recorded):
    settings.TRUSTED_PROXY_COUNT = trusted_proxies
    client.force_login(signer)
    response = client.post(reverse("pledges:pledge_sign", args=[campaign.pk]), {"agree": "on"},
                           REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.25")
    assert response.status_code == 302
    assert Pledge.objects.get().ip_address == recorded


def test_signing_twice_keeps_one_pledge_and_says_so(client, signer, campaign):
    client.force_login(signer)
    sign_url = reverse("pledges:pledge_sign", args=[campaign.pk])
    client.post(sign_url, {"agree": "on"})
    again = client.post(sign_url, {"agree": "on"}, follow=True)
    assert again.status_code == 200
    assert in_page("%(name)s has already signed in this campaign.", name=signer.staff_member.full_name) in again.content.decode()
    assert Pledge.objects.count() == 1
    # The page itself no longer offers the form.
    assert 'name="agree"' not in client.get(sign_url).content.decode()


@pytest.mark.parametrize("when, msgid, day_field", [
    ((days(-60), days(-1)), "The campaign closed on %(day)s; pledges can no longer be recorded.", "closes_on"),
    ((days(3), days(60)), "The campaign opens on %(day)s; pledges cannot be recorded before.", "opens_on"),
])
def test_closed_or_not_yet_open_campaign_refuses_with_the_reason(client, signer, district_officer, thanh_xuan,
                                                                code_version, when, msgid, day_field):
    campaign = make_campaign(actor=district_officer, scope_unit=thanh_xuan, code_version=code_version,
                             opens_on=when[0], closes_on=when[1])
    reason = in_page(msgid, day=getattr(campaign, day_field).strftime("%d/%m/%Y"))
    client.force_login(signer)
    sign_url = reverse("pledges:pledge_sign", args=[campaign.pk])
    page = client.get(sign_url).content.decode()
    assert reason in page and 'name="agree"' not in page
    response = client.post(sign_url, {"agree": "on"}, follow=True)
    assert response.status_code == 200 and reason in response.content.decode()
    assert not Pledge.objects.exists()


def test_a_user_without_staff_record_is_told_why(client, ward_officer, campaign):
    client.force_login(ward_officer)
    assert 'data-testid="no-staff-record"' in client.get(reverse("pledges:my_pledges")).content.decode()
    sign_url = reverse("pledges:pledge_sign", args=[campaign.pk])
    reason = in_page("Your account is not linked to a staff record, so you cannot sign online.")
    assert reason in client.get(sign_url).content.decode()
    response = client.post(sign_url, {"agree": "on"}, follow=True)
    assert response.status_code == 200 and reason in response.content.decode()
    assert not Pledge.objects.exists()


def test_a_campaign_of_another_district_cannot_be_signed(client, phuc_xa, staff_factory, campaign):
    outsider = staff_factory(unit=phuc_xa)
    user = UserFactory(username="phuc.xa")
    user.staff_member = outsider
    user.save()
    client.force_login(user)
    assert client.get(reverse("pledges:pledge_sign", args=[campaign.pk])).status_code == 404
    assert client.post(reverse("pledges:pledge_sign", args=[campaign.pk]), {"agree": "on"}).status_code == 404
    assert campaign.title not in client.get(reverse("pledges:my_pledges")).content.decode()
    assert not Pledge.objects.exists()


def test_a_city_wide_campaign_reaches_every_ward(client, signer, city_campaign):
    client.force_login(signer)
    assert reverse("pledges:pledge_sign", args=[city_campaign.pk]) in client.get(reverse("pledges:my_pledges")).content.decode()
    client.post(reverse("pledges:pledge_sign", args=[city_campaign.pk]), {"agree": "on"})
    assert Pledge.objects.get().campaign == city_campaign


# --- Paper pledges --------------------------------------------------------------------------------------------


@pytest.fixture
def person(thanh_xuan_bac, staff_factory):
    return staff_factory(unit=thanh_xuan_bac, full_name="Trần Văn Giấy")


def _record(client, campaign, staff, **data):
    data.setdefault("signed_on", days(-2).isoformat())
    return client.post(reverse("pledges:pledge_record", args=[campaign.pk, staff.pk]), data)


@pytest.mark.parametrize("filename, content, extension, content_type", [
    ("cam-ket.pdf", PDF_BYTES, "pdf", "application/pdf"),
    ("anh chup.PNG", png_bytes(), "png", "image/png"),
])
def test_ward_officer_records_a_paper_pledge_with_its_scan(client, ward_officer, campaign, person, thanh_xuan_bac,
                                                           filename, content, extension, content_type):
    client.force_login(ward_officer)
    response = _record(client, campaign, person, scan=SimpleUploadedFile(filename, content))
    assert response.status_code == 302
    assert response.url == reverse("pledges:campaign_unit", args=[campaign.pk, thanh_xuan_bac.public_code])
    pledge = Pledge.objects.get()
    assert (pledge.staff, pledge.method, pledge.signed_on) == (person, PledgeMethod.PAPER, days(-2))
    assert pledge.recorded_by == ward_officer
    assert pledge.scan.name.endswith(f".{extension}") and "cam-ket" not in pledge.scan.name
    # The coverage counts it at once; the scan is downloadable as an attachment, never sniffed.
    assert total_numbers(client.get(response.url).content.decode()) == (1, 1)
    detail = client.get(reverse("pledges:pledge_detail", args=[pledge.pk])).content.decode()
    assert reverse("pledges:pledge_scan", args=[pledge.pk]) in detail
    download = client.get(reverse("pledges:pledge_scan", args=[pledge.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == content
    assert download["Content-Type"] == content_type
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"


def test_record_returns_to_the_page_the_officer_came_from(client, district_officer, campaign, person, thanh_xuan):
    back = reverse("pledges:campaign_unit", args=[campaign.pk, thanh_xuan.public_code]) + "?page=1"
    client.force_login(district_officer)
    assert _record(client, campaign, person, next=back).url == back
    other = make_campaign(actor=district_officer, scope_unit=thanh_xuan, code_version=campaign.code_version, title="Khác")
    # An address on another site is ignored.
    assert _record(client, other, person, next="https://evil.example/").url.startswith("/pledges/")


def test_a_renamed_program_is_refused_and_nothing_is_saved(client, ward_officer, campaign, person):
    client.force_login(ward_officer)
    before = _stored_files()
    response = _record(client, campaign, person, scan=SimpleUploadedFile("scan.pdf", EXE_BYTES, content_type="application/pdf"))
    assert response.status_code == 200
    assert in_page("The file is neither a PDF nor an image (JPEG, PNG, WebP).") in response.content.decode()
    assert not Pledge.objects.exists() and _stored_files() == before


def test_a_too_large_scan_is_refused(client, ward_officer, campaign, person):
    limit = settings.PLEDGE_SCAN_MAX_BYTES
    big = b"%PDF-1.4\n" + b"0" * limit + b"\n%%EOF\n"
    client.force_login(ward_officer)
    before = _stored_files()
    response = _record(client, campaign, person, scan=SimpleUploadedFile("scan.pdf", big))
    assert response.status_code == 200
    assert in_page("The file is larger than %(limit)s MB.", limit=limit // (1024 * 1024)) in response.content.decode()
    assert not Pledge.objects.exists() and _stored_files() == before


def test_a_date_in_the_future_is_refused(client, ward_officer, campaign, person):
    client.force_login(ward_officer)
    response = _record(client, campaign, person, signed_on=days(1).isoformat())
    assert response.status_code == 200 and "signed_on" in response.context["form"].errors
    assert not Pledge.objects.exists()


def test_recording_twice_keeps_one_pledge(client, ward_officer, campaign, person):
    client.force_login(ward_officer)
    _record(client, campaign, person)
    page = client.get(reverse("pledges:pledge_record", args=[campaign.pk, person.pk])).content.decode()
    assert 'data-testid="already-signed"' in page and 'name="signed_on"' not in page
    response = _record(client, campaign, person)
    assert response.status_code == 200
    assert in_page("%(name)s has already signed in this campaign.", name=person.full_name) in response.content.decode()
    assert Pledge.objects.count() == 1


def test_recording_in_a_closed_campaign_is_refused(client, ward_officer, district_officer, thanh_xuan, code_version, person):
    closed = make_campaign(actor=district_officer, scope_unit=thanh_xuan, code_version=code_version,
                           opens_on=days(-60), closes_on=days(-1))
    client.force_login(ward_officer)
    page = client.get(reverse("pledges:pledge_record", args=[closed.pk, person.pk])).content.decode()
    assert 'data-testid="campaign-not-open"' in page and 'name="signed_on"' not in page
    response = _record(client, closed, person, signed_on=days(-5).isoformat())
    day = closed.closes_on.strftime("%d/%m/%Y")
    assert in_page("The campaign closed on %(day)s; pledges can no longer be recorded.", day=day) in response.content.decode()
    assert not Pledge.objects.exists()


def test_recording_for_staff_outside_the_scope_is_404(client, ward_officer, campaign, thanh_xuan_trung, staff_factory):
    neighbour = staff_factory(unit=thanh_xuan_trung)
    client.force_login(ward_officer)
    before = _stored_files()
    assert _record(client, campaign, neighbour, scan=SimpleUploadedFile("cam-ket.pdf", PDF_BYTES)).status_code == 404
    assert not Pledge.objects.exists() and _stored_files() == before


def test_inspector_cannot_record(client, inspector, campaign, person):
    client.force_login(inspector)
    assert _record(client, campaign, person).status_code == 403
    assert not Pledge.objects.exists()


def test_scan_is_scoped_and_requires_login(client, ward_officer, campaign, person, thanh_xuan_trung):
    from tests.builders import make_user
    from units.choices import Role

    pledge = services.pledge_record_paper(actor=ward_officer, campaign=campaign, staff=person, signed_on=days(-1),
                                          scan=SimpleUploadedFile("x.pdf", PDF_BYTES))
    url = reverse("pledges:pledge_scan", args=[pledge.pk])
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    client.force_login(make_user("trung.officer", Role.WARD_OFFICER, thanh_xuan_trung))
    assert client.get(url).status_code == 404
    assert client.get(reverse("pledges:pledge_detail", args=[pledge.pk])).status_code == 404


def test_no_scan_is_404(client, ward_officer, campaign, person):
    pledge = services.pledge_record_paper(actor=ward_officer, campaign=campaign, staff=person, signed_on=days(-1))
    client.force_login(ward_officer)
    assert client.get(reverse("pledges:pledge_scan", args=[pledge.pk])).status_code == 404


# --- The printable form --------------------------------------------------------------------------------------


def test_printable_form_holds_the_text_and_the_signature_lines(client, ward_officer, campaign, person):
    client.force_login(ward_officer)
    response = client.get(reverse("pledges:pledge_form_print", args=[campaign.pk, person.pk]))
    page = response.content.decode()
    for text in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "BẢN CAM KẾT THỰC HIỆN QUY TẮC ỨNG XỬ",
                 f"Năm {campaign.year}", "Trần Văn Giấy", person.position, "Phường Thanh Xuân Bắc", "522/QĐ-UBND",
                 "Điều 7. Trang phục", "……, ngày … tháng … năm …", "NGƯỜI CAM KẾT", "(ký, ghi rõ họ tên)",
                 "THỦ TRƯỞNG ĐƠN VỊ", "data-print", 'class="pledge-form"'):
        assert text in page, text
    # The A4 layout comes from the site's stylesheet (no inline styles, so a strict CSP holds).
    assert "<style" not in page


# --- A pledge's page and its withdrawal ----------------------------------------------------------------------


@pytest.fixture
def pledge(ward_officer, campaign, person):
    return services.pledge_record_paper(actor=ward_officer, campaign=campaign, staff=person, signed_on=days(-3))


def test_pledge_page_tells_who_for_whom_when_and_how(client, ward_officer, pledge):
    client.force_login(ward_officer)
    page = client.get(reverse("pledges:pledge_detail", args=[pledge.pk])).content.decode()
    assert "Trần Văn Giấy" in page and ward_officer.get_full_name() in page
    assert days(-3).strftime("%d/%m/%Y") in page and pledge.text_hash in page
    assert reverse("pledges:pledge_withdraw", args=[pledge.pk]) not in page


@pytest.mark.parametrize("role", ["ward_officer", "unit_head", "district_officer", "inspector"])
def test_only_administrators_withdraw(request, client, pledge, role):
    client.force_login(request.getfixturevalue(role))
    url = reverse("pledges:pledge_withdraw", args=[pledge.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "Nhầm người"}).status_code == 403
    pledge.refresh_from_db()
    assert not pledge.is_withdrawn


def test_withdrawal_outside_the_scope_is_404(client, pledge, ba_dinh):
    from tests.builders import make_user
    from units.choices import Role

    client.force_login(make_user("ba.dinh.admin", Role.CITY_ADMIN, ba_dinh))
    assert client.get(reverse("pledges:pledge_withdraw", args=[pledge.pk])).status_code == 404


def test_admin_withdraws_with_a_reason_and_coverage_drops(client, city_admin, pledge, campaign, thanh_xuan_bac):
    client.force_login(city_admin)
    detail_url = reverse("pledges:pledge_detail", args=[pledge.pk])
    withdraw_url = reverse("pledges:pledge_withdraw", args=[pledge.pk])
    assert withdraw_url in client.get(detail_url).content.decode()
    coverage_url = reverse("pledges:campaign_unit", args=[campaign.pk, thanh_xuan_bac.public_code])
    assert total_numbers(client.get(coverage_url).content.decode()) == (1, 1)

    no_reason = client.post(withdraw_url, {"reason": "  "})
    assert no_reason.status_code == 200 and "reason" in no_reason.context["form"].errors
    pledge.refresh_from_db()
    assert not pledge.is_withdrawn

    response = client.post(withdraw_url, {"reason": "Ghi nhận nhầm người"}, follow=True)
    assert response.redirect_chain[-1][0] == detail_url
    pledge.refresh_from_db()
    assert pledge.is_withdrawn and pledge.withdrawn_by == city_admin and pledge.withdrawal_reason == "Ghi nhận nhầm người"
    page = response.content.decode()
    assert 'data-testid="withdrawn"' in page and "Ghi nhận nhầm người" in page and city_admin.get_full_name() in page
    latest = pledge.history.order_by("-history_date").first()
    assert latest.history_user == city_admin and latest.history_change_reason == "Ghi nhận nhầm người"
    assert withdraw_url not in page
    assert total_numbers(client.get(coverage_url).content.decode()) == (0, 1)
    # The person can sign again: a withdrawn pledge does not count as signed.
    services.pledge_record_paper(actor=city_admin, campaign=campaign, staff=pledge.staff, signed_on=days(0))
    assert total_numbers(client.get(coverage_url).content.decode()) == (1, 1)


def test_pages_render_in_vietnamese(client, ward_officer, campaign, pledge, thanh_xuan_bac):
    client.force_login(ward_officer)
    for url in (
        reverse("pledges:campaign_list"),
        reverse("pledges:campaign_unit", args=[campaign.pk, thanh_xuan_bac.public_code]),
        reverse("pledges:pledge_detail", args=[pledge.pk]),
        reverse("pledges:my_pledges"),
    ):
        page = client.get(url).content.decode()
        assert 'lang="vi"' in page and "Cổng Quy tắc ứng xử" in page, url
    page = client.get(reverse("pledges:campaign_unit", args=[campaign.pk, thanh_xuan_bac.public_code])).content.decode()
    assert "Phường Thanh Xuân Bắc" in page and "Trần Văn Giấy" in page and "Mã cán bộ" in page
