"""XLSForm export (ODK Collect, KoboToolbox, Enketo, SurveyCTO, ArcGIS Survey123) and its map.

An XLSForm is a workbook with the sheets ``survey`` (one row per question), ``choices`` (the
answer lists) and ``settings`` (XLSForm specification, xlsform.org). Texts in several languages
sit in columns ``label::English (en)``, ``label::Finnish (fi)``, … (the language name followed by
its code in parentheses, as ODK asks); ``settings.default_language`` names the first.

Layout written:

* the introduction as a ``note``;
* a block as ``begin_group`` (``appearance`` ``table-list``: the items as one grid) holding one
  ``select_one <block>_points`` row per item and attention check, in the block's order, closed by
  ``end_group``; a scale stem, if any, as a ``note`` before the group;
* background questions, ungrouped, as ``select_one`` / ``select_multiple`` with their own list,
  ``integer`` (a number question whose minimum and maximum are both given whole numbers) or
  ``decimal`` with a ``constraint`` for the bounds, and ``text``;
* ``required`` ``yes`` for hard-required blocks and questions (XLSForm has no soft requirement);
* choice names are moscale's codes as text (``"1"`` … ``"7"``, ``"-99"`` for don't know).

Texts are plain text: ODK reads a small subset of Markdown and HTML in labels, so wording with
``*`` or ``<`` may be styled; ``${`` (an XLSForm reference) is written ``$ {``.

XLSForm cannot shuffle the questions of a group, so a randomised block is fielded in its fixed
order (noted in the README and the map).

Column map: KoboToolbox's export with "XML values and headers", groups not included in headers
and select_multiple "in separate columns" names an item by its name (``tiny_a1``) and an option of
a multiple-choice question ``name/code`` (1/0). ``aliases`` carry the same columns under a group
path (``tiny_block/tiny_a1``, Kobo with groups in headers) and ODK Central's ``tiny_block-tiny_a1``.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
import zipfile

from openpyxl import Workbook
from openpyxl.styles import Font

from ..model import Block, Instrument
from ..schema import Question
from .colmap import (
    RESPONDENT_ID,
    STARTED,
    SUBMITTED,
    ColumnMap,
    MappedColumn,
    UniqueNames,
    background_columns,
    background_title,
    block_lines,
    block_title,
    bound_text,
    export_files,
    fixed_order_notes,
    has_integral_bounds,
    has_soft_requirement,
    language_name,
    line_kind,
    parts,
    response_points,
    value_map,
)

PLATFORM = "xlsform"

#: a fixed timestamp so that the same study gives the same workbook
_EPOCH = _dt.datetime(2000, 1, 1)


def xlsform_text(text: str) -> str:
    """Definition text for an XLSForm label: tabs become spaces, ``${`` cannot start a reference."""
    out = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return re.sub(r"\$\{", "$ {", out)


def language_column(lang: str) -> str:
    """``English (en)``: the language name with its code, as ODK reads it."""
    return f"{language_name(lang)} ({lang})"


def _names(instrument: Instrument) -> tuple[dict[str, str], dict[str, str]]:
    """XML names of the groups and notes, unique among all question names."""
    taken = [i.id for i in instrument.items()]
    taken += [c.id for _, c in instrument.attention_checks()]
    taken += [q.id for q in instrument.background]
    names = UniqueNames(64, taken)
    groups = {b.id: names.take(b.id) for b in instrument.blocks}
    notes = {
        "intro": names.take("intro"),
        "background": names.take("background_note"),
        "start": names.take("start"),
        "end": names.take("end"),
    }
    for b in instrument.blocks:
        notes[b.id] = names.take(f"{b.id}_stem")
    return groups, notes


def _points_list(block: Block) -> str:
    return f"{block.id}_points"


def _options_list(q: Question) -> str:
    return f"{q.id}_options"


def _range_text(q: Question) -> str:
    lo, hi = bound_text(q.minimum), bound_text(q.maximum)
    if lo and hi:
        return f"{lo} – {hi}"
    if lo:
        return f"≥ {lo}"
    if hi:
        return f"≤ {hi}"
    return ""


def sheets(instrument: Instrument) -> dict[str, list[list[str]]]:
    """The three sheets as rows of cells (first row the header)."""
    langs = instrument.languages
    lcols = [language_column(lang) for lang in langs]
    survey_header = (
        ["type", "name"]
        + [f"label::{c}" for c in lcols]
        + [f"hint::{c}" for c in lcols]
        + ["required", "appearance", "constraint"]
        + [f"constraint_message::{c}" for c in lcols]
    )
    groups, notes = _names(instrument)
    survey: list[list[str]] = [survey_header]
    choices: list[list[str]] = [["list_name", "name"] + [f"label::{c}" for c in lcols]]

    def row(
        type_: str,
        name: str,
        label: dict[str, str] | None = None,
        hint: str = "",
        required: str = "",
        appearance: str = "",
        constraint: str = "",
        message: str = "",
    ) -> list[str]:
        labels = [xlsform_text(label[lang]) if label else "" for lang in langs]
        return (
            [type_, name]
            + labels
            + [hint] * len(langs)
            + [required, appearance, constraint]
            + [message] * len(langs)
        )

    study = instrument.study
    # ODK's metadata fields: when the form was opened and finished (no question shown)
    survey.append(row("start", notes["start"]))
    survey.append(row("end", notes["end"]))
    if study.introduction:
        survey.append(row("note", notes["intro"], dict(study.introduction)))
    for what, obj in parts(instrument):
        if what == "block":
            block: Block = obj
            list_name = _points_list(block)
            for point in response_points(block.response):
                choices.append(
                    [list_name, str(point.code)]
                    + [xlsform_text(point.labels[lang]) for lang in langs]
                )
            if block.scale.stem:
                survey.append(row("note", notes[block.id], dict(block.scale.stem)))
            title = {lang: block_title(block, lang) for lang in langs}
            survey.append(row("begin_group", groups[block.id], title, appearance="table-list"))
            required = "yes" if block.required == "hard" else ""
            for line in block_lines(block):
                survey.append(
                    row(f"select_one {list_name}", line.id, dict(line.text), required=required)
                )
            survey.append(row("end_group", groups[block.id]))
            continue
        survey.append(
            row("note", notes["background"], {lang: background_title(lang) for lang in langs})
        )
        for q in obj:
            required = "yes" if q.required == "hard" else ""
            if q.type in ("single", "multiple"):
                kind = "select_one" if q.type == "single" else "select_multiple"
                for option in q.options:
                    choices.append(
                        [_options_list(q), str(option.code)]
                        + [xlsform_text(option.label[lang]) for lang in langs]
                    )
                survey.append(
                    row(f"{kind} {_options_list(q)}", q.id, dict(q.text), required=required)
                )
            elif q.type == "number":
                kind = "integer" if has_integral_bounds(q) else "decimal"
                tests = []
                if q.minimum is not None:
                    tests.append(f". >= {bound_text(q.minimum)}")
                if q.maximum is not None:
                    tests.append(f". <= {bound_text(q.maximum)}")
                rng = _range_text(q)
                survey.append(
                    row(
                        kind,
                        q.id,
                        dict(q.text),
                        hint=rng,
                        required=required,
                        constraint=" and ".join(tests),
                        message=rng,
                    )
                )
            else:
                survey.append(row("text", q.id, dict(q.text), required=required))
    settings = [
        ["form_title", "form_id", "default_language"],
        [study.title[langs[0]], study.id, language_column(langs[0])],
    ]
    return {"survey": survey, "choices": choices, "settings": settings}


def workbook_bytes(instrument: Instrument) -> bytes:
    """The XLSForm workbook (``.xlsx``)."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets(instrument).items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
    wb.properties.creator = "moscale"
    wb.properties.created = _EPOCH
    buf = io.BytesIO()
    wb.save(buf)
    return _fixed_times(buf.getvalue())


def _fixed_times(xlsx: bytes) -> bytes:
    """The workbook with its save time replaced by a fixed one, so that the same study gives the
    same bytes: openpyxl stamps ``dcterms:modified`` and every zip entry with the time of saving."""
    stamp = _EPOCH.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp + rb"\g<2>",
                    data,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=_EPOCH.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, data)
    return out.getvalue()


def column_map(instrument: Instrument) -> ColumnMap:
    """Where each moscale variable lands in a KoboToolbox / ODK Central CSV export."""
    groups, notes = _names(instrument)
    columns = [
        MappedColumn(notes["start"], STARTED, "meta"),
        MappedColumn(notes["end"], SUBMITTED, "meta"),
    ]
    if instrument.question_with_role("respondent_id") is None:
        columns.append(
            MappedColumn(
                "_uuid",
                RESPONDENT_ID,
                "meta",
                aliases=("KEY", "meta/instanceID", "meta-instanceID"),
            )
        )
    for what, obj in parts(instrument):
        if what == "block":
            group = groups[obj.id]
            values = value_map(response_points(obj.response))
            for line in block_lines(obj):
                columns.append(
                    MappedColumn(
                        line.id,
                        line.id,
                        line_kind(line),
                        dict(values),
                        aliases=(f"{group}/{line.id}", f"{group}-{line.id}"),
                    )
                )
            continue
        for q in obj:
            options = [f"{q.id}/{o.code}" for o in q.options]
            columns += background_columns(q, q.id, options, {"1": 1, "0": 0})
    return ColumnMap(PLATFORM, instrument.id, columns, notes=_notes(instrument))


def _notes(instrument: Instrument) -> list[str]:
    notes = [
        "KoboToolbox: export CSV with 'XML values and headers' and select_multiple 'in separate "
        "columns'; this map uses plain question names and accepts group paths ('group/name') and "
        "ODK Central's 'group-name' as well. ODK Central: export CSV with 'split select multiple "
        "choices into columns'.",
        "Values are the choice names, which are moscale's codes; don't-know is coded missing.",
        "A multiple-choice option is <name>/<code> (1 ticked, 0 not); a question left "
        "unanswered gives empty cells, coded missing.",
    ]
    notes += fixed_order_notes(instrument, "XLSForm cannot shuffle the questions of a group")
    if has_soft_requirement(instrument):
        notes.append(
            "XLSForm has no soft requirement (a reminder that lets the respondent go on): soft "
            "blocks and questions are not required."
        )
    return notes


def export(instrument: Instrument) -> dict[str, bytes | str]:
    """All XLSForm files: the workbook, its column map and a README."""
    study = instrument.id
    import_steps = [
        f"KoboToolbox: New project > Upload an XLSForm > {study}_xlsform.xlsx. ODK "
        "Central: New form > upload the same file. SurveyCTO, Enketo and Survey123 "
        "read it too.",
        "Languages: "
        + ", ".join(language_column(lang) for lang in instrument.languages)
        + f"; the default is {language_column(instrument.languages[0])}.",
    ]
    return export_files(
        {f"{study}_xlsform.xlsx": workbook_bytes(instrument)},
        column_map(instrument),
        "XLSForm export",
        [("Import", import_steps)],
    )
