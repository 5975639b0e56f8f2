"""Reward rules as data: the YAML format, money parsing, which rule applies, and the arithmetic.

Pure functions except `rule_for_region` (one query). Money is integer fen; percentages are Decimal.
"""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
NATIONAL_FILE = DATA_DIR / "national.yaml"
MAX_YUAN = Decimal("100000000")  # nothing on this platform is larger than 100 million yuan


class RuleError(ValueError):
    pass


def yuan_to_fen(value) -> int:
    """'3000', 3000, '12.5' → fen. Refuses floats' rounding noise, negatives, more than 2 decimals."""
    if isinstance(value, bool) or value is None:
        raise RuleError("an amount is required")
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise RuleError(f"not an amount: {value!r}") from None
    if not amount.is_finite() or amount < 0 or amount > MAX_YUAN:
        raise RuleError(f"amount out of range: {value!r}")
    if amount != amount.quantize(Decimal("0.01")):
        raise RuleError(f"at most two decimals: {value!r}")
    return int(amount * 100)


def fen_to_yuan(fen: int | None) -> str:
    if fen is None:
        return ""
    return f"{Decimal(fen) / 100:.2f}"


def validate_tiers(tiers) -> None:
    if not isinstance(tiers, list):
        raise RuleError("general tiers must be a list")
    codes = set()
    for tier in tiers:
        if not isinstance(tier, dict) or not isinstance(tier.get("code"), str) or not tier["code"]:
            raise RuleError("each tier needs a code")
        if tier["code"] in codes:
            raise RuleError(f"tier code {tier['code']} appears twice")
        codes.add(tier["code"])
        amount = tier.get("amount_fen")
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise RuleError(f"tier {tier['code']}: amount must be a positive number of fen")
        cats = tier.get("categories", [])
        if not isinstance(cats, list) or any(not isinstance(c, str) for c in cats):
            raise RuleError(f"tier {tier['code']}: categories must be a list of category codes")
        from hazardwatch.reports.choices import ReportCategory

        unknown = [c for c in cats if c not in ReportCategory.values]
        if unknown:
            raise RuleError(f"tier {tier['code']}: unknown categories {', '.join(unknown)}")


def parse_rule(raw: dict) -> dict:
    """One YAML rule → field values of `RewardRule` (plus the region code). Raises RuleError."""
    if not isinstance(raw, dict):
        raise RuleError("each rule must be a mapping")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise RuleError("each rule needs a name")
    region = raw.get("region")
    if region is not None and not (isinstance(region, (str, int)) and str(region).isdigit()):
        raise RuleError(f"{name}: region must be a division code or null")
    major = raw.get("major") or {}
    caps = raw.get("caps") or {}
    try:
        percent = Decimal(str(major.get("percent", "15")))
    except InvalidOperation:
        raise RuleError(f"{name}: percent is not a number") from None
    if not percent.is_finite() or not (0 < percent <= 100):
        raise RuleError(f"{name}: percent must be between 0 and 100")
    min_fen = yuan_to_fen(major.get("min_yuan", 3000))
    max_fen = yuan_to_fen(major.get("max_yuan", 300000))
    if min_fen > max_fen:
        raise RuleError(f"{name}: the minimum is above the maximum")
    tiers = []
    for tier in raw.get("general") or []:
        if not isinstance(tier, dict):
            raise RuleError(f"{name}: each general tier must be a mapping")
        tiers.append({
            "code": str(tier.get("code") or ""), "label_zh": str(tier.get("label_zh") or ""),
            "label_en": str(tier.get("label_en") or ""), "amount_fen": yuan_to_fen(tier.get("amount_yuan")),
            "categories": list(tier.get("categories") or []), "clause": str(tier.get("clause") or ""),
        })
    validate_tiers(tiers)
    period = caps.get("period", "year")
    if period not in ("year", "month"):
        raise RuleError(f"{name}: cap period must be year or month")
    cap_count = caps.get("max_count")
    if cap_count is not None and (not isinstance(cap_count, int) or isinstance(cap_count, bool) or cap_count < 1):
        raise RuleError(f"{name}: max_count must be a positive whole number")
    return {
        "region": None if region is None else str(region),
        "name": name.strip()[:200], "source": str(raw.get("source") or "")[:300],
        "major_percent": percent, "major_min_fen": min_fen, "major_max_fen": max_fen,
        "major_clause": str(major.get("clause") or "")[:200], "general_tiers": tiers,
        "cap_period": period,
        "cap_amount_fen": None if caps.get("max_amount_yuan") is None else yuan_to_fen(caps["max_amount_yuan"]),
        "cap_count": cap_count,
    }


def read_rules_file(path: Path) -> list[dict]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RuleError(f"{path}: cannot read: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list) or not data["rules"]:
        raise RuleError(f"{path}: expected a mapping with a non-empty list `rules`")
    parsed = [parse_rule(r) for r in data["rules"]]
    regions = [p["region"] for p in parsed]
    if len(set(regions)) != len(regions):
        raise RuleError(f"{path}: a region appears twice")
    return parsed


@dataclass
class AppliedRule:
    """A rule as applied to one case (from a database row, or the shipped national defaults)."""

    pk: int | None
    name: str
    source: str
    region_code: str | None
    major_percent: Decimal
    major_min_fen: int
    major_max_fen: int
    major_clause: str
    general_tiers: list
    cap_period: str
    cap_amount_fen: int | None
    cap_count: int | None

    def snapshot(self) -> dict:
        return {"id": self.pk, "name": self.name, "source": self.source, "region": self.region_code,
                "major_percent": str(self.major_percent), "major_min_fen": self.major_min_fen,
                "major_max_fen": self.major_max_fen, "major_clause": self.major_clause,
                "general_tiers": self.general_tiers, "cap_period": self.cap_period,
                "cap_amount_fen": self.cap_amount_fen, "cap_count": self.cap_count}

    @classmethod
    def from_snapshot(cls, snap: dict) -> "AppliedRule":
        return cls(pk=snap.get("id"), name=snap["name"], source=snap.get("source", ""), region_code=snap.get("region"),
                   major_percent=Decimal(snap["major_percent"]), major_min_fen=snap["major_min_fen"],
                   major_max_fen=snap["major_max_fen"], major_clause=snap.get("major_clause", ""),
                   general_tiers=snap.get("general_tiers", []), cap_period=snap.get("cap_period", "year"),
                   cap_amount_fen=snap.get("cap_amount_fen"), cap_count=snap.get("cap_count"))


def _applied(row) -> AppliedRule:
    return AppliedRule(pk=row.pk, name=row.name, source=row.source, region_code=row.region_id,
                       major_percent=Decimal(row.major_percent), major_min_fen=row.major_min_fen,
                       major_max_fen=row.major_max_fen, major_clause=row.major_clause,
                       general_tiers=list(row.general_tiers or []), cap_period=row.cap_period,
                       cap_amount_fen=row.cap_amount_fen, cap_count=row.cap_count)


def shipped_national() -> AppliedRule:
    values = next(r for r in read_rules_file(NATIONAL_FILE) if r["region"] is None)
    values = {k: v for k, v in values.items() if k != "region"}
    return AppliedRule(pk=None, region_code=None, **values)


def rule_for_region(region_path: str) -> AppliedRule:
    """The most specific rule: the deepest region on the path that has one, else national, else shipped."""
    from hazardwatch.rewards.models import RewardRule

    codes = [c for c in (region_path or "").strip("/").split("/") if c]
    rows = {r.region_id: r for r in RewardRule.objects.filter(region_id__in=codes)} if codes else {}
    for code in reversed(codes):
        if code in rows:
            return _applied(rows[code])
    national = RewardRule.objects.filter(region__isnull=True).first()
    return _applied(national) if national else shipped_national()


def major_amount(rule: AppliedRule, fine_fen: int) -> int:
    """percent × fine, rounded half up to the fen, then held within [minimum, maximum]."""
    raw = (Decimal(fine_fen) * rule.major_percent / Decimal(100)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return max(rule.major_min_fen, min(rule.major_max_fen, int(raw)))


def general_tier(rule: AppliedRule, category: str) -> dict | None:
    """The tier naming the category, else the first tier without categories."""
    for tier in rule.general_tiers:
        if category and category in tier.get("categories", []):
            return tier
    for tier in rule.general_tiers:
        if not tier.get("categories"):
            return tier
    return None


def cap_remaining(rule: AppliedRule, *, used_fen: int, used_count: int) -> tuple[int | None, bool]:
    """(amount still available in the period or None for no cap, whether another reward may be counted)."""
    remaining = None if rule.cap_amount_fen is None else max(0, rule.cap_amount_fen - used_fen)
    count_ok = rule.cap_count is None or used_count < rule.cap_count
    return remaining, count_ok
