"""Open311 GeoReport v2 responses in its two formats: JSON and XML (UTF-8, with the XML declaration).

A response is a list of records (dicts) under a root element (``services``, ``service_requests``…), each record an
element (``service``, ``request``…); a value that is a list becomes an element of repeated children (``values`` →
``value``), a dict a nested element, ``None`` an empty element (``null`` in JSON).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from django.http import HttpResponse

JSON = "json"
XML = "xml"
FORMATS = (JSON, XML)
CONTENT_TYPES = {JSON: "application/json; charset=utf-8", XML: "text/xml; charset=utf-8"}
# The element of each item of a list, by the list's name.
ITEM_NAMES = {"services": "service", "service_requests": "request", "attributes": "attribute", "values": "value",
              "endpoints": "endpoint", "formats": "format", "errors": "error"}


def _text(value) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, list):
        name = ITEM_NAMES.get(element.tag, "item")
        for item in value:
            _fill(ET.SubElement(element, name), item)
    elif value is not None:
        element.text = _text(value)


def xml_bytes(root: str, value) -> bytes:
    element = ET.Element(root)
    _fill(element, value)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def respond(fmt: str, root: str, value, *, status: int = 200) -> HttpResponse:
    """``value`` (a list of records, or one record for discovery) as the response in ``fmt``."""
    if fmt == XML:
        body = xml_bytes(root, value)
    else:
        body = json.dumps(value, ensure_ascii=False).encode()
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES.get(fmt, CONTENT_TYPES[JSON]))


def errors(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    """An Open311 error list: ``[{"code": status, "description": …}]``, XML ``<errors><error>…``."""
    fmt = fmt if fmt in FORMATS else JSON
    return respond(fmt, "errors", [{"code": status, "description": str(text)} for text in descriptions], status=status)
