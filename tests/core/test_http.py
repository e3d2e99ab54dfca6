"""The client's address: REMOTE_ADDR unless reverse proxies are declared (TRUSTED_PROXY_COUNT); then the entry of
X-Forwarded-For that the first trusted proxy wrote, never one the client could have written."""

from django.test import RequestFactory
import pytest

from core.http import client_address

PROXY = "10.0.0.2"  # the reverse proxy: what REMOTE_ADDR is for every request that comes through it


def _request(forwarded_for=None, remote_addr=PROXY):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize("forwarded_for", [None, "203.0.113.7", "198.51.100.1, 203.0.113.7"])
def test_without_trusted_proxies_the_header_is_ignored(settings, forwarded_for):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(_request(forwarded_for)) == PROXY


@pytest.mark.parametrize(("forwarded_for", "client"), [
    ("203.0.113.7", "203.0.113.7"),
    # Entries left of what the proxy appended are the client's own (forged, or its office proxy's): ignored.
    ("198.51.100.1, 203.0.113.7", "203.0.113.7"),
    ("not-an-address, 203.0.113.7", "203.0.113.7"),
    ("192.168.1.20", "192.168.1.20"),  # a citizen on the city's own network is still one citizen
    ("2001:db8::7", "2001:db8::7"),
])
def test_behind_one_proxy_the_client_is_the_last_entry(settings, forwarded_for, client):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(_request(forwarded_for)) == client


def test_behind_two_proxies_the_client_is_the_second_entry_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    # The client forged 198.51.100.1; the CDN appended the client (203.0.113.7), the load balancer the CDN.
    assert client_address(_request("198.51.100.1, 203.0.113.7, 172.16.0.9")) == "203.0.113.7"


@pytest.mark.parametrize("forwarded_for", [None, "", "garbage"])
def test_behind_a_proxy_without_a_usable_header_the_proxy_address_stands(settings, forwarded_for):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(_request(forwarded_for)) == PROXY


def test_a_malformed_remote_addr_is_no_address(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(_request(remote_addr="")) is None
    assert client_address(_request(remote_addr="unix:/run/gunicorn.sock")) is None
