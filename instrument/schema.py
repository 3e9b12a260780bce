"""The YAML schemas of scale and study (instrument) definitions, as pydantic models.

Field-level rules (types, allowed values, unknown keys) live here; rules that tie several fields
together (every text in every declared language, labels for every point, references between
dimensions) live in :mod:`moscale.instrument.checks`, which reports them with a field path too.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_]*$"
LANG_PATTERN = r"^[a-z]{2,3}(-[A-Z]{2})?$"

Identifier = Annotated[str, Field(pattern=ID_PATTERN, max_length=40)]
LangCode = Annotated[str, Field(pattern=LANG_PATTERN)]
#: Text in several languages: ``{"en": "...", "fi": "..."}``.
LangText = dict[LangCode, Annotated[str, Field(min_length=1)]]


class _Strict(BaseModel):
    # Unknown keys are almost always typos ("reversed:" for "reverse:"); reject them.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Citation(_Strict):
    key: Identifier
    text: str = Field(min_length=10, description="Full reference in APA 7 style.")
    doi: str | None = None

    @field_validator("doi")
    @classmethod
    def _doi_form(cls, v: str | None) -> str | None:
        if v is not None and not re.match(r"^10\.\d{4,9}/\S+$", v):
            raise ValueError("a DOI looks like 10.1177/002224299005400403 (no https://doi.org/)")
        return v


class DontKnow(_Strict):
    """The 'don't know / not applicable' option: shown to respondents, coded as missing."""

    code: int = -99
    label: LangText


class ResponseFormat(_Strict):
    """A rating format: ``points`` consecutive integer codes from ``start``, every point labelled."""

    points: int = Field(ge=2, le=11)
    start: int = 1
    labels: dict[LangCode, dict[int, Annotated[str, Field(min_length=1)]]]
    dont_know: DontKnow | None = None

    @property
    def codes(self) -> list[int]:
        return list(range(self.start, self.start + self.points))

    @property
    def minimum(self) -> int:
        return self.start

    @property
    def maximum(self) -> int:
        return self.start + self.points - 1


class Item(_Strict):
    id: Identifier
    text: LangText
    reverse: bool = False
    note: str | None = None


class Dimension(_Strict):
    id: Identifier
    name: LangText
    definition: LangText | None = None
    role: Literal["core", "enabler", "outcome", "marker"] = "core"
    optional: bool = Field(
        default=False, description="Left out of a study unless the study names it."
    )
    items: list[Item] = Field(min_length=1)


class HigherOrder(_Strict):
    id: Identifier
    name: LangText
    dimensions: list[Identifier] = Field(min_length=2)


class Scale(_Strict):
    id: Identifier
    name: LangText
    short_name: str | None = None
    version: str = Field(pattern=r"^\d+\.\d+(\.\d+)?$")
    citations: list[Citation] = Field(min_length=1)
    wording_note: LangText
    definition: LangText = Field(description="The construct definition.")
    languages: list[LangCode] = Field(min_length=1)
    stem: LangText | None = None
    response: ResponseFormat
    model: Literal["reflective", "formative", "index"]
    dimensions: list[Dimension] = Field(min_length=1)
    higher_order: HigherOrder | None = None
    group_variables: list[Identifier] = []


# --- studies -------------------------------------------------------------------------------------


class AttentionCheck(_Strict):
    """An instructed-response line inside a scale block ("please select 'agree' here")."""

    id: Identifier
    text: LangText
    expect: int = Field(description="The response code a careful respondent gives.")
    after: Identifier | None = Field(
        default=None, description="Item id it follows; by default the middle of the block."
    )


class Section(_Strict):
    id: Identifier | None = None
    scale: str = Field(min_length=1, description="A built-in scale id or a path to a scale YAML.")
    dimensions: list[Identifier] | None = None
    title: LangText | None = None
    randomize: bool = False
    seed: int | None = None
    required: Literal["none", "soft", "hard"] = "soft"
    attention_checks: list[AttentionCheck] = []


class Option(_Strict):
    code: int
    label: LangText


GroupKind = Literal[
    "industry",
    "firm_size",
    "function",
    "hierarchy",
    "customer_facing",
    "country",
    "b2b_b2c",
    "value_chain_tier",
    "crm_maturity",
    "other",
]
GROUP_KINDS: tuple[str, ...] = get_args(GroupKind)


class Question(_Strict):
    """A background question; its ``role`` tells the analysis what it is for."""

    id: Identifier
    type: Literal["single", "multiple", "number", "text"]
    text: LangText
    role: Literal["group", "cluster", "respondent_id", "none"] = "none"
    kind: GroupKind | None = None
    options: list[Option] = []
    minimum: float | None = None
    maximum: float | None = None
    required: Literal["none", "soft", "hard"] = "soft"


class Study(_Strict):
    id: Identifier
    title: LangText
    introduction: LangText | None = None
    closing: LangText | None = None
    languages: list[LangCode] = Field(min_length=1)
    submit_url: str | None = Field(
        default=None,
        description="Where the HTML form posts; without it respondents download a CSV.",
    )
    seed: int = 20240601
    background_position: Literal["start", "end"] = "end"
    sections: list[Section] = Field(min_length=1)
    background: list[Question] = []
