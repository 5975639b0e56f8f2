"""Template files: loading, idempotence, versions, and malformed files reported with file and line."""
import shutil

import pytest
from django.core.management import CommandError, call_command

from hazardwatch.checklists.loader import DATA_DIR, TemplateFileError, read_all
from hazardwatch.checklists.models import ChecklistItem, ChecklistTemplate
from hazardwatch.checklists.services import run_start, templates_load

GOOD = """template:
  code: tiny
  audience: family
  title_zh: 小清单
  title_en: Tiny checklist
items:
  - code: a
    text_zh: 有灭火器吗？
    text_en: Is there an extinguisher?
    category: fire_equipment
  - code: b
    text_zh: 楼道有电动车充电吗？
    text_en: Is an e-bike charged in the corridor?
    hazard_answer: yes
    category: ebike_charging
"""


def write(tmp_path, text, name="tiny.yaml"):
    folder = tmp_path / "data"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_shipped_templates_cover_every_audience_and_are_bilingual():
    parsed = read_all(DATA_DIR)
    audiences = {p["template"]["audience"] for p in parsed}
    assert audiences == {"family", "school", "rural", "community", "enterprise"}
    for p in parsed:
        for item in p["items"]:
            assert item["text_zh"] and item["text_en"]
    enterprise_criteria = [i["criterion"] for p in parsed if p["template"]["audience"] == "enterprise"
                           for i in p["items"] if i["criterion"]]
    assert "gongmao:13.2" in enterprise_criteria and "huagong:18" in enterprise_criteria


@pytest.mark.django_db
def test_load_is_idempotent_and_a_changed_file_makes_a_new_version(tmp_path):
    counts = templates_load()
    assert counts["created"] == len(list(DATA_DIR.glob("*.yaml"))) and counts["updated"] == 0
    assert templates_load() == {"created": 0, "updated": 0, "unchanged": counts["created"]}
    assert ChecklistTemplate.objects.filter(is_current=True).count() == counts["created"]

    folder = write(tmp_path, GOOD)
    assert templates_load(folder)["created"] == 1
    run = run_start(user=None, template_code="tiny")
    assert templates_load(folder)["unchanged"] == 1
    (folder / "tiny.yaml").write_text(GOOD.replace("Is there an extinguisher?", "Is there a working extinguisher?"))
    assert templates_load(folder) == {"created": 0, "updated": 1, "unchanged": 0}
    versions = list(ChecklistTemplate.objects.filter(code="tiny").order_by("version").values_list("version", "is_current"))
    assert versions == [(1, False), (2, True)]
    run.refresh_from_db()
    assert run.template.version == 1  # a run keeps the version it started with
    assert ChecklistItem.objects.get(template__code="tiny", template__version=2, code="b").hazard_answer == "yes"


@pytest.mark.parametrize("text, line, words", [
    (GOOD.replace("  - code: b\n", "  - code: b\n   bad: [\n"), 12, "invalid YAML"),
    (GOOD.replace("category: ebike_charging", "category: bicycles"), 15, "unknown category 'bicycles'"),
    (GOOD.replace("    text_en: Is there an extinguisher?\n", ""), 7, "missing field 'text_en'"),
    (GOOD.replace("  - code: b", "  - code: a"), 11, "duplicate item code a (first at line 7)"),
    (GOOD.replace("hazard_answer: yes", "hazard_answer: maybe"), 14, "hazard_answer must be yes or no"),
    (GOOD.replace("category: fire_equipment", "category: fire_equipment\n    colour: red"), 11,
     "unknown item field 'colour'"),
    (GOOD.replace("category: fire_equipment", "category: fire_equipment\n    criterion: gongmao:99.9"), 11,
     "standard gongmao has no item 99.9"),
    (GOOD.replace("category: fire_equipment", "category: fire_equipment\n    criterion: nonsense"), 11,
     "criterion must look like <standard>:<item>"),
    (GOOD.replace("audience: family", "audience: martians"), 3, "unknown audience 'martians'"),
    ("- just\n- a list\n", 1, "needs a 'template' mapping and an 'items' list"),
])
@pytest.mark.django_db
def test_malformed_files_name_file_and_line_and_load_nothing(tmp_path, text, line, words):
    folder = write(tmp_path, GOOD, "a-good.yaml")
    write(tmp_path, text.replace("code: tiny", "code: tiny2"), "b-bad.yaml")
    with pytest.raises(TemplateFileError) as info:
        templates_load(folder)
    assert info.value.path.endswith("b-bad.yaml")
    assert info.value.line == line, str(info.value)
    assert words in info.value.message
    assert ChecklistTemplate.objects.count() == 0  # the good file was not loaded either


@pytest.mark.django_db
def test_command_reports_the_error_with_file_and_line(tmp_path, capsys):
    folder = write(tmp_path, GOOD.replace("category: ebike_charging", "category: bicycles"))
    with pytest.raises(CommandError) as info:
        call_command("checklists", "load", "--data", str(folder))
    assert "nothing loaded" in str(info.value) and "tiny.yaml:15:" in str(info.value)
    assert ChecklistTemplate.objects.count() == 0
    good = tmp_path / "good"
    shutil.copytree(DATA_DIR, good)
    call_command("checklists", "load", "--data", str(good))
    assert "templates created" in capsys.readouterr().out
