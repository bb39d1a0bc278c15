"""Chinese labels for the product's codes, read from ``data/vocab.yaml``."""

from __future__ import annotations

from functools import cache
from typing import Any

from calmdesk.data import load_yaml_resource
from calmdesk.playbook.model import Contact, Place, Stage, Topic

__all__ = [
    "contact_label",
    "place_label",
    "stage_goal",
    "stage_label",
    "topic_covers",
    "topic_label",
    "vocab",
]


@cache
def vocab() -> dict[str, Any]:
    data: dict[str, Any] = load_yaml_resource("vocab.yaml")
    return data


def topic_label(topic: Topic) -> str:
    return str(vocab()["topics"][topic.value]["name"])


def topic_covers(topic: Topic) -> str:
    return str(vocab()["topics"][topic.value]["covers"])


def stage_label(stage: Stage) -> str:
    return str(vocab()["stages"][stage.value]["name"])


def stage_goal(stage: Stage) -> str:
    return str(vocab()["stages"][stage.value]["goal"])


def place_label(place: Place) -> str:
    return str(vocab()["places"][place.value])


def contact_label(contact: Contact) -> str:
    return str(vocab()["contacts"][contact.value])
