"""The resolved instrument: a study with its scales looked up, dimensions chosen and items ordered.

This is the one structure that rendering, exports, the codebook and the analysis read. It is built
by :func:`moscale.instrument.loader.load_instrument` and never changed afterwards.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from .schema import AttentionCheck, Dimension, Question, ResponseFormat, Scale, Study


@dataclass(frozen=True)
class ResolvedItem:
    """An item as it appears in a study: text, keying and where it belongs."""

    id: str
    text: dict[str, str]
    reverse: bool
    scale_id: str
    dimension_id: str
    response: ResponseFormat


@dataclass(frozen=True)
class Block:
    """One section of the questionnaire: the chosen dimensions of one scale."""

    id: str
    scale: Scale
    dimensions: tuple[Dimension, ...]
    items: tuple[ResolvedItem, ...]
    attention_checks: tuple[AttentionCheck, ...]
    title: dict[str, str]
    randomize: bool
    seed: int
    required: str

    @property
    def response(self) -> ResponseFormat:
        return self.scale.response

    @property
    def order_variable(self) -> str:
        """Column that records the item order each respondent saw."""
        return f"{self.id}_order"

    def sequence(self) -> list[ResolvedItem | AttentionCheck]:
        """Items in definition order with the attention checks placed where the study asked."""
        seq: list[ResolvedItem | AttentionCheck] = list(self.items)
        for check in self.attention_checks:
            if check.after is None:
                pos = len(seq) // 2
            else:
                pos = next(i for i, x in enumerate(seq) if x.id == check.after) + 1
            seq.insert(pos, check)
        return seq

    def shuffled(self, respondent_seed: int | None = None) -> list[ResolvedItem | AttentionCheck]:
        """The order one respondent sees: a seeded shuffle when ``randomize`` is on."""
        seq = self.sequence()
        if not self.randomize:
            return seq
        rng = random.Random(self.seed if respondent_seed is None else respondent_seed)
        rng.shuffle(seq)
        return seq


@dataclass(frozen=True)
class Instrument:
    """A study ready to render or to analyse."""

    study: Study
    blocks: tuple[Block, ...]
    source: Path | None = None
    scales: dict[str, Scale] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.study.id

    @property
    def languages(self) -> list[str]:
        return list(self.study.languages)

    @property
    def background(self) -> list[Question]:
        return list(self.study.background)

    def items(self) -> list[ResolvedItem]:
        return [item for block in self.blocks for item in block.items]

    def item(self, item_id: str) -> ResolvedItem:
        for item in self.items():
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def attention_checks(self) -> list[tuple[Block, AttentionCheck]]:
        return [(b, c) for b in self.blocks for c in b.attention_checks]

    def question_with_role(self, role: str) -> Question | None:
        return next((q for q in self.study.background if q.role == role), None)

    def group_questions(self) -> list[Question]:
        return [q for q in self.study.background if q.role == "group"]

    def dimensions(self) -> list[tuple[Block, Dimension]]:
        """Every (block, dimension) pair, in questionnaire order."""
        return [(b, d) for b in self.blocks for d in b.dimensions]

    def dimension_items(self) -> dict[str, list[str]]:
        """``{"<block>.<dimension>": [item ids]}`` for every dimension in the study."""
        return {f"{b.id}.{d.id}": [i.id for i in d.items] for b, d in self.dimensions()}
