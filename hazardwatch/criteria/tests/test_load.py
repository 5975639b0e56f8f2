"""`hazardwatch criteria load`: idempotent, versioned, all or nothing, precise errors."""
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from hazardwatch.criteria.models import Criterion, Standard

SAMPLE = Path(__file__).parent / "data" / "sample"


@pytest.fixture
def data(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(SAMPLE, target)
    return target


@pytest.mark.django_db
def test_load_is_idempotent(data, capsys):
    call_command("criteria", "load", "--data", str(data))
    assert "3 editions created" in capsys.readouterr().out
    assert Standard.objects.count() == 3 and Criterion.objects.count() == 6
    call_command("criteria", "load", "--data", str(data))
    assert "3 unchanged" in capsys.readouterr().out
    assert Standard.objects.count() == 3


@pytest.mark.django_db
def test_changed_edition_becomes_a_new_version_and_the_old_one_is_kept(data):
    call_command("criteria", "load", "--data", str(data))
    path = data / "chemtest" / "2017.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("速冻间内作业人员超过9人。", "速冻间内人员超过9人。"),
                    encoding="utf-8")
    call_command("criteria", "load", "--data", str(data))
    versions = Standard.objects.filter(code="chemtest", edition="2017").order_by("version")
    assert [(s.version, s.is_current) for s in versions] == [(1, False), (2, True)]
    assert versions[0].items.get(code="Q1").text_zh == "速冻间内作业人员超过9人。"
    assert versions[1].items.get(code="Q1").text_zh == "速冻间内人员超过9人。"


@pytest.mark.django_db
@pytest.mark.parametrize("edit,line,message", [
    (lambda t: t.replace("    text_zh: 安全出口被封堵。\n", ""), 30, "missing field 'text_zh'"),
    (lambda t: t.replace('  - code: "6.2"', '  - code: "6.6"'), 21, "duplicate item code 6.6"),
    (lambda t: t.replace("sectors: [fire]\n    place_types: []", "sectors: [fires]\n    place_types: []"), 34,
     "unknown value(s) fires"),
    (lambda t: t.replace("  - code: \"7.3.1\"\n    kind: composite", "  - code: \"7.3.1\"\n    kind: [composite"), 36,
     "invalid YAML"),
    (lambda t: t.replace("  document_number: TEST 1-2017\n", ""), 2, "missing field 'document_number'"),
])
def test_bad_yaml_names_file_and_line_and_loads_nothing(data, edit, line, message):
    call_command("criteria", "load", "--data", str(data / ".." / "data"))  # a first, good load
    before = (Standard.objects.count(), Criterion.objects.count())
    path = data / "firetest" / "2017.yaml"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    # another file changes too: it must not be loaded either
    other = data / "chemtest" / "2017.yaml"
    other.write_text(other.read_text(encoding="utf-8").replace("速冻间内作业人员", "速冻间里作业人员"), encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("criteria", "load", "--data", str(data))
    assert f"firetest/2017.yaml:{line}:" in str(exc.value) or (message == "invalid YAML" and "2017.yaml:" in str(exc.value))
    assert message in str(exc.value)
    assert (Standard.objects.count(), Criterion.objects.count()) == before


@pytest.mark.django_db
def test_the_bundled_catalogue_loads():
    call_command("criteria", "load")
    codes = set(Standard.objects.values_list("code", flat=True))
    assert {"gb35181", "gongmao", "huagong", "yanhua", "meikuang", "jinshu_feijinshu", "fangwu_shizheng",
            "chengzhen_ranqi", "daolu_yunshu", "tezhong_shebei"} <= codes
    assert set(Standard.objects.filter(code="gb35181").values_list("edition", flat=True)) == {"2017", "2025"}
    for std in Standard.objects.all():
        assert std.items.exists()
        assert all(c.text_zh and c.text_en and c.requires for c in std.items.all())
