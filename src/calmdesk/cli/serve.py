"""``calmdesk serve``: the web app and the JSON API (uvicorn with uvloop and httptools)."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import click

from calmdesk.cli.common import engine_options, make_engine
from calmdesk.cli.sessions import db_option

__all__ = ["serve"]


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址。")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(1, 16),
    default=1,
    show_default=True,
    help="工作进程数；每个进程各自加载一份手册与规则。",
)
@click.option(
    "--access-log/--no-access-log",
    default=True,
    show_default=True,
    help="每个请求记一行日志（方法、路径、状态、耗时、错误代码；不含请求内容）。",
)
@db_option
@engine_options
def serve(
    host: str,
    port: int,
    workers: int,
    access_log: bool,
    db_url: str | None,
    playbook_dirs: tuple[Path, ...],
    rules_dirs: tuple[Path, ...],
) -> None:
    """启动网页版与 HTTP API（默认 http://127.0.0.1:8000，API 文档在 /docs）。"""
    import uvicorn

    _configure_logging()
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "loop": "uvloop",
        "http": "httptools",
        "access_log": False,  # calmdesk writes its own, without query strings or bodies
        "log_config": None,
        "server_header": False,
        "timeout_graceful_shutdown": 5,
    }
    if workers == 1:
        from calmdesk.web.app import create_app

        engine = make_engine(playbook_dirs, rules_dirs)
        engine.warm_up()  # fail now, listing the data files' problems, not at the first request
        app = create_app(engine, db_url=db_url, access_log=access_log)
        click.echo(f"calmdesk：http://{host}:{port}  （API 文档 /docs，Ctrl+C 退出）", err=True)
        uvicorn.run(app, **options)
        return
    # Several processes: each worker builds its own app from the environment.
    if db_url:
        os.environ["CALMDESK_DATABASE_URL"] = db_url
    if playbook_dirs:
        os.environ["CALMDESK_PLAYBOOK"] = os.pathsep.join(str(p) for p in playbook_dirs)
    if rules_dirs:
        os.environ["CALMDESK_RULES"] = os.pathsep.join(str(p) for p in rules_dirs)
    os.environ["CALMDESK_ACCESS_LOG"] = "1" if access_log else "0"
    make_engine(playbook_dirs, rules_dirs).warm_up()  # check the data once, fill the cache
    click.echo(f"calmdesk：http://{host}:{port}  （{workers} 个进程）", err=True)
    uvicorn.run("calmdesk.web.app:app_from_env", factory=True, workers=workers, **options)


def _configure_logging() -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for name in ("calmdesk", "uvicorn"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(logging.INFO)
        logger.propagate = False
