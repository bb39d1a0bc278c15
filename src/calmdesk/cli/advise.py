"""``calmdesk advise``: a situation in a few words → the playbook to follow."""

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
from calmdesk.cli.render import print_advice
from calmdesk.engine import Engine
from calmdesk.text.normalize import Script


@click.command()
@click.argument("text")
@click.option(
    "--top", type=click.IntRange(1, 20), default=3, show_default=True, help="列出几个候选场景。"
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="输出 JSON；TEXT 为 - 时逐行读标准输入、逐行输出 JSONL。",
)
@script_option
@engine_options
def advise(
    text: str,
    top: int,
    as_json: bool,
    script: str | None,
    playbook_dirs: tuple[Any, ...],
    rules_dirs: tuple[Any, ...],
) -> None:
    """情景 → 应对手册。TEXT 为一句话描述的现场情况；TEXT 为 - 时逐行读取标准输入。"""
    engine = make_engine(playbook_dirs, rules_dirs)
    forced = Script(script) if script else None

    def handle(request: dict[str, Any]) -> dict[str, Any]:
        advice = engine.advise(request.get("text"), top=top, script=forced)
        return advice.to_dict(include_playbook=False)

    if text == "-":
        if as_json:
            engine.matcher  # load before the first line arrives  # noqa: B018
            run_jsonl(stdin_bytes(), handle)
            return
        _print_lines(engine, top, forced)
        return
    advice = engine.advise(text, top=top, script=forced)
    if as_json:
        dump_json(advice.to_dict(), pretty=True)
    else:
        print_advice(advice)


def _print_lines(engine: Engine, top: int, forced: Script | None) -> None:
    for raw in stdin_bytes():
        line = raw.decode("utf-8", errors="replace").strip()
        if line:
            print_advice(engine.advise(line, top=top, script=forced))
