"""``make backup`` / ``make restore``: a backup brings back every row and every stored file, on the database
the suite runs on (PostgreSQL in CI: pg_dump and pg_restore; SQLite: its online backup API), from the media folder
or from an S3 bucket (moto's in-process S3; tests/portal/test_several_machines.py uses its server)."""

import hashlib
import io
import json
from pathlib import Path

import boto3
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from moto import mock_aws
import pytest

from feedback.models import FeedbackCase
from portal.backup import stored_files, table_row_counts
from tests.factories import FeedbackCaseFactory, StaffFactory
from units.models import Staff

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_restore_brings_back_every_row_and_file_and_drops_later_changes(thanh_xuan_bac, media_root, tmp_path):
    kept = StaffFactory(unit=thanh_xuan_bac, full_name="Nguyễn Thị Lan")
    case = FeedbackCaseFactory(unit=thanh_xuan_bac, tracking_code="KEEP1234", kind="praise", text="Cán bộ tận tình", due_on="2026-12-10")
    case.photo.save("anh.png", ContentFile(b"\x89PNG\r\n\x1a\n-photo-bytes"))
    counts_before = table_row_counts()

    out = io.StringIO()
    call_command("backup_data", destination=tmp_path / "backups", stdout=out)
    folder = Path(out.getvalue().strip())
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["manifest.json", "media.tar.gz", "database.dump" if settings.DATABASES["default"]["ENGINE"].endswith("postgresql") else "database.sqlite3"]
    )

    # After the backup: a row changed, a row added, a row and a file lost.
    Staff.objects.filter(pk=kept.pk).update(full_name="Tên bị sửa")
    StaffFactory(unit=thanh_xuan_bac, full_name="Người thêm sau")
    FeedbackCase.objects.filter(pk=case.pk).delete()
    default_storage.delete(case.photo.name)
    later = default_storage.save("feedback/later.png", ContentFile(b"stored after the backup"))

    out = io.StringIO()
    call_command("restore_data", str(folder), yes=True, stdout=out)

    assert table_row_counts() == counts_before
    assert Staff.objects.get(pk=kept.pk).full_name == "Nguyễn Thị Lan"
    assert not Staff.objects.filter(full_name="Người thêm sau").exists()
    restored = FeedbackCase.objects.get(tracking_code="KEEP1234")
    with restored.photo.open("rb") as photo:
        assert photo.read() == b"\x89PNG\r\n\x1a\n-photo-bytes"
    assert not default_storage.exists(later) and stored_files() == [restored.photo.name]
    assert "and 1 files" in out.getvalue()


def test_a_backup_whose_files_differ_from_its_manifest_is_refused_before_anything_changes(thanh_xuan_bac, media_root,
                                                                                          tmp_path):
    case = FeedbackCaseFactory(unit=thanh_xuan_bac, kind="praise", text="Tốt", due_on="2026-12-10")
    case.photo.save("anh.png", ContentFile(b"original photo"))
    out = io.StringIO()
    call_command("backup_data", destination=tmp_path / "backups", stdout=out)
    folder = Path(out.getvalue().strip())
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["files"] == {case.photo.name: {"size": 14, "sha256": hashlib.sha256(b"original photo").hexdigest()}}
    manifest["files"][case.photo.name]["sha256"] = "0" * 64  # the archive no longer matches
    (folder / "manifest.json").write_text(json.dumps(manifest))
    StaffFactory(unit=thanh_xuan_bac, full_name="Người thêm sau")

    with pytest.raises(CommandError, match="do not match its manifest"):
        call_command("restore_data", str(folder), yes=True, stdout=io.StringIO())
    assert Staff.objects.filter(full_name="Người thêm sau").exists()


@mock_aws
def test_the_files_of_an_s3_bucket_are_backed_up_and_restored(thanh_xuan_bac, media_root, tmp_path, settings):
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="conduct-backup-test")
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": "conduct-backup-test", "region_name": "us-east-1", "default_acl": None, "file_overwrite": False}}}
    case = FeedbackCaseFactory(unit=thanh_xuan_bac, kind="praise", text="Tốt", due_on="2026-12-10")
    case.photo.save("anh.png", ContentFile(b"photo in the bucket"))
    report = default_storage.save("reports/quarterly/x/2025-q2.xlsx", ContentFile(b"PK workbook"))
    out = io.StringIO()
    call_command("backup_data", destination=tmp_path / "backups", stdout=out)
    folder = Path(out.getvalue().strip())

    default_storage.delete(report)
    with default_storage.open(case.photo.name, "wb") as changed:
        changed.write(b"changed since")
    call_command("restore_data", str(folder), yes=True, stdout=io.StringIO())

    assert stored_files() == sorted([case.photo.name, report])
    with default_storage.open(report) as workbook, default_storage.open(case.photo.name) as photo:
        assert workbook.read() == b"PK workbook" and photo.read() == b"photo in the bucket"
    assert not Path(media_root).exists() or not any(Path(media_root).rglob("*"))  # all in the bucket


def test_restore_refuses_a_folder_that_is_not_a_backup(tmp_path, db):
    with pytest.raises(CommandError, match="not a backup folder"):
        call_command("restore_data", str(tmp_path), yes=True, stdout=io.StringIO())


def test_restore_refuses_a_backup_of_another_engine(tmp_path, db):
    other = "sqlite" if settings.DATABASES["default"]["ENGINE"].endswith("postgresql") else "postgresql"
    (tmp_path / "manifest.json").write_text(f'{{"engine": "{other}", "tables": {{}}, "media_files": 0}}')
    with pytest.raises(CommandError, match=f"backup is of a {other} database"):
        call_command("restore_data", str(tmp_path), yes=True, stdout=io.StringIO())
