"""Reminders about unsigned staff: one e-mail per unit and day to its officers, and the banner in the portal.

Quận Thanh Xuân runs a campaign opened 10 days ago (reminders start 7 days after opening):
- Phường Thanh Xuân Bắc: 3 staff, 1 signed, a ward officer and a unit head with e-mail;
- Phường Thanh Xuân Trung: 2 staff, none signed, a ward officer with e-mail (and one without);
- Phường Hạ Đình: 2 staff, both signed, a ward officer with e-mail;
- Phường Khương Mai: 1 staff, unsigned, no officer of its own: the district office is told instead.
"""

import datetime
import re

from celery.contrib.testing.worker import start_worker
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
import pytest

from conduct_portal.celery import app
from pledges import reminders, services
from pledges.banner import pledge_banner
from pledges.models import PledgeReminder
from pledges.reminders import pledge_reminders_send
from pledges.tasks import pledge_reminders_send as pledge_reminders_send_task
from tests.builders import make_campaign, make_user
from tests.factories import PledgeReminderFactory
from units.choices import Role, Structure
from units.models import Unit

DAY = datetime.timedelta(days=1)


def _ward(code) -> Unit:
    return Unit.objects.get(structure=Structure.LEGACY, official_code=code)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def reminder_settings(settings):
    settings.PLEDGE_REMINDER_AFTER_DAYS = 7
    settings.PORTAL_BASE_URL = "https://quytac.hanoi.example/"
    return settings


@pytest.fixture
def district_office(thanh_xuan):
    return make_user("district.office", Role.DISTRICT_OFFICE, thanh_xuan, email="noivu.thanhxuan@hanoi.example")


@pytest.fixture
def scenario(reminder_settings, today, district_office, thanh_xuan, thanh_xuan_bac, thanh_xuan_trung, staff_factory):
    ha_dinh, khuong_mai = _ward("00373"), _ward("00352")
    make_user("txb.officer", Role.WARD_OFFICER, thanh_xuan_bac, email="vanphong.txb@hanoi.example")
    make_user("txb.head", Role.UNIT_HEAD, thanh_xuan_bac, email="chutich.txb@hanoi.example")
    make_user("txt.officer", Role.WARD_OFFICER, thanh_xuan_trung, email="vanphong.txt@hanoi.example")
    make_user("txt.noemail", Role.WARD_OFFICER, thanh_xuan_trung, email="")
    former = make_user("txt.former", Role.WARD_OFFICER, thanh_xuan_trung, email="nghiviec.txt@hanoi.example")
    type(former).objects.filter(pk=former.pk).update(is_active=False)
    make_user("hd.officer", Role.WARD_OFFICER, ha_dinh, email="vanphong.hd@hanoi.example")
    # An inspector of the ward has an e-mail address but is not one of its officers.
    make_user("txb.inspector", Role.INSPECTOR, thanh_xuan_bac, email="thanhtra.txb@hanoi.example")

    campaign = make_campaign(
        actor=district_office, title="Ký cam kết thực hiện Quy tắc ứng xử năm 2026", year=today.year,
        scope_unit=thanh_xuan, opens_on=today - 10 * DAY, closes_on=today + 30 * DAY,
    )
    people = {
        "txb": [staff_factory(unit=thanh_xuan_bac, full_name=n) for n in ("Nguyễn Văn An", "Trần Thị Bích", "Lê Văn Cường")],
        "txt": [staff_factory(unit=thanh_xuan_trung, full_name=n) for n in ("Phạm Thị Dung", "Hoàng Văn Em")],
        "hd": [staff_factory(unit=ha_dinh, full_name=n) for n in ("Vũ Thị Giang", "Đỗ Văn Hải")],
        "km": [staff_factory(unit=khuong_mai, full_name="Bùi Thị Khánh")],
    }
    for person in (people["txb"][0], *people["hd"]):
        services.pledge_record_paper(actor=district_office, campaign=campaign, staff=person, signed_on=today - 2 * DAY)
    return {"campaign": campaign, "people": people, "ha_dinh": ha_dinh, "khuong_mai": khuong_mai}


def _mail_to(outbox, address):
    found = [message for message in outbox if address in message.to]
    assert len(found) == 1, [m.to for m in outbox]
    return found[0]


@pytest.mark.django_db
def test_each_unit_with_unsigned_staff_gets_one_email(scenario, today, mailoutbox, thanh_xuan_bac, thanh_xuan_trung):
    campaign = scenario["campaign"]

    assert pledge_reminders_send(today=today) == 3

    assert len(mailoutbox) == 3  # Thanh Xuân Bắc, Thanh Xuân Trung, Khương Mai; nothing for Hạ Đình
    txb = _mail_to(mailoutbox, "vanphong.txb@hanoi.example")
    assert sorted(txb.to) == ["chutich.txb@hanoi.example", "vanphong.txb@hanoi.example"]  # one e-mail for both
    assert "Phường Thanh Xuân Bắc" in txb.subject and "2" in txb.subject
    assert "Trần Thị Bích" in txb.body and "Lê Văn Cường" in txb.body
    assert "Nguyễn Văn An" not in txb.body  # signed
    assert "Ký cam kết thực hiện Quy tắc ứng xử năm 2026" in txb.body
    link = "https://quytac.hanoi.example" + reverse("pledges:campaign_unit", args=[campaign.pk, thanh_xuan_bac.public_code])
    assert link in txb.body

    txt = _mail_to(mailoutbox, "vanphong.txt@hanoi.example")
    assert txt.to == ["vanphong.txt@hanoi.example"]  # not the officer without e-mail, not the former one
    assert "Phạm Thị Dung" in txt.body and "Hoàng Văn Em" in txt.body
    assert not any("Vũ Thị Giang" in m.body or "vanphong.hd@hanoi.example" in m.to for m in mailoutbox)
    # A ward without an officer of its own: its district office hears about it.
    km = _mail_to(mailoutbox, "noivu.thanhxuan@hanoi.example")
    assert "Bùi Thị Khánh" in km.body and "Phường Khương Mai" in km.subject

    rows = {r.unit_id: r for r in PledgeReminder.objects.filter(campaign=campaign, sent_on=today)}
    assert {unit_id: r.unsigned_count for unit_id, r in rows.items()} == {
        thanh_xuan_bac.pk: 2, thanh_xuan_trung.pk: 2, scenario["khuong_mai"].pk: 1
    }
    assert rows[thanh_xuan_bac.pk].recipients.split() == ["chutich.txb@hanoi.example", "vanphong.txb@hanoi.example"]


@pytest.mark.django_db
def test_reminders_are_not_sent_twice_the_same_day(scenario, today, mailoutbox, district_office):
    assert pledge_reminders_send(today=today) == 3
    rows = PledgeReminder.objects.count()
    mailoutbox.clear()

    assert pledge_reminders_send(today=today) == 0
    assert mailoutbox == [] and PledgeReminder.objects.count() == rows

    # The next day they are reminded again, with the day's numbers.
    bich = scenario["people"]["txb"][1]
    services.pledge_record_paper(actor=district_office, campaign=scenario["campaign"], staff=bich, signed_on=today)
    assert pledge_reminders_send(today=today + DAY) == 3
    assert len(mailoutbox) == 3
    txb = _mail_to(mailoutbox, "vanphong.txb@hanoi.example")
    assert "Lê Văn Cường" in txb.body and "Trần Thị Bích" not in txb.body
    assert PledgeReminder.objects.get(unit=bich.unit, sent_on=today + DAY).unsigned_count == 1


@pytest.mark.django_db
@pytest.mark.parametrize("when", ["before the run", "during the run"])
def test_a_row_recorded_by_another_worker_wins(scenario, today, mailoutbox, thanh_xuan_bac, monkeypatch, when):
    """The row is what decides: if another run already recorded the unit today, this one sends nothing for it."""

    def other_worker_reminds():
        PledgeReminderFactory(campaign=scenario["campaign"], unit=thanh_xuan_bac, sent_on=today, unsigned_count=2)

    if when == "before the run":
        other_worker_reminds()
    else:  # after this run looked for today's rows, before it inserts its own: the unique constraint decides
        find_recipients = reminders._recipients_by_unit

        def racing(units):
            other_worker_reminds()
            return find_recipients(units)

        monkeypatch.setattr(reminders, "_recipients_by_unit", racing)
    assert pledge_reminders_send(today=today) == 2
    assert len(mailoutbox) == 2
    assert not any("vanphong.txb@hanoi.example" in m.to for m in mailoutbox)
    assert PledgeReminder.objects.filter(unit=thanh_xuan_bac, sent_on=today).count() == 1


@pytest.mark.django_db
def test_no_reminder_before_the_delay_nor_after_closing(scenario, today, mailoutbox, settings):
    campaign = scenario["campaign"]
    settings.PLEDGE_REMINDER_AFTER_DAYS = 11  # opened 10 days ago: not yet
    assert pledge_reminders_send(today=today) == 0
    settings.PLEDGE_REMINDER_AFTER_DAYS = 7
    assert pledge_reminders_send(today=campaign.closes_on + DAY) == 0
    assert mailoutbox == [] and not PledgeReminder.objects.exists()


@pytest.mark.django_db
def test_a_campaign_opened_three_days_ago_sends_nothing(
    reminder_settings, today, mailoutbox, district_office, thanh_xuan, thanh_xuan_bac, staff_factory
):
    make_user("txb.officer", Role.WARD_OFFICER, thanh_xuan_bac, email="vanphong.txb@hanoi.example")
    staff_factory(unit=thanh_xuan_bac, full_name="Nguyễn Văn An")
    make_campaign(
        actor=district_office, title="Ký cam kết 2026", year=today.year, scope_unit=thanh_xuan,
        opens_on=today - 3 * DAY, closes_on=today + 30 * DAY,
    )
    assert pledge_reminders_send(today=today) == 0
    assert mailoutbox == [] and not PledgeReminder.objects.exists()
    # … until the seventh day.
    assert pledge_reminders_send(today=today + 4 * DAY) == 1
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_the_email_lists_at_most_fifty_names(scenario, today, mailoutbox, thanh_xuan_trung, staff_factory):
    for i in range(60):
        staff_factory(unit=thanh_xuan_trung, full_name=f"Nguyễn Văn Số {i:02d}")
    pledge_reminders_send(today=today)
    body = _mail_to(mailoutbox, "vanphong.txt@hanoi.example").body
    listed = [line for line in body.splitlines() if line.startswith("- ")]
    assert len(listed) == 50
    # Alphabetical: Hoàng, then Nguyễn … Số 00 to Số 48; Số 49 to 59 and Phạm are left for the coverage page.
    assert "Hoàng Văn Em" in body and "Nguyễn Văn Số 48" in body
    assert "Nguyễn Văn Số 49" not in body and "Phạm Thị Dung" not in body
    assert "62" in _mail_to(mailoutbox, "vanphong.txt@hanoi.example").subject


@pytest.mark.django_db
def test_unsigned_counts_take_constant_queries(scenario, today, django_assert_max_num_queries, staff_factory):
    for code in ("00349", "00358", "00364"):  # three more wards with unsigned staff and officers
        ward = _ward(code)
        make_user(f"officer.{code}", Role.WARD_OFFICER, ward, email=f"vanphong.{code}@hanoi.example")
        staff_factory(unit=ward)
    # Campaigns, then per campaign: unsigned by unit, already reminded, units, officers, district offices, the
    # accounts of unsigned staff (told themselves: none here); then per unit only its row, inserted in a savepoint
    # of its own (3 statements), for 6 units.
    with django_assert_max_num_queries(1 + 6 + 6 * 3):
        assert pledge_reminders_send(today=today) == 6


@pytest.mark.django_db
def test_email_is_in_vietnamese_whatever_the_active_language(scenario, today, mailoutbox):
    with translation.override("en"):
        pledge_reminders_send(today=today)
    body = _mail_to(mailoutbox, "vanphong.txb@hanoi.example").body
    assert "Cổng Quy tắc ứng xử" in body and "Conduct Portal" not in body
    assert scenario["campaign"].closes_on.strftime("%d/%m/%Y") in body
    assert "Trần Thị Bích" in body


# --- The banner ------------------------------------------------------------------------------------------------


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


@pytest.mark.django_db
def test_banner_shows_unsigned_staff_of_the_users_units(
    scenario, today, thanh_xuan_bac, thanh_xuan_trung, django_assert_max_num_queries, ward_officer, district_officer
):
    campaign = scenario["campaign"]
    pledge_reminders_send(today=today)

    # Fresh user objects: the scope is not cached yet, and still it takes at most two queries.
    ward_officer = type(ward_officer).objects.get(pk=ward_officer.pk)
    request = _request(ward_officer)
    with django_assert_max_num_queries(2):
        items = pledge_banner(request)["pledge_banner"]
    assert [(i.campaign_id, i.title, i.unsigned) for i in items] == [(campaign.pk, campaign.title, 2)]
    with django_assert_max_num_queries(0):
        assert pledge_banner(request)["pledge_banner"] == items  # kept for the rest of the request

    district = pledge_banner(_request(type(district_officer).objects.get(pk=district_officer.pk)))["pledge_banner"]
    assert [i.unsigned for i in district] == [2 + 2 + 1]

    html = render_to_string("includes/pledge_banner.html", {"pledge_banner": items})
    assert "alert-warning" in html and "Ký cam kết thực hiện Quy tắc ứng xử năm 2026" in html
    assert reverse("pledges:campaign_detail", args=[campaign.pk]) in html
    assert re.search(r"<span>\s*2\b", html)


@pytest.mark.django_db
def test_banner_uses_the_latest_run(scenario, today, thanh_xuan_bac, ward_officer):
    pledge_reminders_send(today=today)
    # The next day Thanh Xuân Bắc has everyone signed: it is not reminded, and its banner goes away.
    for person in scenario["people"]["txb"][1:]:
        services.pledge_record_paper(actor=ward_officer, campaign=scenario["campaign"], staff=person, signed_on=today)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "localdate", lambda *args, **kwargs: today + DAY)
        pledge_reminders_send(today=today + DAY)
        assert not PledgeReminder.objects.filter(unit=thanh_xuan_bac, sent_on=today + DAY).exists()
        assert pledge_banner(_request(ward_officer))["pledge_banner"] == []


@pytest.mark.django_db
def test_no_banner_without_reminders_or_rights(scenario, today, ward_officer, inspector, phuc_xa):
    assert pledge_banner(_request(ward_officer))["pledge_banner"] == []  # nothing sent yet
    pledge_reminders_send(today=today)
    assert pledge_banner(_request(AnonymousUser()))["pledge_banner"] == []
    assert pledge_banner(_request(inspector))["pledge_banner"] == []  # sees the district, cannot record pledges
    other_ward = make_user("phucxa.officer", Role.WARD_OFFICER, phuc_xa, email="vanphong.phucxa@hanoi.example")
    assert pledge_banner(_request(other_ward))["pledge_banner"] == []  # another district
    assert render_to_string("includes/pledge_banner.html", {"pledge_banner": []}).strip() == ""


@pytest.mark.django_db
def test_no_banner_once_the_campaign_closed(scenario, today, ward_officer):
    pledge_reminders_send(today=today)
    campaign = scenario["campaign"]
    type(campaign).objects.filter(pk=campaign.pk).update(closes_on=today - DAY)
    assert pledge_banner(_request(ward_officer))["pledge_banner"] == []


# --- Through a real Celery worker ----------------------------------------------------------------------------


@pytest.fixture
def celery_worker(transactional_db):
    with start_worker(app, pool="threads", concurrency=1, perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30):
        yield


@pytest.mark.celery
def test_worker_sends_the_reminders_once_a_day(celery_worker, scenario, today, mailoutbox, thanh_xuan_bac):
    assert pledge_reminders_send_task.delay().get(timeout=60) == 3
    assert len(mail.outbox) == 3
    assert any("Trần Thị Bích" in m.body and "vanphong.txb@hanoi.example" in m.to for m in mail.outbox)
    assert PledgeReminder.objects.filter(sent_on=today).count() == 3

    # Beat runs it every hour: the second run the same day finds everything sent.
    assert pledge_reminders_send_task.delay().get(timeout=60) == 0
    assert len(mail.outbox) == 3 and PledgeReminder.objects.count() == 3
