"""The public feedback form (``feedback:public_form`` POST) under gunicorn (DEBUG off, CONN_MAX_AGE on, the rate
limit raised for the one address the load comes from), 16 concurrent clients with ``wrk`` for a bounded time,
against a minimal Django view on the same server (and, for the record, a minimal POST that stores one row)."""

from __future__ import annotations

import http.cookiejar
import os
from pathlib import Path
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request

from django.urls import reverse

from benchmarks.harness import Row
from benchmarks.scales import WEB_SECONDS

CONNECTIONS = 16
TARGET_SHARE = 0.5
BENCH_DIR = Path(__file__).resolve().parent.parent

LUA = """
local counter = 0
local threads = {}
function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end
request = function()
  counter = counter + 1
  -- A fresh one-time token per request (32 hex digits), or the form would answer with the first case again.
  local token = string.format("%s%02x%022x", NONCE, thread_id, counter)
  local body = BODY .. "&submission_token=" .. token
  return wrk.format("POST", PATH, HEADERS, body)
end
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except Exception:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer {url}")


def _csrf(form_url: str) -> tuple[str, str]:
    """The CSRF cookie and a form token, as a browser gets them by opening the form."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(form_url, timeout=10).read().decode()
    cookie = next(c.value for c in jar if c.name == "csrftoken")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return cookie, token


def _lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _wrk(url: str, seconds: int, script: str | None = None) -> tuple[float, int]:
    """Requests per second and non-2xx/3xx answers of one bounded wrk run."""
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s"]
    if script:
        command += ["-s", script]
    output = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return rate, int(errors.group(1)) if errors else 0


def _form_script(folder: str, path: str, cookie: str, token: str) -> str:
    body = (f"csrfmiddlewaretoken={token}&kind=delay&satisfaction=2&website=&staff_mentioned="
            "&text=H%E1%BB%93+s%C6%A1+c%E1%BB%A7a+t%C3%B4i+%C4%91%C3%A3+qu%C3%A1+h%E1%BA%B9n+m%E1%BB%99t+tu%E1%BA%A7n.")
    headers = ('{["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = '
               + _lua_string(f"csrftoken={cookie}") + "}")
    script = Path(folder) / "form.lua"
    script.write_text(
        f"NONCE = {_lua_string(secrets.token_hex(4))}\nPATH = {_lua_string(path)}\nBODY = {_lua_string(body)}\n"
        f"HEADERS = {headers}\n{LUA}"
    )
    return str(script)


def _post_script(folder: str, path: str, body: str) -> str:
    script = Path(folder) / f"post-{secrets.token_hex(2)}.lua"
    script.write_text(
        f'wrk.method = "POST"\nwrk.body = {_lua_string(body)}\n'
        'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
    )
    return str(script)


def run(context) -> list[Row]:
    if shutil.which("wrk") is None:
        return [Row("Public feedback form (gunicorn, 16 clients)", "—", 0, None, unit="req/s",
                    note="skipped: wrk is not installed (Debian: apt-get install -y wrk)")]
    port = _free_port()
    workers = os.cpu_count() or 2
    server = subprocess.Popen(
        [str(Path(os.sys.executable).parent / "gunicorn"), "conduct_portal.wsgi", "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=BENCH_DIR.parent, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    seconds = WEB_SECONDS[context.scale]
    try:
        _wait(f"{base}/bench/minimal/")
        form_path = reverse("feedback:public_form", args=[context.ward.public_code])
        cookie, token = _csrf(base + form_path)
        form, minimal, insert, errors = [], [], [], 0
        with tempfile.TemporaryDirectory() as folder:
            minimal_script = _post_script(folder, "/bench/minimal/", "a=1")
            insert_script = _post_script(folder, "/bench/minimal-insert/", f"unit={context.ward.pk}")
            _wrk(base + "/bench/minimal/", 1, minimal_script)  # warm-up: workers and connections opened
            for _ in range(context.runs):
                rate, bad = _wrk(base + form_path, seconds, _form_script(folder, form_path, cookie, token))
                form.append(rate)
                errors += bad
                minimal.append(_wrk(base + "/bench/minimal/", seconds, minimal_script)[0])
                insert.append(_wrk(base + "/bench/minimal-insert/", seconds, insert_script)[0])
    finally:
        server.terminate()
        server.wait(timeout=30)
    form_rate, minimal_rate, insert_rate = (statistics.median(v) for v in (form, minimal, insert))
    size = f"{CONNECTIONS} clients × {seconds} s, {workers} sync workers"
    note = f"{errors} answers were not 2xx/3xx" if errors else ""
    return [
        Row("Public feedback form POST (throughput)", size, form_rate, minimal_rate, unit="req/s",
            limit_label="minimal Django view", target=f"≥ {TARGET_SHARE:.1f}× the minimal view",
            met=form_rate >= TARGET_SHARE * minimal_rate and not errors, higher_is_better=True, note=note),
        Row("  for the record: a POST storing one row", size, form_rate, insert_rate, unit="req/s",
            limit_label="minimal view, one INSERT", higher_is_better=True),
    ]
