"""``calmdesk check``: check a staff reply before saying it."""

from __future__ import annotations

from typing import Any

import click

from calmdesk import errors
from calmdesk.analysis.replies import ReplyCheck, ReplyFinding
from calmdesk.cli.common import answer_text, engine_options, make_engine, script_option
from calmdesk.playbook.model import Topic
from calmdesk.playbook.vocab import vocab
from calmdesk.text.normalize import Script, to_script


@click.command()
@click.argument("text")
@click.option(
    "--topic",
    type=click.Choice([t.value for t in Topic]),
    default=None,
    help="类别代码（如 no-valid-id），更好的说法取自该类别的场景话术。",
)
@click.option("--situation", default=None, help="一句话描述现场情况，用来找最贴切的场景话术。")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="输出 JSON；TEXT 为 - 时逐行读标准输入、逐行输出 JSONL。",
)
@script_option
@engine_options
def check(
    text: str,
    topic: str | None,
    situation: str | None,
    as_json: bool,
    script: str | None,
    playbook_dirs: tuple[Any, ...],
    rules_dirs: tuple[Any, ...],
) -> None:
    """说之前检查回复话术。TEXT 为员工准备说的话；TEXT 为 - 时逐行读取标准输入。"""
    engine = make_engine(playbook_dirs, rules_dirs)
    forced = Script(script) if script else None
    default_topic = Topic(topic) if topic else None

    def analyse(request: dict[str, Any]) -> ReplyCheck:
        return engine.check_reply(
            request.get("text"),
            topic=_topic_field(request.get("topic"), default_topic),
            situation=_situation_field(request.get("situation"), situation),
        )

    answer_text(
        text,
        as_json,
        analyse,
        lambda result: result.to_dict(forced),
        lambda result: print_check(result, forced),
    )


def _topic_field(value: object, default: Topic | None) -> Topic | None:
    if value is None:
        return default
    try:
        return Topic(str(value))
    except ValueError:
        raise errors.BadInput(
            f"未知的类别代码「{value}」", code=errors.BAD_FIELD, field="topic"
        ) from None


def _situation_field(value: object, default: str | None) -> str | None:
    if value is None:
        return default
    if not isinstance(value, str):
        raise errors.BadInput("「situation」应为文本", code=errors.BAD_FIELD, field="situation")
    return value


def _principle_label(number: int) -> str:
    label = vocab().get("principles", {}).get(number)
    return f"原则{number}：{label}" if label else f"原则{number}"


def _highlight(original: str, findings: tuple[ReplyFinding, ...]) -> str:
    """The reply with each problem span in red, underlined."""
    pieces: list[str] = []
    pos = 0
    for f in sorted(findings, key=lambda f: f.start):
        if f.start < pos:
            continue
        pieces.append(original[pos : f.start])
        pieces.append(click.style(original[f.start : f.end], fg="red", bold=True, underline=True))
        pos = f.end
    pieces.append(original[pos:])
    return "".join(pieces)


def print_check(result: ReplyCheck, forced: Script | None = None) -> None:
    s = forced or result.text.script

    def say(line: str, **style: Any) -> None:
        click.echo(click.style(to_script(line, s), **style))

    colour = "green" if result.score >= 70 else "yellow" if result.score >= 50 else "red"
    say(f"得分 {result.score}/100", bold=True, fg=colour)
    click.echo("  " + _highlight(result.text.original, result.findings))
    if result.findings:
        click.echo()
        say("需要改的地方", bold=True)
        for f in result.findings:
            click.echo(
                click.style(f"✗ [{f.code}] ", fg="red")
                + click.style(f"「{f.span_text}」", fg="red", bold=True)
                + click.style(to_script(f"  {_principle_label(f.principle)}", s), dim=True)
            )
            say(f"    {f.message}")
            if f.better:
                say(f"    建议：{f.better}", fg="green")
    if result.strengths:
        click.echo()
        say("做得好的地方", bold=True)
        for st in result.strengths:
            click.echo(
                click.style(f"✓ [{st.code}] ", fg="green")
                + click.style(f"「{st.span_text}」", bold=True)
                + click.style(to_script(f"  {st.message}", s), dim=True)
            )
    if result.better:
        click.echo()
        say("更好的说法", bold=True)
        say(f"  「{result.better}」", fg="green")
    if not result.findings:
        click.echo()
        say("没有发现问题，可以这样说。", fg="green")
