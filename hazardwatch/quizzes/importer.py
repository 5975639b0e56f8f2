"""Import a question bank from CSV or YAML. Every row is checked first; any error is reported with the file
and line and nothing is imported. Questions are matched by `code` (updated when they exist).

CSV columns: code, kind, text_zh, text_en, options_zh, options_en (options separated by "|"), answer
("A", "A,C", or for true/false "T"/"F"), explanation_zh, explanation_en, source, tags (separated by ";"),
sector. YAML: a list of mappings with the same names, or `text`/`explanation` as {zh, en}, `options` as a
list of strings or {zh, en}, `answer` as a letter, a list of letters, or true/false.
"""
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction
from django.utils.translation import gettext as _g

from hazardwatch.core.audit import audit_append
from hazardwatch.core.choices import Sector
from hazardwatch.core.errors import ApplicationError
from hazardwatch.quizzes.models import Question, QuestionKind

LETTERS = "ABCDEFGH"
TRUE_WORDS = {"t", "true", "yes", "对", "正确", "是", "1"}
FALSE_WORDS = {"f", "false", "no", "错", "错误", "否", "0"}
CODE_RE = re.compile(r"^[-a-zA-Z0-9_]{1,64}$")
MAX_BYTES = 5 * 1024 * 1024


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


class ImportFailed(ApplicationError):
    def __init__(self, errors: list[str]):
        super().__init__(_g("The question file has errors; nothing was imported."), {"errors": errors})
        self.errors = errors


def _pair(value, zh_key, en_key, raw) -> tuple[str, str]:
    if isinstance(value, dict):
        return str(value.get("zh") or "").strip(), str(value.get("en") or "").strip()
    if value is not None:
        return str(value).strip(), ""
    return str(raw.get(zh_key) or "").strip(), str(raw.get(en_key) or "").strip()


def _normalize(raw: dict, errs: list[str]) -> dict | None:
    """One question from a CSV row or YAML mapping, or None with messages in errs."""
    if not isinstance(raw, dict):
        errs.append(_g("each question must be a mapping of fields"))
        return None
    code = str(raw.get("code") or "").strip()
    if not CODE_RE.match(code):
        errs.append(_g("code must be 1–64 letters, digits, '-' or '_'"))
    kind = str(raw.get("kind") or "").strip().lower().replace("-", "_")
    kind = {"tf": "true_false", "truefalse": "true_false", "judge": "true_false"}.get(kind, kind)
    if kind not in QuestionKind.values:
        errs.append(_g("kind must be one of {kinds}").format(kinds=", ".join(QuestionKind.values)))
    text_zh, text_en = _pair(raw.get("text"), "text_zh", "text_en", raw)
    if not text_zh and not text_en:
        errs.append(_g("the question text is missing"))
    expl_zh, expl_en = _pair(raw.get("explanation"), "explanation_zh", "explanation_en", raw)

    options: list[dict] = []
    if kind == QuestionKind.TRUE_FALSE:
        options = [{"key": "T", "zh": "正确", "en": "True"}, {"key": "F", "zh": "错误", "en": "False"}]
    else:
        opts = raw.get("options")
        if opts is None:
            zh = [o.strip() for o in str(raw.get("options_zh") or "").split("|") if o.strip()]
            en = [o.strip() for o in str(raw.get("options_en") or "").split("|") if o.strip()]
            if en and len(en) != len(zh):
                errs.append(_g("options_en must have as many options as options_zh"))
            opts = [{"zh": z, "en": en[i] if i < len(en) else ""} for i, z in enumerate(zh)]
        if not isinstance(opts, list):
            errs.append(_g("options must be a list"))
            opts = []
        for i, o in enumerate(opts[: len(LETTERS)]):
            zh, en = _pair(o if isinstance(o, dict) else str(o), "", "", {})
            if not zh and not en:
                errs.append(_g("option {n} is empty").format(n=i + 1))
            options.append({"key": LETTERS[i], "zh": zh, "en": en})
        if not 2 <= len(opts) <= len(LETTERS):
            errs.append(_g("a choice question needs 2 to {max} options").format(max=len(LETTERS)))

    ans = raw.get("answer")
    answer: list[str] = []
    if kind == QuestionKind.TRUE_FALSE:
        word = str(ans).strip().lower() if ans is not None else ""
        if isinstance(ans, bool):
            answer = ["T" if ans else "F"]
        elif word in TRUE_WORDS:
            answer = ["T"]
        elif word in FALSE_WORDS:
            answer = ["F"]
        else:
            errs.append(_g("a true/false answer must be T or F"))
    elif kind:
        parts = ans if isinstance(ans, list) else re.split(r"[,;，、\s]+", str(ans or ""))
        answer = sorted({str(p).strip().upper() for p in parts if str(p).strip()})
        keys = {o["key"] for o in options}
        if not answer:
            errs.append(_g("the answer is missing"))
        elif any(a not in keys for a in answer):
            errs.append(_g("the answer names an option that does not exist"))
        elif kind == QuestionKind.SINGLE and len(answer) != 1:
            errs.append(_g("a single-choice question has exactly one correct option"))
        elif kind == QuestionKind.MULTIPLE and len(answer) < 2:
            errs.append(_g("a multiple-choice question has at least two correct options"))

    tags = raw.get("tags") or []
    if isinstance(tags, str):
        tags = [t for t in re.split(r"[;；,，]", tags)]
    tags = [str(t).strip() for t in tags if str(t).strip()]
    sector = str(raw.get("sector") or "").strip()
    if sector and sector not in Sector.values:
        errs.append(_g("unknown sector {sector}").format(sector=sector))
    source = str(raw.get("source") or "").strip()[:300]
    if errs:
        return None
    return {"code": code, "kind": kind, "text_zh": text_zh, "text_en": text_en, "options": options,
            "answer": answer, "explanation_zh": expl_zh, "explanation_en": expl_en, "source": source,
            "tags": tags, "sector": sector}


def _rows_csv(text: str):
    reader = csv.DictReader(io.StringIO(text))
    missing = {"code", "kind", "answer"} - set(reader.fieldnames or [])
    if missing:
        yield 1, None, [_g("missing columns: {cols}").format(cols=", ".join(sorted(missing)))]
        return
    for row in reader:
        yield reader.line_num, row, []


def _rows_yaml(text: str):
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        yield (mark.line + 1 if mark else 1), None, [_g("not valid YAML: {err}").format(
            err=getattr(exc, "problem", None) or exc)]
        return
    except RecursionError:  # thousands of nested brackets: refused with a message, not a traceback
        yield 1, None, [_g("not valid YAML: {err}").format(err=_g("nested too deeply"))]
        return
    if isinstance(data, dict) and "questions" in data:
        data = data["questions"]
        node = next(v for k, v in node.value if k.value == "questions")
    if not isinstance(data, list):
        yield 1, None, [_g("the file must hold a list of questions (or a mapping with 'questions')")]
        return
    for item_node, item in zip(node.value, data):
        yield item_node.start_mark.line + 1, item, []


def parse_bank(name: str, content: bytes) -> tuple[list[dict], list[str]]:
    if len(content) > MAX_BYTES:
        return [], [f"{name}: " + _g("the file is larger than 5 MB")]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [f"{name}: " + _g("the file is not UTF-8 text")]
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        rows = _rows_csv(text)
    elif suffix in (".yaml", ".yml"):
        rows = _rows_yaml(text)
    else:
        return [], [f"{name}: " + _g("use a .csv, .yaml or .yml file")]
    questions, errors, seen = [], [], {}
    for line, raw, pre in rows:
        errs = list(pre)
        q = _normalize(raw, errs) if raw is not None or not pre else None
        if q is not None:
            if q["code"] in seen:
                errs.append(_g("code {code} already used on line {line}").format(code=q["code"],
                                                                                 line=seen[q["code"]]))
            seen[q["code"]] = line
        for e in errs:
            errors.append(f"{name}:{line}: {e}")
        if q is not None and not errs:
            questions.append(q)
    if not questions and not errors:
        errors.append(f"{name}: " + _g("no questions found"))
    return questions, errors


def bank_import(*, name: str, content: bytes, actor=None) -> ImportResult:
    """Check the whole file, then create or update every question in one transaction; nothing on error."""
    questions, errors = parse_bank(name, content)
    if errors:
        raise ImportFailed(errors)
    result = ImportResult()
    with transaction.atomic():
        existing = Question.objects.select_for_update().in_bulk([q["code"] for q in questions], field_name="code")
        for q in questions:
            obj = existing.get(q["code"])
            if obj is None:
                obj = Question(**q)
                result.created += 1
            else:
                for k, v in q.items():
                    setattr(obj, k, v)
                obj.active = True
                result.updated += 1
            obj.full_clean()
            obj.save()
        audit_append(actor=actor, action="quiz.bank_import", obj_type="quizzes.question",
                     obj_id=Path(name).name[-64:],
                     payload={"file": name, "created": result.created, "updated": result.updated})
    return result
