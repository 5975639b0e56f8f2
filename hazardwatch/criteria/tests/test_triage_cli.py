"""The command-line contract: `hazardwatch triage` (JSON Lines in and out) and `triage eval FILE`."""
import json
import subprocess
import sys
from pathlib import Path

SAMPLE = Path(__file__).parent / "data" / "sample"
EXE = str(Path(sys.executable).with_name("hazardwatch"))


def run(args, stdin="", tmp_path=None):
    env = {"PATH": "/usr/bin:/bin", "HAZARDWATCH_VAR_DIR": str(tmp_path)}
    return subprocess.run([EXE, "triage", *args], input=stdin, capture_output=True, text=True, env=env, timeout=120)


def test_one_json_line_per_input_best_candidate_first(tmp_path):
    lines = [
        {"id": "a", "text": "KTV包厢没有喷淋，只有一个出口"},
        {"id": 2, "text": "小区井盖丢了", "place_type": "residential"},
        {"id": "c", "text": "化工厂可燃气体报警器坏了一直没修", "sector": "hazardous_chemicals"},
    ]
    result = run(["--data", str(SAMPLE), "--date", "2026-01-01"], "\n".join(json.dumps(x, ensure_ascii=False)
                                                                             for x in lines) + "\n", tmp_path)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", 2, "c"]
    for o in out:
        assert set(o) == {"id", "sector", "is_major_candidate", "candidates"}
        scores = [c["score"] for c in o["candidates"]]
        assert scores == sorted(scores, reverse=True)
        for c in o["candidates"]:
            assert set(c) == {"standard", "edition", "item", "score", "reasons"} and isinstance(c["reasons"], list)
    assert out[0]["is_major_candidate"] and out[0]["candidates"][0] == {**out[0]["candidates"][0],
                                                                        "standard": "firetest", "edition": "2025",
                                                                        "item": "5.6"}
    assert out[1]["sector"] == "household_community" and not out[1]["is_major_candidate"]
    assert out[2]["sector"] == "hazardous_chemicals" and out[2]["candidates"][0]["item"] == "12"


def test_bad_lines_are_reported_with_their_number_and_processing_continues(tmp_path):
    stdin = "\n".join([
        '{"id": 1, "text": "KTV没有喷淋"}',
        "{not json",
        '{"id": 3, "text": "   "}',
        '{"id": 4, "text": "x", "sector": "space"}',
        '{"id": 5, "text": "x", "place_type": "moon"}',
        '{"text": "no id"}',
        '[1, 2]',
        json.dumps({"id": 8, "text": "长" * 5001}),
        "",
        '{"id": 10, "text": "歌厅没有喷淋"}',
    ]) + "\n"
    result = run(["--data", str(SAMPLE)], stdin, tmp_path)
    assert result.returncode == 1
    ids = [json.loads(line)["id"] for line in result.stdout.splitlines()]
    assert ids == [1, 3, 4, 5, 8, 10]
    err = result.stderr
    for expected in ["line 2: invalid JSON", "line 3: text is empty", "line 4: unknown sector 'space'",
                     "line 5: unknown place_type 'moon'", "line 6: missing id", "line 7: each line must be a JSON object",
                     "line 8: text is longer than 5000 characters"]:
        assert expected in err
    assert "Traceback" not in err


def test_eval_prints_the_four_figures(tmp_path):
    labelled = tmp_path / "set.jsonl"
    rows = [
        {"id": 1, "text": "KTV没有喷淋", "expected": {"sector": "fire", "major": True, "items": ["firetest:5.6"]}},
        {"id": 2, "text": "KTV喷淋已经修好了", "expected": {"sector": "fire", "major": False}},
        {"id": 3, "text": "配电箱门坏了电线裸露", "expected": {"sector": "electrical", "major": False}},
        {"id": 4, "text": "速冻间里有二十多个人干活", "expected": {"sector": "industry_trade", "major": True,
                                                       "items": ["chemtest:2017:Q1"]}},
    ]
    labelled.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n{bad\n", encoding="utf-8")
    result = run(["eval", str(labelled), "--data", str(SAMPLE), "--json"], "", tmp_path)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["cases"] == 4 and figures["bad_lines"] == 1
    assert figures["major_recall"] == 1.0 and figures["major_precision"] == 1.0
    assert figures["top3_item_accuracy"] == 1.0 and figures["sector_accuracy"] == 1.0
    assert "line 5" in result.stderr
    text = run(["eval", str(labelled), "--data", str(SAMPLE)], "", tmp_path).stdout
    for label in ("sector accuracy", "major recall", "major precision", "top-3 item accuracy"):
        assert label in text


def test_unknown_arguments_are_clear_errors(tmp_path):
    assert "usage" in run(["nonsense"], "", tmp_path).stderr
    assert "no such file" in run(["eval", str(tmp_path / "missing.jsonl")], "", tmp_path).stderr
    assert "--date" in run(["--date", "yesterday"], "", tmp_path).stderr
