"""Text handling for matching: normalization, traditional → simplified, cues and quantities (pure)."""
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import opencc

_SENTENCE_END = re.compile(r"[。！？；;!?\n]")


@lru_cache(maxsize=1)
def _t2s():
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _traditional_chars() -> frozenset:
    """Characters that OpenCC's t2s table changes: convert only texts that contain one (cheap check)."""
    path = Path(opencc.__file__).resolve().parent / "dictionary" / "TSCharacters.txt"
    chars = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        key, _, values = line.partition("\t")
        if key and values and key not in values.split():
            chars.add(key)
    return frozenset(chars)


def normalize(text: str) -> str:
    """NFKC (full-width → half-width), traditional → simplified, lower case, collapsed spaces."""
    text = unicodedata.normalize("NFKC", text or "")
    trad = _traditional_chars()
    if any(c in trad for c in text):
        text = _t2s().convert(text)
    return re.sub(r"\s+", " ", text.lower()).strip()


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of the sentence (clause ended by 。！？；) around [start, end)."""
    left = start
    while left > 0 and not _SENTENCE_END.match(text[left - 1]):
        left -= 1
    right = end
    while right < len(text) and not _SENTENCE_END.match(text[right]):
        right += 1
    return left, right


def sentence_index(text: str):
    """A function (start, end) → the bounds of the sentence around that span, computed once per text."""
    import bisect

    ends = [m.start() for m in _SENTENCE_END.finditer(text)]

    def bounds(start: int, end: int) -> tuple[int, int]:
        i = bisect.bisect_left(ends, start)
        left = ends[i - 1] + 1 if i > 0 else 0
        j = bisect.bisect_left(ends, end)
        right = ends[j] if j < len(ends) else len(text)
        return left, right

    return bounds


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9, "几": 3}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}


def cn_number(s: str) -> float | None:
    """Chinese numerals to a number: 十几 → 13, 二十多 → 20, 两百 → 200, 一千五 → 1500 (几 counts as 3)."""
    if not s:
        return None
    total, section, digit = 0, 0, None
    for ch in s:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            unit = _CN_UNITS[ch]
            if unit == 10000:
                total = (total + section + (digit or 0)) * unit
                section, digit = 0, None
            else:
                section += (1 if digit is None else digit) * unit
                digit = None
        else:
            return None
    if digit is not None:
        # 一千五 = 1500: a trailing digit after a unit scales down one place
        if section and s[-2:-1] in ("千", "百") and len(s) >= 2:
            last_unit = _CN_UNITS[s[-2]]
            section += digit * last_unit // 10
        else:
            section += digit
    return float(total + section)


_NUM = r"(\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万几]+)"


@lru_cache(maxsize=256)
def _quantity_re(unit: str):
    u = re.escape(unit.lower())
    return re.compile(_NUM + r"\s*(多|余|几|来|以上|以下)?\s*(?:个|名|位|座|台|辆|处)?\s*" + u
                      + r"(\s*以上|\s*以下|\s*多)?")


def quantities(text: str, unit: str) -> list[float]:
    """Numbers stated with this unit ("15人", "十几个人", "20多人", "3.5米", "85%")."""
    out = []
    for m in _quantity_re(unit).finditer(text):
        raw = m.group(1)
        value = float(raw) if raw[0].isdigit() else cn_number(raw)
        if value is None:
            continue
        if (m.group(2) in ("多", "余", "几", "以上")) or (m.group(3) and m.group(3).strip() in ("以上", "多")):
            value += 0.5  # "20多人": more than 20
        out.append(value)
    return out


def compare(value: float, op: str, limit: float) -> bool:
    return {">": value > limit, ">=": value >= limit, "<": value < limit, "<=": value <= limit}[op]
