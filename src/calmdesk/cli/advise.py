"""``calmdesk advise``: a situation in a few words → the playbook to follow."""

from __future__ import annotations

from typing import Any

import click

from calmdesk.cli.common import answer_text, engine_options, make_engine, script_option
from calmdesk.cli.render import print_advice
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
    answer_text(
        text,
        as_json,
        lambda request: engine.advise(request.get("text"), top=top, script=forced),
        lambda advice: advice.to_dict(),
        print_advice,
        line_json=lambda advice: advice.to_dict(include_playbook=False),
    )
