"""Reading and checking the catalogue's YAML files (pure Python, no ORM).

Each file is one edition of one standard. `read_file` returns plain dicts or raises CatalogueError
naming the file and line, so a bad file is reported precisely and nothing is loaded.
"""
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from hazardwatch.core.yamlfile import DataFileError, NodeContext, read_yaml, yaml_mapping

DATA_DIR = Path(__file__).resolve().parent / "data"

SECTORS = frozenset({"fire", "industry_trade", "hazardous_chemicals", "fireworks", "mining", "construction", "gas",
                     "road_transport", "special_equipment", "electrical", "household_community", "other"})
PLACE_TYPES = frozenset({"factory", "warehouse", "shop", "restaurant", "hotel", "entertainment", "school", "hospital",
                         "elderly_care", "residential", "construction_site", "gas_station", "chemical_plant", "mine",
                         "road", "public_place", "other"})
OPS = frozenset({">", ">=", "<", "<="})
STANDARD_REQUIRED = ("code", "edition", "title_zh", "title_en", "document_number", "effective_from", "sectors")
ITEM_REQUIRED = ("code", "text_zh", "text_en", "sectors", "keywords", "requires")


class CatalogueError(DataFileError):
    pass


@dataclass
class _Ctx(NodeContext):
    error: type = CatalogueError


_mapping = yaml_mapping


def _date(ctx, node, value, field):
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        ctx.fail(node, f"{field} must be a date (YYYY-MM-DD)")


def _str_list(ctx, node, value, field, allowed=None):
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        ctx.fail(node, f"{field} must be a list of strings")
    if any(isinstance(v, bool) for v in value):
        ctx.fail(node, f"{field}: write yes/no/on/off in quotes (YAML reads them as true/false)")
    out = [str(v).strip() for v in value if str(v).strip()]
    if allowed is not None:
        unknown = sorted(set(out) - allowed)
        if unknown:
            ctx.fail(node, f"{field}: unknown value(s) {', '.join(unknown)}")
    return out


def _check_item(ctx, node, item: dict) -> dict:
    fields = _mapping(node)
    for key in ITEM_REQUIRED:
        if key not in item or item[key] in (None, "", []):
            ctx.fail(node, f"item {item.get('code', '?')!s}: missing field '{key}'")
    line_of = {k: fields[k][1] for k in fields}
    code = str(item["code"]).strip()
    kind = item.get("kind", "direct")
    if kind not in ("direct", "composite"):
        ctx.fail(line_of.get("kind", node), f"item {code}: kind must be direct or composite")
    defect = item.get("defect", "present")
    if defect not in ("present", "absent"):
        ctx.fail(line_of.get("defect", node), f"item {code}: defect must be present or absent")
    requires = item["requires"]
    if not isinstance(requires, list) or not all(isinstance(g, list) and g for g in requires):
        ctx.fail(line_of.get("requires", node), f"item {code}: requires must be a list of non-empty lists")
    thresholds = item.get("thresholds") or []
    for t in thresholds:
        if not isinstance(t, dict) or t.get("op") not in OPS or not isinstance(t.get("value"), (int, float)) \
                or not str(t.get("unit", "")).strip():
            ctx.fail(line_of.get("thresholds", node), f"item {code}: each threshold needs unit, op (> >= < <=), value")
    return {
        "code": code,
        "kind": kind,
        "group_zh": str(item.get("group_zh") or ""),
        "group_en": str(item.get("group_en") or ""),
        "text_zh": str(item["text_zh"]).strip(),
        "text_en": str(item["text_en"]).strip(),
        "sectors": _str_list(ctx, line_of["sectors"], item["sectors"], "sectors", SECTORS),
        "place_types": _str_list(ctx, line_of.get("place_types", node), item.get("place_types") or [], "place_types",
                                 PLACE_TYPES),
        "keywords": _str_list(ctx, line_of["keywords"], item["keywords"], "keywords"),
        "requires": [_str_list(ctx, line_of["requires"], g, "requires group") for g in requires],
        "defect": defect,
        "thresholds": [{"unit": str(t["unit"]).strip(), "op": t["op"], "value": float(t["value"])} for t in thresholds],
        "unverified": bool(item.get("unverified", False)),
        "line": node.start_mark.line + 1,
    }


def read_file(path: Path) -> dict:
    """One edition: {"standard": {...}, "items": [...], "fingerprint": sha256 of the content}."""
    path = Path(path)
    ctx = _Ctx(path)
    root, data = read_yaml(path, CatalogueError)
    if not isinstance(data, dict) or "standard" not in data or "items" not in data:
        ctx.fail(root, "the file needs a 'standard' mapping and an 'items' list")
    top = _mapping(root)
    std_node = top["standard"][1]
    std = data["standard"]
    if not isinstance(std, dict):
        ctx.fail(std_node, "'standard' must be a mapping")
    for key in STANDARD_REQUIRED:
        if key not in std or std[key] in (None, "", []):
            ctx.fail(std_node, f"standard: missing field '{key}'")
    std_fields = _mapping(std_node)
    standard = {
        "code": str(std["code"]).strip(),
        "edition": str(std["edition"]).strip(),
        "title_zh": str(std["title_zh"]), "title_en": str(std["title_en"]),
        "issuer_zh": str(std.get("issuer_zh") or ""), "issuer_en": str(std.get("issuer_en") or ""),
        "document_number": str(std["document_number"]),
        "effective_from": _date(ctx, std_fields["effective_from"][1], std["effective_from"], "effective_from"),
        "effective_to": _date(ctx, std_fields.get("effective_to", (None, std_node))[1], std.get("effective_to"),
                              "effective_to"),
        "sectors": _str_list(ctx, std_fields["sectors"][1], std["sectors"], "sectors", SECTORS),
        "url": str(std.get("url") or ""),
        "notes_en": str(std.get("notes_en") or ""), "notes_zh": str(std.get("notes_zh") or ""),
    }
    items_node = top["items"][1]
    if not isinstance(data["items"], list) or not data["items"]:
        ctx.fail(items_node, "'items' must be a non-empty list")
    items, seen = [], {}
    for item_node, item in zip(items_node.value, data["items"]):
        if not isinstance(item, dict):
            ctx.fail(item_node, "each item must be a mapping")
        checked = _check_item(ctx, item_node, item)
        if checked["code"] in seen:
            ctx.fail(item_node, f"duplicate item code {checked['code']} (first at line {seen[checked['code']]})")
        seen[checked["code"]] = checked["line"]
        items.append(checked)
    body = json.dumps({"standard": standard, "items": [{k: v for k, v in i.items() if k != "line"} for i in items]},
                      sort_keys=True, ensure_ascii=False, default=str)
    return {"standard": standard, "items": items, "fingerprint": hashlib.sha256(body.encode()).hexdigest()}


def read_all(data_dir: Path = DATA_DIR) -> list[dict]:
    """Every edition file under data_dir (lexicon.yaml excluded), checked; the first error stops it."""
    files = sorted(p for p in Path(data_dir).glob("*/*.yaml"))
    editions = [read_file(p) for p in files]
    keys = {}
    for ed, path in zip(editions, files):
        key = (ed["standard"]["code"], ed["standard"]["edition"])
        if key in keys:
            raise CatalogueError(path, 1, f"edition {key[0]} {key[1]} is also defined in {keys[key]}")
        keys[key] = path
    return editions


def in_force(editions: list[dict], on: dt.date) -> list[dict]:
    """For each standard, the edition in force on a date (else the newest that started before it)."""
    by_code: dict[str, list[dict]] = {}
    for ed in editions:
        by_code.setdefault(ed["standard"]["code"], []).append(ed)
    chosen = []
    for eds in by_code.values():
        started = [e for e in eds if e["standard"]["effective_from"] <= on]
        current = [e for e in started if not e["standard"]["effective_to"] or e["standard"]["effective_to"] >= on]
        pool = current or started or eds
        chosen.append(max(pool, key=lambda e: e["standard"]["effective_from"]))
    return chosen


def load_lexicon(data_dir: Path = DATA_DIR) -> dict:
    path = Path(data_dir) / "lexicon.yaml"
    if not path.exists():
        path = DATA_DIR / "lexicon.yaml"  # a folder of editions without its own lexicon uses the bundled one
    return yaml.safe_load(path.read_text(encoding="utf-8"))
