"""What a client that knows only the GeoReport v2 standard does: GET and POST, parse XML and JSON."""
import json
import xml.etree.ElementTree as ET

BASE = "/open311/v2/"
JINSHUI = {"lat": "34.78", "long": "113.672"}  # a point in Jinshui district, Zhengzhou (WGS-84)
# XML elements that hold a list (their JSON counterpart is an array).
LIST_TAGS = {"services", "service_requests", "errors", "attributes", "values", "endpoints", "formats", "notes"}


def xml_plain(element):
    if element.tag in LIST_TAGS:
        return [xml_plain(child) for child in element]
    if len(element):
        return {child.tag: xml_plain(child) for child in element}
    return element.text


def json_as_xml_text(value):
    """JSON values as the XML text they must equal: booleans true/false, numbers as written, "" as empty."""
    if isinstance(value, dict):
        return {k: json_as_xml_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_as_xml_text(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None or value == "":
        return None
    return str(value)


def parse_xml(response):
    assert response["Content-Type"] == "text/xml; charset=utf-8", response["Content-Type"]
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>'), response.content[:60]
    return ET.fromstring(response.content)


def parse_json(response):
    assert response["Content-Type"] == "application/json; charset=utf-8", response["Content-Type"]
    return json.loads(response.content.decode("utf-8"))


def get_both(client, resource: str, query: str = "", status: int = 200):
    """GET resource.json and resource.xml; check the status, that both parse and carry the same content."""
    suffix = f"?{query}" if query else ""
    rj = client.get(f"{BASE}{resource}.json{suffix}")
    rx = client.get(f"{BASE}{resource}.xml{suffix}")
    assert rj.status_code == status, (resource, rj.status_code, rj.content)
    assert rx.status_code == status, (resource, rx.status_code, rx.content)
    data, root = parse_json(rj), parse_xml(rx)
    assert json_as_xml_text(data) == xml_plain(root), (resource, data, rx.content)
    return data, root


def post_both_error(client, resource: str, data: dict, status: int, **kwargs):
    """POST the same body as .json and .xml; both must be the standard's error with `status`."""
    out = []
    for fmt in ("json", "xml"):
        response = client.post(f"{BASE}{resource}.{fmt}", data, **kwargs)
        assert response.status_code == status, (fmt, response.status_code, response.content)
        out.append(response)
    errors_json = parse_json(out[0])
    root = parse_xml(out[1])
    assert root.tag == "errors" and [e.tag for e in root] == ["error"] * len(root)
    assert json_as_xml_text(errors_json) == xml_plain(root)
    assert all(e["code"] == status and isinstance(e["code"], int) and e["description"] for e in errors_json)
    return errors_json


def descriptions(errors) -> str:
    return " | ".join(e["description"] for e in errors)
