"""One answer, two formats: XML (xml.etree) and JSON, from the same tree, so their content is identical.

A document is `Doc(root, body)`: `body` is a dict (single object: `<root>…</root>` / JSON object) or a
`Lst` (list: `<root><item>…</item>…</root>` / JSON array). Inside a dict, a `Lst` value becomes a wrapper
element holding one element per item (XML) or an array (JSON). Scalars: None → `<x/>` / null; booleans →
true/false; numbers → their text / JSON numbers; strings as they are.
"""
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from django.http import HttpResponse

XML_TYPE = "text/xml; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"
FORMATS = ("xml", "json")
# Characters XML 1.0 cannot carry; removed from every string in both formats (echoed values may hold them).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(value: str) -> str:
    return _NOT_XML.sub("", value)


@dataclass
class Lst:
    item: str
    items: list


@dataclass
class Doc:
    root: str
    body: object


def _scalar_text(value) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return clean_text(str(value))


def _fill(element, value):
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, Lst):
        for item in value.items:
            _fill(ET.SubElement(element, value.item), item)
    elif value is not None:
        element.text = _scalar_text(value)


def to_xml(doc: Doc) -> bytes:
    root = ET.Element(doc.root)
    _fill(root, doc.body)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True).replace(
        b"<?xml version='1.0' encoding='utf-8'?>", b'<?xml version="1.0" encoding="utf-8"?>', 1)


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, Lst):
        return [_plain(v) for v in value.items]
    if isinstance(value, str):
        return clean_text(value)
    return value


def to_json(doc: Doc) -> bytes:
    return json.dumps(_plain(doc.body), ensure_ascii=False, allow_nan=False).encode("utf-8")


def respond(doc: Doc, fmt: str, status: int = 200, headers: dict | None = None) -> HttpResponse:
    if fmt == "json":
        response = HttpResponse(to_json(doc), content_type=JSON_TYPE, status=status)
    else:
        response = HttpResponse(to_xml(doc), content_type=XML_TYPE, status=status)
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def errors_doc(status: int, descriptions: list[str]) -> Doc:
    return Doc("errors", Lst("error", [{"code": status, "description": str(d)} for d in descriptions]))
