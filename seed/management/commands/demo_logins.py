"""``manage.py demo_logins``: print where to open the portal and the demo logins, once the server answers.

The Procfile runs it as ``demo_logins --wait-for http://127.0.0.1:$WEB_PORT/healthz --stay``: it waits for
the web server, prints the banner, then stays up doing nothing, because honcho stops every process as soon
as one of them exits. SIGTERM or SIGINT (Ctrl-C) end it cleanly with exit code 0.
"""

import signal
import threading
import time
from urllib.error import HTTPError
from urllib.parse import urlsplit
from urllib.request import urlopen

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from seed.demo import demo_logins, logins_table, open_url
from seed.demo_open311 import demo_open311_key

POLL_INTERVAL = 0.5


def server_answers(url: str, *, timeout: float = 2.0) -> bool:
    """True once anything answers HTTP at ``url``: a 503 (database or broker still starting) counts."""
    try:
        with urlopen(url, timeout=timeout):
            return True
    except HTTPError:
        return True
    except (OSError, ValueError):  # refused, reset, timed out, not yet listening
        return False


class Command(BaseCommand):
    help = "Print the portal's address and the demo logins (optionally after waiting for the server, then staying up)."

    def add_arguments(self, parser):
        parser.add_argument("--wait-for", metavar="URL", help="Poll URL every 0.5 s until the server answers.")
        parser.add_argument(
            "--timeout", type=float, default=120.0,
            help="Seconds to wait for --wait-for (default 120); then print the logins anyway.",
        )
        parser.add_argument(
            "--stay", action="store_true", help="Keep running after printing, until SIGTERM or SIGINT (for honcho)."
        )

    def handle(self, *args, wait_for, timeout, stay, **options):
        if wait_for and urlsplit(wait_for).scheme not in ("http", "https"):
            raise CommandError(f"--wait-for needs an http:// or https:// URL, not {wait_for!r}")
        self._stop = threading.Event()
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT)} if stay else {}
        try:
            up = False
            if wait_for:
                up = self._wait(wait_for, timeout)
                if self._stop.is_set():
                    return
                if not up:
                    self.stderr.write(f"{wait_for} did not answer within {timeout:g} s; printing the logins anyway.")
            self._print_banner(wait_for, up=up)
            while stay and not self._stop.is_set():
                self._stop.wait(1.0)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _on_signal(self, signum, frame):
        self._stop.set()

    def _wait(self, url: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not self._stop.is_set():
            if server_answers(url):
                return True
            if time.monotonic() >= deadline:
                return False
            self._stop.wait(POLL_INTERVAL)
        return False

    def _print_banner(self, wait_for: str | None, *, up: bool) -> None:
        if wait_for:
            parts = urlsplit(wait_for)
            url = f"{parts.scheme}://{parts.netloc}/"
        else:
            url = open_url()
        rule = "=" * 72
        self.stdout.write(rule)
        headline = f"Conduct Portal is up: open {url}" if up else f"Conduct Portal: open {url}"
        self.stdout.write(self.style.SUCCESS(headline))
        logins = demo_logins()
        if logins:
            self.stdout.write(
                "Demo logins (the password shown is the demo default, DEMO_PASSWORD; "
                "a user who has changed it uses their own):"
            )
            for line in logins_table(logins, settings.DEMO_PASSWORD):
                self.stdout.write(f"  {line}")
        else:
            self.stdout.write("No demo users yet: run `manage.py seed_demo` (or `make demo`).")
        key = demo_open311_key()
        if key:
            self.stdout.write(f"Open311 API ({url}open311/v2/): demo partner key {key} (DEMO_OPEN311_KEY, demo only).")
        self.stdout.write(rule)
        self.stdout.flush()  # stdout is a pipe under honcho: without this the banner waits in a buffer
