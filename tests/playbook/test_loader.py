from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from calmdesk import errors
from calmdesk.playbook.loader import BUILTIN_PLAYBOOK_DIR, check_playbook_dir, load_playbook
from calmdesk.playbook.model import Topic

EXAMPLE = BUILTIN_PLAYBOOK_DIR / "no-valid-id" / "forgot-id-card.yaml"


def _scenario(**changes: object) -> dict[str, object]:
    data: dict[str, object] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data.update(changes)
    return data


def _write(directory: Path, name: str, data: object) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_builtin_playbook_is_valid() -> None:
    assert check_playbook_dir(BUILTIN_PLAYBOOK_DIR) == []


@pytest.mark.parametrize(
    ("changes", "field", "reason_part"),
    [
        ({"topic": "angry"}, "topic", "未知的代码"),
        ({"steps": []}, "steps", "步骤为空"),
        ({"id": "Has Spaces"}, "id", "格式不对"),
        ({"signals": ["只有一个"]}, "signals", "至少需要 3 项"),
        ({"places": ["moon"]}, "places[0]", "未知的代码"),
        ({"principles": [9]}, "principles[0]", "1–7"),
        ({"escalation": [{"when": "x", "contact": "boss"}]}, "escalation[0].contact", "未知的代码"),
        ({"title": ""}, "title", "非空"),
        ({"colour": "red"}, "colour", "未知字段"),
        (
            {
                "steps": [
                    {"stage": "close", "action": "a", "scripts": ["b"]},
                    {"stage": "respond", "action": "a", "scripts": ["b"]},
                ]
            },
            "steps[1].stage",
            "更靠后",
        ),
        (
            {"steps": [{"stage": "listen", "action": "a", "scripts": []}]},
            "steps[0].scripts",
            "至少",
        ),
    ],
)
def test_each_problem_names_file_scenario_field_and_reason(
    tmp_path: Path, changes: dict[str, object], field: str, reason_part: str
) -> None:
    _write(tmp_path, "bad.yaml", _scenario(**{"id": "bank.bad", **changes}))
    problems = check_playbook_dir(tmp_path)
    matching = [p for p in problems if p.field == field]
    assert matching, problems
    assert matching[0].file == "bad.yaml"
    assert reason_part in matching[0].reason
    if field != "id":
        assert matching[0].item == "bank.bad"


def test_duplicate_ids_are_reported(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", _scenario(id="bank.same"))
    _write(tmp_path, "b.yaml", _scenario(id="bank.same"))
    problems = check_playbook_dir(tmp_path)
    assert [p.reason for p in problems if p.field == "id"] == ["重复的场景 id，已在 a.yaml 中定义"]


@pytest.mark.parametrize(
    ("content", "reason_part"),
    [
        (b"id: [unclosed\n", "无法解析"),
        (b"\xff\xfe\xfa", "UTF-8"),
        (b"- just\n- a list\n", "应为一个场景"),
    ],
)
def test_broken_files_are_reported(tmp_path: Path, content: bytes, reason_part: str) -> None:
    (tmp_path / "broken.yaml").write_bytes(content)
    problems = check_playbook_dir(tmp_path)
    assert len(problems) == 1 and reason_part in problems[0].reason


def test_missing_or_empty_directory(tmp_path: Path) -> None:
    assert "不存在" in check_playbook_dir(tmp_path / "nope")[0].reason
    assert "没有任何" in check_playbook_dir(tmp_path)[0].reason


def test_bank_playbook_extends_replaces_and_disables(tmp_path: Path) -> None:
    builtin = load_playbook()
    bank = tmp_path / "bank"
    _write(bank, "new.yaml", _scenario(id="bank.new-one", title="本行新增场景"))
    _write(bank, "replace.yaml", _scenario(title="本行改写的标题"))
    merged = load_playbook([bank])
    assert len(merged) == len(builtin) + 1
    replaced = merged.get("no-valid-id.forgot-id-card")
    assert replaced is not None and replaced.title == "本行改写的标题"

    other = next(s for s in builtin if s.id != "no-valid-id.forgot-id-card")
    _write(bank, "off.yaml", {"id": other.id, "disabled": True})
    merged = load_playbook([bank])
    assert merged.get(other.id) is None


def test_invalid_bank_playbook_refuses_to_load(tmp_path: Path) -> None:
    _write(tmp_path / "bank", "bad.yaml", _scenario(id="bank.bad", topic="nope"))
    with pytest.raises(errors.DataFileError) as info:
        load_playbook([tmp_path / "bank"])
    assert info.value.code == errors.PLAYBOOK_INVALID
    assert "nope" in str(info.value)


def test_disabling_an_unknown_scenario_is_an_error(tmp_path: Path) -> None:
    _write(tmp_path / "bank", "off.yaml", {"id": "no.such-scenario", "disabled": True})
    with pytest.raises(errors.DataFileError, match="要停用的场景不存在"):
        load_playbook([tmp_path / "bank"])


def test_every_topic_is_covered() -> None:
    playbook = load_playbook()
    assert playbook.topics() == set(Topic)
