"""The bell, the list (newest first, unread filter, mark one or all read), the preferences page and the one-click
unsubscribe link (GET asks, POST does; a forged link changes nothing)."""

from __future__ import annotations

from django.urls import reverse
import pytest

from units.notifications.kinds import Delivery, NotificationKind as K
from units.notifications.models import Notification, NotificationPreference
from units.notifications.services import notify, unsubscribe_token

pytestmark = pytest.mark.django_db


def _tell(world, user, n: int, kind=K.FEEDBACK_NEW):
    for i in range(n):
        notify(kind=kind, unit=world.ward, event_key=f"test:{kind}:{i}", recipients=[user], url=f"/feedback/inbox/{i}/",
               params={"code": f"ABC{i:03d}", "unit": world.ward.name, "due": "15/12/2026"})


def test_the_bell_counts_unread_and_the_list_links_each_to_its_object(world, client):
    _tell(world, world.officer, 3)
    Notification.objects.filter(params__code="ABC000").update(read_at="2026-12-01T00:00Z")
    client.force_login(world.officer)
    home = client.get("/").content.decode()
    assert 'data-testid="notification-count">2<' in home
    page = client.get(reverse("units:notification_list")).content.decode()
    assert page.index("ABC002") < page.index("ABC001") < page.index("ABC000")  # newest first
    assert 'href="/feedback/inbox/2/"' in page
    unread = client.get(reverse("units:notification_list"), {"unread": "1"}).content.decode()
    assert "ABC000" not in unread and "ABC001" in unread


def test_mark_one_and_all_read_and_never_someone_elses(world, client):
    _tell(world, world.officer, 2)
    _tell(world, world.head, 1)
    mine = Notification.objects.filter(recipient=world.officer).order_by("pk")
    theirs = Notification.objects.get(recipient=world.head)
    client.force_login(world.officer)
    assert client.get(reverse("units:notification_read", args=[mine[0].pk])).status_code == 405  # GET never writes
    client.post(reverse("units:notification_read", args=[mine[0].pk]))
    client.post(reverse("units:notification_read", args=[theirs.pk]))
    assert Notification.objects.filter(read_at__isnull=False).count() == 1
    client.post(reverse("units:notification_read_all"), {"next": "https://evil.example/"})
    assert not Notification.objects.filter(recipient=world.officer, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_the_list_costs_the_same_queries_for_many_notifications(world, client, django_assert_max_num_queries):
    _tell(world, world.officer, 2)
    client.force_login(world.officer)
    client.get(reverse("units:notification_list"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("units:notification_list"))
    _tell(world, world.officer, 40, kind=K.SHEET_SUBMITTED)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("units:notification_list"))


def test_preferences_page_saves_per_kind_and_language(world, client):
    client.force_login(world.officer)
    page = client.get(reverse("units:notification_preferences"))
    assert page.status_code == 200
    data = {f"kind_{kind}": Delivery.IMMEDIATE for kind in K.values} | {"kind_feedback_new": Delivery.NONE, "language": "en"}
    assert client.post(reverse("units:notification_preferences"), data).status_code == 302
    assert NotificationPreference.objects.get(user=world.officer, kind=K.FEEDBACK_NEW).delivery == Delivery.NONE
    world.officer.refresh_from_db()
    assert world.officer.language == "en"
    notify(kind=K.FEEDBACK_NEW, unit=world.ward, event_key="x", recipients=[world.officer], params={})
    assert Notification.objects.get(event_key="x").delivery == Delivery.NONE


def test_unsubscribe_in_one_click_without_login_and_get_never_writes(world, client):
    token = unsubscribe_token(user=world.officer, kind=K.FEEDBACK_NEW)
    url = reverse("units:notification_unsubscribe", args=[token])
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="unsubscribe-confirm"' in page.content.decode()
    assert not NotificationPreference.objects.exists()
    done = client.post(url, {"List-Unsubscribe": "One-Click"})  # a mail client's one-click request: no session, no CSRF
    assert done.status_code == 200 and 'data-testid="unsubscribe-done"' in done.content.decode()
    assert NotificationPreference.objects.get(user=world.officer, kind=K.FEEDBACK_NEW).delivery == Delivery.NONE


def test_unsubscribe_from_everything_and_forged_tokens(world, client):
    url = reverse("units:notification_unsubscribe", args=[unsubscribe_token(user=world.head)])
    client.post(url)
    assert set(NotificationPreference.objects.filter(user=world.head).values_list("delivery", flat=True)) == {Delivery.NONE}
    forged = unsubscribe_token(user=world.officer)[:-3] + "abc"
    assert client.post(reverse("units:notification_unsubscribe", args=[forged])).status_code == 400
    assert not NotificationPreference.objects.filter(user=world.officer).exists()


def test_pages_need_a_login(client):
    response = client.get(reverse("units:notification_list"))
    assert response.status_code == 302 and "/login/" in response["Location"]
