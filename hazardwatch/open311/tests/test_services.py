"""Discovery, service list and service definitions: both formats, the standard's JSON types, jurisdictions."""
import pytest

from hazardwatch.open311 import catalogue
from hazardwatch.open311.tests.helpers import BASE, get_both, parse_json, parse_xml
from hazardwatch.reports.choices import ReportCategory

pytestmark = pytest.mark.django_db


def test_discovery_in_both_formats_lists_this_endpoint(client):
    data, root = get_both(client, "discovery")
    assert root.tag == "discovery"
    assert set(data) == {"changeset", "contact", "key_service", "endpoints"}
    assert all(isinstance(data[k], str) and data[k] for k in ("changeset", "contact", "key_service"))
    (endpoint,) = data["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert endpoint["type"] in ("production", "test")
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert [f.text for f in root.find("endpoints/endpoint/formats")] == ["text/xml", "application/json"]


def test_service_list_is_our_categories_with_types_and_json_types(client):
    data, root = get_both(client, "services")
    assert root.tag == "services" and {c.tag for c in root} == {"service"}
    codes = [s["service_code"] for s in data]
    assert set(ReportCategory.values) <= set(codes)  # one service per hazard category
    types = {s["type"] for s in data}
    assert types == {"realtime", "batch"}
    for s in data:
        assert set(s) == {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
        assert isinstance(s["service_code"], str) and s["service_code"]
        assert isinstance(s["service_name"], str) and s["service_name"]
        assert isinstance(s["metadata"], bool)
        assert s["description"] is None or isinstance(s["description"], str)
    by_code = {s["service_code"]: s for s in data}
    assert by_code["escape_route"]["metadata"] is True and by_code["mining"]["metadata"] is False
    assert by_code["hotline_transfer"]["type"] == "batch"
    assert root.find("service/metadata").text in ("true", "false")


def test_service_names_follow_the_locale_argument(client):
    zh = parse_json(client.get(f"{BASE}services.json"))
    en = parse_json(client.get(f"{BASE}services.json?locale=en"))
    assert {s["service_code"]: s["service_name"] for s in en}["gas"] == "Gas leak or unsafe gas use"
    assert {s["service_code"]: s["service_name"] for s in zh}["gas"] != "Gas leak or unsafe gas use"
    response = client.get(f"{BASE}services.json?locale=fr")
    assert response.status_code == 400 and parse_json(response)[0]["code"] == 400


def test_definition_with_required_list_attribute_and_json_types(client):
    data, root = get_both(client, "services/escape_route")
    assert root.tag == "service_definition" and data["service_code"] == "escape_route"
    attrs = data["attributes"]
    assert [a["order"] for a in attrs] == list(range(1, len(attrs) + 1))
    locked = next(a for a in attrs if a["code"] == "exit_locked")
    assert locked["required"] is True and locked["variable"] is True and locked["datatype"] == "singlevaluelist"
    assert isinstance(locked["order"], int) and not isinstance(locked["order"], bool)
    assert [v["key"] for v in locked["values"]] == ["yes", "no", "unknown"]
    assert all(isinstance(v["key"], str) and isinstance(v["name"], str) for v in locked["values"])
    for a in attrs:
        assert set(a) >= {"variable", "code", "datatype", "required", "datatype_description", "order", "description"}
        assert isinstance(a["variable"], bool) and isinstance(a["required"], bool)
    xml_attr = root.find("attributes/attribute")
    assert xml_attr.find("required").text == "true" and xml_attr.find("values/value/key").text == "yes"
    # every datatype of the catalogue renders in both formats
    for code in ("fire_equipment", "ebike_charging", "construction", "building", "hotline_transfer"):
        get_both(client, f"services/{code}")


def test_service_without_metadata_answers_an_empty_definition(client):
    data, root = get_both(client, "services/mining")
    assert data == {"service_code": "mining", "attributes": []}
    assert root.find("attributes") is not None and len(root.find("attributes")) == 0


def test_unknown_service_code_is_404_in_both_formats(client):
    data, root = get_both(client, "services/no_such_thing", status=404)
    assert data[0]["code"] == 404 and "no_such_thing" in data[0]["description"]
    assert root.find("error/code").text == "404"


def test_our_jurisdiction_is_accepted_others_are_404_none_is_fine(client, settings):
    settings.HAZARDWATCH_OPEN311_JURISDICTIONS = ["zhengzhou.example", "hazardwatch.example"]
    for resource in ("discovery", "services", "services/gas", "requests"):
        get_both(client, resource)
        get_both(client, resource, "jurisdiction_id=zhengzhou.example")
        get_both(client, resource, "jurisdiction_id=HazardWatch.example")
        get_both(client, resource, "jurisdiction_id=")  # empty = not sent
        data, _root = get_both(client, resource, "jurisdiction_id=sfgov.org", status=404)
        assert "sfgov.org" in data[0]["description"]


def test_demo_catalogue_has_realtime_batch_and_a_required_attribute():
    services = catalogue.services_all()
    assert {s.type for s in services} == {"realtime", "batch"}
    assert any(a.required for s in services for a in s.attributes)
    assert any(a.required for s in services if s.type == "batch" for a in s.attributes)
    assert {a.datatype for s in services for a in s.attributes} == set(catalogue.DATATYPES)


@pytest.mark.parametrize("body, message", [
    ("services: []\n", "non-empty 'services'"),
    ("services:\n  - {code: a, category: nope}\n", "unknown category"),
    ("services:\n  - {code: a, category: gas}\n  - {code: a, category: gas}\n", "duplicate service code a"),
    ("services:\n  - {code: a, category: gas, type: blackbox}\n", "type must be realtime or batch"),
    ("services:\n  - code: a\n    category: gas\n    attributes:\n      - {code: x, datatype: colour, "
     "description_en: X}\n", "datatype must be"),
    ("services:\n  - code: a\n    category: gas\n    attributes:\n      - {code: x, datatype: singlevaluelist, "
     "description_en: X}\n", "needs values"),
    ("services:\n  - code: a\n    category: gas\n    attributes:\n      - {code: coordinate_system, "
     "datatype: string, description_en: X}\n", "reserved"),
    ("services: [\n", "invalid YAML"),
])
def test_a_bad_catalogue_file_is_refused_with_its_line(tmp_path, body, message):
    path = tmp_path / "services.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(catalogue.CatalogueError) as err:
        catalogue.read_catalogue(path)
    assert message in str(err.value) and str(path) in str(err.value)


def test_catalogue_command_checks_the_file(tmp_path):
    from django.core.management import CommandError, call_command

    call_command("open311_catalogue")
    bad = tmp_path / "bad.yaml"
    bad.write_text("services: []\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("open311_catalogue", file=str(bad))


def test_responses_are_utf8_xml_with_declaration(client):
    response = client.get(f"{BASE}services.xml")
    root = parse_xml(response)
    assert "消防" in response.content.decode("utf-8") and root.tag == "services"
