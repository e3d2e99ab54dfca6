"""SMS to citizens through a small backend interface chosen in settings (``SMS_BACKEND``, a dotted path).

``ConsoleSmsBackend`` (the default, for development) prints each message; ``HttpSmsBackend`` posts it to an HTTP
SMS gateway (``SMS_GATEWAY_URL``, HTTP basic authentication with ``SMS_GATEWAY_USER`` / ``SMS_GATEWAY_PASSWORD``,
the sender name ``SMS_GATEWAY_SENDER``) as a form: ``to``, ``text``, ``from``. Any answer but 2xx, or no answer
within the timeout, is an ``SmsError``, and the sending task tries again later.
"""

from __future__ import annotations

import base64
import sys
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.utils.module_loading import import_string


class SmsError(Exception):
    """The gateway refused the message or could not be reached."""


class BaseSmsBackend:
    """Send one SMS; raise ``SmsError`` when it could not be handed over."""

    def send(self, *, to: str, text: str) -> None:  # pragma: no cover - the interface
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    """Development: the message goes to standard output (or the stream given)."""

    def __init__(self, stream=None):
        self.stream = stream

    def send(self, *, to: str, text: str) -> None:
        stream = self.stream or sys.stdout
        stream.write(f"SMS to {to}: {text}\n")
        stream.flush()


class HttpSmsBackend(BaseSmsBackend):
    """An HTTP SMS gateway: one POST per message, form-encoded, with HTTP basic authentication."""

    timeout = 10

    def __init__(self, *, url: str | None = None, user: str | None = None, password: str | None = None,
                 sender: str | None = None):
        self.url = url if url is not None else settings.SMS_GATEWAY_URL
        self.user = user if user is not None else settings.SMS_GATEWAY_USER
        self.password = password if password is not None else settings.SMS_GATEWAY_PASSWORD
        self.sender = sender if sender is not None else settings.SMS_GATEWAY_SENDER

    def send(self, *, to: str, text: str) -> None:
        if not self.url:
            raise SmsError("SMS_GATEWAY_URL is not set")
        body = urllib.parse.urlencode({"to": to, "text": text, "from": self.sender}).encode()
        request = urllib.request.Request(self.url, data=body, method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
        if self.user:
            token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                if not 200 <= response.status < 300:
                    raise SmsError(f"gateway answered {response.status}")
        except urllib.error.HTTPError as error:
            raise SmsError(f"gateway answered {error.code}") from error
        except (urllib.error.URLError, OSError) as error:
            raise SmsError(f"gateway unreachable: {error}") from error


def sms_backend() -> BaseSmsBackend:
    """The backend ``SMS_BACKEND`` names."""
    return import_string(settings.SMS_BACKEND)()
