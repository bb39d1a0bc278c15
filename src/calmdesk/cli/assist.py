"""``calmdesk assist``: guide an encounter turn by turn, in the terminal or as JSONL.

Interactive (the default). The prompt says whose line comes next — ``客户> `` or ``员工> `` —
and flips after each turn, so a plain line is the customer's, then the staff member's, and so
on. Commands override it:

    /c 文字    the customer said this          /s 文字    the staff member said this
    /d 文字    check a draft reply (not a turn, nothing changes)
    /stage     show the guidance for where the encounter stands
    /help      list the commands               /quit      leave (also Ctrl-D)

JSONL (``--json -``): each stdin line is ``{"speaker": "customer"|"staff", "text": …}`` or
``{"draft": …}``; each gets exactly one JSON object back, in order (the guidance dict of
:mod:`calmdesk.guidance.sessions`, or ``{"line": n, "error": {…}}``).

Sessions are stored (``--db URL``; ``--no-store`` keeps them in memory only) and can be
continued later with ``--session ID``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from calmdesk import errors
from calmdesk.cli.common import engine_options, run_jsonl, script_option, stdin_bytes
from calmdesk.cli.sessions import SPEAKER_NAMES, db_option, open_service
from calmdesk.guidance.sessions import SessionService
from calmdesk.text.normalize import Script, to_script

__all__ = ["assist"]

IN_MEMORY_DB = "sqlite://"
PROMPTS = {"customer": "客户> ", "staff": "员工> "}
NEXT_SPEAKER = {"customer": "staff", "staff": "customer"}
ANGER_WORDS = ("平静", "不满", "生气", "暴怒")
TREND_WORDS = {"rising": "↑ 上升", "falling": "↓ 下降", "steady": "→ 平稳"}
HELP = """命令：
  直接输入     按提示符记为客户或员工说的话（每轮后自动切换）
  /c 文字      客户说的话
  /s 文字      员工说的话
  /d 文字      先检查一句想说的话（不算一轮）
  /stage       查看当前阶段与建议
  /help        显示本帮助
  /quit        退出（也可按 Ctrl-D）"""


@click.command()
@click.argument("source", required=False, metavar="[-]")
@click.option("--json", "as_json", is_flag=True, help="逐行读标准输入的 JSONL，逐行输出 JSON。")
@click.option("--session", "session_id", default=None, help="继续一个已保存的会话。")
@click.option("--title", default=None, help="新会话的标题。")
@click.option("--no-store", is_flag=True, help="不保存会话（只在内存中）。")
@db_option
@script_option
@engine_options
def assist(
    source: str | None,
    as_json: bool,
    session_id: str | None,
    title: str | None,
    no_store: bool,
    db_url: str | None,
    script: str | None,
    playbook_dirs: tuple[Any, ...],
    rules_dirs: tuple[Any, ...],
) -> None:
    """逐轮引导一次接待：告诉你现在处于哪个阶段、该说什么、不该说什么。

    不带参数时进入交互模式；--json - 时从标准输入读取 JSONL。
    """
    if source not in (None, "-"):
        raise errors.BadInput(
            "只能用 - 表示从标准输入读取，例如：calmdesk assist --json -", code=errors.BAD_OPTION
        )
    if source == "-" and not as_json:
        raise errors.BadInput("从标准输入读取时请加 --json", code=errors.BAD_OPTION)
    forced = Script(script) if script else None
    with open_service(IN_MEMORY_DB if no_store else db_url, playbook_dirs, rules_dirs) as service:
        sid = session_id or service.create(title)["id"]
        if session_id:
            service.get(session_id)  # unknown id: fail now, not on the first line
        if as_json:
            run_jsonl(stdin_bytes(), _jsonl_handler(service, sid, forced))
        else:
            _interactive(service, sid, forced, stored=not no_store)


def _jsonl_handler(
    service: SessionService, sid: str, forced: Script | None
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def handle(request: dict[str, Any]) -> dict[str, Any]:
        if "draft" in request:
            return service.check_draft(sid, request["draft"], script=forced)
        if "speaker" not in request:
            raise errors.BadInput(
                '每行应为 {"speaker": "customer"|"staff", "text": "…"} 或 {"draft": "…"}',
                code=errors.BAD_FIELD,
                field="speaker",
            )
        return service.add_turn(sid, request["speaker"], request.get("text"), script=forced)

    return handle


# -- interactive ----------------------------------------------------------------------------


def _interactive(service: SessionService, sid: str, forced: Script | None, *, stored: bool) -> None:
    session = service.get(sid, script=forced)
    where = f"已保存到 {service.store.url}" if stored else "不保存"
    _say(f"calmdesk assist · 会话 {sid}（{where}）", Script.HANS, bold=True)
    _say("输入客户或员工说的话；/help 查看命令，/quit 退出。", Script.HANS, dim=True)
    if session["turns"]:
        _show(session["guidance"], forced)
    speaker = "customer"
    if session["turns"]:
        speaker = NEXT_SPEAKER[session["turns"][-1]["speaker"]]
    while True:
        try:
            line = input(PROMPTS[speaker]).strip()
        except EOFError:
            click.echo()
            break
        if not line:
            continue
        command, _, rest = line.partition(" ")
        rest = rest.strip()
        try:
            if command in ("/quit", "/q", "/exit"):
                break
            if command in ("/help", "/h", "/?"):
                click.echo(HELP)
            elif command == "/stage":
                _show(service.get(sid, script=forced)["guidance"], forced)
            elif command in ("/c", "/s", "/d"):
                if not rest:
                    _say(f"用法：{command} 文字", Script.HANS, fg="yellow")
                    continue
                if command == "/d":
                    _show(service.check_draft(sid, rest, script=forced), forced)
                    continue
                who = "customer" if command == "/c" else "staff"
                _show(service.add_turn(sid, who, rest, script=forced), forced)
                speaker = NEXT_SPEAKER[who]
            elif command.startswith("/"):
                _say(f"不认识的命令 {command}；输入 /help 查看命令。", Script.HANS, fg="yellow")
            else:
                _show(service.add_turn(sid, speaker, line, script=forced), forced)
                speaker = NEXT_SPEAKER[speaker]
        except errors.CalmdeskError as exc:
            _say(f"错误 {exc}", Script.HANS, fg="red")
    _say(f"会话 {sid} 已结束。用 calmdesk sessions show {sid} 回看。", Script.HANS, dim=True)


def _say(text: str, script: Script, **style: Any) -> None:
    click.echo(click.style(to_script(text, script), **style))


def _show(g: dict[str, Any], forced: Script | None) -> None:
    """One turn's guidance, most urgent first: warnings, escalation, then what to do and say."""
    s = forced or Script(g["script"])
    if g.get("draft"):
        head = "草稿检查（不算一轮）"
    elif g.get("seq"):
        head = f"第 {g['seq']} 轮 · {SPEAKER_NAMES.get(g['speaker'], '')}"
    else:
        head = "当前情况"
    _say(f"── {head} ──", s, bold=True)
    anger = int(g["anger"])
    meter = "█" * anger + "░" * (3 - anger)
    trend = TREND_WORDS[g["trajectory"]["trend"]]
    values = " ".join(str(v) for v in g["trajectory"]["values"]) or "-"
    _say(f"阶段  {g['stage_name']}（{g['stage']}）：{g['stage_goal']}", s, fg="cyan", bold=True)
    _say(
        f"怒气  {meter} {anger}/3 {ANGER_WORDS[anger]}  {trend}  [{values}]",
        s,
        fg="red" if anger >= 2 else "yellow" if anger == 1 else "green",
    )
    if g["topic"]:
        _say(f"场景  {g['topic_name']}（{g['topic']}）· {g['scenario_title']}", s)
    for w in g["warnings"]:
        _say(f"⚠ [{w['code']}] {w['message']}", s, fg="red", bold=True)
    for f in g["findings"]:
        if f.get("better"):
            _say(f"  改为：{f['better']}", s, fg="yellow")
    for e in g["escalation"]:
        if e["urgent"]:
            _say(f"⇧ 升级：找{e['contact_name']}（{e['contact']}）— {e['when']}", s, fg="magenta")
    for action in g["actions"]:
        _say(f"→ {action}", s)
    if g["suggestions"]:
        _say("可以这样说：", s, bold=True)
        for line in g["suggestions"]:
            _say(f"  「{line}」", s, fg="green")
    others = [e for e in g["escalation"] if not e["urgent"]]
    if others:
        _say(
            "如需升级：" + "；".join(f"{e['when']} → {e['contact_name']}" for e in others),
            s,
            dim=True,
        )
