"""The client's address of a request: one answer for the login lock-out, the public rate limits and the pledges.

By default (``TRUSTED_PROXY_COUNT = 0``) the address is ``REMOTE_ADDR``, what the web server saw, and any
``X-Forwarded-For`` is ignored: a client can write that header itself. Behind ``N`` reverse proxies that each
append the address they received the request from to ``X-Forwarded-For`` (nginx's ``$proxy_add_x_forwarded_for``,
a load balancer), ``REMOTE_ADDR`` is the last proxy's and the client is the ``N``-th entry from the right of the
header: the entries to its left are whatever the client (or its own office proxy) wrote, and are never trusted.

python-ipware (installed with django-ipware) reads the chain. Its ``proxy_count`` counts the proxies *listed in the
header*, which the last proxy never is, hence ``N - 1``; it is called non-strict so that a client whose own proxy
added entries on the left is still found by position instead of being mistaken for the proxy.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from python_ipware import IpWare


def _remote_addr(request) -> str | None:
    try:
        return str(ipaddress.ip_address(request.META.get("REMOTE_ADDR", "").strip()))
    except ValueError:
        return None


def client_address(request) -> str | None:
    """The client's IP address, from ``X-Forwarded-For`` only when ``settings.TRUSTED_PROXY_COUNT`` proxies are
    configured, else (or when the header is missing, too short or malformed) ``REMOTE_ADDR``; None when neither
    is a valid address. Also django-axes' ``AXES_CLIENT_IP_CALLABLE``."""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies > 0:
        reader = IpWare(precedence=("HTTP_X_FORWARDED_FOR",), proxy_count=proxies - 1)
        forwarded, _trusted = reader.get_client_ip(request.META, strict=False)
        if forwarded is not None:
            return str(forwarded)
    return _remote_addr(request)
