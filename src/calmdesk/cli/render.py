"""Terminal rendering of results: readable at a glance, coloured when the terminal allows."""

from __future__ import annotations

import click

from calmdesk.matching.advise import Advice
from calmdesk.playbook.vocab import contact_label, place_label, stage_label, topic_label
from calmdesk.text.normalize import Script, to_script

__all__ = ["print_advice"]


def _echo(text: str, script: Script, **style: object) -> None:
    click.echo(click.style(to_script(text, script), **style))  # type: ignore[arg-type]


def print_advice(advice: Advice) -> None:
    s = advice.script
    best = advice.best
    if best is None:
        _echo(advice.to_dict(include_playbook=False)["message"], Script.HANS, fg="yellow")
        return
    sc = best.scenario
    places = "、".join(place_label(p) for p in sc.places)
    _echo(f"【{sc.title}】", s, bold=True, fg="cyan")
    _echo(
        f"类别：{topic_label(sc.topic)}（{sc.topic.value}）  地点：{places}  场景：{sc.id}",
        s,
        dim=True,
    )
    _echo(sc.situation, s)
    click.echo()
    _echo("步骤与话术", s, bold=True)
    for n, step in enumerate(sc.steps, 1):
        _echo(f"{n}. [{stage_label(step.stage)}] {step.action}", s)
        for line in step.scripts:
            _echo(f"   「{line}」", s, fg="green")
    click.echo()
    _echo("不要", s, bold=True)
    for line in sc.donts:
        _echo(f"✗ {line}", s, fg="red")
    click.echo()
    _echo("何时升级", s, bold=True)
    for e in sc.escalation:
        _echo(f"→ {e.when}：找{contact_label(e.contact)}", s, fg="yellow")
    if sc.compliance:
        click.echo()
        _echo("合规与安全", s, bold=True)
        for line in sc.compliance:
            _echo(f"· {line}", s)
    click.echo()
    _echo(f"为什么：{sc.why}", s, dim=True)
    if len(advice.matches) > 1:
        click.echo()
        _echo("其他可能", s, bold=True)
        for m in advice.matches[1:]:
            _echo(
                f"  {m.score:6.2f}  {m.scenario.title}（{m.scenario.topic.value}，{m.scenario.id}）",
                s,
            )
