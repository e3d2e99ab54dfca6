"""``make backup`` / ``make restore``: a backup brings back every row and every uploaded file, on the database
the suite runs on (PostgreSQL in CI: pg_dump and pg_restore; SQLite: its online backup API)."""

import io
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
import pytest

from feedback.models import FeedbackCase
from portal.backup import table_row_counts
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
    photo_path = Path(case.photo.path)
    FeedbackCase.objects.filter(pk=case.pk).delete()
    photo_path.unlink()

    call_command("restore_data", str(folder), yes=True, stdout=io.StringIO())

    assert table_row_counts() == counts_before
    assert Staff.objects.get(pk=kept.pk).full_name == "Nguyễn Thị Lan"
    assert not Staff.objects.filter(full_name="Người thêm sau").exists()
    restored = FeedbackCase.objects.get(tracking_code="KEEP1234")
    assert Path(restored.photo.path).read_bytes() == b"\x89PNG\r\n\x1a\n-photo-bytes"


def test_restore_refuses_a_folder_that_is_not_a_backup(tmp_path, db):
    with pytest.raises(CommandError, match="not a backup folder"):
        call_command("restore_data", str(tmp_path), yes=True, stdout=io.StringIO())


def test_restore_refuses_a_backup_of_another_engine(tmp_path, db):
    other = "sqlite" if settings.DATABASES["default"]["ENGINE"].endswith("postgresql") else "postgresql"
    (tmp_path / "manifest.json").write_text(f'{{"engine": "{other}", "tables": {{}}, "media_files": 0}}')
    with pytest.raises(CommandError, match=f"backup is of a {other} database"):
        call_command("restore_data", str(tmp_path), yes=True, stdout=io.StringIO())
