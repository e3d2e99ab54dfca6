"""Serving stored files (scans, photos, evidence, generated workbooks): personal data, so only through views that check scope.

Never from MEDIA_URL, nor from a public or pre-signed URL of the object store: the view streams the file from the
storage (``default_storage``: the media folder, or the bucket when ``AWS_STORAGE_BUCKET_NAME`` is set) after its check. The content type comes from the extension the upload checks gave the file (they read
the content, not the name), and the browser is told not to guess another one.
"""

from pathlib import Path

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",  # exports in CSV (written by the portal, never uploaded)
}


def private_file_response(field_file, *, download_name: str = "") -> FileResponse:
    """The stored file as a response: an attachment named ``download_name.<ext>`` when given, else inline
    (images shown on the page). 404 when there is no file or it is not a kind the portal accepts."""
    if not field_file:
        raise Http404
    extension = field_file.name.rsplit(".", 1)[-1].lower()
    if extension not in CONTENT_TYPES:
        raise Http404
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=bool(download_name),
        filename=f"{download_name}.{extension}" if download_name else None,
        content_type=CONTENT_TYPES[extension],
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def stored_file_copy(name: str, target) -> None:
    """Copy the stored file ``name`` (from ``default_storage``: the media folder or an object store) to the local
    path ``target``, in chunks."""
    with default_storage.open(name, "rb") as source, Path(target).open("wb") as copy:
        for chunk in source.chunks():
            copy.write(chunk)
