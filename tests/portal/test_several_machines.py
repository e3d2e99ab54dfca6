"""The portal on several machines: processes that share nothing but PostgreSQL, Redis and an S3 API server.

Two gunicorn web servers (A and B) and two Celery workers, each with a media folder of its own (so a file written on
one "machine" could never be read on another), all pointed at moto's S3 server on 127.0.0.1 and at this run's test
database and Redis. A citizen's photo posted to A is shown to staff by B; a quarterly report and a background export
asked on A are built by a worker and downloaded from B; a backup and a restore bring back every object of the bucket;
nothing is ever written to a media folder. Two Celery beat processes send their schedule once, and the second takes
over when the first dies.
"""

from __future__ import annotations

from contextlib import suppress
import json
import os
from pathlib import Path
import re
import signal
import socket
import subprocess
import sys
import time
import uuid

import boto3
from django.conf import settings
from django.db import connection
import pytest
import redis
import requests

from core.choices import JobStatus
from core.quarters import Quarter
from feedback.models import FeedbackCase
from reports.models import ExportJob, QuarterlyReport
from tests.builders import make_user
from tests.feedback.helpers import png_bytes
from tests.reports.celery_helpers import database_url, kill_group, wait_for
from units.choices import Role

pytestmark = pytest.mark.celery

BUCKET = "conduct-portal-test"
PASSWORD = "hanoi-2026"  # tests.factories.UserFactory's


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Processes:
    """Processes started by a test, each logging to a file of its own; all stopped (and their logs shown) at the end."""

    def __init__(self, folder: Path):
        self.folder, self.started = folder, []

    def start(self, name: str, command: list[str], env: dict) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "wb")
        process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        self.started.append((name, process, log))
        return process

    def stop_all(self) -> None:
        for _name, process, _log in self.started:
            if process.poll() is None:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for name, process, log in self.started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                kill_group(process)
            log.close()
            print(f"--- {name} ---\n" + (self.folder / f"{name}.log").read_text(errors="replace")[-3000:])


@pytest.fixture
def processes(tmp_path):
    started = Processes(tmp_path)
    yield started
    started.stop_all()


@pytest.fixture
def s3_server(processes):
    """moto's S3 server on a free port of 127.0.0.1, with the portal's bucket; the S3 client to look into it."""
    port = free_port()
    processes.start("s3", [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                    {**os.environ})
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="testing", aws_secret_access_key="testing",
                          region_name="us-east-1")
    wait_for(lambda: _answers(client), timeout=30, step=0.3)
    client.create_bucket(Bucket=BUCKET)
    return endpoint, client


def _answers(client) -> bool:
    try:
        client.list_buckets()
    except Exception:
        return False
    return True


def bucket(client) -> dict[str, bytes]:
    """Every object of the bucket, by name."""
    names = [item["Key"] for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
             for item in page.get("Contents", [])]
    return {name: client.get_object(Bucket=BUCKET, Key=name)["Body"].read() for name in names}


def files_under(folder: Path) -> list[str]:
    return [str(path) for path in folder.rglob("*") if path.is_file()]


@pytest.fixture
def site(transactional_db, processes, s3_server, tmp_path):
    """Web servers A and B, two workers and the environment of a further machine (for backups), each with its own
    empty media folder. Returns their base URLs, the media folders, the S3 client and that environment."""
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("needs PostgreSQL and Redis: other processes cannot share the in-memory SQLite test database")
    endpoint, client = s3_server
    shared = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(),
        "DB_CONN_MAX_AGE": "0",  # no idle connection left to the test database between requests
        "REDIS_URL": settings.REDIS_URL,
        "CONDUCT_TEST_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "CONDUCT_TEST_CACHE_PREFIX": settings.CACHES["default"]["KEY_PREFIX"],
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_S3_REGION_NAME": "us-east-1",
        "EXPORT_BACKGROUND_ROWS": "-1",  # every export is a background job
    }
    media = {name: tmp_path / f"media-{name}" for name in ("web-a", "web-b", "worker-1", "worker-2", "admin")}
    for folder in media.values():
        folder.mkdir()

    def env_of(name: str) -> dict:
        return {**shared, "CONDUCT_TEST_MEDIA_ROOT": str(media[name])}

    urls = {}
    for name in ("web-a", "web-b"):
        port = free_port()
        processes.start(name, [sys.executable, "-m", "gunicorn", "conduct_portal.wsgi", "--bind", f"127.0.0.1:{port}",
                               "--workers", "1", "--threads", "2", "--timeout", "120"], env_of(name))
        urls[name] = f"http://127.0.0.1:{port}"
    for name in ("worker-1", "worker-2"):
        processes.start(name, [sys.executable, "-m", "celery", "--app", "conduct_portal", "worker", "--pool", "solo",
                               "--queues", settings.CELERY_TASK_DEFAULT_QUEUE, "--hostname", f"{name}-{uuid.uuid4().hex[:6]}@%h",
                               "--loglevel", "INFO", "--without-gossip", "--without-mingle"], env_of(name))
    for url in urls.values():
        # /healthz answers 200 only when the database, Redis and the S3 server all answer this web server.
        wait_for(lambda url=url: _healthy(url), timeout=120, step=0.5)
    return {"a": urls["web-a"], "b": urls["web-b"], "media": media, "s3": client, "admin_env": env_of("admin")}


def _healthy(url: str) -> bool:
    try:
        return requests.get(f"{url}/healthz", timeout=5).status_code == 200
    except requests.RequestException:
        return False


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match[1]


def log_in(session: requests.Session, base: str, username: str) -> None:
    page = session.get(f"{base}/login/", timeout=30)
    response = session.post(f"{base}/login/", data={"username": username, "password": PASSWORD,
                                                    "csrfmiddlewaretoken": csrf_token(page.text)},
                            headers={"Referer": f"{base}/login/"}, allow_redirects=False, timeout=30)
    assert response.status_code == 302, response.text[:2000]


def post_form(session: requests.Session, base: str, page_path: str, action: str, data: dict) -> requests.Response:
    """GET the page holding the form (its CSRF token), then POST ``data`` to ``action``, as a browser does."""
    page = session.get(f"{base}{page_path}", timeout=30)
    assert page.status_code == 200, page.text[:2000]
    return session.post(f"{base}{action}", data={**data, "csrfmiddlewaretoken": csrf_token(page.text)},
                        headers={"Referer": f"{base}{page_path}"}, allow_redirects=False, timeout=60)


def manage(env: dict, *arguments: str) -> str:
    done = subprocess.run([sys.executable, "manage.py", *arguments], cwd=settings.BASE_DIR, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_files_go_through_the_object_store_from_any_web_server_and_worker(site, hanoi, phuong_thanh_xuan, tmp_path):
    a, b, s3 = site["a"], site["b"], site["s3"]
    assert requests.get(f"{a}/healthz", timeout=30).json()["checks"]["storage"] == {"ok": True}
    department = make_user("so.noi.vu", Role.DISTRICT_OFFICE, hanoi)

    # A citizen sends a photo to web server A, through the public form.
    citizen = requests.Session()
    form_path = f"/feedback/{phuong_thanh_xuan.public_code}/"
    form = citizen.get(f"{a}{form_path}", timeout=30)
    assert form.status_code == 200
    photo = png_bytes()
    sent = citizen.post(f"{a}{form_path}", data={
        "kind": "attitude", "text": "Cán bộ tiếp dân thiếu nhiệt tình.", "staff_mentioned": "Bàn số 3", "satisfaction": "2",
        "contact_name": "", "contact_phone": "", "contact_email": "", "website": "",
        "submission_token": re.search(r'name="submission_token" value="([0-9a-f]{32})"', form.text)[1],
        "csrfmiddlewaretoken": csrf_token(form.text),
    }, files={"photo": ("anh.png", photo, "image/png")}, headers={"Referer": f"{a}{form_path}"}, allow_redirects=False,
        timeout=30)
    assert sent.status_code == 302, sent.text[:2000]
    case = FeedbackCase.objects.get(unit=phuong_thanh_xuan)
    assert case.photo and bucket(s3)[case.photo.name] == photo

    # Staff log in on web server B, which shows the photo from the bucket.
    staff = requests.Session()
    log_in(staff, b, department.username)
    shown = staff.get(f"{b}/feedback/inbox/{case.pk}/photo/", timeout=30)
    assert shown.status_code == 200 and shown.content == photo
    assert shown.headers["Content-Type"] == "image/png" and "no-store" in shown.headers["Cache-Control"]
    anonymous = requests.get(f"{b}/feedback/inbox/{case.pk}/photo/", allow_redirects=False, timeout=30)
    assert anonymous.status_code == 302 and "/login/" in anonymous.headers["Location"]  # only through the checked view

    # A quarterly report asked on web server A (the session of B is valid there: sessions live in the database) is
    # built by one of the workers and downloaded from B.
    quarter = Quarter.last_finished()
    asked = post_form(staff, a, "/reports/", "/reports/request/",
                      {"unit": phuong_thanh_xuan.public_code, "quarter": quarter.slug})
    assert asked.status_code == 302, asked.text[:2000]
    report = wait_for(lambda: QuarterlyReport.objects.filter(unit=phuong_thanh_xuan, status__in=(
        JobStatus.SUCCESS, JobStatus.FAILED)).first(), timeout=120, step=0.5)
    assert report.status == JobStatus.SUCCESS, report.error
    workbook = staff.get(f"{b}/reports/{report.pk}/report.xlsx", timeout=30)
    assert workbook.status_code == 200 and workbook.content.startswith(b"PK")
    assert workbook.content == bucket(s3)[report.file.name]

    # A background export, the same way.
    exported = post_form(staff, a, "/exports/", "/exports/new/", {
        "kind": "ratings", "unit": phuong_thanh_xuan.public_code,
        "month_from": quarter.months[0].strftime("%Y-%m"), "month_to": quarter.months[-1].strftime("%Y-%m")})
    assert exported.status_code == 302, exported.text[:2000]
    job = wait_for(lambda: ExportJob.objects.filter(requested_by=department, status__in=(
        JobStatus.SUCCESS, JobStatus.FAILED)).first(), timeout=120, step=0.5)
    assert job.status == JobStatus.SUCCESS, job.error
    download = staff.get(f"{b}/exports/{job.pk}/download/", timeout=30)
    assert download.status_code == 200 and download.content == bucket(s3)[job.file.name]

    # A backup (from a further machine) copies every object; a restore brings every one back as it was and removes
    # what was stored since.
    before = bucket(s3)
    assert set(before) == {case.photo.name, report.file.name, job.file.name}
    folder = Path(manage(site["admin_env"], "backup_data", "--destination", str(tmp_path / "backups")).strip())
    manifest = json.loads((folder / "manifest.json").read_text())
    assert set(manifest["files"]) == set(before)
    s3.delete_object(Bucket=BUCKET, Key=case.photo.name)
    s3.put_object(Bucket=BUCKET, Key=report.file.name, Body=b"overwritten")
    s3.put_object(Bucket=BUCKET, Key="feedback/stray.png", Body=b"stored after the backup")
    restored = manage(site["admin_env"], "restore_data", str(folder), "--yes")
    assert "and 3 files" in restored
    assert bucket(s3) == before
    assert staff.get(f"{b}/feedback/inbox/{case.pk}/photo/", timeout=30).content == photo

    # Nothing was ever written to a media folder of any machine.
    for name, media in site["media"].items():
        assert files_under(media) == [], name


def _probes(client: redis.Redis, queue: str) -> list[str]:
    """The process (Celery's ``gen<pid>@host`` origin) that sent each probe message waiting in ``queue``, oldest first."""
    return [json.loads(message)["headers"]["origin"] for message in reversed(client.lrange(queue, 0, -1))]


def test_two_beats_send_the_schedule_once_and_the_second_takes_over_when_the_first_dies(processes, tmp_path):
    if not settings.REDIS_URL:
        pytest.skip("the beat lock lives in Redis")
    client = redis.Redis.from_url(settings.REDIS_URL)
    probe_queue = f"conduct-beat-probe-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "REDIS_URL": settings.REDIS_URL,
           "CONDUCT_TEST_QUEUE": f"conduct-test-beat-{uuid.uuid4().hex[:8]}",  # a lock of this test's own
           "CONDUCT_TEST_BEAT_PROBE_QUEUE": probe_queue, "BEAT_LOCK_TIMEOUT": "3"}
    beats = {}
    try:
        for name in ("beat-1", "beat-2"):
            beat = processes.start(name, [sys.executable, "-m", "celery", "--app", "conduct_portal", "beat", "--loglevel",
                                          "INFO", "--schedule", str(tmp_path / f"{name}-schedule")], env)
            beats[beat.pid] = beat

        # The probe entry is due every second: over several seconds, one process sends it, about once a second.
        wait_for(lambda: len(_probes(client, probe_queue)) >= 2, timeout=60, step=0.2)
        started = time.monotonic()
        time.sleep(6)
        sent = _probes(client, probe_queue)
        elapsed = time.monotonic() - started
        assert len(set(sent)) == 1, sent
        assert len(sent) <= elapsed + 4, (len(sent), elapsed)  # two beats would send twice as many
        leader_pid = int(re.match(r"gen(\d+)@", sent[0])[1])
        assert leader_pid in beats

        # The sending beat dies without a word: the other takes the lock over once it expires (3 s) and sends alone.
        kill_group(beats[leader_pid])
        count = len(sent)
        wait_for(lambda: len(set(_probes(client, probe_queue))) == 2, timeout=30, step=0.2)
        time.sleep(4)
        after = _probes(client, probe_queue)[count:]
        assert len(set(after)) == 1 and after[0] != sent[0], after
        assert int(re.match(r"gen(\d+)@", after[0])[1]) in beats
    finally:
        client.delete(probe_queue)
