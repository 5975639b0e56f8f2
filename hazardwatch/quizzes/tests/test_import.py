"""Importing the question bank: CSV and YAML, errors with file and line, all or nothing."""
import pytest
from django.core.management import CommandError, call_command

from hazardwatch.quizzes.models import Question, QuestionKind
from hazardwatch.quizzes.tests.conftest import BANK

HEADER = "code,kind,text_zh,text_en,options_zh,options_en,answer,explanation_zh,explanation_en,source,tags,sector\n"


def _run(*files):
    import io

    err = io.StringIO()
    try:
        call_command("quizzes", "import", *[str(f) for f in files], stdout=io.StringIO(), stderr=err)
    except CommandError:
        return False, err.getvalue()
    return True, err.getvalue()


def test_starter_bank_has_over_100_bilingual_questions_of_every_kind(db):
    ok, _err = _run(BANK)
    assert ok
    assert Question.objects.count() >= 100
    kinds = set(Question.objects.values_list("kind", flat=True))
    assert kinds == set(QuestionKind.values)
    assert not Question.objects.filter(text_en="").exists()
    assert not Question.objects.filter(explanation_zh="").exists()


def test_csv_import_and_update(db, tmp_path):
    f = tmp_path / "bank.csv"
    f.write_text(HEADER
                 + 'g-1,single,燃气泄漏先做什么？,"Gas leak: first?",开灯|关阀开窗,Light on|Close valve and open windows,B,'
                   '关阀开窗,"Close, ventilate",常识,gas;home,gas\n'
                 + "g-2,true_false,可以在卧室装燃气管道。,,,,F,不可以,,,gas,gas\n"
                 + "g-3,multiple,哪些是隐患？,,堆物|锁门|畅通,,\"A,B\",,,,fire,fire\n", encoding="utf-8")
    ok, err = _run(f)
    assert ok, err
    q = Question.objects.get(code="g-1")
    assert q.options[1] == {"key": "B", "zh": "关阀开窗", "en": "Close valve and open windows"}
    assert q.answer == ["B"] and q.tags == ["gas", "home"] and q.explanation_en == "Close, ventilate"
    assert Question.objects.get(code="g-2").answer == ["F"]
    assert Question.objects.get(code="g-3").answer == ["A", "B"]
    f.write_text(HEADER + "g-2,true_false,可以在卧室装燃气管道吗？,,,,F,,,,gas,gas\n", encoding="utf-8")
    assert _run(f)[0]
    assert Question.objects.get(code="g-2").text_zh == "可以在卧室装燃气管道吗？"
    assert Question.objects.count() == 3


def test_csv_errors_name_file_and_line_and_nothing_is_imported(db, tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text(HEADER
                 + "ok-1,single,题目,,甲|乙,,A,,,,fire,fire\n"
                 + "bad-2,single,题目二,,甲|乙,,C,,,,fire,fire\n"
                 + "bad-3,guess,题目三,,甲|乙,,A,,,,fire,fire\n"
                 + "ok-1,true_false,重复编号,,,,T,,,,fire,fire\n", encoding="utf-8")
    ok, err = _run(f)
    assert not ok
    assert f"{f}:3: the answer names an option that does not exist" in err
    assert f"{f}:4: kind must be one of single, multiple, true_false" in err
    assert f"{f}:5: code ok-1 already used on line 2" in err
    assert Question.objects.count() == 0


def test_yaml_errors_name_the_line_of_the_question(db, tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("questions:\n"
                 "- code: y-1\n"
                 "  kind: single\n"
                 "  text: {zh: 题目}\n"
                 "  options: [甲, 乙]\n"
                 "  answer: A\n"
                 "- code: y-2\n"
                 "  kind: multiple\n"
                 "  text: {zh: 多选}\n"
                 "  options: [甲, 乙, 丙]\n"
                 "  answer: A\n"
                 "  sector: space\n", encoding="utf-8")
    ok, err = _run(f)
    assert not ok
    assert f"{f}:7: a multiple-choice question has at least two correct options" in err
    assert f"{f}:7: unknown sector space" in err
    assert Question.objects.count() == 0
    broken = tmp_path / "broken.yaml"
    broken.write_text("questions:\n- code: a\n  text: [unclosed\n", encoding="utf-8")
    ok, err = _run(broken)
    assert not ok and f"{broken}:" in err and "not valid YAML" in err


@pytest.mark.parametrize("name", ["bank.txt", "bank.json"])
def test_other_file_types_are_refused(db, tmp_path, name):
    f = tmp_path / name
    f.write_text("x", encoding="utf-8")
    ok, err = _run(f)
    assert not ok and "use a .csv, .yaml or .yml file" in err
