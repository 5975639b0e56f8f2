"""Reading and checking checklist template files (pure Python, no ORM).

One YAML file = one template. `read_file` returns a plain dict or raises TemplateFileError naming the
file and line, so a bad file is reported precisely and nothing is loaded.
"""
import functools
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from hazardwatch.core.yamlfile import DataFileError, NodeContext, read_yaml, yaml_mapping

DATA_DIR = Path(__file__).resolve().parent / "data"

AUDIENCES = ("family", "school", "rural", "community", "enterprise")
SECTORS = frozenset({"fire", "industry_trade", "hazardous_chemicals", "fireworks", "mining", "construction", "gas",
                     "road_transport", "special_equipment", "electrical", "household_community", "other"})
CATEGORIES = frozenset({"escape_route", "fire_equipment", "ebike_charging", "gas", "electrical", "hazardous_chemicals",
                        "fireworks", "construction", "special_equipment", "road_transport", "workplace", "mining",
                        "building", "other"})
PLACE_TYPES = frozenset({"factory", "warehouse", "shop", "restaurant", "hotel", "entertainment", "school", "hospital",
                         "elderly_care", "residential", "construction_site", "gas_station", "chemical_plant", "mine",
                         "road", "public_place", "other"})
TEMPLATE_REQUIRED = ("code", "audience", "title_zh", "title_en")
TEMPLATE_KEYS = frozenset(TEMPLATE_REQUIRED) | {"sector", "intro_zh", "intro_en"}
ITEM_REQUIRED = ("code", "text_zh", "text_en")
ITEM_KEYS = frozenset(ITEM_REQUIRED) | {"section_zh", "section_en", "help_zh", "help_en", "hazard_answer", "category",
                                        "sector", "place_type", "criterion"}
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
ITEM_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
CRITERION_RE = re.compile(r"^([a-z0-9_]+):([A-Za-z0-9.]+)$")


class TemplateFileError(DataFileError):
    pass


@dataclass
class _Ctx(NodeContext):
    error: type = TemplateFileError


_mapping = yaml_mapping


def _text(ctx, node, value, field, limit=None) -> str:
    if value is None:
        return ""
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        ctx.fail(node, f"{field} must be text")
    text = str(value).strip()
    if limit and len(text) > limit:
        ctx.fail(node, f"{field} is longer than {limit} characters")
    return text


def criteria_codes() -> dict[str, set[str]]:
    """Item codes per standard code, over every edition in the criteria catalogue files (cached per file state)."""
    from hazardwatch.criteria.catalogue import DATA_DIR as CRITERIA_DIR

    state = tuple(sorted((str(p), p.stat().st_mtime_ns) for p in Path(CRITERIA_DIR).glob("*/*.yaml")))
    return _criteria_codes(state)


@functools.lru_cache(maxsize=2)
def _criteria_codes(state) -> dict[str, frozenset[str]]:
    from hazardwatch.criteria.catalogue import read_all

    out: dict[str, set[str]] = {}
    for edition in read_all():
        out.setdefault(edition["standard"]["code"], set()).update(i["code"] for i in edition["items"])
    return {k: frozenset(v) for k, v in out.items()}


def _hazard_answer(ctx, node, value) -> str:
    # YAML 1.1 reads unquoted yes/no as booleans; accept both spellings.
    if value is None:
        return "no"
    if value is True or (isinstance(value, str) and value.strip().lower() == "yes"):
        return "yes"
    if value is False or (isinstance(value, str) and value.strip().lower() == "no"):
        return "no"
    ctx.fail(node, "hazard_answer must be yes or no (the answer that means a hazard)")


def _check_item(ctx, node, item: dict, known_criteria) -> dict:
    fields = _mapping(node)
    unknown = sorted(set(item) - ITEM_KEYS)
    if unknown:
        ctx.fail(fields[unknown[0]][0], f"unknown item field '{unknown[0]}' (allowed: {', '.join(sorted(ITEM_KEYS))})")
    for key in ITEM_REQUIRED:
        if key not in item or item[key] in (None, ""):
            ctx.fail(node, f"item: missing field '{key}'")

    def at(key):
        return fields[key][1] if key in fields else node

    code = _text(ctx, at("code"), item["code"], "code")
    if not ITEM_CODE_RE.match(code):
        ctx.fail(at("code"), f"item code '{code}' may only use letters, digits, '.', '-' and '_' (at most 40)")
    out = {
        "code": code,
        "text_zh": _text(ctx, at("text_zh"), item["text_zh"], "text_zh", 1000),
        "text_en": _text(ctx, at("text_en"), item["text_en"], "text_en", 1500),
        "section_zh": _text(ctx, at("section_zh"), item.get("section_zh"), "section_zh", 120),
        "section_en": _text(ctx, at("section_en"), item.get("section_en"), "section_en", 200),
        "help_zh": _text(ctx, at("help_zh"), item.get("help_zh"), "help_zh", 1000),
        "help_en": _text(ctx, at("help_en"), item.get("help_en"), "help_en", 1500),
        "hazard_answer": _hazard_answer(ctx, at("hazard_answer"), item.get("hazard_answer")),
        "category": _text(ctx, at("category"), item.get("category"), "category") or "other",
        "sector": _text(ctx, at("sector"), item.get("sector"), "sector"),
        "place_type": _text(ctx, at("place_type"), item.get("place_type"), "place_type"),
        "criterion": _text(ctx, at("criterion"), item.get("criterion"), "criterion"),
    }
    if out["category"] not in CATEGORIES:
        ctx.fail(at("category"), f"item {code}: unknown category '{out['category']}' "
                                 f"(one of {', '.join(sorted(CATEGORIES))})")
    if out["sector"] and out["sector"] not in SECTORS:
        ctx.fail(at("sector"), f"item {code}: unknown sector '{out['sector']}' (one of {', '.join(sorted(SECTORS))})")
    if out["place_type"] and out["place_type"] not in PLACE_TYPES:
        ctx.fail(at("place_type"), f"item {code}: unknown place type '{out['place_type']}'")
    if out["criterion"]:
        m = CRITERION_RE.match(out["criterion"])
        if not m:
            ctx.fail(at("criterion"), f"item {code}: criterion must look like <standard>:<item>, e.g. gongmao:13.2")
        codes = known_criteria()
        if m.group(1) not in codes:
            ctx.fail(at("criterion"), f"item {code}: unknown criteria standard '{m.group(1)}'")
        if m.group(2) not in codes[m.group(1)]:
            ctx.fail(at("criterion"), f"item {code}: standard {m.group(1)} has no item {m.group(2)}")
    out["line"] = node.start_mark.line + 1
    return out


def _memo(fn):
    cache: dict = {}

    def wrapper():
        if "v" not in cache:
            cache["v"] = fn()
        return cache["v"]

    return wrapper


def read_file(path: Path, criteria=None) -> dict:
    """One template: {"template": {...}, "items": [...], "fingerprint": sha256 of the content}.

    `criteria` returns {standard code: item codes}; by default the criteria catalogue files, read once.
    """
    path = Path(path)
    ctx = _Ctx(path)
    criteria = criteria or _memo(criteria_codes)

    root, data = read_yaml(path, TemplateFileError)
    if not isinstance(data, dict) or "template" not in data or "items" not in data:
        ctx.fail(root, "the file needs a 'template' mapping and an 'items' list")
    top = _mapping(root)
    extra = sorted(set(data) - {"template", "items"})
    if extra:
        ctx.fail(top[extra[0]][0], f"unknown top-level key '{extra[0]}' (allowed: template, items)")
    tnode = top["template"][1]
    tpl = data["template"]
    if not isinstance(tpl, dict):
        ctx.fail(tnode, "'template' must be a mapping")
    tfields = _mapping(tnode)
    unknown = sorted(set(tpl) - TEMPLATE_KEYS)
    if unknown:
        ctx.fail(tfields[unknown[0]][0], f"unknown template field '{unknown[0]}' "
                                         f"(allowed: {', '.join(sorted(TEMPLATE_KEYS))})")
    for key in TEMPLATE_REQUIRED:
        if key not in tpl or tpl[key] in (None, ""):
            ctx.fail(tnode, f"template: missing field '{key}'")

    def tat(key):
        return tfields[key][1] if key in tfields else tnode

    template = {
        "code": _text(ctx, tat("code"), tpl["code"], "code"),
        "audience": _text(ctx, tat("audience"), tpl["audience"], "audience"),
        "title_zh": _text(ctx, tat("title_zh"), tpl["title_zh"], "title_zh", 200),
        "title_en": _text(ctx, tat("title_en"), tpl["title_en"], "title_en", 300),
        "intro_zh": _text(ctx, tat("intro_zh"), tpl.get("intro_zh"), "intro_zh", 2000),
        "intro_en": _text(ctx, tat("intro_en"), tpl.get("intro_en"), "intro_en", 3000),
        "sector": _text(ctx, tat("sector"), tpl.get("sector"), "sector"),
    }
    if not CODE_RE.match(template["code"]):
        ctx.fail(tat("code"), f"template code '{template['code']}' must be lower-case letters, digits, '-' or '_'")
    if template["audience"] not in AUDIENCES:
        ctx.fail(tat("audience"), f"unknown audience '{template['audience']}' (one of {', '.join(AUDIENCES)})")
    if template["sector"] and template["sector"] not in SECTORS:
        ctx.fail(tat("sector"), f"unknown sector '{template['sector']}'")
    inode = top["items"][1]
    if not isinstance(data["items"], list) or not data["items"]:
        ctx.fail(inode, "'items' must be a non-empty list")
    items, seen = [], {}
    for item_node, item in zip(inode.value, data["items"]):
        if not isinstance(item, dict):
            ctx.fail(item_node, "each item must be a mapping with code, text_zh and text_en")
        checked = _check_item(ctx, item_node, item, criteria)
        if checked["code"] in seen:
            ctx.fail(item_node, f"duplicate item code {checked['code']} (first at line {seen[checked['code']]})")
        seen[checked["code"]] = checked["line"]
        items.append(checked)
    body = json.dumps({"template": template, "items": [{k: v for k, v in i.items() if k != "line"} for i in items]},
                      sort_keys=True, ensure_ascii=False)
    return {"template": template, "items": items, "fingerprint": hashlib.sha256(body.encode()).hexdigest(),
            "path": str(path)}


def read_all(data_dir: Path = DATA_DIR) -> list[dict]:
    """Every *.yaml under data_dir, checked; the first error stops it (nothing is loaded)."""
    files = sorted(Path(data_dir).glob("*.yaml"))
    if not files:
        raise TemplateFileError(data_dir, 1, "no *.yaml template files in this folder")
    criteria = _memo(criteria_codes)
    out, codes = [], {}
    for path in files:
        parsed = read_file(path, criteria)
        code = parsed["template"]["code"]
        if code in codes:
            raise TemplateFileError(path, 1, f"template code {code} is also used in {codes[code]}")
        codes[code] = path.name
        out.append(parsed)
    return out
