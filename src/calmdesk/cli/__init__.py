"""The ``calmdesk`` command line.

Each command lives in its own module and is imported only when it runs, so a quick
``calmdesk advise`` does not pay for the web stack. Commands are thin: parse, call
:class:`calmdesk.engine.Engine`, render.
"""

from __future__ import annotations

import importlib
import sys

import click

from calmdesk.cli.common import run_guarded

__all__ = ["main"]

# name -> (module, attribute). Order is the order ``calmdesk --help`` lists them.
COMMANDS: dict[str, tuple[str, str]] = {
    "advise": ("calmdesk.cli.advise", "advise"),
    "emotion": ("calmdesk.cli.emotion", "emotion"),
    "check": ("calmdesk.cli.check", "check"),
    "mask": ("calmdesk.cli.mask", "mask"),
    "assist": ("calmdesk.cli.assist", "assist"),
    "sessions": ("calmdesk.cli.sessions", "sessions"),
    "playbook": ("calmdesk.cli.playbook", "playbook"),
    "serve": ("calmdesk.cli.serve", "serve"),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in COMMANDS if self.get_command(ctx, name) is not None]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:  # command not built yet
                return None
            raise
        command: click.Command = getattr(module, attr)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="calmdesk")
def cli() -> None:
    """calmdesk：银行网点疑难客户应对助手。

    \b
    advise   情景 → 应对手册（步骤、话术、禁忌、升级）
    emotion  读客户情绪（愤怒 0–3、证据、线索）
    check    说之前检查回复话术
    mask     遮盖身份证号、银行卡号、手机号
    assist   逐轮引导一次接待
    serve    启动网页版与 HTTP API
    """


def main() -> None:
    sys.exit(run_guarded(cli))
