"""The public feedback form (``feedback:public_form`` POST) under gunicorn (DEBUG off, CONN_MAX_AGE on, the rate
limit raised for the one address the load comes from), 16 concurrent clients with ``wrk`` for a bounded time,
against the one-row floor, a minimal POST view on the same server that stores one row (and, for the record, a minimal
Django view that stores nothing)."""

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


_FORM_BODY = ("csrfmiddlewaretoken={token}&kind=delay&satisfaction=2&website=&staff_mentioned="
              "&text=H%E1%BB%93+s%C6%A1+c%E1%BB%A7a+t%C3%B4i+%C4%91%C3%A3+qu%C3%A1+h%E1%BA%B9n+m%E1%BB%99t+tu%E1%BA%A7n.")


def _form_script(folder: str, path: str, cookie: str, token: str) -> str:
    body = _FORM_BODY.format(token=token)
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


def _python_clients(port: int, path: str, body: str, cookie: str, seconds: float, nonce: str, process: int) -> tuple[int, int]:
    """One process of the fallback load tool: ``CONNECTIONS // 2`` threads posting ``body`` (with a fresh one-time
    token each time when ``cookie`` is given) for ``seconds``; returns (answers, answers not 2xx/3xx)."""
    import http.client
    import threading

    counts = [0, 0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if cookie:
        headers["Cookie"] = f"csrftoken={cookie}"

    def client(thread: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        done = bad = counter = 0
        while time.monotonic() < deadline:
            counter += 1
            payload = body + (f"&submission_token={nonce}{process:01x}{thread:01x}{counter:022x}" if cookie else "")
            try:
                connection.request("POST", path, payload, headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                connection.close()
                bad += 1
                continue
            done += 1
            bad += not 200 <= response.status < 400
        with lock:
            counts[0] += done
            counts[1] += bad

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CONNECTIONS // 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return counts[0], counts[1]


def _python_load(port: int, path: str, seconds: int, *, body: str, cookie: str = "") -> tuple[float, int]:
    """Requests per second and bad answers, like ``_wrk``, from two processes of threads (when wrk is missing; the
    clients then take a share of the CPU from the server, so compare only ratios within one run)."""
    from concurrent.futures import ProcessPoolExecutor

    nonce = secrets.token_hex(4)  # with the process, the thread and the counter: the form's 32 hex digits
    started = time.monotonic()
    with ProcessPoolExecutor(2) as pool:
        parts = list(pool.map(_python_clients, [port] * 2, [path] * 2, [body] * 2, [cookie] * 2, [seconds] * 2,
                              [nonce] * 2, [0, 1]))
    elapsed = time.monotonic() - started
    return sum(done for done, _bad in parts) / max(elapsed, seconds), sum(bad for _done, bad in parts)


def _form_unit(ward):
    """The ward whose form is posted: the bench's ward, or the ward that replaced it when the synthetic data sits in
    a ward dissolved by the 2025 reform (its form would only lead the citizen to the new ward's, storing nothing)."""
    from django.utils import timezone

    from units.validity import unit_replaced

    successors = unit_replaced(unit=ward, day=timezone.localdate())
    return successors[0] if successors else ward


def run(context) -> list[Row]:
    use_wrk = shutil.which("wrk") is not None
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
        form_path = reverse("feedback:public_form", args=[_form_unit(context.ward).public_code])
        cookie, token = _csrf(base + form_path)
        form, minimal, insert, errors = [], [], [], 0
        if not use_wrk:  # the same three loads from Python clients
            form_body = _FORM_BODY.format(token=token)
            _python_load(port, "/bench/minimal/", 1, body="a=1")  # warm-up: workers and connections opened
            for _ in range(context.runs):
                rate, bad = _python_load(port, form_path, seconds, body=form_body, cookie=cookie)
                form.append(rate)
                errors += bad
                minimal.append(_python_load(port, "/bench/minimal/", seconds, body="a=1")[0])
                insert.append(_python_load(port, "/bench/minimal-insert/", seconds, body=f"unit={context.ward.pk}")[0])
        else:
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
    if not use_wrk:
        note = "; ".join(filter(None, [note, "wrk not installed: Python clients on the same 2 CPUs (ratios only)"]))
    return [
        Row("Public feedback form POST (throughput)", size, form_rate, insert_rate, unit="req/s",
            limit_label="minimal view storing one row", target=f"≥ {TARGET_SHARE:.1f}× the one-row floor",
            met=form_rate >= TARGET_SHARE * insert_rate and not errors, higher_is_better=True, note=note),
        Row("  for the record: a minimal view, no write", size, form_rate, minimal_rate, unit="req/s",
            limit_label="minimal Django view", higher_is_better=True),
    ]
