"""``calmdesk mask``: hide ID card, bank card and mobile numbers, keeping a hint."""

from __future__ import annotations

import sys
from typing import Any

import click

from calmdesk import errors
from calmdesk.analysis.pii import mask_pii
from calmdesk.cli.common import dump_json, run_jsonl, stdin_bytes
from calmdesk.engine import Engine


@click.command()
@click.argument("text")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON；TEXT 为 - 时逐行输出 JSONL。")
def mask(text: str, as_json: bool) -> None:
    """遮盖身份证号、银行卡号、手机号。TEXT 为 - 时逐行读取标准输入，逐行输出。"""
    engine = Engine(playbook_dirs=[], rules_dirs=[])  # masking needs neither playbook nor rules

    def handle(request: dict[str, Any]) -> dict[str, Any]:
        return engine.mask(request.get("text")).to_dict()

    if text == "-":
        if as_json:
            run_jsonl(stdin_bytes(), handle)
        else:
            _mask_lines(engine)
        return
    result = engine.mask(text)
    if as_json:
        dump_json(result.to_dict())
    else:
        click.echo(result.text)


def _mask_lines(engine: Engine) -> None:
    """Plain text in, plain text out, line by line; empty lines pass through unchanged."""
    out = sys.stdout
    for raw in stdin_bytes():
        line = raw.decode("utf-8", errors="replace")
        body = line.rstrip("\r\n")
        ending = line[len(body) :]
        try:
            masked = engine.mask(body).text if body.strip() else body
        except errors.BadInput:  # odd control characters: still mask, never echo a number
            masked = mask_pii(body).text
        out.write(masked + ending)
        out.flush()
