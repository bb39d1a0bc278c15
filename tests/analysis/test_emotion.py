from __future__ import annotations

import csv
from pathlib import Path

import pytest
from tests.conftest import DATA, DEV_DATA

from calmdesk import errors
from calmdesk.engine import Engine
from calmdesk.text.normalize import MAX_TEXT_CHARS


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.mark.parametrize(
    "path",
    [DEV_DATA / "utterances.tsv", DATA / "utterances.tsv", DATA / "heldout_utterances.tsv"],
    ids=["dev", "own", "held-out"],
)
def test_anger_targets(engine: Engine, path: Path) -> None:
    if not path.exists():
        pytest.skip(f"{path.name} not present")
    rows = _rows(path)
    gold = [int(r["level"]) for r in rows]
    pred = [engine.read_emotion(r["text"]).anger for r in rows]
    n = len(rows)
    exact = sum(g == p for g, p in zip(gold, pred, strict=True)) / n
    within = sum(abs(g - p) <= 1 for g, p in zip(gold, pred, strict=True)) / n
    tp = sum(g >= 2 and p >= 2 for g, p in zip(gold, pred, strict=True))
    fp = sum(g < 2 and p >= 2 for g, p in zip(gold, pred, strict=True))
    fn = sum(g >= 2 and p < 2 for g, p in zip(gold, pred, strict=True))
    f1 = 2 * tp / (2 * tp + fp + fn)
    assert exact >= 0.80 and within >= 0.97 and f1 >= 0.90, (exact, within, f1)


def test_issue_example(engine: Engine) -> None:
    reading = engine.read_emotion("你们今天不给我办，我就去找记者曝光！")
    assert reading.anger == 3
    assert "exposure-threat" in reading.to_dict()["cues"]


@pytest.mark.parametrize(
    ("text", "anger"),
    [
        ("我不生气，也没有怪你", 0),
        ("请问开户需要带什么证件？", 0),
        ("怎么这么慢", 1),
        ("怎么这么慢！！！", 1),
        ("凭什么不让我取钱？", 2),
        ("憑什麼不讓我取錢？！", 2),
        ("你们就是故意刁难人", 2),
        ("你是不是脑子有病", 3),
        ("信不信我把你们柜台砸了", 3),
        ("我今天就坐在这里不走了", 3),
        ("ＦＵＬＬ　１２３７８　我要打１２３７８投诉你们！", 3),
    ],
)
def test_levels(engine: Engine, text: str, anger: int) -> None:
    assert engine.read_emotion(text).anger == anger


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("我七十多岁了还让我跑几趟", "elderly"),
        ("医院等着交住院费，急用", "urgency"),
        ("我来了三次了还办不好", "repeat-visit"),
        ("不解决我就发抖音", "exposure-threat"),
        ("你下班给我小心点", "violence"),
        ("警察让我把钱转到安全账户", "fraud"),
        ("我坐轮椅进不来", "disability"),
    ],
)
def test_cues(engine: Engine, text: str, cue: str) -> None:
    assert cue in engine.read_emotion(text).to_dict()["cues"]


def test_evidence_offsets_point_into_the_original_traditional_text(engine: Engine) -> None:
    raw = "你們 就是 故意刁難人！！"
    for ev in engine.read_emotion(raw).to_dict()["evidence"]:
        assert raw[ev["start"] : ev["end"]] == ev["text"]
    assert engine.read_emotion(raw).to_dict()["anger_label"] == "生氣"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", errors.EMPTY_TEXT),
        ("字" * (MAX_TEXT_CHARS + 1), errors.TEXT_TOO_LONG),
        ("a\x00b", errors.BINARY_TEXT),
    ],
)
def test_bad_input(engine: Engine, raw: str, code: str) -> None:
    with pytest.raises(errors.BadInput) as info:
        engine.read_emotion(raw)
    assert info.value.code == code


def test_bank_rules_add_and_disable(tmp_path: Path) -> None:
    (tmp_path / "emotion.yaml").write_text(
        "rules:\n"
        "  - name: bank.anger.slang\n    kind: accusation\n    weight: 2\n    phrases: [坑爹]\n"
        "    examples: {fire: [真坑爹, 坑爹银行], quiet: [你好, 谢谢]}\n"
        "disable: [emotion.cue.urgency]\n",
        encoding="utf-8",
    )
    engine = Engine(playbook_dirs=[], rules_dirs=[tmp_path])
    assert engine.read_emotion("真坑爹").anger == 2
    assert engine.read_emotion("急用，快一点").to_dict()["cues"] == []


def test_invalid_bank_rules_name_the_problem(tmp_path: Path) -> None:
    (tmp_path / "emotion.yaml").write_text(
        "rules:\n  - name: bank.bad\n    kind: accusation\n    weight: -1\n    phrases: []\n",
        encoding="utf-8",
    )
    with pytest.raises(errors.DataFileError) as info:
        _ = Engine(playbook_dirs=[], rules_dirs=[tmp_path]).emotion_analyzer
    assert info.value.code == errors.RULES_INVALID
    fields = {p.field for p in info.value.problems}
    assert {"phrases", "examples", "weight"} <= fields
