"""The criteria matcher: report facts → predicted sector and ranked candidate items with reasons.

Pure Python (no ORM, no network). Built once from catalogue editions (plain dicts from `catalogue.py`)
and the lexicon; `match()` is then cheap (a fraction of a millisecond for a typical report).

How an item is judged:
- Each item has concept groups (`requires`); a group is present when any of its terms (or their
  synonyms) occurs in the normalized text. A full match needs every group.
- Polarity: for items about something missing or broken (`defect: absent`) the first group needs a
  negation cue next to it ("没有喷淋", "报警器坏了", "no sprinklers"); a completion cue ("已安装",
  "修好了", "fixed") marks it resolved. For other items a negation right before a term ("没有人住")
  cancels that term, and a completion cue ("已清理") marks it resolved.
- Quantities: an item's thresholds are checked against numbers stated with that unit ("十几个人" > 9).
- Generic words ("重大", "严重", "隐患") are ignored: a reporter calling something major proves nothing.
- The score mixes group coverage, the pluggable text scorer (BM25 by default), keyword hits and the
  place type; resolved items and failed thresholds are pushed down.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import ahocorasick
import numpy as np

from hazardwatch.criteria import text as T

# Weights and the line above which a full match is called a major-hazard candidate (measured on the
# labelled set, see docs/criteria.md).
W_COVERAGE, W_SCORER, W_KEYWORDS, W_PLACE = 0.55, 0.20, 0.15, 0.10
MAJOR_THRESHOLD = 0.62
MIN_SCORE = 0.12
OFF_SECTOR = 0.75
SECTOR_PRIORITY = ["fire", "gas", "hazardous_chemicals", "construction", "special_equipment", "mining", "fireworks",
                   "road_transport", "industry_trade", "electrical", "household_community", "other"]
_PRESENT_NEGATOR_RE = re.compile(
    r"(?:(?:没有|没|无|未|不再|不)(?:用|使用|在用|再用|存放|放|住|堆放?)?|\bno |\bnot |\bno longer |\bwithout |\bnever )$")


def _SELF_NEGATING(term: str) -> str | None:
    """A term that already says something is missing: 无证, 未验收, 没装, unlicensed, uncertified."""
    for prefix in ("未", "无", "没", "缺", "不", "非法", "擅自", "违规", "私自", "un", "non-", "no-"):
        if term.startswith(prefix) and len(term) > len(prefix) + (1 if prefix.isascii() else 0):
            return prefix
    return None


def _cue_weight(term: str) -> float:
    """Sector cue weight: longer Chinese words and multi-word English phrases are more specific."""
    if term.isascii():
        return 0.5 + 0.1 * min(len(term.split()), 3)
    return 0.4 + 0.1 * min(len(term), 4)


def _is_ascii_word(term: str) -> bool:
    return term.isascii()


@dataclass
class Candidate:
    standard: str
    edition: str
    item: str
    score: float
    reasons: list[str]
    sectors: list[str]
    kind: str
    full: bool
    text_zh: str = ""
    text_en: str = ""

    def as_dict(self) -> dict:
        return {"standard": self.standard, "edition": self.edition, "item": self.item, "score": round(self.score, 4),
                "reasons": self.reasons}


@dataclass
class MatchResult:
    sector: str
    is_major_candidate: bool
    candidates: list[Candidate] = field(default_factory=list)
    sector_reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"sector": self.sector, "is_major_candidate": self.is_major_candidate,
                "candidates": [c.as_dict() for c in self.candidates]}


class BM25Scorer:
    """Default text scorer: BM25 (bm25s) over each item's keywords, terms and paraphrase."""

    def __init__(self, docs: list[list[str]]):
        import logging

        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets itself to DEBUG on import

        self._bm25 = None
        if docs:
            self._bm25 = bm25s.BM25()
            self._bm25.index(docs, show_progress=False)

    def scores(self, tokens: list[str]):
        if not tokens or self._bm25 is None:
            return None
        return self._bm25.get_scores(tokens)


@dataclass
class _Item:
    standard: str
    edition: str
    code: str
    kind: str
    text_zh: str
    text_en: str
    sectors: list[str]
    place_types: frozenset
    groups: list[frozenset]
    group_originals: list[frozenset]
    keywords: frozenset
    defect: str
    thresholds: list[dict]


class Matcher:
    def __init__(self, editions: list[dict], lexicon: dict, scorer_factory=BM25Scorer, tokenizer=None):
        self.lexicon = lexicon or {}
        self.generic = frozenset(T.normalize(w) for w in self.lexicon.get("generic", []))
        self._equiv = self._equivalents(self.lexicon.get("synonyms", {}))
        self.items: list[_Item] = []
        self._term_items: dict[str, set[int]] = {}
        for ed in editions:
            std = ed["standard"]
            for raw in ed["items"]:
                self._add_item(std, raw)
        self._sector_terms = {s: frozenset(self._expand(T.normalize(t) for t in terms))
                              for s, terms in self.lexicon.get("sectors", {}).items()}
        self._term_sectors: dict[str, list[str]] = {}
        for s, terms in self._sector_terms.items():
            for t in terms:
                self._term_sectors.setdefault(t, []).append(s)
        self._place_sector = self.lexicon.get("place_type_sectors", {})
        self._tokenizer = tokenizer or self._make_tokenizer()
        docs = [self._doc_tokens(it) for it in self.items]
        self.scorer = scorer_factory(docs)
        self._automaton = self._build_automaton()
        self._cues = self._build_cue_automaton()
        blockers = sorted({T.normalize(w) for w in self.lexicon.get("blockers", [])}, key=len, reverse=True)
        self._blockers = re.compile("|".join(re.escape(w) for w in blockers)) if blockers else None
        not_cues = sorted({T.normalize(w) for w in self.lexicon.get("not_negation", [])}, key=len, reverse=True)
        self._not_cues = re.compile("|".join(re.escape(w) for w in not_cues)) if not_cues else None

    # --- building ---------------------------------------------------------------------------------
    @staticmethod
    def _equivalents(synonyms: dict) -> dict[str, frozenset]:
        equiv: dict[str, set] = {}
        for canonical, variants in synonyms.items():
            cls = {T.normalize(canonical), *(T.normalize(v) for v in variants)}
            for term in cls:
                equiv.setdefault(term, set()).update(cls)
        return {k: frozenset(v) for k, v in equiv.items()}

    def _expand(self, terms) -> set[str]:
        out = set()
        for t in terms:
            if not t or t in self.generic:
                continue
            out.add(t)
            out.update(self._equiv.get(t, ()))
        return out

    def _add_item(self, std: dict, raw: dict) -> None:
        originals = [frozenset(t for t in (T.normalize(x) for x in g) if t and t not in self.generic)
                     for g in raw["requires"]]
        groups = [frozenset(self._expand(g)) for g in originals]
        groups = [g for g in groups if g]
        keywords = frozenset(self._expand(T.normalize(k) for k in raw["keywords"]))
        item = _Item(
            standard=std["code"], edition=std["edition"], code=raw["code"], kind=raw.get("kind", "direct"),
            text_zh=raw["text_zh"], text_en=raw["text_en"], sectors=list(raw["sectors"]),
            place_types=frozenset(raw.get("place_types") or []), groups=groups, group_originals=originals,
            keywords=keywords, defect=raw.get("defect", "present"), thresholds=list(raw.get("thresholds") or []),
        )
        index = len(self.items)
        self.items.append(item)
        for term in set().union(*groups, keywords) if groups else keywords:
            self._term_items.setdefault(term, set()).add(index)

    def _make_tokenizer(self):
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        tk = jieba.Tokenizer()
        tk.initialize()
        for term in self._term_items:
            if not _is_ascii_word(term) and len(term) >= 2:
                tk.add_word(term, freq=2000)
        return tk

    def tokenize(self, normalized: str) -> list[str]:
        return [t for t in self._tokenizer.lcut(normalized) if len(t) > 1 and t.strip() and t not in self.generic]

    def _doc_tokens(self, item: _Item) -> list[str]:
        tokens = list(item.keywords)
        for g in item.groups:
            tokens.extend(g)
        tokens.extend(self.tokenize(T.normalize(item.text_zh)))
        tokens.extend(w for w in T.normalize(item.text_en).split() if len(w) > 2)
        return tokens or ["_"]

    def _build_automaton(self):
        a = ahocorasick.Automaton()
        terms = set(self._term_items)
        for s in self._sector_terms.values():
            terms |= s
        for term in terms:
            a.add_word(term, term)
        a.make_automaton()
        return a

    def _build_cue_automaton(self):
        a = ahocorasick.Automaton()
        entries: dict[str, set] = {}
        for kind, key in (("neg_before", ("negation", "before")), ("neg_after", ("negation", "after")),
                          ("done_before", ("completion", "before")), ("done_after", ("completion", "after"))):
            for cue in self.lexicon.get(key[0], {}).get(key[1], []):
                entries.setdefault(T.normalize(str(cue)), set()).add(kind)
        for cue, kinds in entries.items():
            a.add_word(cue, (cue, frozenset(kinds)))
        a.make_automaton()
        return a

    # --- matching ----------------------------------------------------------------------------------
    def _find(self, norm: str) -> dict[str, list[tuple[int, int]]]:
        hits: dict[str, list[tuple[int, int]]] = {}
        n = len(norm)
        for end, term in self._automaton.iter(norm):
            start = end - len(term) + 1
            if term.isascii() and ((start > 0 and norm[start - 1].isalnum() and norm[start - 1].isascii())
                                   or (end + 1 < n and norm[end + 1].isalnum() and norm[end + 1].isascii())):
                continue  # English terms only as whole words
            hits.setdefault(term, []).append((start, end + 1))
        if self._blockers is not None:
            masked = [(m.start(), m.end()) for m in self._blockers.finditer(norm)]
            if masked:
                hits = {t: kept for t, v in hits.items()
                        if (kept := [(s, e) for s, e in v
                                     if not any(ms <= s and e <= me and (e - s) < (me - ms) for ms, me in masked)])}
        return hits

    def _cue_list(self, norm: str) -> list[tuple[int, int, str, frozenset]]:
        out = []
        n = len(norm)
        masked = [(m.start(), m.end()) for m in self._not_cues.finditer(norm)] if self._not_cues else []
        for end, (cue, kinds) in self._cues.iter(norm):
            start = end - len(cue) + 1
            if cue.isascii() and cue[0].isalnum() and start > 0 and norm[start - 1].isascii() \
                    and norm[start - 1].isalnum():
                continue  # "no" inside "know"
            if cue.isascii() and cue[-1].isalnum() and end + 1 < n and norm[end + 1].isascii() \
                    and norm[end + 1].isalnum():
                continue
            if any(ms <= start and end < me for ms, me in masked):
                continue  # 没问题, 不少, 不断: not a negation
            out.append((start, end + 1, cue, kinds))
        return out

    @staticmethod
    def _near(cues, bounds, s, e, before_kind, after_kind, before=7, after=12):
        """The first cue of the kinds asked for, within the window around [s, e) and the same sentence."""
        if not cues:
            return None
        left, right = bounds(s, e)
        for cs, ce, cue, kinds in cues:
            if before_kind in kinds and ce <= s and ce >= s - before and cs >= left:
                return cue
            if after_kind in kinds and cs >= e and cs <= e + after and ce <= right:
                return cue
        return None

    @staticmethod
    def _negated_right_before(norm: str, s: int) -> bool:
        return _PRESENT_NEGATOR_RE.search(norm, max(0, s - 8), s) is not None

    def _judge(self, item: _Item, hits, cues, norm: str, bounds) -> tuple[float, bool, list[str], bool, bool]:
        """→ (coverage, resolved, reasons, threshold_failed, threshold_met)."""
        reasons: list[str] = []
        satisfied = 0
        resolved = False
        hit_terms = hits.keys()
        for gi, group in enumerate(item.groups):
            present = group & hit_terms  # set intersection in C: most groups have no hit at all
            if not present:
                continue
            occ = [(t, s, e) for t in present for (s, e) in hits[t]]
            if item.defect == "absent" and gi == 0:
                found = False
                for t, s, e in occ:
                    neg = _SELF_NEGATING(t) or self._near(cues, bounds, s, e, "neg_before", "neg_after")
                    if neg:
                        found = True
                        reasons.append(f"missing:{t}({neg})")
                        break
                    if self._near(cues, bounds, s, e, "done_before", "done_after", before=6, after=10):
                        resolved = True
                if found:
                    satisfied += 1
                elif resolved:
                    reasons.append(f"resolved:{occ[0][0]}")
                else:
                    reasons.append(f"present-not-missing:{occ[0][0]}")
                continue
            live = [(t, s, e) for t, s, e in occ if not self._negated_right_before(norm, s)]
            if not live:
                reasons.append(f"negated:{occ[0][0]}")
                continue
            t, s, e = live[0]
            satisfied += 1
            origin = "term" if t in item.group_originals[gi] else "synonym"
            reasons.append(f"{origin}:{t}")
            if item.defect == "present" and self._near(cues, bounds, s, e, "done_before", "done_after", before=4,
                                                       after=8):
                resolved = True
                reasons.append(f"resolved:{t}")
        coverage = satisfied / len(item.groups) if item.groups else 0.0
        failed = met = False
        for th in item.thresholds:
            values = T.quantities(norm, th["unit"])
            if not values:
                continue
            ok = [v for v in values if T.compare(v, th["op"], th["value"])]
            if ok:
                met = True
                reasons.append(f"threshold:{ok[0]:g}{th['unit']}{th['op']}{th['value']:g}")
            else:
                failed = True
                reasons.append(f"below-threshold:{values[0]:g}{th['unit']}{th['op']}{th['value']:g} not met")
        return coverage, resolved, reasons, failed, met

    def match(self, text: str, *, place_type: str | None = None, sector: str | None = None,
              category_sector: str | None = None, limit: int = 5) -> MatchResult:
        norm = T.normalize(text)
        hits = self._find(norm)
        cues = self._cue_list(norm)
        scores = self.scorer.scores(self.tokenize(norm))
        pool: set[int] = set()
        for term in hits:
            pool |= self._term_items.get(term, set())
        top_scorer = 0.0
        if scores is not None and len(scores):
            top_scorer = float(scores.max())
            if top_scorer > 0:
                k = min(8, len(scores))
                order = np.argpartition(-scores, k - 1)[:k]
                pool.update(int(i) for i in order if scores[i] > 0)
        bounds = T.sentence_index(norm)
        candidates: list[Candidate] = []
        for idx in pool:
            item = self.items[idx]
            coverage, resolved, reasons, failed, met = self._judge(item, hits, cues, norm, bounds)
            kw_hits = len(item.keywords & hits.keys())
            kw = min(1.0, kw_hits / 3)
            sc = float(scores[idx]) / top_scorer if scores is not None and top_scorer > 0 else 0.0
            place = 1.0 if place_type and place_type in item.place_types else 0.0
            score = W_COVERAGE * coverage + W_SCORER * sc + W_KEYWORDS * kw + W_PLACE * place
            if met:
                score += 0.05
            if resolved:
                score *= 0.3
            if failed:
                score *= 0.3
            if sector and sector not in item.sectors:
                score *= 0.7
            if score < MIN_SCORE or (coverage == 0 and not kw_hits):
                continue
            if place:
                reasons.append(f"place_type:{place_type}")
            if kw_hits:
                reasons.append(f"keywords:{kw_hits}")
            full = coverage >= 1.0 and not resolved and not failed
            candidates.append(Candidate(item.standard, item.edition, item.code, min(score, 1.0), reasons,
                                        item.sectors, item.kind, full, item.text_zh, item.text_en))
        candidates.sort(key=lambda c: (-c.full, -c.score, c.standard, c.item))
        chosen, sector_reasons = self._sector(hits, candidates[:limit], place_type, sector, category_sector)
        if not sector:
            # Items of other sectors than the report's step back (a blocked exit in a KTV is not a mine item).
            for c in candidates:
                if chosen not in c.sectors:
                    c.score *= OFF_SECTOR
                    c.reasons.append(f"other-sector:{','.join(c.sectors)}")
            candidates.sort(key=lambda c: (-c.full, -c.score, c.standard, c.item))
        candidates = candidates[:limit]
        major = any(c.full and c.score >= MAJOR_THRESHOLD for c in candidates)
        return MatchResult(chosen, major, candidates, sector_reasons)

    def _sector(self, hits, candidates, place_type, sector, category_sector) -> tuple[str, list[str]]:
        if sector:
            return sector, ["given"]
        weights: dict[str, float] = {}
        reasons = []
        by_sector: dict[str, list[str]] = {}
        for t in hits:
            for s in self._term_sectors.get(t, ()):
                by_sector.setdefault(s, []).append(t)
        for s, found in by_sector.items():
            if found:
                # longer (more specific) words weigh more; a few distinct words are enough
                weights[s] = weights.get(s, 0.0) + sum(sorted((_cue_weight(t) for t in found), reverse=True)[:4])
                reasons.append(f"{s}:{','.join(sorted(found)[:3])}")
        full = [c for c in candidates if c.full]
        if full:
            for s in full[0].sectors:
                weights[s] = weights.get(s, 0.0) + full[0].score * 0.9
        if category_sector:
            weights[category_sector] = weights.get(category_sector, 0.0) + 0.8
        if place_type and place_type in self._place_sector:
            s = self._place_sector[place_type]
            weights[s] = weights.get(s, 0.0) + 0.4
        if not weights:
            return "other", reasons
        best = max(weights.values())
        if math.isclose(best, 0.0):
            return "other", reasons
        tied = [s for s, w in weights.items() if math.isclose(w, best)]
        return min(tied, key=lambda s: SECTOR_PRIORITY.index(s) if s in SECTOR_PRIORITY else 99), reasons
