"""``calmdesk emotion``: how upset is this customer, and what else should staff notice."""

from __future__ import annotations

from typing import Any

import click

from calmdesk.cli.common import (
    dump_json,
    engine_options,
    make_engine,
    run_jsonl,
    script_option,
    stdin_bytes,
)
from calmdesk.text.normalize import Script, to_script

_METER_COLOURS = {0: "green", 1: "yellow", 2: "red", 3: "magenta"}


@click.command()
@click.argument("text")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="输出 JSON；TEXT 为 - 时逐行读标准输入、逐行输出 JSONL。",
)
@script_option
@engine_options
def emotion(
    text: str,
    as_json: bool,
    script: str | None,
    playbook_dirs: tuple[Any, ...],
    rules_dirs: tuple[Any, ...],
) -> None:
    """读客户情绪：愤怒 0–3、证据（原文位置）和线索。TEXT 为 - 时逐行读取标准输入。"""
    engine = make_engine(playbook_dirs, rules_dirs)
    forced = Script(script) if script else None

    def handle(request: dict[str, Any]) -> dict[str, Any]:
        return engine.read_emotion(request.get("text")).to_dict(forced)

    if text == "-":
        engine.emotion_analyzer  # load before the first line arrives  # noqa: B018
        if as_json:
            run_jsonl(stdin_bytes(), handle)
        else:
            for raw in stdin_bytes():
                line = raw.decode("utf-8", errors="replace").strip()
                if line:
                    _print(engine.read_emotion(line).to_dict(forced))
        return
    result = engine.read_emotion(text).to_dict(forced)
    if as_json:
        dump_json(result, pretty=True)
    else:
        _print(result)


def _print(result: dict[str, Any]) -> None:
    s = Script(result["script"])
    anger = result["anger"]
    meter = "█" * anger + "░" * (3 - anger)
    head = to_script(f"愤怒 {anger}/3 {meter}  {result['anger_label']}", s)
    click.echo(click.style(head, fg=_METER_COLOURS[anger], bold=True))
    if result["cues"]:
        labels = "、".join(f"{result['cue_labels'][c]}（{c}）" for c in result["cues"])
        click.echo(to_script("线索：", s) + labels)
    for ev in result["evidence"]:
        tag = ev.get("cue") or ev["kind"]
        click.echo(f"  [{ev['start']}:{ev['end']}] 「{ev['text']}」 {tag}  {ev['weight']}")
