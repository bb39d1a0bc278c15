"""Typed values of the playbook: the product's stable codes and a scenario's parts.

The codes are METHOD.md's vocabulary (§2 stages, §3 topics). Their Chinese labels live in
``data/vocab.yaml`` so a trainer can edit them; :mod:`calmdesk.playbook.vocab` reads them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = [
    "Contact",
    "Escalation",
    "Place",
    "Playbook",
    "Scenario",
    "Stage",
    "Step",
    "Topic",
]


class Topic(StrEnum):
    ANGRY_COMPLAINT = "angry-complaint"
    NO_VALID_ID = "no-valid-id"
    MISSING_DOCUMENTS = "missing-documents"
    SECURITY_AWARENESS = "security-awareness"
    PRIVACY_CONCERN = "privacy-concern"
    FORM_ERRORS = "form-errors"
    LONG_WAIT = "long-wait"
    CARD_RETAINED = "card-retained"
    FEE_DISPUTE = "fee-dispute"
    FRAUD_RISK = "fraud-risk"
    PROXY_SERVICE = "proxy-service"
    ACCOUNT_RESTRICTED = "account-restricted"
    WITHDRAWAL_CHECKS = "withdrawal-checks"
    PASSWORD_RESET = "password-reset"
    INVESTMENT_LOSS = "investment-loss"
    SYSTEM_OUTAGE = "system-outage"
    STAFF_CONDUCT_COMPLAINT = "staff-conduct-complaint"
    COUNTERFEIT_CURRENCY = "counterfeit-currency"
    DISPUTED_TRANSACTION = "disputed-transaction"
    ACCESSIBILITY_NEEDS = "accessibility-needs"
    INHERITANCE = "inheritance"
    CASH_EXCHANGE = "cash-exchange"
    PUBLIC_EXPOSURE_THREAT = "public-exposure-threat"
    ACCOUNT_OPENING_RESTRICTED = "account-opening-restricted"
    VIOLENCE_RISK = "violence-risk"


class Stage(StrEnum):
    """De-escalation stages of METHOD.md §2, in order."""

    RESPOND = "respond"
    LISTEN = "listen"
    EMPATHISE = "empathise"
    CLARIFY = "clarify"
    RESOLVE = "resolve"
    CLOSE = "close"

    @property
    def order(self) -> int:
        return list(Stage).index(self)


class Place(StrEnum):
    ENTRANCE = "entrance"
    LOBBY = "lobby"
    FORM_DESK = "form-desk"
    COUNTER = "counter"
    SELF_SERVICE = "self-service"
    WEALTH_DESK = "wealth-desk"
    VIP_ROOM = "vip-room"
    WAITING_AREA = "waiting-area"
    HOME_VISIT = "home-visit"


class Contact(StrEnum):
    """Who to call when a scenario escalates."""

    SUPERVISOR = "supervisor"
    SECURITY = "security"
    POLICE = "police"
    ANTI_FRAUD = "anti-fraud"
    MEDICAL = "medical"
    COMPLAINTS = "complaints"


@dataclass(frozen=True, slots=True)
class Step:
    stage: Stage
    action: str
    scripts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Escalation:
    when: str
    contact: Contact


@dataclass(frozen=True, slots=True)
class Scenario:
    id: str
    topic: Topic
    places: tuple[Place, ...]
    title: str
    situation: str
    signals: tuple[str, ...]
    steps: tuple[Step, ...]
    donts: tuple[str, ...]
    principles: tuple[int, ...]
    why: str
    escalation: tuple[Escalation, ...]
    compliance: tuple[str, ...]
    source: str = field(default="", compare=False)  # file it was loaded from

    def scripts_for(self, stage: Stage) -> tuple[str, ...]:
        return tuple(s for step in self.steps if step.stage is stage for s in step.scripts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "topic": self.topic.value,
            "places": [p.value for p in self.places],
            "title": self.title,
            "situation": self.situation,
            "signals": list(self.signals),
            "steps": [
                {"stage": s.stage.value, "action": s.action, "scripts": list(s.scripts)}
                for s in self.steps
            ],
            "donts": list(self.donts),
            "principles": list(self.principles),
            "why": self.why,
            "escalation": [{"when": e.when, "contact": e.contact.value} for e in self.escalation],
            "compliance": list(self.compliance),
        }


@dataclass(frozen=True)
class Playbook:
    """All scenarios in force: the built-in ones, extended or replaced by a bank's own, and the
    example situations (how people describe each scenario) the matcher learns from."""

    scenarios: tuple[Scenario, ...]
    examples: Mapping[str, tuple[str, ...]] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {s.id: s for s in self.scenarios})

    def __iter__(self) -> Iterator[Scenario]:
        return iter(self.scenarios)

    def __len__(self) -> int:
        return len(self.scenarios)

    def get(self, scenario_id: str) -> Scenario | None:
        by_id: dict[str, Scenario] = getattr(self, "_by_id")  # noqa: B009
        return by_id.get(scenario_id)

    def examples_for(self, scenario_id: str) -> tuple[str, ...]:
        return self.examples.get(scenario_id, ())

    def by_topic(self, topic: Topic) -> list[Scenario]:
        return [s for s in self.scenarios if s.topic is topic]

    def topics(self) -> set[Topic]:
        return {s.topic for s in self.scenarios}

    @classmethod
    def of(
        cls, scenarios: Iterable[Scenario], examples: Mapping[str, Iterable[str]] | None = None
    ) -> Playbook:
        kept = tuple(scenarios)
        ids = {s.id for s in kept}
        return cls(
            kept,
            {k: tuple(v) for k, v in (examples or {}).items() if k in ids and v},
        )
