"""Qualtrics export: Advanced Format TXT files (one per language) and the column map.

Qualtrics imports a survey from a plain-text file that starts with ``[[AdvancedFormat]]`` and
marks its structure with ``[[...]]`` tags (Qualtrics support, "Import and export surveys:
preparing an Advanced Format TXT file"):

* ``[[Block:name]]`` starts a block (a page);
* ``[[Question:Matrix]]`` is a Likert matrix: its ``[[AdvancedChoices]]`` / ``[[Choice]]`` are
  the statements (the items and attention checks, in order) and its ``[[AdvancedAnswers]]`` /
  ``[[Answer:code]]`` the scale points, each with its *recode value* set to moscale's code
  (don't-know included, e.g. ``[[Answer:-99]]``);
* ``[[Question:MC:SingleAnswer:Vertical]]`` / ``[[Question:MC:MultipleAnswer:Vertical]]`` with
  ``[[Choice:code]]`` for the background questions with options, ``[[Question:TE:SingleLine]]``
  for number and text questions, ``[[Question:DB]]`` for the introduction;
* ``[[ID:tag]]`` sets each question's data export tag, which names its response columns.

A TXT file holds one language, so one file is written per language with identical structure and
tags; import the base language and add the others with Qualtrics' translation tool (or field
each language as its own survey: the column map is the same for all). Randomising statements,
forcing or requesting responses and number validation cannot be expressed in the TXT format; the
README lists what to switch on after the import.

Column map: Qualtrics' CSV export (numeric values) names a matrix row ``<tag>_<statement
number>`` (``TINY_BLOCK_1``), a single-answer or text question by its tag, an option of a
multiple-answer question ``<tag>_<recode value>`` when "split multi-value fields into columns"
is on (1 when ticked, empty otherwise), and a randomised matrix's viewing order ``<tag>_DO``
(statement numbers joined by ``|``) when "export viewing order data" is on.
"""

from __future__ import annotations

from ..model import Block, Instrument
from ..schema import Question
from .colmap import (
    ColumnMap,
    MappedColumn,
    UniqueNames,
    background_columns,
    background_title,
    block_lines,
    block_question_text,
    block_title,
    bound_text,
    export_files,
    html_text,
    line_kind,
    one_line,
    parts,
    response_points,
    value_map,
)

PLATFORM = "qualtrics"

#: columns every Qualtrics response export starts with; never used as a question's tag
RESERVED = (
    "StartDate",
    "EndDate",
    "Status",
    "IPAddress",
    "Progress",
    "Finished",
    "RecordedDate",
    "ResponseId",
    "RecipientLastName",
    "RecipientFirstName",
    "RecipientEmail",
    "ExternalReference",
    "LocationLatitude",
    "LocationLongitude",
    "DistributionChannel",
    "UserLanguage",
    "intro",
)

MC_TYPES = {
    "single": "[[Question:MC:SingleAnswer:Vertical]]",
    "multiple": "[[Question:MC:MultipleAnswer:Vertical]]",
}
TEXT_TYPE = "[[Question:TE:SingleLine]]"


def _tags(instrument: Instrument) -> tuple[dict[str, str], dict[str, str]]:
    """Data export tags: block id -> tag (upper case), question id -> tag (the id)."""
    names = UniqueNames(100, RESERVED)
    block_tags: dict[str, str] = {}
    for block in instrument.blocks:
        tag = names.take(block.id.upper())
        block_tags[block.id] = tag
        # the columns a matrix produces must not be taken by a later tag
        names.taken.update(f"{tag}_{k}".lower() for k in range(1, len(block_lines(block)) + 1))
        names.taken.add(f"{tag}_do".lower())
    question_tags = {q.id: names.take(q.id) for q in instrument.background}
    return block_tags, question_tags


def _block_name(text: str) -> str:
    return one_line(text).replace("[", "(").replace("]", ")") or "Block"


def _matrix(block: Block, tag: str, lang: str) -> list[str]:
    lines = ["[[Question:Matrix]]", f"[[ID:{tag}]]", html_text(block_question_text(block, lang))]
    lines.append("[[AdvancedChoices]]")
    for line in block_lines(block):
        lines += ["[[Choice]]", html_text(line.text[lang])]
    lines.append("[[AdvancedAnswers]]")
    for point in response_points(block.response):
        lines += [f"[[Answer:{point.code}]]", html_text(point.labels[lang])]
    return lines


def _question(q: Question, tag: str, lang: str) -> list[str]:
    if q.type in MC_TYPES:
        lines = [MC_TYPES[q.type], f"[[ID:{tag}]]", html_text(q.text[lang]), "[[AdvancedChoices]]"]
        for option in q.options:
            lines += [f"[[Choice:{option.code}]]", html_text(option.label[lang])]
        return lines
    return [TEXT_TYPE, f"[[ID:{tag}]]", html_text(q.text[lang])]


def advanced_format(instrument: Instrument, lang: str) -> str:
    """The Advanced Format TXT of the study in one language."""
    block_tags, question_tags = _tags(instrument)
    out: list[str] = ["[[AdvancedFormat]]", ""]
    study = instrument.study
    if study.introduction:
        out += [
            f"[[Block:{_block_name(study.title[lang])}]]",
            "",
            "[[Question:DB]]",
            "[[ID:intro]]",
            html_text(study.introduction[lang]),
            "",
        ]
    for what, obj in parts(instrument):
        if what == "block":
            out += [f"[[Block:{_block_name(block_title(obj, lang))}]]", ""]
            out += _matrix(obj, block_tags[obj.id], lang) + [""]
        else:
            out += [f"[[Block:{_block_name(background_title(lang))}]]", ""]
            for q in obj:
                out += _question(q, question_tags[q.id], lang) + [""]
    return "\n".join(out)


def _option_column(tag: str, code: int) -> str:
    # Qualtrics turns characters other than letters, digits and '_' in column names into '_'
    return f"{tag}_{code}".replace("-", "_")


def column_map(instrument: Instrument) -> ColumnMap:
    """Where each moscale variable lands in Qualtrics' CSV export (numeric values)."""
    block_tags, question_tags = _tags(instrument)
    # Qualtrics' own columns (ResponseId, Status, Finished, ...) are left to the response
    # reader, which renames them and drops previews and unfinished responses
    columns: list[MappedColumn] = []
    for what, obj in parts(instrument):
        if what == "block":
            tag = block_tags[obj.id]
            points = response_points(obj.response)
            values = value_map(points)
            lines = block_lines(obj)
            for k, line in enumerate(lines, start=1):
                columns.append(MappedColumn(f"{tag}_{k}", line.id, line_kind(line), dict(values)))
            if obj.randomize:
                columns.append(
                    MappedColumn(
                        f"{tag}_DO",
                        obj.order_variable,
                        "meta",
                        sequence={str(k): line.id for k, line in enumerate(lines, start=1)},
                        separator="|",
                    )
                )
            continue
        for q in obj:
            tag = question_tags[q.id]
            options = [_option_column(tag, o.code) for o in q.options]
            columns += background_columns(q, tag, options, {"1": 1, "": 0})
    return ColumnMap(PLATFORM, instrument.id, columns, notes=_notes(instrument))


def _notes(instrument: Instrument) -> list[str]:
    notes = [
        "Export with Data & Analysis > Export & Import > Export data: CSV, 'Use numeric values', "
        "'Split multi-value fields into columns' on; the file has three header rows: moscale "
        "reads the first (column names) and skips the other two.",
        "Matrix rows are <tag>_<statement number>; values are the recode values, which equal "
        "moscale's codes (don't-know is coded missing).",
        "A multiple-answer option is <tag>_<recode value> (1 when ticked, empty otherwise, "
        "coded 1/0).",
    ]
    if any(b.randomize for b in instrument.blocks):
        notes.append(
            "Tick 'Export viewing order data for randomized surveys' to get <tag>_DO, the order "
            "each respondent saw a randomised matrix in (it becomes <block>_order)."
        )
    return notes


def _after_import(instrument: Instrument) -> list[str]:
    block_tags, question_tags = _tags(instrument)
    dk = sorted({b.response.dont_know.code for b in instrument.blocks if b.response.dont_know})
    dk_text = f" (don't know: {', '.join(map(str, dk))})" if dk else ""
    steps = [
        "Check one matrix under Recode values: its scale points carry moscale's codes"
        + dk_text
        + "; single-answer choices carry the option codes.",
    ]
    randomised = [block_tags[b.id] for b in instrument.blocks if b.randomize]
    if randomised:
        steps.append(
            "Randomization > 'Randomize the order of all statements' on the matrices: "
            + ", ".join(randomised)
            + "."
        )
    hard = [block_tags[b.id] for b in instrument.blocks if b.required == "hard"]
    hard += [question_tags[q.id] for q in instrument.background if q.required == "hard"]
    soft = [block_tags[b.id] for b in instrument.blocks if b.required == "soft"]
    soft += [question_tags[q.id] for q in instrument.background if q.required == "soft"]
    if hard:
        steps.append("Response requirements > Force response on: " + ", ".join(hard) + ".")
    if soft:
        steps.append("Response requirements > Request response on: " + ", ".join(soft) + ".")
    for q in instrument.background:
        if q.type == "number":
            bounds = ""
            if q.minimum is not None or q.maximum is not None:
                lo, hi = bound_text(q.minimum) or "-", bound_text(q.maximum) or "-"
                bounds = f", minimum {lo}, maximum {hi}"
            steps.append(f"{question_tags[q.id]}: Validation > Content type > Number{bounds}.")
    if instrument.study.closing:
        steps.append(
            "Set the end-of-survey message (Survey options > Responses) to the closing text: "
            + " / ".join(f"{lang}: {one_line(t)}" for lang, t in instrument.study.closing.items())
        )
    return steps


def export(instrument: Instrument) -> dict[str, bytes | str]:
    """All Qualtrics files: one Advanced Format TXT per language, the column map and a README."""
    study = instrument.id
    langs = instrument.languages
    files: dict[str, bytes | str] = {
        f"{study}_qualtrics_{lang}.txt": advanced_format(instrument, lang) for lang in langs
    }
    import_steps = [
        f"Create a project, then Tools > Import/Export > Import survey and choose "
        f"{study}_qualtrics_{langs[0]}.txt (the base language, {langs[0]}).",
    ]
    if len(langs) > 1:
        import_steps.append(
            "Qualtrics imports one language per TXT file. Add "
            + ", ".join(langs[1:])
            + " with Translate survey, copying from the other TXT files (same questions, same "
            "order), or field each language as its own survey imported from its file: the "
            "column map is the same for all of them."
        )
    return export_files(
        files,
        column_map(instrument),
        "Qualtrics export",
        [("Import", import_steps), ("After the import", _after_import(instrument))],
    )
