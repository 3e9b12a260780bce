"""LimeSurvey export: the tab-separated survey structure (``.txt``) and its column map.

LimeSurvey imports a survey from a UTF-8 (with BOM), tab-separated file with one row per setting,
language setting, group, question, subquestion and answer option; rows belong together by their
order, and ``id`` numbers tie the translated copies to the base language (LimeSurvey manual,
"Tab Separated Value survey structure"; ``tsvSurveyExport()`` in LimeSurvey's
``application/helpers/export_helper.php`` writes the same layout). The first 14 columns are
LimeSurvey's fixed ones, followed by the question attributes used here in alphabetical order, as
LimeSurvey's own export does.

Layout written:

* ``S`` rows: ``language`` (the study's first language), ``additional_languages``, ``format``
  (``G``, a page per group);
* ``SL`` rows per language: title, welcome text (the introduction), end text (the closing);
* one full copy of the groups per language, base language first: a ``G`` row per block (and one
  for the background questions), a ``Q`` row of type ``F`` (array) per block with an ``SQ`` row
  per item or attention check and an ``A`` row per answer option; background questions as ``L``
  (list, radio), ``M`` (multiple choice: ``SQ`` per option), ``N`` (numerical) or ``S`` (short
  text);
* ``mandatory`` ``Y`` / ``S`` (soft, LimeSurvey 4 and later) / ``N`` from the section's or
  question's ``required`` hard / soft / none; ``random_order`` 1 on a randomised block's array.

Codes: question codes are the block or question id without underscores (letters and digits, a
letter first, at most 20 characters, unique); subquestion codes likewise from item ids; answer
codes are ``A<code>`` (``A1`` … ``A7``), ``N<code>`` for a negative scale point and ``DK`` for
don't know, within LimeSurvey's 5-character limit. Texts are HTML-escaped (LimeSurvey shows them
as HTML), line breaks become ``<br />`` and tabs spaces, so no field ever needs quoting.

Column map: LimeSurvey's response export with "Question code" headings and "Answer codes" values
names an array row ``QCODE[SQCODE]``, a multiple-choice option ``QCODE[SQCODE]`` (``Y`` when
ticked, empty otherwise) and any other question ``QCODE``.
"""

from __future__ import annotations

import csv
import io

from ..model import Instrument
from ..schema import Question
from .colmap import (
    ColumnMap,
    MappedColumn,
    Point,
    UniqueNames,
    alnum_code,
    background_columns,
    background_title,
    block_lines,
    block_question_text,
    block_title,
    bound_text,
    export_files,
    has_integral_bounds,
    has_soft_requirement,
    html_text,
    line_kind,
    one_line,
    parts,
    response_points,
)

PLATFORM = "limesurvey"

BASE_COLUMNS = [
    "id",
    "related_id",
    "class",
    "type/scale",
    "name",
    "relevance",
    "text",
    "help",
    "language",
    "validation",
    "mandatory",
    "other",
    "default",
    "same_default",
]
#: question attributes used, in LimeSurvey's (alphabetical) order
ATTRIBUTE_COLUMNS = ["max_num_value_n", "min_num_value_n", "num_value_int_only", "random_order"]
COLUMNS = BASE_COLUMNS + ATTRIBUTE_COLUMNS

MANDATORY = {"hard": "Y", "soft": "S", "none": "N"}

#: column names of LimeSurvey's response table and expression keywords: never question codes
RESERVED = (
    "id",
    "token",
    "submitdate",
    "lastpage",
    "startlanguage",
    "seed",
    "startdate",
    "datestamp",
    "ipaddr",
    "refurl",
    "this",
    "self",
    "that",
)

QUESTION_CODE_MAX = 20
ANSWER_CODE_MAX = 5


def answer_codes(codes: list[tuple[int, bool]]) -> list[str]:
    """LimeSurvey answer codes (at most 5 letters and digits) for ``(our code, is don't-know)``."""
    out: list[str] = []
    for i, (code, dont_know) in enumerate(codes):
        if dont_know:
            text = "DK"
        elif code >= 0:
            text = f"A{code}"
        else:
            text = f"N{-code}"
        if len(text) > ANSWER_CODE_MAX:
            text = f"X{i + 1}"  # codes above 9999: numbered instead (the map keeps the meaning)
        out.append(text)
    return out


_KEYWORD = {"class": "class_", "type/scale": "type_scale"}


def _row(**fields: str) -> dict[str, str]:
    """One row; ``class_`` and ``type_scale`` stand for the columns ``class`` and ``type/scale``."""
    return {c: fields.get(_KEYWORD.get(c, c), "") for c in COLUMNS}


# Rows of one language copy. Texts are definition texts, escaped here; the ``type/scale`` of
# subquestions and answers is the scale number, always 0 (one scale per question).


def _group_row(gid: int, title: str, lang: str) -> dict[str, str]:
    """A ``G`` row: group ``gid`` (one page)."""
    return _row(
        class_="G", type_scale=str(gid), name=_group_name(title), relevance="1", language=lang
    )


def _question_row(
    qtype: str, qcode: str, text: str, lang: str, required: str, **attrs: str
) -> dict[str, str]:
    """A ``Q`` row of LimeSurvey type ``qtype``; ``attrs`` fills question-attribute columns."""
    return _row(
        class_="Q",
        type_scale=qtype,
        name=qcode,
        relevance="1",
        text=html_text(text),
        language=lang,
        mandatory=MANDATORY[required],
        other="N",
        **attrs,
    )


def _subquestion_row(sqcode: str, text: str, lang: str) -> dict[str, str]:
    """An ``SQ`` row: an array row, or an option of a multiple-choice question."""
    return _row(
        class_="SQ", type_scale="0", name=sqcode, relevance="1", text=html_text(text), language=lang
    )


def _answer_row(acode: str, text: str, lang: str) -> dict[str, str]:
    """An ``A`` row: an answer option of an array or a list question."""
    return _row(class_="A", type_scale="0", name=acode, text=html_text(text), language=lang)


class _Plan:
    """Language-independent codes and ids, computed once and reused for every language copy."""

    def __init__(self, instrument: Instrument) -> None:
        self.qcodes = UniqueNames(QUESTION_CODE_MAX, RESERVED)
        self.block_q: dict[str, str] = {}
        self.block_sq: dict[str, list[str]] = {}
        self.block_answers: dict[str, list[tuple[Point, str]]] = {}
        self.bg_q: dict[str, str] = {}
        self.bg_answers: dict[str, list[str]] = {}
        self.groups: list[tuple[int, str, object]] = []
        for gid, (what, obj) in enumerate(parts(instrument), start=1):
            self.groups.append((gid, what, obj))
            if what == "block":
                block = obj
                self.block_q[block.id] = self.qcodes.take(alnum_code(block.id, QUESTION_CODE_MAX))
                sub = UniqueNames(QUESTION_CODE_MAX)
                self.block_sq[block.id] = [
                    sub.take(alnum_code(line.id, QUESTION_CODE_MAX, "sq"))
                    for line in block_lines(block)
                ]
                points = response_points(block.response)
                codes = answer_codes([(p.code, p.dont_know) for p in points])
                self.block_answers[block.id] = list(zip(points, codes, strict=True))
            else:
                for q in obj:
                    self.bg_q[q.id] = self.qcodes.take(alnum_code(q.id, QUESTION_CODE_MAX))
                    # list answers and multiple-choice subquestions share the same option codes
                    self.bg_answers[q.id] = answer_codes([(o.code, False) for o in q.options])


def _language_rows(instrument: Instrument, plan: _Plan, lang: str, base: bool) -> list[dict]:
    rows: list[dict[str, str]] = []
    for gid, what, obj in plan.groups:
        if what == "block":
            block = obj
            rows.append(_group_row(gid, block_title(block, lang), lang))
            rows.append(
                _question_row(
                    "F",
                    plan.block_q[block.id],
                    block_question_text(block, lang),
                    lang,
                    block.required,
                    random_order="1" if (block.randomize and base) else "",
                )
            )
            for line, sqcode in zip(block_lines(block), plan.block_sq[block.id], strict=True):
                rows.append(_subquestion_row(sqcode, line.text[lang], lang))
            for point, acode in plan.block_answers[block.id]:
                rows.append(_answer_row(acode, point.labels[lang], lang))
        else:
            rows.append(_group_row(gid, background_title(lang), lang))
            for q in obj:
                rows.extend(_background_rows(q, plan, lang, base))
    return rows


def _group_name(title: str) -> str:
    """A group name: one line, HTML-escaped, within LimeSurvey's 100 characters."""
    plain = one_line(title)
    while len(html_text(plain)) > 100:
        plain = plain[:-1]
    return html_text(plain)


_TYPES = {"single": "L", "multiple": "M", "number": "N", "text": "S"}


def _background_rows(q: Question, plan: _Plan, lang: str, base: bool) -> list[dict]:
    """The rows of one background question: its ``Q`` row, then its answers or subquestions."""
    attrs: dict[str, str] = {}
    if q.type == "number" and base:
        attrs["min_num_value_n"] = bound_text(q.minimum)
        attrs["max_num_value_n"] = bound_text(q.maximum)
        attrs["num_value_int_only"] = "1" if has_integral_bounds(q) else ""
    rows = [_question_row(_TYPES[q.type], plan.bg_q[q.id], q.text[lang], lang, q.required, **attrs)]
    codes = plan.bg_answers[q.id]
    if q.type == "single":
        for option, acode in zip(q.options, codes, strict=True):
            rows.append(_answer_row(acode, option.label[lang], lang))
    elif q.type == "multiple":
        for option, sqcode in zip(q.options, codes, strict=True):
            rows.append(_subquestion_row(sqcode, option.label[lang], lang))
    return rows


def structure_rows(instrument: Instrument) -> list[dict[str, str]]:
    """Every row of the survey structure, as ``{column: text}`` in :data:`COLUMNS` order."""
    study = instrument.study
    langs = instrument.languages
    plan = _Plan(instrument)
    rows = [
        _row(class_="S", name="language", text=langs[0]),
        _row(class_="S", name="additional_languages", text=" ".join(langs[1:])),
        _row(class_="S", name="format", text="G"),
    ]
    texts = {
        "surveyls_title": study.title,
        "surveyls_welcometext": study.introduction,
        "surveyls_endtext": study.closing,
    }
    for lang in langs:
        for name, text in texts.items():
            if text:  # introduction and closing are optional; the loader requires the title
                rows.append(_row(class_="SL", name=name, text=html_text(text[lang]), language=lang))
    for i, lang in enumerate(langs):
        rows.extend(_language_rows(instrument, plan, lang, base=i == 0))
    return rows


def structure_text(instrument: Instrument) -> str:
    """The ``.txt`` survey structure as text (without the byte-order mark)."""
    buf = io.StringIO()
    writer = csv.DictWriter(
        buf, fieldnames=COLUMNS, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL
    )
    writer.writeheader()
    writer.writerows(structure_rows(instrument))
    return buf.getvalue()


def column_map(instrument: Instrument) -> ColumnMap:
    """Where each moscale variable lands in LimeSurvey's response export."""
    plan = _Plan(instrument)
    # LimeSurvey's own columns (id, submitdate, startlanguage, ...) are left to the response
    # reader, which renames them and uses submitdate to find unfinished responses
    columns: list[MappedColumn] = []
    for _, what, obj in plan.groups:
        if what == "block":
            block = obj
            qcode = plan.block_q[block.id]
            values = {
                acode: (None if p.dont_know else p.code)
                for p, acode in plan.block_answers[block.id]
            }
            for line, sqcode in zip(block_lines(block), plan.block_sq[block.id], strict=True):
                columns.append(
                    MappedColumn(f"{qcode}[{sqcode}]", line.id, line_kind(line), dict(values))
                )
            continue
        for q in obj:
            qcode = plan.bg_q[q.id]
            # answer codes are the values of a list question and the subquestions of a
            # multiple-choice one
            codes = plan.bg_answers[q.id]
            options = [f"{qcode}[{sqcode}]" for sqcode in codes]
            columns += background_columns(q, qcode, options, {"Y": 1, "": 0}, codes)
    return ColumnMap(PLATFORM, instrument.id, columns, notes=_notes(instrument))


def _notes(instrument: Instrument) -> list[str]:
    notes = [
        "Export the responses with Responses > Export: format CSV, headings 'Question code', "
        "responses 'Answer codes'; this map names those columns.",
        "An array row is QCODE[SQCODE]; a multiple-choice option is QCODE[SQCODE] with 'Y' when "
        "ticked and empty otherwise (coded 1/0); other questions are QCODE.",
        "Answer codes A<n> are scale point n, N<n> is the negative point -n, DK is don't know "
        "(missing).",
    ]
    randomised = [b.id for b in instrument.blocks if b.randomize]
    if randomised:
        notes.append(
            "LimeSurvey shuffles the rows of randomised arrays (random_order) but does not export "
            f"the order each respondent saw, so {', '.join(b + '_order' for b in randomised)} "
            "cannot be filled from a LimeSurvey export."
        )
    if has_soft_requirement(instrument):
        notes.append(
            "Soft mandatory questions use mandatory 'S', which LimeSurvey 4 and later know; an "
            "older LimeSurvey treats them as not mandatory."
        )
    return notes


def export(instrument: Instrument) -> dict[str, bytes | str]:
    """All LimeSurvey files: the survey structure, its column map and a README."""
    study = instrument.id
    import_steps = [
        f"In LimeSurvey: Create survey > Import, and choose {study}_limesurvey.txt "
        f"(languages: {', '.join(instrument.languages)}; the first is the base language).",
        "Check the welcome and end texts, then activate the survey.",
    ]
    structure = ("\ufeff" + structure_text(instrument)).encode("utf-8")
    return export_files(
        {f"{study}_limesurvey.txt": structure},
        column_map(instrument),
        "LimeSurvey export",
        [("Import", import_steps)],
    )
