"""``calmdesk playbook``: validate and list playbook directories."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from calmdesk.cli.common import dump_json, engine_options, make_engine
from calmdesk.playbook.loader import BUILTIN_PLAYBOOK_DIR, check_playbook_dir
from calmdesk.playbook.model import Topic
from calmdesk.playbook.vocab import topic_label


@click.group()
def playbook() -> None:
    """场景手册：校验与浏览。"""


@playbook.command("check")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出问题列表。")
def check(directory: Path | None, as_json: bool) -> None:
    """校验一个场景目录（默认：内置手册）。有错误时逐条列出文件、场景、字段和原因，退出码 1。"""
    target = directory or BUILTIN_PLAYBOOK_DIR
    problems = check_playbook_dir(target)
    if as_json:
        dump_json(
            {
                "directory": str(target),
                "ok": not problems,
                "problems": [
                    {"file": p.file, "scenario": p.item, "field": p.field, "reason": p.reason}
                    for p in problems
                ],
            },
            pretty=True,
        )
    elif problems:
        click.echo(click.style(f"{target}：发现 {len(problems)} 处错误", fg="red", bold=True))
        for p in problems:
            click.echo(f"  - {p}")
    else:
        click.echo(click.style(f"{target}：校验通过", fg="green"))
    if problems:
        raise click.exceptions.Exit(1)


@playbook.command("list")
@click.option("--topic", type=click.Choice([t.value for t in Topic]), help="只列出这个类别。")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON。")
@engine_options
def list_scenarios(
    topic: str | None, as_json: bool, playbook_dirs: tuple[Any, ...], rules_dirs: tuple[Any, ...]
) -> None:
    """列出当前生效的场景（内置 + 本行目录）。"""
    engine = make_engine(playbook_dirs, rules_dirs)
    scenarios = [s for s in engine.playbook if topic is None or s.topic.value == topic]
    if as_json:
        dump_json([s.to_dict() for s in scenarios], pretty=True)
        return
    for s in scenarios:
        click.echo(f"{s.id:48} {topic_label(s.topic)}  {s.title}")
    click.echo(
        click.style(
            f"共 {len(scenarios)} 个场景，覆盖 {len({s.topic for s in scenarios})} 个类别", dim=True
        )
    )
