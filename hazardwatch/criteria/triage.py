"""The triage contract (JSON Lines in, JSON Lines out) and the evaluation on a labelled set. Pure."""
import json
from dataclasses import dataclass, field

from hazardwatch.criteria.catalogue import PLACE_TYPES, SECTORS

MAX_TEXT = 5000


class LineError(ValueError):
    def __init__(self, message, ident=None):
        super().__init__(message)
        self.ident = ident


def parse_line(raw: str) -> dict:
    """Check one input line: {"id", "text", "place_type"?, "sector"?}; raise LineError with a message."""
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise LineError(f"invalid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(obj, dict):
        raise LineError("each line must be a JSON object")
    ident = obj.get("id")
    if ident is None or isinstance(ident, (dict, list, bool)) or str(ident).strip() == "":
        raise LineError("missing id")
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        raise LineError("text is empty", ident)
    if len(text) > MAX_TEXT:
        raise LineError(f"text is longer than {MAX_TEXT} characters", ident)
    place_type = obj.get("place_type")
    if place_type not in (None, "") and place_type not in PLACE_TYPES:
        raise LineError(f"unknown place_type {place_type!r}", ident)
    sector = obj.get("sector")
    if sector not in (None, "") and sector not in SECTORS:
        raise LineError(f"unknown sector {sector!r}", ident)
    return {"id": ident, "text": text, "place_type": place_type or None, "sector": sector or None,
            "expected": obj.get("expected")}


def triage_stream(matcher, lines, out, err, limit: int = 5) -> int:
    """Write one result line per input line with an id; report bad lines on `err`. Returns the error count."""
    errors = 0
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            facts = parse_line(raw)
        except LineError as exc:
            errors += 1
            err.write(f"line {number}: {exc}\n")
            if exc.ident is not None:
                out.write(json.dumps({"id": exc.ident, "sector": None, "is_major_candidate": False, "candidates": [],
                                      "error": str(exc)}, ensure_ascii=False) + "\n")
            continue
        result = matcher.match(facts["text"], place_type=facts["place_type"], sector=facts["sector"], limit=limit)
        out.write(json.dumps({"id": facts["id"], **result.as_dict()}, ensure_ascii=False) + "\n")
    return errors


@dataclass
class Evaluation:
    total: int = 0
    sector_correct: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    major_total: int = 0
    top3_hits: int = 0
    errors: int = 0
    misses: list = field(default_factory=list)

    @property
    def sector_accuracy(self):
        return self.sector_correct / self.total if self.total else 0.0

    @property
    def recall(self):
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def precision(self):
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def top3(self):
        return self.top3_hits / self.major_total if self.major_total else 0.0

    def as_dict(self):
        return {"cases": self.total, "sector_accuracy": round(self.sector_accuracy, 4),
                "major_recall": round(self.recall, 4), "major_precision": round(self.precision, 4),
                "top3_item_accuracy": round(self.top3, 4), "major_cases": self.major_total,
                "true_positives": self.tp, "false_positives": self.fp, "false_negatives": self.fn,
                "true_negatives": self.tn, "bad_lines": self.errors}


def _item_matches(expected: str, candidate: dict) -> bool:
    parts = expected.split(":")
    if len(parts) == 3:
        return parts == [candidate["standard"], candidate["edition"], candidate["item"]]
    return parts == [candidate["standard"], candidate["item"]]


def evaluate(matcher, lines, err) -> Evaluation:
    """Score the matcher on labelled lines: {"id","text","place_type"?,"expected":{"sector","major","items"}}."""
    ev = Evaluation()
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            facts = parse_line(raw)
            expected = facts["expected"]
            if not isinstance(expected, dict) or expected.get("sector") not in SECTORS \
                    or not isinstance(expected.get("major"), bool):
                raise LineError("expected must have sector and major", facts["id"])
        except LineError as exc:
            ev.errors += 1
            err.write(f"line {number}: {exc}\n")
            continue
        result = matcher.match(facts["text"], place_type=facts["place_type"]).as_dict()
        ev.total += 1
        ok_sector = result["sector"] == expected["sector"]
        ev.sector_correct += ok_sector
        major = expected["major"]
        got = result["is_major_candidate"]
        ev.tp += major and got
        ev.fn += major and not got
        ev.fp += got and not major
        ev.tn += not major and not got
        item_ok = True
        if major and expected.get("items"):
            ev.major_total += 1
            top = result["candidates"][:3]
            item_ok = any(_item_matches(e, c) for e in expected["items"] for c in top)
            ev.top3_hits += item_ok
        if not ok_sector or major != got or not item_ok:
            ev.misses.append({"id": facts["id"], "text": facts["text"], "expected": expected,
                              "got": {"sector": result["sector"], "major": got,
                                      "top": [f"{c['standard']}:{c['item']}" for c in result["candidates"][:3]]}})
    return ev
