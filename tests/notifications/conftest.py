"""A current-structure world for the notification tests: Hà Nội over Phường Thanh Xuân (its officer, head and staff)
and Phường Khương Đình (a sibling ward with an officer of its own: outside the first ward's scope), the city's
oversight office, two inspectors and a city administrator, all with e-mail addresses. And a real SMTP server."""

from __future__ import annotations

from dataclasses import dataclass, field
import socket
import threading

from aiosmtpd.controller import Controller
import pytest

from conduct_portal.celery import app
from tests.builders import make_user
from units.choices import Role, Structure
from units.models import Unit


@dataclass
class World:
    city: Unit
    ward: Unit
    sibling: Unit
    users: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["users"][name]
        except KeyError:
            raise AttributeError(name) from None


@pytest.fixture
def world(hanoi, phuong_thanh_xuan):
    sibling = Unit.objects.get(structure=Structure.CURRENT, official_code="00364")
    world = World(city=hanoi, ward=phuong_thanh_xuan, sibling=sibling)
    for name, role, unit in [
        ("officer", Role.WARD_OFFICER, phuong_thanh_xuan),
        ("head", Role.UNIT_HEAD, phuong_thanh_xuan),
        ("sibling_officer", Role.WARD_OFFICER, sibling),
        ("office", Role.DISTRICT_OFFICE, hanoi),
        ("inspector", Role.INSPECTOR, hanoi),
        ("inspector2", Role.INSPECTOR, hanoi),
        ("admin", Role.CITY_ADMIN, hanoi),
    ]:
        world.users[name] = make_user(f"n.{name}", role, unit, email=f"{name}@hanoi.example", full_name=name.title())
    return world


class _Inbox:
    """What the SMTP server received; ``refuse`` makes it answer 451 (try again later) to that many messages."""

    def __init__(self):
        self.messages: list = []
        self.refuse = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refuse > 0:
                self.refuse -= 1
                return "451 Try again later"
            self.messages.append(envelope)
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in m.rcpt_tos]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """A real SMTP server on 127.0.0.1, and the portal's e-mail sent to it."""
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.PORTAL_BASE_URL = "https://quytac.hanoi.example/"
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def eager_celery():
    """Celery tasks run in the calling process (as a worker would run them), so after-commit queueing is exercised."""
    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    try:
        yield app
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = previous
