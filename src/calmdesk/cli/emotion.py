"""``calmdesk emotion``: how upset is this customer, and what else should staff notice."""

from __future__ import annotations

from typing import Any

import click

from calmdesk.cli.common import answer_text, engine_options, make_engine, script_option
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
    answer_text(
        text,
        as_json,
        lambda request: engine.read_emotion(request.get("text")).to_dict(forced),
        lambda result: result,
        _print,
    )


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
