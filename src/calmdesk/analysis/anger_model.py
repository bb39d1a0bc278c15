"""The learned half of the anger reading: rules first, then a model trained on labelled speech.

The emotion rules (:mod:`calmdesk.analysis.emotion`) find evidence — a threat, an accusation, a
negated complaint — and bucket it into 0–3. They are precise but only know the wordings someone
wrote down. :class:`AngerModel` is a four-class averaged perceptron over the character uni- and
bigrams of the normalised text plus the rules' verdict (their level and the kinds of evidence
they found), trained on ``data/training/utterances-*.tsv`` — customers' words written by several
independent writers in different registers, labelled on the METHOD §5 scale.

The model adjusts the rules' level, with guards: it moves it by one level at most (so a phrase
the rules know to be harmless — 垃圾桶 is not 垃圾 — cannot become a threat, and a bank's own
rules keep their say); what the rules read as 3 (a threat, an insult, refusing to leave) stays
3, because escalation hangs on it; and when it moves the level it says why, as evidence of kind
``learned`` pointing at the character pairs that pulled it there. Leave-one-writer-out, the
one-level limit costs a point of exact agreement and gains two of within-one.

Measured by ``bench/eval_emotion.py`` (leave-one-writer-out and the held-out sets).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat

from calmdesk.analysis.learned import ClassPerceptron, char_ngrams
from calmdesk.text.normalize import NormalizedText

__all__ = ["LEVELS", "AngerModel", "anger_features"]

LEVELS = 4
_KEPT_BY_RULES = 3  # a rule reading this high is never lowered
_MAX_MOVE = 1  # the model adjusts the rules' reading by at most one level
# ...and only when it prefers the new level by this margin (perceptron score units; chosen by
# leave-one-writer-out, where it trims false alarms on calm speech at no cost in agreement)
_MIN_MARGIN = 5.0
_EXPLAIN = 2  # learned evidence items shown when the model moves the level
_BLANK = "□"
_ZEROS = repeat(0.0)  # the weight of a feature the model has never seen
# the rules' level as a feature, with the bias every example shares
_RULE_FEATURES = tuple((f"\x00level:{level}", "\x00bias") for level in range(LEVELS))


def anger_features(
    text: NormalizedText,
    rule_level: int,
    kinds: Sequence[str],
    hidden: Sequence[tuple[int, int]] = (),
) -> list[str]:
    """Character uni- and bigrams, plus the rules' level and evidence kinds. The ``hidden``
    spans — an anger phrase inside a harmless one (垃圾 in 垃圾桶), a negated one (不生气) — are
    blanked out: what the rules know to be no anger, the model does not learn as anger."""
    body = text.text
    if hidden:
        chars = list(body)
        for start, end in hidden:
            chars[start:end] = _BLANK * (end - start)
        body = "".join(chars)
    features = char_ngrams(body, sizes=(1, 2))
    features += _RULE_FEATURES[rule_level]
    features += ["\x00kind:" + k for k in kinds]
    return features


class AngerModel:
    def __init__(self, perceptron: ClassPerceptron) -> None:
        self.perceptron = perceptron
        # For each rule level and each level one away: feature → how much it favours the
        # neighbour. Deciding is then at most two sums over the text's known features.
        self._shifts: dict[tuple[int, int], dict[str, float]] = {}
        columns = perceptron.columns
        for level in range(_KEPT_BY_RULES):
            for other in (level - _MAX_MOVE, level + _MAX_MOVE):
                if 0 <= other < LEVELS:
                    here, there = columns[level], columns[other]
                    self._shifts[level, other] = {f: there[f] - w for f, w in here.items()}

    @classmethod
    def train(
        cls, examples: Sequence[tuple[list[str], int]], *, epochs: int | None = None
    ) -> AngerModel:
        kwargs = {} if epochs is None else {"epochs": epochs}
        return cls(ClassPerceptron.train(examples, LEVELS, **kwargs))

    def decide(self, features: list[str], rule_level: int) -> int:
        """The rules' level, or a level one away when the model prefers it by the margin."""
        if rule_level >= _KEPT_BY_RULES:
            return rule_level
        best, best_margin = rule_level, _MIN_MARGIN
        for other in (rule_level + _MAX_MOVE, rule_level - _MAX_MOVE):
            shift = self._shifts.get((rule_level, other))
            if shift is not None:
                margin = sum(map(shift.get, features, _ZEROS))
                if margin >= best_margin:
                    best, best_margin = other, margin
        return best

    def reasons(
        self, text: NormalizedText, level: int, rule_level: int
    ) -> list[tuple[int, int, float]]:
        """The character pairs of ``text`` that most favour ``level`` over ``rule_level``:
        (start, end, pull) in normalised-text offsets, strongest first."""
        shift = self._shifts.get((rule_level, level))
        if shift is None:
            return []
        body = "^" + text.text + "$"
        get = shift.get
        pulls: list[tuple[float, int, int]] = []
        for i, pair in enumerate(map(str.__add__, body[:-1], body[1:])):
            pull = get(pair)
            if pull is not None and pull > 0:
                start = max(i - 1, 0)  # body has a leading "^"
                end = min(i + 1, len(text.text))
                if end > start:
                    pulls.append((pull, start, end))
        pulls.sort(reverse=True)
        return [(s, e, p) for p, s, e in pulls[:_EXPLAIN]]
