"""REDCap export: a data dictionary (CSV) per language and the column map.

A REDCap data dictionary is a CSV file with a fixed 18-column header, one row per field (REDCap
"Data Dictionary" help; the same fields come back from the API's ``content=metadata``). The first
field of the first instrument is the record identifier. Layout written:

* ``record_id`` (``text``), then the introduction as a ``descriptive`` field;
* a block as consecutive ``radio`` fields sharing a ``Matrix Group Name`` (REDCap shows them as
  one grid) with identical choices ``1, Strongly disagree | … | -99, Don't know``; the block title
  (and the scale's stem) as the ``Section Header`` of its first field;
* background questions as ``radio`` (single), ``checkbox`` (multiple), ``text`` with validation
  ``integer`` (both bounds whole numbers) or ``number`` and their minimum and maximum, and ``text``;
* ``Required Field?`` ``y`` for hard-required blocks and questions (REDCap has no soft
  requirement);
* field names are moscale's ids in lower case (REDCap wants lower-case letters, digits and ``_``,
  a letter first; names over 26 characters are allowed but REDCap warns about them).

Choice codes are moscale's codes, negative ones included: REDCap accepts ``-99`` as a raw value.
REDCap holds one language per dictionary (translations go into its Multi-Language Management
module), so one dictionary per language is written; field names and codes are the same in all.
REDCap cannot shuffle the fields of a matrix, so a randomised block keeps its fixed order.

Column map: REDCap's raw CSV export names a field by its name and a checkbox option
``<name>___<code>`` (0/1), with a minus sign in the code written ``_`` (code -1 ->
``name____1``).
"""

from __future__ import annotations

import csv
import io
import re

from ..model import Instrument
from ..schema import Question
from .colmap import (
    RESPONDENT_ID,
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
    fixed_order_notes,
    has_integral_bounds,
    has_soft_requirement,
    html_text,
    line_kind,
    parts,
    response_points,
    value_map,
)

PLATFORM = "redcap"

HEADER = [
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
]

RECORD_ID = "record_id"
#: REDCap's own export columns: never field names
RESERVED = (RECORD_ID, "redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance")
NAME_MAX = 100


def redcap_name(ident: str) -> str:
    """A REDCap field name: lower-case letters, digits and ``_``, starting with a letter."""
    name = re.sub(r"[^a-z0-9_]", "_", ident.lower())
    if not name or not name[0].isalpha():
        name = "v" + name
    return name


def form_name(instrument: Instrument) -> str:
    return redcap_name(instrument.id)


def checkbox_column(field: str, code: int) -> str:
    """The raw-export column of one checkbox option (REDCap writes a minus sign as ``_``)."""
    return f"{field}___{str(code).replace('-', '_')}"


def _choice_label(text: str) -> str:
    # '|' separates choices in the dictionary; keep it out of the labels
    return html_text(text).replace("|", "&#124;")


def _names(instrument: Instrument) -> tuple[dict[str, str], dict[str, str]]:
    """Field names (by moscale id) and matrix group names (by block id), all unique."""
    names = UniqueNames(NAME_MAX, RESERVED + (f"{form_name(instrument)}_complete",))
    fields: dict[str, str] = {}
    for block in instrument.blocks:
        for line in block_lines(block):
            fields[line.id] = names.take(redcap_name(line.id))
    for q in instrument.background:
        fields[q.id] = names.take(redcap_name(q.id))
    fields["_intro"] = names.take("intro")
    # matrix group names live in their own name space but follow the same rules
    groups = UniqueNames(NAME_MAX)
    matrices = {b.id: groups.take(redcap_name(b.id)) for b in instrument.blocks}
    return fields, matrices


def dictionary_rows(instrument: Instrument, lang: str) -> list[dict[str, str]]:
    """The data dictionary in one language, as rows keyed by :data:`HEADER`."""
    form = form_name(instrument)
    fields, matrices = _names(instrument)

    def row(name: str, ftype: str, label: str, **more: str) -> dict[str, str]:
        r = dict.fromkeys(HEADER, "")
        r.update({HEADER[0]: name, HEADER[1]: form, HEADER[3]: ftype, HEADER[4]: label})
        for key, value in more.items():
            r[_KEYS[key]] = value
        return r

    rows = [row(RECORD_ID, "text", "Record ID")]
    study = instrument.study
    if study.introduction:
        rows.append(row(fields["_intro"], "descriptive", html_text(study.introduction[lang])))
    for what, obj in parts(instrument):
        if what == "block":
            block = obj
            choices = " | ".join(
                f"{p.code}, {_choice_label(p.labels[lang])}"
                for p in response_points(block.response)
            )
            title = block_title(block, lang)
            header = html_text(title)
            stem = block_question_text(block, lang)
            if stem != title:
                header += "<br />" + html_text(stem)
            required = "y" if block.required == "hard" else ""
            for k, line in enumerate(block_lines(block)):
                rows.append(
                    row(
                        fields[line.id],
                        "radio",
                        html_text(line.text[lang]),
                        section=header if k == 0 else "",
                        choices=choices,
                        required=required,
                        matrix=matrices[block.id],
                    )
                )
            continue
        for i, q in enumerate(obj):
            section = html_text(background_title(lang)) if i == 0 else ""
            rows.append(_question_row(q, fields[q.id], lang, section, row))
    return rows


_KEYS = {
    "section": "Section Header",
    "choices": "Choices, Calculations, OR Slider Labels",
    "validation": "Text Validation Type OR Show Slider Number",
    "vmin": "Text Validation Min",
    "vmax": "Text Validation Max",
    "required": "Required Field?",
    "matrix": "Matrix Group Name",
    "identifier": "Identifier?",
}


def _question_row(q: Question, name: str, lang: str, section: str, row) -> dict[str, str]:
    required = "y" if q.required == "hard" else ""
    label = html_text(q.text[lang])
    if q.type in ("single", "multiple"):
        choices = " | ".join(f"{o.code}, {_choice_label(o.label[lang])}" for o in q.options)
        ftype = "radio" if q.type == "single" else "checkbox"
        return row(name, ftype, label, section=section, choices=choices, required=required)
    if q.type == "number":
        return row(
            name,
            "text",
            label,
            section=section,
            validation="integer" if has_integral_bounds(q) else "number",
            vmin=bound_text(q.minimum),
            vmax=bound_text(q.maximum),
            required=required,
        )
    return row(name, "text", label, section=section, required=required)


def dictionary_csv(instrument: Instrument, lang: str) -> str:
    """The data dictionary in one language as CSV text."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=HEADER, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(dictionary_rows(instrument, lang))
    return buf.getvalue()


def column_map(instrument: Instrument) -> ColumnMap:
    """Where each moscale variable lands in REDCap's raw CSV export."""
    fields, _ = _names(instrument)
    columns: list[MappedColumn] = []
    if instrument.question_with_role("respondent_id") is None:
        columns.append(MappedColumn(RECORD_ID, RESPONDENT_ID, "meta"))
    for what, obj in parts(instrument):
        if what == "block":
            values = value_map(response_points(obj.response))
            for line in block_lines(obj):
                columns.append(
                    MappedColumn(fields[line.id], line.id, line_kind(line), dict(values))
                )
            continue
        for q in obj:
            name = fields[q.id]
            options = [checkbox_column(name, o.code) for o in q.options]
            columns += background_columns(q, name, options, {"1": 1, "0": 0})
    return ColumnMap(PLATFORM, instrument.id, columns, notes=_notes(instrument))


def _notes(instrument: Instrument) -> list[str]:
    notes = [
        "Export with Data Exports > 'All data' > CSV / Microsoft Excel (raw data); this map names "
        "the raw columns (field names; checkbox options <field>___<code>, 0/1).",
        "Radio values are moscale's codes; don't-know is coded missing.",
    ]
    fields = {k: v for k, v in _names(instrument)[0].items() if not k.startswith("_")}
    renamed = [f"{ident} -> {name}" for ident, name in fields.items() if ident != name]
    if renamed:
        notes.append("Field names differ from moscale's ids: " + ", ".join(renamed) + ".")
    long = [name for name in fields.values() if len(name) > 26]
    if long:
        notes.append(
            "REDCap warns about field names over 26 characters (it accepts them): "
            + ", ".join(long)
            + "."
        )
    notes += fixed_order_notes(instrument, "REDCap cannot shuffle the fields of a matrix")
    if has_soft_requirement(instrument):
        notes.append("REDCap has no soft requirement: soft blocks and questions are not required.")
    return notes


def export(instrument: Instrument) -> dict[str, bytes | str]:
    """All REDCap files: a data dictionary per language, the column map and a README."""
    study = instrument.id
    langs = instrument.languages
    files: dict[str, bytes | str] = {
        f"{study}_redcap_{lang}.csv": dictionary_csv(instrument, lang) for lang in langs
    }
    import_steps = [
        f"Project Setup > Data Dictionary > upload {study}_redcap_{langs[0]}.csv (the base "
        f"language, {langs[0]}); enable the instrument '{form_name(instrument)}' as a survey.",
    ]
    if len(langs) > 1:
        import_steps.append(
            "REDCap holds one language per dictionary: the other files ("
            + ", ".join(f"{study}_redcap_{lang}.csv" for lang in langs[1:])
            + ") have the same fields and codes; use their texts in Multi-Language Management, "
            "or upload one to a separate project per language (the column map fits all)."
        )
    return export_files(files, column_map(instrument), "REDCap export", [("Import", import_steps)])
