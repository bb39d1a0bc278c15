"""``calmdesk sessions``: list stored guided sessions and show one turn by turn.

Also home of what ``assist`` shares with it: the ``--db`` option and opening the service.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from calmdesk.cli.common import dump_json, engine_options, make_engine, script_option
from calmdesk.guidance.sessions import SessionService
from calmdesk.store import Store
from calmdesk.text.normalize import Script, to_script

__all__ = ["db_option", "open_service", "sessions"]

F = TypeVar("F", bound=Callable[..., Any])

SPEAKER_NAMES = {"customer": "客户", "staff": "员工"}


def db_option(func: F) -> F:
    return click.option(
        "--db",
        "db_url",
        default=None,
        metavar="URL",
        help="数据库地址（SQLAlchemy URL），默认 $CALMDESK_DATABASE_URL 或数据目录下的 calmdesk.db。",
    )(func)


@contextmanager
def open_service(
    db_url: str | None,
    playbook_dirs: tuple[Any, ...] = (),
    rules_dirs: tuple[Any, ...] = (),
) -> Iterator[SessionService]:
    store = Store.open(db_url)
    try:
        yield SessionService(make_engine(playbook_dirs, rules_dirs), store)
    finally:
        store.close()


@click.group()
def sessions() -> None:
    """查看已保存的接待会话。"""


@sessions.command("list")
@click.option("--limit", type=click.IntRange(1, 500), default=50, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON。")
@db_option
def list_sessions(limit: int, offset: int, as_json: bool, db_url: str | None) -> None:
    """列出会话，最近更新的在前。"""
    with open_service(db_url) as service:
        items = service.list(limit=limit, offset=offset)
    if as_json:
        dump_json(items, pretty=True)
        return
    if not items:
        click.echo("还没有保存的会话。用 calmdesk assist 开始一次接待。")
        return
    for s in items:
        script = Script(s["script"])
        line = (
            f"{s['id']}  {s['updated_at'][:19].replace('T', ' ')}  "
            f"{s['stage']:<9}  怒气 {s['anger']}  {s['turn_count']:>3} 轮  "
            f"{s['topic'] or '-':<24} {s['title'] or ''}"
        )
        click.echo(to_script(line, script))


@sessions.command("show")
@click.argument("session_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON。")
@script_option
@db_option
@engine_options
def show_session(
    session_id: str,
    as_json: bool,
    script: str | None,
    db_url: str | None,
    playbook_dirs: tuple[Any, ...],
    rules_dirs: tuple[Any, ...],
) -> None:
    """逐轮显示一个会话。"""
    forced = Script(script) if script else None
    with open_service(db_url, playbook_dirs, rules_dirs) as service:
        data = service.get(session_id, script=forced)
    if as_json:
        dump_json(data, pretty=True)
        return
    s = data["session"]
    out = forced or Script(s["script"])

    def echo(text: str, **style: Any) -> None:
        click.echo(click.style(to_script(text, out), **style))

    echo(f"会话 {s['id']}  {s['title'] or ''}", bold=True)
    echo(
        f"创建 {s['created_at'][:19].replace('T', ' ')}  状态 {s['status']}  阶段 {s['stage']}  "
        f"怒气 {s['anger']}  类别 {s['topic'] or '-'}  场景 {s['scenario'] or '-'}",
        dim=True,
    )
    for t in data["turns"]:
        who = SPEAKER_NAMES.get(t["speaker"], t["speaker"])
        echo(f"#{t['seq']} {who}：{t['text']}")
        echo(f"    → 阶段 {t['stage']}  怒气 {t['anger']}  类别 {t['topic'] or '-'}", dim=True)
        for w in t["warnings"]:
            echo(f"    ⚠ [{w['code']}] {w['message']}", fg="red")
