"""Small .xlsx files that are expensive to read, built from a real workbook (issue 14): a sheet of two million
blank rows (0.3 MB) and a shared-strings part that unpacks to 90 MB (0.2 MB). Used by
``tests/portal/test_hostile_workbooks.py`` and by hand to measure an import (``python -m tests.hostile_workbooks``).

Each builder copies every member of ``base`` and rewrites one, streaming the rewritten part into the archive so
building a file never holds its unpacked size in memory.
"""

from __future__ import annotations

import io
import re
import zipfile

BLANK_ROWS = 2_000_000
SHARED_STRINGS_BYTES = 90 * 1024 * 1024
_CHUNK_ROWS = 50_000


SST_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SST_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def _rebuilt(base: bytes, member: str, chunks, *, content_type: bytes | None = None) -> bytes:
    """``base`` with ``member`` replaced by the concatenation of ``chunks`` (bytes), deflated; ``content_type``
    declares the member in [Content_Types].xml when it is new."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as source, \
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for info in source.infolist():
            if info.filename == member:
                continue
            data = source.read(info)
            if content_type and info.filename == "[Content_Types].xml" and member.encode() not in data:
                override = b'<Override PartName="/' + member.encode() + b'" ContentType="' + content_type + b'"/>'
                data = data.replace(b"</Types>", override + b"</Types>")
            out.writestr(info, data)
        with out.open(member, "w", force_zip64=True) as target:
            for chunk in chunks:
                target.write(chunk)
    return buffer.getvalue()


def first_sheet_member(base: bytes, title: str | None = None) -> str:
    """The archive path of the sheet called ``title`` (the first sheet when None), as workbook.xml lists it."""
    with zipfile.ZipFile(io.BytesIO(base)) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
    sheets = re.findall(r'<(?:\w+:)?sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]+)"', workbook)
    rid = next(rid for name, rid in sheets if title is None or name == title)
    target = re.search(rf'<Relationship\b[^>]*?Id="{rid}"[^>]*?Target="([^"]+)"', rels) or re.search(
        rf'<Relationship\b[^>]*?Target="([^"]+)"[^>]*?Id="{rid}"', rels)
    path = target.group(1).lstrip("/")
    return path if path.startswith("xl/") else f"xl/{path}"


def with_blank_rows(base: bytes, *, title: str | None = None, rows: int = BLANK_ROWS, numbered: bool = False) -> bytes:
    """``base`` whose sheet ``title`` keeps its rows and then holds ``rows`` more empty rows: ``<row/>`` (each
    the row after the one before, which compresses to almost nothing) or, ``numbered``, ``<row r="N"/>``."""
    member = first_sheet_member(base, title)
    with zipfile.ZipFile(io.BytesIO(base)) as archive:
        xml = archive.read(member)
    end = xml.index(b"</sheetData>")
    last = max((int(n) for n in re.findall(rb'<row\b[^>]*?\br="(\d+)"', xml[:end])), default=0)

    def chunks():
        yield xml[:end]
        for start in range(last + 1, last + 1 + rows, _CHUNK_ROWS):
            stop = min(start + _CHUNK_ROWS, last + 1 + rows)
            if numbered:
                yield "".join(f'<row r="{n}"/>' for n in range(start, stop)).encode()
            else:
                yield b"<row/>" * (stop - start)
        yield xml[end:]

    return _rebuilt(base, member, chunks())


def with_huge_shared_strings(base: bytes, *, size: int = SHARED_STRINGS_BYTES) -> bytes:
    """``base`` whose shared strings keep their entries and then hold about ``size`` bytes of one repeated text
    (so every cell still reads the same value)."""
    with zipfile.ZipFile(io.BytesIO(base)) as archive:
        names = archive.namelist()
        xml = archive.read("xl/sharedStrings.xml") if "xl/sharedStrings.xml" in names else (
            b'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="' + SST_NS + b'"></sst>')  # inline strings only
    end = xml.index(b"</sst>")
    head = re.sub(rb'\s(?:count|uniqueCount)="\d+"', b"", xml[:end])
    entry = b"<si><t>" + "Cán bộ công chức viên chức ".encode() * 4 + b"</t></si>"
    per_chunk = 4096

    def chunks():
        yield head
        for _ in range(size // (len(entry) * per_chunk) + 1):
            yield entry * per_chunk
        yield xml[end:]

    return _rebuilt(base, "xl/sharedStrings.xml", chunks(), content_type=SST_TYPE)
