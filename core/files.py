"""Serving stored files (scans, photos, evidence, generated workbooks): personal data, so only through views that check scope.

Never from MEDIA_URL. The content type comes from the extension the upload checks gave the file (they read
the content, not the name), and the browser is told not to guess another one.
"""

from django.http import FileResponse, Http404

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
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
