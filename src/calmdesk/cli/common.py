"""What every command shares: error reporting, engine options, JSON and JSONL output."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, TypeVar

import click

from calmdesk import errors
from calmdesk.engine import Engine
from calmdesk.text.normalize import Script

__all__ = [
    "answer_text",
    "dump_json",
    "engine_options",
    "iter_input_lines",
    "make_engine",
    "run_guarded",
    "run_jsonl",
    "script_option",
]

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

EXIT_ERROR = 1
EXIT_BAD_INPUT = 2


def run_guarded(cli: click.Group) -> int:
    """Run the CLI; a CalmdeskError becomes ``[code] message`` on stderr, not a traceback."""
    try:
        result = cli.main(standalone_mode=False, prog_name="calmdesk")
    except errors.CalmdeskError as exc:
        click.echo(f"错误 {exc}", err=True)
        return EXIT_BAD_INPUT if isinstance(exc, errors.BadInput) else EXIT_ERROR
    except click.exceptions.Abort:
        click.echo("已取消。", err=True)
        return EXIT_ERROR
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except BrokenPipeError:  # e.g. `calmdesk advise ... | head`
        sys.stderr.close()
        return 0
    # With standalone_mode off, click returns ctx.exit()'s code instead of raising.
    return result if isinstance(result, int) else 0


def engine_options(func: F) -> F:
    """``--playbook DIR`` and ``--rules DIR`` (also from CALMDESK_PLAYBOOK / CALMDESK_RULES)."""
    func = click.option(
        "--rules",
        "rules_dirs",
        multiple=True,
        type=click.Path(file_okay=False, path_type=Path),
        help="本行自己的规则目录（replies.yaml / emotion.yaml），可多次给出；也可用环境变量 CALMDESK_RULES。",
    )(func)
    func = click.option(
        "--playbook",
        "playbook_dirs",
        multiple=True,
        type=click.Path(file_okay=False, path_type=Path),
        help="本行自己的场景目录，补充或按 id 覆盖内置场景，可多次给出；也可用环境变量 CALMDESK_PLAYBOOK。",
    )(func)
    return func


def make_engine(playbook_dirs: tuple[Path, ...], rules_dirs: tuple[Path, ...]) -> Engine:
    return Engine(
        playbook_dirs=list(playbook_dirs) or None,
        rules_dirs=list(rules_dirs) or None,
    )


def script_option(func: F) -> F:
    return click.option(
        "--script",
        type=click.Choice([s.value for s in Script]),
        default=None,
        help="输出用简体（hans）或繁体（hant）；默认跟随输入。",
    )(func)


def dump_json(obj: Any, out: IO[str] | None = None, *, pretty: bool = False) -> None:
    stream = out or sys.stdout
    stream.write(json.dumps(obj, ensure_ascii=False, indent=2 if pretty else None) + "\n")
    stream.flush()


def iter_input_lines(
    stream: IO[bytes],
) -> Iterator[tuple[int, dict[str, Any] | errors.CalmdeskError]]:
    """Yield (line number, request) for each input line, or the error that line has.

    A line is either plain text or a JSON object with a ``text`` field (and options). Bytes are
    read raw so one badly encoded line is reported on its own instead of stopping the stream.
    """
    for lineno, raw in enumerate(stream, 1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield (
                lineno,
                errors.BadInput(
                    f"第 {lineno} 行不是有效的 UTF-8 文本（第 {exc.start} 字节处无法解码）",
                    code=errors.BAD_ENCODING,
                ),
            )
            continue
        line = line.removeprefix("\ufeff").rstrip("\r\n")
        if line.lstrip().startswith("{"):
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield (
                    lineno,
                    errors.BadInput(
                        f"第 {lineno} 行的 JSON 格式错误：第 {exc.colno} 列，{exc.msg}",
                        code=errors.BAD_JSON,
                    ),
                )
                continue
            if not isinstance(obj, dict):
                yield lineno, errors.BadInput(f"第 {lineno} 行应为 JSON 对象", code=errors.BAD_JSON)
                continue
            yield lineno, obj
        else:
            yield lineno, {"text": line}


def run_jsonl(
    stream: IO[bytes],
    handle: Callable[[dict[str, Any]], dict[str, Any]],
    out: IO[str] | None = None,
) -> int:
    """Answer each input line with exactly one JSON object, in order. Returns the error count."""
    failures = 0
    for lineno, request in iter_input_lines(stream):
        if isinstance(request, errors.CalmdeskError):
            answer: dict[str, Any] = {"line": lineno, "error": request.to_dict()}
        else:
            try:
                answer = handle(request)
            except errors.CalmdeskError as exc:
                answer = {"line": lineno, "error": exc.to_dict()}
        if "error" in answer:
            failures += 1
        dump_json(answer, out)
    return failures


def answer_text(
    text: str,
    as_json: bool,
    analyse: Callable[[dict[str, Any]], T],
    to_json: Callable[[T], dict[str, Any]],
    show: Callable[[T], None],
    *,
    line_json: Callable[[T], dict[str, Any]] | None = None,
) -> None:
    """The shared shape of the text commands: TEXT gives one answer (pretty JSON with
    ``--json``, else the terminal view); ``-`` reads stdin and answers every line — JSONL with
    ``--json`` (``line_json`` may slim each object), else one terminal view per non-blank line."""
    if text == "-":
        if as_json:
            per_line = line_json or to_json
            run_jsonl(stdin_bytes(), lambda request: per_line(analyse(request)))
            return
        for raw in stdin_bytes():
            line = raw.decode("utf-8", errors="replace").strip()
            if line:
                show(analyse({"text": line}))
        return
    result = analyse({"text": text})
    if as_json:
        dump_json(to_json(result), pretty=True)
    else:
        show(result)


def stdin_bytes() -> IO[bytes]:
    return sys.stdin.buffer
