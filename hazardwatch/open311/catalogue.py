"""The Open311 service catalogue: read and check the YAML file, then answer in the current language.

The file is `settings.HAZARDWATCH_OPEN311_CATALOGUE` (default: data/services.yaml in this app). It is read
once per process (and again when the path changes) and checked completely: a bad file raises
CatalogueError naming the line, so nothing half-loaded is ever served. `hazardwatch open311_catalogue`
checks a file and prints the services.
"""
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils import translation

from hazardwatch.core.choices import Sector, choice_label
from hazardwatch.core.yamlfile import DataFileError, NodeContext, read_yaml
from hazardwatch.reports.choices import PlaceType, ReportCategory

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "services.yaml"
TYPES = ("realtime", "batch", "blackbox")
DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
LIST_TYPES = ("singlevaluelist", "multivaluelist")
MAPS_TO = ("place_type", "category")
VOCABULARIES = {"place_types": PlaceType, "categories": ReportCategory}
# Accepted on every service without being listed: the coordinate system of lat/long (docs/open311.md).
CRS_ATTRIBUTE = "coordinate_system"


class CatalogueError(DataFileError):
    pass


def _english() -> bool:
    return (translation.get_language() or "").startswith("en")


@dataclass(frozen=True)
class Value:
    key: str
    name_zh: str = ""
    name_en: str = ""
    vocabulary: type | None = None  # names come from a TextChoices label, translated at answer time

    @property
    def name(self) -> str:
        if self.vocabulary is not None:
            return str(choice_label(self.vocabulary, self.key))
        return (self.name_en if _english() else self.name_zh) or self.name_zh or self.name_en or self.key


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str
    required: bool
    order: int
    description_zh: str
    description_en: str
    variable: bool = True
    datatype_description_zh: str = ""
    datatype_description_en: str = ""
    maps_to: str = ""
    values: tuple = ()

    @property
    def description(self) -> str:
        return (self.description_en if _english() else self.description_zh) or self.description_zh

    @property
    def datatype_description(self) -> str:
        return (self.datatype_description_en if _english() else self.datatype_description_zh) or ""

    def value_keys(self) -> set[str]:
        return {v.key for v in self.values}

    def value_name(self, key: str) -> str:
        return next((v.name for v in self.values if v.key == key), key)


@dataclass(frozen=True)
class Service:
    code: str
    category: str
    type: str
    group: str = ""
    keywords: tuple = ()
    name_zh: str = ""
    name_en: str = ""
    description_zh: str = ""
    description_en: str = ""
    attributes: tuple = field(default_factory=tuple)

    @property
    def name(self) -> str:
        own = self.name_en if _english() else self.name_zh
        return own or str(choice_label(ReportCategory, self.category))

    @property
    def description(self) -> str:
        return (self.description_en if _english() else self.description_zh) or ""

    @property
    def group_label(self) -> str:
        return str(choice_label(Sector, self.group)) if self.group else ""

    @property
    def metadata(self) -> bool:
        return bool(self.attributes)

    def attribute(self, code: str) -> Attribute | None:
        return next((a for a in self.attributes if a.code == code), None)


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _parse_values(ctx, node, raw, code) -> tuple:
    if isinstance(raw, str):
        vocab = VOCABULARIES.get(raw)
        if vocab is None:
            ctx.fail(node, f"attribute {code}: values must be a list or one of {', '.join(VOCABULARIES)}")
        return tuple(Value(key=k, vocabulary=vocab) for k in vocab.values)
    if not isinstance(raw, list) or not raw:
        ctx.fail(node, f"attribute {code}: a list attribute needs values")
    out, seen = [], set()
    for item in raw:
        if not isinstance(item, dict) or _text(item.get("key")) == "":
            ctx.fail(node, f"attribute {code}: each value needs a key")
        key = _text(item["key"])
        if key in seen:
            ctx.fail(node, f"attribute {code}: duplicate value key {key}")
        seen.add(key)
        out.append(Value(key=key, name_zh=_text(item.get("name_zh")), name_en=_text(item.get("name_en"))))
    return tuple(out)


def _parse_attribute(ctx, node, raw, position, service_code) -> Attribute:
    if not isinstance(raw, dict):
        ctx.fail(node, f"service {service_code}: each attribute must be a mapping")
    code = _text(raw.get("code"))
    if not code or not all(c.isalnum() or c in "_-" for c in code):
        ctx.fail(node, f"service {service_code}: attribute code must be letters, digits, _ or -")
    if code == CRS_ATTRIBUTE:
        ctx.fail(node, f"service {service_code}: {CRS_ATTRIBUTE} is reserved (accepted on every service)")
    datatype = _text(raw.get("datatype"))
    if datatype not in DATATYPES:
        ctx.fail(node, f"attribute {code}: datatype must be one of {', '.join(DATATYPES)}")
    required = raw.get("required", False)
    if not isinstance(required, bool):
        ctx.fail(node, f"attribute {code}: required must be true or false")
    maps_to = _text(raw.get("maps_to"))
    if maps_to and (maps_to not in MAPS_TO or datatype != "singlevaluelist"):
        ctx.fail(node, f"attribute {code}: maps_to must be one of {', '.join(MAPS_TO)} on a singlevaluelist")
    if not (_text(raw.get("description_zh")) or _text(raw.get("description_en"))):
        ctx.fail(node, f"attribute {code}: missing description_zh/description_en")
    values = _parse_values(ctx, node, raw.get("values"), code) if datatype in LIST_TYPES else ()
    if datatype not in LIST_TYPES and raw.get("values"):
        ctx.fail(node, f"attribute {code}: only list datatypes take values")
    if maps_to == "category" and any(v.key not in ReportCategory.values for v in values):
        ctx.fail(node, f"attribute {code}: every value must be a category")
    if maps_to == "place_type" and any(v.key not in PlaceType.values for v in values):
        ctx.fail(node, f"attribute {code}: every value must be a place type")
    return Attribute(
        code=code, datatype=datatype, required=required, order=position,
        description_zh=_text(raw.get("description_zh")), description_en=_text(raw.get("description_en")),
        datatype_description_zh=_text(raw.get("datatype_description_zh")),
        datatype_description_en=_text(raw.get("datatype_description_en")),
        maps_to=maps_to, values=values,
    )


def read_catalogue(path: Path) -> tuple[Service, ...]:
    path = Path(path)
    ctx = NodeContext(path, CatalogueError)
    root, data = read_yaml(path, CatalogueError)
    if not isinstance(data, dict) or not isinstance(data.get("services"), list) or not data["services"]:
        ctx.fail(root, "the file needs a non-empty 'services' list")
    services_node = next(v for k, v in root.value if k.value == "services")
    out, seen = [], set()
    for node, raw in zip(services_node.value, data["services"]):
        if not isinstance(raw, dict):
            ctx.fail(node, "each service must be a mapping")
        code = _text(raw.get("code"))
        if not code or len(code) > 40 or not all(c.isalnum() or c in "_-" for c in code):
            ctx.fail(node, "service code must be 1-40 letters, digits, _ or -")
        if code in seen:
            ctx.fail(node, f"duplicate service code {code}")
        seen.add(code)
        category = _text(raw.get("category"))
        if category not in ReportCategory.values:
            ctx.fail(node, f"service {code}: unknown category {category!r}")
        kind = _text(raw.get("type") or "realtime")
        if kind not in ("realtime", "batch"):  # blackbox is not offered: every request gets an id
            ctx.fail(node, f"service {code}: type must be realtime or batch")
        group = _text(raw.get("group"))
        if group and group not in Sector.values:
            ctx.fail(node, f"service {code}: group must be a sector code")
        keywords = raw.get("keywords") or []
        if not isinstance(keywords, list):
            ctx.fail(node, f"service {code}: keywords must be a list")
        attrs_raw = raw.get("attributes") or []
        if not isinstance(attrs_raw, list):
            ctx.fail(node, f"service {code}: attributes must be a list")
        attr_nodes = next((v.value for k, v in node.value if k.value == "attributes"), [])
        attributes = tuple(_parse_attribute(ctx, n, a, i + 1, code)
                           for i, (n, a) in enumerate(zip(attr_nodes, attrs_raw)))
        if len({a.code for a in attributes}) != len(attributes):
            ctx.fail(node, f"service {code}: duplicate attribute code")
        out.append(Service(
            code=code, category=category, type=kind, group=group, keywords=tuple(_text(k) for k in keywords),
            name_zh=_text(raw.get("name_zh")), name_en=_text(raw.get("name_en")),
            description_zh=_text(raw.get("description_zh")), description_en=_text(raw.get("description_en")),
            attributes=attributes,
        ))
    return tuple(out)


@lru_cache(maxsize=4)
def _cached(path: str) -> tuple[Service, ...]:
    return read_catalogue(Path(path))


def catalogue_path() -> str:
    return str(getattr(settings, "HAZARDWATCH_OPEN311_CATALOGUE", "") or DEFAULT_PATH)


def services_all() -> tuple[Service, ...]:
    return _cached(catalogue_path())


def service_get(code: str) -> Service | None:
    return next((s for s in services_all() if s.code == code), None)


def service_for_category(category: str) -> Service | None:
    """The realtime service of a category (for reports that did not come through Open311)."""
    return service_get(category) or next((s for s in services_all() if s.category == category), None)
