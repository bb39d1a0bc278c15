"""Guided sessions that persist: the service the CLI and the web app both call.

``SessionService(engine, store)`` masks personal numbers before anything is stored, runs the
:class:`~calmdesk.guidance.encounter.Encounter` state machine, and commits each turn in its own
transaction. A session's state is rebuilt from its stored turns (their evidence is replayed), so
a session survives a restart and any process can continue it.

Errors: unknown session → ``errors.NotFound`` (E401); bad speaker, text or title →
``errors.BadInput`` (E1xx); database trouble → ``errors.StorageError`` (E3xx).

Dict shapes (the web app relies on exactly these keys):

``create(title=None)`` and each item of ``list(limit=50, offset=0)`` — a *session*::

    {"id": "3f2a9c1b7d4e", "title": "查流水没带证件" | None,
     "created_at": "2025-01-01T08:00:00.000+00:00", "updated_at": "…",
     "script": "hans" | "hant", "topic": "no-valid-id" | None,
     "scenario": "no-valid-id.forgot-id-card" | None,
     "stage": "respond" | "listen" | "empathise" | "clarify" | "resolve" | "close",
     "anger": 0-3, "status": "active" | "closed", "turn_count": 2}

``add_turn(session_id, speaker, text)`` — *guidance* for the turn, plus ``session`` and ``seq``::

    {"session": "3f2a9c1b7d4e", "seq": 2,
     "speaker": "customer" | "staff", "text": "<the turn, PII masked>", "script": "hans",
     "stage": "listen", "stage_name": "倾听", "stage_goal": "让客户把话说完",
     "transition": "bad-reply-back-to-listen" | None,   # stage rule that fired
     "anger": 2, "trajectory": {"values": [2], "trend": "rising" | "falling" | "steady"},
     "cues": ["elderly", …],
     "topic": "no-valid-id" | None, "topic_name": "无有效证件" | None,
     "scenario": "no-valid-id.forgot-id-card" | None, "scenario_title": "…" | None,
     "actions": ["…"],                      # next best actions for this stage
     "suggestions": ["…", "…", "…"],        # 2–3 phrases to say now
     "warnings": [{"code": "refusal-only", "message": "…"}, …],
     "escalation": [{"contact": "security", "contact_name": "安保人员", "when": "…",
                     "urgent": true}, …],   # urgent: raised by a cue or by anger now
     "findings": [{"code", "start", "end", "text", "principle", "message", "better"}, …],
     "strengths": [{"code", "start", "end", "text", "principle", "message"}, …],
     "better": "<whole staff reply improved>" | None}

Chinese values are rendered in the script of the customer's latest turn. ``findings``,
``strengths`` and ``better`` are empty / None for customer turns.

``check_draft(session_id, text)`` — the guidance a staff reply *would* produce (nothing is
stored, the session does not change): the same keys as ``add_turn`` with ``"draft": true``
instead of ``seq``.

``get(session_id)``::

    {"session": <session>, "turns": [<turn>, …], "guidance": <guidance for the current state>}

where a *turn* is ``{"seq", "speaker", "text", "stage", "anger", "topic", "scenario",
"warnings", "created_at"}`` and ``guidance`` has the ``add_turn`` keys with ``speaker`` and
``text`` None (no warnings, findings or strengths).
"""

from __future__ import annotations

import builtins
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from calmdesk import errors
from calmdesk.guidance.encounter import Encounter, EncounterState
from calmdesk.guidance.evidence import Speaker, TurnEvidence
from calmdesk.guidance.rules import GuidanceRules, builtin_rules
from calmdesk.guidance.turn import TurnGuidance
from calmdesk.playbook.model import Stage
from calmdesk.store.repository import NewTurn, SessionRecord, SessionState, Store, not_found
from calmdesk.text.normalize import Script, check_text
from calmdesk.text.render import localize

if TYPE_CHECKING:
    from calmdesk.engine import Engine

__all__ = ["MAX_TITLE_CHARS", "SessionService"]

MAX_TITLE_CHARS = 200
MAX_LIST_LIMIT = 500
_CACHED_SESSIONS = 256  # states kept in memory so a turn does not replay the whole session


class SessionService:
    def __init__(self, engine: Engine, store: Store, *, rules: GuidanceRules | None = None) -> None:
        self.engine = engine
        self.store = store
        self.rules = rules or builtin_rules()
        # session id → (turn count, state after those turns). The store stays the truth: a
        # count that differs from the stored one (another process wrote) means replay.
        self._states: OrderedDict[str, tuple[int, EncounterState]] = OrderedDict()

    # -- operations -----------------------------------------------------------------------

    def create(self, title: str | None = None) -> dict[str, Any]:
        clean = self._title(title)
        state = self._session_state(EncounterState())
        record = self.store.create_session(clean, state)
        self._remember(record.id, 0, EncounterState())
        return record.to_dict()

    def add_turn(
        self, session_id: str, speaker: object, text: object, *, script: Script | None = None
    ) -> dict[str, Any]:
        who = Speaker.parse(speaker)
        record = self._record(session_id)
        encounter = self._encounter(record)
        guidance = encounter.add_turn(who, text)
        turn = guidance.turn
        assert turn is not None  # add_turn always reports the turn it added
        stored = self.store.append_turn(
            record.id,
            NewTurn(
                speaker=turn.speaker.value,
                text=turn.text,
                stage=guidance.stage.value,
                anger=guidance.anger,
                topic=guidance.scenario.topic.value if guidance.scenario else None,
                scenario=guidance.scenario.id if guidance.scenario else None,
                warnings=[w.to_dict() for w in guidance.warnings],
                evidence=turn.to_dict(),
            ),
            self._session_state(encounter.state),
        )
        self._remember(record.id, stored.seq, encounter.state)
        return {"session": record.id, "seq": stored.seq} | guidance.to_dict(script)

    def check_draft(
        self, session_id: str, text: object, *, script: Script | None = None
    ) -> dict[str, Any]:
        record = self._record(session_id)
        guidance = self._encounter(record).check_draft(text)
        return {"session": record.id, "draft": True} | guidance.to_dict(script)

    def get(self, session_id: str, *, script: Script | None = None) -> dict[str, Any]:
        record = self._record(session_id)
        stored = self.store.turns(record.id)
        encounter = self._replay(record.id, stored_evidence(stored))
        out_script = script or Script(record.state.script)
        return {
            "session": record.to_dict(),
            "turns": [localize(t.to_dict(), out_script) | {"text": t.text} for t in stored],
            "guidance": {"session": record.id} | encounter.current().to_dict(out_script),
        }

    def list(self, limit: int = 50, offset: int = 0) -> builtins.list[dict[str, Any]]:
        if not isinstance(limit, int) or not 1 <= limit <= MAX_LIST_LIMIT:
            raise errors.BadInput(
                f"「limit」应为 1–{MAX_LIST_LIMIT} 的整数", code=errors.BAD_FIELD, field="limit"
            )
        if not isinstance(offset, int) or offset < 0:
            raise errors.BadInput(
                "「offset」应为不小于 0 的整数", code=errors.BAD_FIELD, field="offset"
            )
        return [r.to_dict() for r in self.store.list_sessions(limit=limit, offset=offset)]

    def guidance(self, session_id: str) -> TurnGuidance:
        """Typed guidance for where a session stands now (the CLI's ``/stage``)."""
        return self._encounter(self._record(session_id)).current()

    # -- helpers --------------------------------------------------------------------------

    def _record(self, session_id: str) -> SessionRecord:
        if not isinstance(session_id, str) or not session_id.strip():
            raise errors.BadInput("「session」应为会话编号", code=errors.BAD_FIELD, field="session")
        record = self.store.get_session(session_id.strip())
        if record is None:
            raise not_found(session_id)
        return record

    def _encounter(self, record: SessionRecord) -> Encounter:
        cached = self._states.get(record.id)
        if cached is not None and cached[0] == record.turn_count:
            self._states.move_to_end(record.id)
            return Encounter(self.engine, rules=self.rules, state=cached[1])
        return self._replay(record.id, stored_evidence(self.store.turns(record.id)))

    def _replay(self, session_id: str, evidence: builtins.list[TurnEvidence]) -> Encounter:
        encounter = Encounter.replay(self.engine, evidence, rules=self.rules)
        self._remember(session_id, len(evidence), encounter.state)
        return encounter

    def _remember(self, session_id: str, count: int, state: EncounterState) -> None:
        self._states[session_id] = (count, state)
        self._states.move_to_end(session_id)
        while len(self._states) > _CACHED_SESSIONS:
            self._states.popitem(last=False)

    def _title(self, title: object) -> str | None:
        if title is None:
            return None
        raw = check_text(title, field="title", max_chars=MAX_TITLE_CHARS)
        return self.engine.mask(raw.strip()).text  # a title is stored too: mask it

    @staticmethod
    def _session_state(state: EncounterState) -> SessionState:
        sc = state.scenario
        return SessionState(
            script=state.script.value,
            topic=sc.topic.value if sc else None,
            scenario=sc.id if sc else None,
            stage=state.stage.value,
            anger=state.anger,
            status="closed" if state.stage is Stage.CLOSE else "active",
        )


def stored_evidence(turns: builtins.list[Any]) -> builtins.list[TurnEvidence]:
    return [TurnEvidence.from_dict(t.evidence) for t in turns]
