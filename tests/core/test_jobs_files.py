"""A job's file goes through the storage API: written locally, saved under a new name, the row switched to it in one
update and the previous file removed after; a run that lost its row leaves nothing behind."""

from pathlib import Path
import re
import tempfile

from django.core.files.storage import default_storage
import pytest

from core import jobs
from core.choices import JobStatus
from reports.models import ExportJob
from tests.factories import ExportJobFactory

pytestmark = pytest.mark.django_db


def _media_files(settings) -> set[str]:
    return {str(path.relative_to(settings.MEDIA_ROOT)) for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()}


def test_the_writer_fills_a_local_temporary_file_and_the_storage_gets_a_new_name(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    seen = {}

    def write(path: Path) -> int:
        seen["path"] = path
        assert Path(tempfile.gettempdir()) in path.parents and path.suffix == ".xlsx"
        path.write_bytes(b"PK workbook")
        return 42

    first, result = jobs.write_atomically("exports/7/12-ratings.xlsx", write)
    second, _ = jobs.write_atomically("exports/7/12-ratings.xlsx", write)

    assert result == 42 and first != second
    assert re.fullmatch(r"exports/7/12-ratings-[0-9a-f]{10}\.xlsx", first)
    assert _media_files(settings) == {first, second}  # nothing else: no temporary file in the media folder
    assert not seen["path"].exists()
    with default_storage.open(first) as stored:
        assert stored.read() == b"PK workbook"


def test_a_writer_that_fails_stores_nothing(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"

    def write(path: Path):
        path.write_bytes(b"half a work")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        jobs.write_atomically("reports/quarterly/x/2025-q2.xlsx", write)
    assert _media_files(settings) == set()


def test_success_switches_the_row_to_the_new_file_and_removes_the_previous_one(settings, tmp_path,
                                                                             django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path / "media"
    job = ExportJobFactory(status=JobStatus.RUNNING, task_id="t1")
    earlier, _ = jobs.write_atomically("exports/1/x.xlsx", lambda path: path.write_bytes(b"earlier run"))
    ExportJob.objects.filter(pk=job.pk).update(file=earlier)

    fresh, _ = jobs.write_atomically("exports/1/x.xlsx", lambda path: path.write_bytes(b"this run"))
    with django_capture_on_commit_callbacks(execute=True):
        jobs.job_succeed(job, file_name=fresh, row_count=3)

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCESS and job.file.name == fresh and job.row_count == 3
    assert _media_files(settings) == {fresh}
    with job.file.open("rb") as stored:
        assert stored.read() == b"this run"


def test_a_run_whose_row_was_given_to_another_task_removes_its_own_file(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    job = ExportJobFactory(status=JobStatus.RUNNING, task_id="t1")
    ExportJob.objects.filter(pk=job.pk).update(task_id="t2")  # the sweeper sent it again meanwhile
    late, _ = jobs.write_atomically("exports/1/x.xlsx", lambda path: path.write_bytes(b"late"))

    with pytest.raises(jobs.JobSuperseded):
        jobs.job_succeed(job, file_name=late)

    assert _media_files(settings) == set()
    assert ExportJob.objects.get(pk=job.pk).status == JobStatus.RUNNING
