"""The encounter state machine: turns in, :class:`TurnGuidance` out.

raw turn → mask PII → analysers (emotion for the customer, reply check for staff) →
:class:`TurnEvidence` → :func:`advance` (pure: state + evidence → state) → guidance for the new
stage. The state is a frozen value, so checking a staff *draft* is just advancing a copy, and a
stored encounter is rebuilt by replaying its stored evidence (:meth:`Encounter.replay`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from calmdesk.guidance.evidence import (
    Speaker,
    TurnEvidence,
    asks_question,
    confirms,
    states_demand,
)
from calmdesk.guidance.rules import GuidanceRules, builtin_rules
from calmdesk.guidance.stages import StageFacts, next_stage
from calmdesk.guidance.turn import EscalationAdvice, TurnGuidance
from calmdesk.guidance.warnings import GuidanceWarning, WarningContext, warnings_for
from calmdesk.playbook.model import Scenario, Stage
from calmdesk.text.normalize import MAX_TEXT_CHARS, Script, normalize

if TYPE_CHECKING:
    from calmdesk.analysis.replies import ReplyCheck
    from calmdesk.engine import Engine

__all__ = ["Encounter", "EncounterState"]

#: Reply codes that calm (METHOD §2 stages 1–3) and that offer a way forward (stage 5).
SOOTHING_CODES = frozenset({"empathy", "apology"})
OFFER_CODES = frozenset({"alternative", "ownership"})


@dataclass(frozen=True)
class EncounterState:
    stage: Stage = Stage.RESPOND
    angers: tuple[int, ...] = ()  # one per customer turn
    cues: tuple[str, ...] = ()  # every cue seen so far, first-seen order
    customer_texts: tuple[str, ...] = ()  # masked
    scenario: Scenario | None = None
    script: Script = Script.HANS  # of the latest customer turn
    soothed: bool = False
    demand_known: bool = False
    offered: bool = False
    awaiting_answer: bool = False  # the last staff turn asked a question
    last_speaker: Speaker | None = None
    turns: int = 0

    @property
    def anger(self) -> int:
        return self.angers[-1] if self.angers else 0


class Encounter:
    """One conversation between a customer and a staff member, guided turn by turn."""

    def __init__(
        self,
        engine: Engine,
        *,
        rules: GuidanceRules | None = None,
        state: EncounterState | None = None,
    ) -> None:
        self.engine = engine
        self.rules = rules or builtin_rules()
        self.state = state or EncounterState()

    @classmethod
    def replay(
        cls, engine: Engine, turns: Iterable[TurnEvidence], *, rules: GuidanceRules | None = None
    ) -> Encounter:
        """Rebuild an encounter from stored evidence; no analyser runs again."""
        encounter = cls(engine, rules=rules)
        for evidence in turns:
            encounter.state, _ = encounter.advance(encounter.state, evidence)
        return encounter

    # -- public operations ----------------------------------------------------------------

    def add_turn(self, speaker: object, text: object) -> TurnGuidance:
        evidence, reply = self.analyse(Speaker.parse(speaker), text)
        guidance = self._guide(evidence, reply)
        self.state, _ = self.advance(self.state, evidence)
        return guidance

    def check_draft(self, text: object) -> TurnGuidance:
        """What a staff reply would cause, without it becoming a turn (the state is unchanged)."""
        evidence, reply = self.analyse(Speaker.STAFF, text)
        return self._guide(evidence, reply)

    def current(self) -> TurnGuidance:
        """Guidance for where the encounter stands now (no new turn, no warnings)."""
        return self._guidance(self.state, None, None, None, ())

    # -- the pipeline ---------------------------------------------------------------------

    def analyse(self, speaker: Speaker, text: object) -> tuple[TurnEvidence, ReplyCheck | None]:
        norm = normalize(text, field="text")
        masked = self.engine.mask(norm.original).text
        if speaker is Speaker.CUSTOMER:
            reading = self.engine.read_emotion(norm.original)
            evidence = TurnEvidence(
                speaker=speaker,
                text=masked,
                script=norm.script,
                anger=int(reading.anger),
                cues=tuple(str(c) for c in reading.cues),
                demand=states_demand(norm.text, self.rules),
                confirms=confirms(norm.text, self.rules),
            )
            return evidence, None
        scenario = self.state.scenario
        reply = self.engine.check_reply(
            norm.original,
            topic=scenario.topic if scenario else None,
            situation=self._situation(self.state.customer_texts) or None,
        )
        codes = dict.fromkeys(f.code for f in (*reply.findings, *reply.strengths))
        evidence = TurnEvidence(
            speaker=speaker,
            text=masked,
            script=norm.script,
            codes=tuple(codes),
            asks=asks_question(norm.text, self.rules),
        )
        return evidence, reply

    def advance(
        self, state: EncounterState, turn: TurnEvidence
    ) -> tuple[EncounterState, str | None]:
        """The state after one turn, and the name of the stage rule that fired."""
        customer = turn.speaker is Speaker.CUSTOMER
        codes = set(turn.codes)
        angers = (*state.angers, turn.anger or 0) if customer else state.angers
        soothed = state.soothed or bool(codes & SOOTHING_CODES)
        demand_known = state.demand_known or (customer and (turn.demand or state.awaiting_answer))
        offered = state.offered or bool(codes & OFFER_CODES)
        facts = StageFacts(
            turn=turn,
            anger=angers[-1] if angers else 0,
            previous_anger=state.angers[-1] if customer and state.angers else None,
            soothed=soothed,
            demand_known=demand_known,
            offered=offered,
        )
        stage, rule = next_stage(state.stage, facts, self.rules)
        new = replace(
            state,
            stage=stage,
            angers=angers,
            soothed=soothed,
            demand_known=demand_known,
            offered=offered,
            awaiting_answer=turn.asks if not customer else False,
            last_speaker=turn.speaker,
            turns=state.turns + 1,
        )
        if customer:
            cues = tuple(dict.fromkeys((*state.cues, *turn.cues)))
            texts = (*state.customer_texts, turn.text)
            new = replace(
                new,
                cues=cues,
                customer_texts=texts,
                script=turn.script,
                scenario=self._choose_scenario(texts, cues, state.scenario),
            )
        return new, rule.name if rule else None

    def _guide(self, turn: TurnEvidence, reply: ReplyCheck | None) -> TurnGuidance:
        before = self.state
        after, transition = self.advance(before, turn)
        ctx = WarningContext(
            turn=turn,
            reply=reply,
            stage_before=before.stage,
            anger=after.anger,
            previous_anger=before.angers[-1]
            if turn.speaker is Speaker.CUSTOMER and before.angers
            else None,
            previous_speaker=before.last_speaker,
            soothed_before=before.soothed,
            rules=self.rules,
        )
        return self._guidance(after, turn, reply, transition, warnings_for(ctx))

    def _guidance(
        self,
        state: EncounterState,
        turn: TurnEvidence | None,
        reply: ReplyCheck | None,
        transition: str | None,
        warnings: tuple[GuidanceWarning, ...],
    ) -> TurnGuidance:
        return TurnGuidance(
            turn=turn,
            stage=state.stage,
            transition=transition,
            angers=state.angers,
            cues=state.cues,
            scenario=state.scenario,
            actions=self._actions(state),
            suggestions=self._suggestions(state),
            warnings=warnings,
            escalation=self._escalation(state),
            reply=reply,
            script=state.script,
        )

    # -- what to say and do ---------------------------------------------------------------

    def _actions(self, state: EncounterState) -> tuple[str, ...]:
        sc = state.scenario
        own = tuple(step.action for step in sc.steps if step.stage is state.stage) if sc else ()
        return own or self.rules.stages[state.stage].actions

    def _suggestions(self, state: EncounterState, limit: int = 3) -> tuple[str, ...]:
        """The scenario's scripts for this stage, then borrowed stages', then generic ones."""
        texts = self.rules.stages[state.stage]
        found: list[str] = []
        if state.scenario is not None:
            for stage in (state.stage, *texts.borrow):
                found.extend(state.scenario.scripts_for(stage))
        found.extend(texts.scripts)
        return tuple(dict.fromkeys(found))[:limit]

    def _escalation(self, state: EncounterState) -> tuple[EscalationAdvice, ...]:
        out: list[EscalationAdvice] = []
        for rule in self.rules.cues:
            if rule.cue in state.cues:
                out.extend(EscalationAdvice(e.contact, e.when, True) for e in rule.escalate)
        if state.angers and state.anger >= self.rules.anger_escalation_at:
            esc = self.rules.anger_escalation
            out.append(EscalationAdvice(esc.contact, esc.when, True))
        if state.scenario is not None:
            out.extend(
                EscalationAdvice(e.contact, e.when, False) for e in state.scenario.escalation
            )
        unique: dict[tuple[str, str], EscalationAdvice] = {}
        for e in out:
            unique.setdefault((e.contact.value, e.when), e)
        return tuple(unique.values())

    # -- which scenario -------------------------------------------------------------------

    @staticmethod
    def _situation(texts: tuple[str, ...]) -> str:
        # The newest words matter most when the whole conversation no longer fits.
        return "。".join(texts)[-MAX_TEXT_CHARS:]

    def _choose_scenario(
        self, texts: tuple[str, ...], cues: tuple[str, ...], current: Scenario | None
    ) -> Scenario | None:
        """Best match on everything the customer said; keep the current one unless clearly beaten."""
        situation = self._situation(texts)
        if not situation.strip():
            return current
        advice = self.engine.advise(situation, top=5)
        for rule in self.rules.cues:  # safety first: a violence or fraud cue picks its topic
            if rule.cue in cues and rule.topic is not None:
                for m in advice.matches:
                    if m.scenario.topic is rule.topic:
                        return m.scenario
                same_topic = self.engine.playbook.by_topic(rule.topic)
                if same_topic:
                    return current if current in same_topic else same_topic[0]
        if not advice.matches:
            return current
        best = advice.matches[0]
        if current is None or best.scenario.id == current.id:
            return best.scenario
        if self.engine.matcher.is_general(current.topic):
            return best.scenario  # the concrete problem has surfaced: name it
        current_score = next((m.score for m in advice.matches if m.scenario.id == current.id), 0.0)
        return best.scenario if best.score >= current_score * self.rules.rematch_margin else current
