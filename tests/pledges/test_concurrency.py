"""Two requests sign for the same person at the same moment: the database keeps one pledge (PostgreSQL)."""

import threading

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.utils import timezone
import pytest

from pledges import services
from pledges.models import Pledge
from tests.builders import make_campaign, make_user
from tests.factories import UserFactory
from tests.helpers import days
from units.choices import Role

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's concurrent transactions"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def campaign(hanoi, thanh_xuan, code_version):
    # Transactional tests empty every table between tests: ``code_version`` puts the shipped codes back.
    office = make_user("district.office", Role.DISTRICT_OFFICE, thanh_xuan)
    return make_campaign(actor=office, scope_unit=thanh_xuan, code_version=code_version, title="Ký cam kết năm 2026",
                         year=timezone.localdate().year, opens_on=days(-5), closes_on=days(30))


def _at_the_same_time(*calls):
    """Run each call in its own thread (own database connection), released together; returns outcomes."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def _one_pledge_and_one_refusal(outcomes, person):
    pledges = [o for o in outcomes if isinstance(o, Pledge)]
    errors = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(pledges) == 1 and len(errors) == 1, outcomes
    assert errors[0].code == "already_signed" and person.full_name in errors[0].messages[0]
    assert Pledge.objects.filter(campaign=pledges[0].campaign, staff=person).count() == 1
    return errors[0]


def test_two_simultaneous_paper_records_keep_one_pledge(
    campaign, thanh_xuan_bac, ward_officer, district_officer, staff_factory, monkeypatch
):
    person = staff_factory(unit=thanh_xuan_bac, full_name="Nguyễn Thị Hồng Nhung")
    today = timezone.localdate()
    # Hold both inserts until both requests have passed the service's "already signed?" check, so that only
    # the unique constraint stands between them: the second insert waits for the first to commit, then fails.
    both_checked = threading.Barrier(2)
    save = Pledge.save

    def save_when_both_checked(pledge, *args, **kwargs):
        both_checked.wait(timeout=10)
        return save(pledge, *args, **kwargs)

    monkeypatch.setattr(Pledge, "save", save_when_both_checked)
    outcomes = _at_the_same_time(
        *(
            lambda actor=actor: services.pledge_record_paper(actor=actor, campaign=campaign, staff=person, signed_on=today)
            for actor in (ward_officer, district_officer)
        )
    )
    refusal = _one_pledge_and_one_refusal(outcomes, person)
    assert isinstance(refusal.__context__, IntegrityError)  # it was the database that said no


def test_two_simultaneous_online_signatures_keep_one_pledge(campaign, thanh_xuan_bac, staff_factory):
    person = staff_factory(unit=thanh_xuan_bac, full_name="Trần Văn Đức")
    user = UserFactory(username="tran.van.duc", staff_member=person)
    outcomes = _at_the_same_time(
        *(
            lambda ip=ip: services.pledge_sign_online(actor=user, campaign=campaign, ip_address=ip)
            for ip in ("10.0.0.1", "10.0.0.2")
        )
    )
    _one_pledge_and_one_refusal(outcomes, person)
