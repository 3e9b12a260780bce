"""The column map: how a survey platform's response export lines up with moscale's variables.

Every platform export (LimeSurvey, Qualtrics, XLSForm, REDCap) writes, beside the questionnaire
files, ``<study>_<platform>_columns.json``. It names each column the platform's *response export*
will have, the moscale variable it becomes and how its values are recoded, so that responses come
back without anyone retyping codes. The response reader applies it with
:meth:`ColumnMap.rename_and_recode`.

File format (``"schema": 1``)::

    {"schema": 1, "platform": "limesurvey", "study": "example",
     "columns": [
        {"column": "tinyblock[tinya1]", "variable": "tiny_a1", "kind": "item",
         "values": {"A1": 1, "A2": 2, "A3": 3, "A4": 4, "A5": 5, "DK": null}},
        {"column": "employees", "variable": "employees", "kind": "background", "values": null},
        ...],
     "notes": ["..."]}

``column``
    the column name in the platform's response export (see each exporter for which export
    settings that assumes).
``variable``
    moscale's variable (the codebook's name): item id, background question id, ``<id>_<code>``
    for each option of a multiple-choice question, attention-check id, ``<block>_order`` for the
    order a respondent saw a randomised block in; platform metadata by the codebook's meta names
    (``respondent_id``, ``started``, ``submitted``) where the response reader does not already
    rename them (it does for LimeSurvey and Qualtrics).
``values``
    ``{platform value as text: our integer code, or null for missing}``; ``""`` stands for an empty
    cell (a multiple-choice option left unticked, for instance). ``null`` (the whole field) means
    the values are taken as they are (numbers, text).
``kind``
    ``item``, ``background``, ``attention`` or ``meta``. ``meta`` columns may be absent from a
    response file; every other column must be there.

Optional keys: ``aliases`` (other names the same column has under other export settings, such as
a group path), and for display-order columns ``sequence`` (``{platform element code: our id}``)
with ``separator`` (how the platform joins the codes): the value ``"3|1|2"`` becomes
``"tiny_a3;tiny_a1;tiny_a2"``.

The second half of this module holds the small helpers the exporters share: the codes of a
response format, multiple-choice variable names, the columns of a background question, safe texts,
unique platform codes, the notes common to several platforms, and the column map and README every
exporter writes beside its questionnaire files.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from moscale.errors import DataError

from ..model import Block, Instrument, ResolvedItem
from ..schema import AttentionCheck, Question, ResponseFormat

SCHEMA_VERSION = 1
KINDS: tuple[str, ...] = ("item", "background", "attention", "meta")
Kind = Literal["item", "background", "attention", "meta"]

#: the codebook's names for platform metadata
RESPONDENT_ID = "respondent_id"
STARTED = "started"
SUBMITTED = "submitted"


@dataclass(frozen=True)
class MappedColumn:
    """One column of a platform's response export and the moscale variable it becomes."""

    column: str
    variable: str
    kind: Kind
    values: dict[str, int | None] | None = None
    aliases: tuple[str, ...] = ()
    sequence: dict[str, str] | None = None
    separator: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "column": self.column,
            "variable": self.variable,
            "values": None if self.values is None else dict(self.values),
            "kind": self.kind,
        }
        if self.aliases:
            out["aliases"] = list(self.aliases)
        if self.sequence is not None:
            out["sequence"] = dict(self.sequence)
            out["separator"] = self.separator
        return out

    @classmethod
    def from_dict(cls, data: Any, where: str) -> MappedColumn:
        if not isinstance(data, dict):
            raise _map_error(f"{where} is not an object")
        unknown = set(data) - {
            "column",
            "variable",
            "values",
            "kind",
            "aliases",
            "sequence",
            "separator",
        }
        if unknown:
            raise _map_error(f"{where} has unknown keys: {', '.join(sorted(unknown))}")
        for key in ("column", "variable", "kind"):
            if not isinstance(data.get(key), str) or not data[key]:
                raise _map_error(f"{where}.{key} must be a non-empty string")
        if data["kind"] not in KINDS:
            raise _map_error(f"{where}.kind is '{data['kind']}', not one of {', '.join(KINDS)}")
        values = data.get("values")
        if values is not None:
            if not isinstance(values, dict):
                raise _map_error(f"{where}.values must be an object or null")
            for key, target in values.items():
                if target is not None and (isinstance(target, bool) or not isinstance(target, int)):
                    raise _map_error(
                        f"{where}.values['{key}'] is {target!r}; codes are integers or null"
                    )
        aliases = data.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise _map_error(f"{where}.aliases must be a list of strings")
        sequence = data.get("sequence")
        if sequence is not None and not (
            isinstance(sequence, dict) and all(isinstance(v, str) for v in sequence.values())
        ):
            raise _map_error(f"{where}.sequence must map codes to variable names")
        separator = data.get("separator")
        if sequence is not None and (not isinstance(separator, str) or not separator):
            raise _map_error(f"{where}.separator must be given with a sequence")
        return cls(
            column=data["column"],
            variable=data["variable"],
            kind=data["kind"],
            values=None if values is None else {str(k): v for k, v in values.items()},
            aliases=tuple(aliases),
            sequence=None if sequence is None else {str(k): v for k, v in sequence.items()},
            separator=separator if sequence is not None else None,
        )


def _map_error(message: str) -> DataError:
    return DataError(
        f"column map: {message}",
        hint="use the *_columns.json file that 'moscale render --format <platform>' wrote, "
        "unchanged, or render it again",
    )


@dataclass
class ColumnMap:
    """The column map of one study on one platform (see the module docstring for the format)."""

    platform: str
    study: str
    columns: list[MappedColumn]
    notes: list[str] = field(default_factory=list)
    schema: int = SCHEMA_VERSION

    def __post_init__(self) -> None:
        seen_cols: set[str] = set()
        seen_vars: set[str] = set()
        for col in self.columns:
            for name in (col.column, *col.aliases):
                if name in seen_cols:
                    raise _map_error(f"column '{name}' is mapped twice")
                seen_cols.add(name)
            if col.variable in seen_vars:
                raise _map_error(f"variable '{col.variable}' comes from two columns")
            seen_vars.add(col.variable)

    # --- (de)serialisation -----------------------------------------------------------------------

    def to_json(self) -> str:
        """The map as pretty-printed JSON text (UTF-8, non-ASCII kept as is)."""
        doc: dict[str, Any] = {
            "schema": self.schema,
            "platform": self.platform,
            "study": self.study,
            "columns": [c.to_dict() for c in self.columns],
        }
        if self.notes:
            doc["notes"] = list(self.notes)
        return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str | bytes) -> ColumnMap:
        """Read a map written by :meth:`to_json`; a malformed map raises :class:`DataError`."""
        try:
            doc = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise _map_error(f"not valid JSON ({exc})") from None
        if not isinstance(doc, dict):
            raise _map_error("the file must hold a JSON object")
        if doc.get("schema") != SCHEMA_VERSION:
            raise _map_error(
                f"schema version {doc.get('schema')!r}; this moscale reads version {SCHEMA_VERSION}"
            )
        for key in ("platform", "study"):
            if not isinstance(doc.get(key), str):
                raise _map_error(f"'{key}' must be a string")
        columns = doc.get("columns")
        if not isinstance(columns, list):
            raise _map_error("'columns' must be a list")
        notes = doc.get("notes", [])
        if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
            raise _map_error("'notes' must be a list of strings")
        return cls(
            platform=doc["platform"],
            study=doc["study"],
            columns=[MappedColumn.from_dict(c, f"columns[{i}]") for i, c in enumerate(columns)],
            notes=notes,
        )

    # --- applying it -----------------------------------------------------------------------------

    def variables(self) -> list[str]:
        return [c.variable for c in self.columns]

    def rename_and_recode(self, df: pd.DataFrame, *, keep_unmapped: bool = True) -> pd.DataFrame:
        """Rename the platform's columns to moscale variables and recode their values.

        Parameters
        ----------
        df
            The platform's response export as read (header row = column names; Qualtrics' two
            extra header rows already dropped). Values may be text or numbers.
        keep_unmapped
            Keep the columns the map does not mention (platform metadata such as ``Status`` or
            ``submitdate``, which the response reader needs) after the mapped ones, unless one
            has the name of a mapped variable. ``False`` returns moscale's variables only.

        Returns
        -------
        DataFrame
            One column per mapped variable present, in map order (then the unmapped columns),
            same index as ``df``. Recoded columns
            are float (missing, such as don't-know, is NaN); ``values: null`` columns are as read;
            display-order columns become item ids joined by ``;``.

        Raises
        ------
        DataError
            A required column is absent, a column name occurs twice, or a cell holds a value the
            map does not define (the message names the column, the row and the value).
        """
        if not df.columns.is_unique:
            dup = df.columns[df.columns.duplicated()][0]
            raise DataError(
                f"the response file has two columns named '{dup}'",
                hint="export the responses again with question codes as column headings",
            )
        present = set(map(str, df.columns))
        out: dict[str, pd.Series] = {}
        missing: list[str] = []
        used: set[str] = set()
        for col in self.columns:
            source = next((n for n in (col.column, *col.aliases) if n in present), None)
            if source is None:
                if col.kind != "meta":
                    missing.append(col.column)
                continue
            used.add(source)
            series = df[source]
            if col.sequence is not None:
                out[col.variable] = _recode_order(series, col, source)
            elif col.values is None:
                out[col.variable] = series
            else:
                out[col.variable] = _recode(series, col.values, source)
        if missing:
            shown = ", ".join(f"'{m}'" for m in missing[:5])
            more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            raise DataError(
                f"the {self.platform} response file has no column {shown}{more} "
                f"(study '{self.study}')",
                hint=f"export all responses of this study's {self.platform} survey with question "
                "codes as headings and answer codes as values; the notes in the "
                f"{self.study}_{self.platform}_columns.json file list the export settings",
            )
        result = pd.DataFrame(out, index=df.index)
        if keep_unmapped:
            taken = set(result.columns)
            for name in df.columns:
                if str(name) not in used and str(name) not in taken:
                    result[name] = df[name]
        return result


def _cell_key(value: Any) -> str:
    """The text form of one cell, as the map's ``values`` keys are written."""
    if value is None:
        return ""
    if not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value):
        return ""  # NaN, pd.NA, NaT
    if isinstance(value, bool | np.bool_):
        return "1" if value else "0"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return ""
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    text = str(value).strip()
    return text


_INTEGRAL_TEXT = re.compile(r"^-?\d+\.0+$")


def _row_label(df_index: pd.Index, pos: int) -> str:
    label = df_index[pos]
    if isinstance(df_index, pd.RangeIndex) and df_index.start == 0 and df_index.step == 1:
        return f"row {pos + 1}"
    return f"row {pos + 1} (index {label})"


def _recode(series: pd.Series, values: Mapping[str, int | None], column: str) -> pd.Series:
    """Recode one column through ``values``; vectorised over the column's distinct values."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    targets = np.empty(len(uniques) + 1, dtype=float)
    unknown = np.zeros(len(uniques) + 1, dtype=bool)
    for j, value in enumerate(list(uniques) + [None]):  # the last slot is the empty cell
        key = _cell_key(value)
        if key not in values and _INTEGRAL_TEXT.match(key):
            key = key.split(".")[0]
        if key in values:
            target = values[key]
            targets[j] = np.nan if target is None else float(target)
        elif key == "":
            targets[j] = np.nan  # an empty cell is missing unless the map says otherwise
        else:
            unknown[j] = True
    codes = np.where(codes < 0, len(uniques), codes)
    bad = unknown[codes]
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        defined = ", ".join(k if k else '""' for k in values)
        raise DataError(
            f"column '{column}', {_row_label(series.index, pos)}: value "
            f"'{_cell_key(series.iloc[pos])}' is not one of the codes this export defined "
            f"({defined}); {int(bad.sum())} cell(s) in this column are affected",
            hint="check that the file is the response export of this study's survey, exported "
            "with answer codes (not answer texts), and that the questionnaire was not changed "
            "after it was exported",
        )
    return pd.Series(targets[codes], index=series.index, name=series.name)


def _recode_order(series: pd.Series, col: MappedColumn, column: str) -> pd.Series:
    """``"3|1|2"`` -> ``"id3;id1;id2"`` through the column's ``sequence``."""
    assert col.sequence is not None and col.separator is not None
    out: list[Any] = []
    for pos, value in enumerate(series.tolist()):
        key = _cell_key(value)
        if key == "":
            out.append(np.nan)
            continue
        parts = [p.strip() for p in key.split(col.separator)]
        ids = []
        for part in parts:
            if _INTEGRAL_TEXT.match(part):
                part = part.split(".")[0]
            if part not in col.sequence:
                raise DataError(
                    f"column '{column}', {_row_label(series.index, pos)}: display order "
                    f"'{key}' names element '{part}', which this export did not define "
                    f"({', '.join(col.sequence)})",
                    hint="check that the file belongs to this study's survey",
                )
            ids.append(col.sequence[part])
        out.append(";".join(ids))
    return pd.Series(out, index=series.index, name=series.name, dtype=object)


# =================================================================================================
# Helpers shared by the exporters
# =================================================================================================


@dataclass(frozen=True)
class Point:
    """One answer option of a rating format: our code, its labels, whether it is don't-know."""

    code: int
    labels: dict[str, str]
    dont_know: bool = False


def response_points(response: ResponseFormat) -> list[Point]:
    """The scale points in order, then the don't-know option if the format has one."""
    points = [
        Point(code, {lang: labels[code] for lang, labels in response.labels.items()})
        for code in response.codes
    ]
    if response.dont_know is not None:
        points.append(Point(response.dont_know.code, dict(response.dont_know.label), True))
    return points


def value_map(points: Iterable[Point]) -> dict[str, int | None]:
    """``{our code as text: our code}``, with don't-know mapped to missing (``None``)."""
    return {str(p.code): (None if p.dont_know else p.code) for p in points}


def option_variable(question: Question, code: int) -> str:
    """moscale's 0/1 variable for one option of a multiple-choice question."""
    return f"{question.id}_{code}"


def background_columns(
    question: Question,
    column: str,
    option_columns: Sequence[str],
    ticked: Mapping[str, int],
    codes: Sequence[str] | None = None,
) -> list[MappedColumn]:
    """The response-export columns of one background question.

    Parameters
    ----------
    question : Question
        The background question.
    column : str
        The platform's column of a single-choice, number or text question.
    option_columns : sequence of str
        The platform's column of each option of a multiple-choice question, in option order
        (unused for other types).
    ticked : mapping of str to int
        The values of an option column, ``{ticked value: 1, unticked value: 0}``.
    codes : sequence of str, optional
        The platform's value of each option of a single-choice question, in option order.
        Default: moscale's codes as text.

    Returns
    -------
    list of MappedColumn
        One column per option of a multiple-choice question, else one column; the answers of a
        number or text question are taken as they are.
    """
    options = question.options
    if codes is None:
        codes = [str(o.code) for o in options]
    if question.type == "single":
        values: dict[str, int | None] = {c: o.code for o, c in zip(options, codes, strict=True)}
        return [MappedColumn(column, question.id, "background", values)]
    if question.type == "multiple":
        return [
            MappedColumn(name, option_variable(question, o.code), "background", dict(ticked))
            for o, name in zip(options, option_columns, strict=True)
        ]
    return [MappedColumn(column, question.id, "background", None)]


def block_lines(block: Block) -> list[ResolvedItem | AttentionCheck]:
    """The rows of a block as fielded: items in definition order, attention checks in place."""
    return block.sequence()


def line_kind(line: ResolvedItem | AttentionCheck) -> Kind:
    return "attention" if isinstance(line, AttentionCheck) else "item"


def parts(instrument: Instrument) -> list[tuple[str, Any]]:
    """The questionnaire in fielding order.

    ``("block", Block)`` per section and one ``("background", [Question, ...])``, at the start or
    the end as the study says.
    """
    out: list[tuple[str, Any]] = [("block", b) for b in instrument.blocks]
    if instrument.background:
        bg = ("background", instrument.background)
        if instrument.study.background_position == "start":
            out.insert(0, bg)
        else:
            out.append(bg)
    return out


def block_title(block: Block, lang: str) -> str:
    """A block's title in ``lang``, else in the first language it has."""
    return block.title.get(lang) or next(iter(block.title.values()))


def block_question_text(block: Block, lang: str) -> str:
    """What a matrix question says above its rows: the scale's stem, else the block title."""
    stem = block.scale.stem
    if stem and lang in stem:
        return stem[lang]
    return block_title(block, lang)


_BACKGROUND_TITLE = {
    "en": "Background information",
    "fi": "Taustatiedot",
    "sv": "Bakgrundsuppgifter",
    "de": "Angaben zu Ihnen und Ihrem Unternehmen",
    "fr": "Informations générales",
    "es": "Datos generales",
    "it": "Informazioni generali",
    "nl": "Achtergrondgegevens",
    "da": "Baggrundsoplysninger",
    "nb": "Bakgrunnsopplysninger",
    "no": "Bakgrunnsopplysninger",
    "et": "Taustaandmed",
    "pt": "Informações gerais",
    "pl": "Informacje ogólne",
}


def background_title(lang: str) -> str:
    """The heading of the background-question page (English where no translation is known)."""
    return _BACKGROUND_TITLE.get(lang.split("-")[0], _BACKGROUND_TITLE["en"])


_LANGUAGE_NAMES = {
    "en": "English",
    "fi": "Finnish",
    "sv": "Swedish",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "nl": "Dutch",
    "da": "Danish",
    "nb": "Norwegian Bokmål",
    "no": "Norwegian",
    "et": "Estonian",
    "lv": "Latvian",
    "lt": "Lithuanian",
    "pt": "Portuguese",
    "pl": "Polish",
    "cs": "Czech",
    "hu": "Hungarian",
    "ru": "Russian",
    "uk": "Ukrainian",
    "tr": "Turkish",
    "el": "Greek",
    "zh": "Chinese",
    "ja": "Japanese",
    "ko": "Korean",
    "ar": "Arabic",
    "he": "Hebrew",
    "hi": "Hindi",
}


def language_name(lang: str) -> str:
    """English name of a language code (the code itself when unknown)."""
    return _LANGUAGE_NAMES.get(lang.split("-")[0], lang)


def html_text(text: str) -> str:
    """Plain definition text made safe for platforms that show question texts as HTML.

    ``<``, ``>``, ``&`` and ``"`` become entities (moscale's definitions hold plain text, shown
    literally, as the HTML questionnaire does); a line break becomes ``<br />``; a tab a space;
    ``{``, ``}``, ``$`` and ``[`` become entities so that LimeSurvey's expressions, Qualtrics'
    piped text and ``[[...]]`` tags cannot be triggered by item wording.
    """
    out = html.escape(text, quote=False).replace('"', "&quot;")
    out = out.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    out = out.replace("{", "&#123;").replace("}", "&#125;").replace("$", "&#36;")
    out = out.replace("[", "&#91;").replace("]", "&#93;")
    return out.replace("\n", "<br />")


def one_line(text: str) -> str:
    """Plain text on one line (tabs and line breaks become spaces)."""
    return re.sub(r"[\t\r\n]+", " ", text).strip()


class UniqueNames:
    """Hands out platform codes that are unique (case-insensitively) and fit a length limit."""

    def __init__(self, max_len: int, reserved: Iterable[str] = ()) -> None:
        self.max_len = max_len
        self.taken: set[str] = {r.lower() for r in reserved}

    def take(self, base: str) -> str:
        base = base[: self.max_len]
        name = base
        n = 1
        while name.lower() in self.taken:
            n += 1
            suffix = str(n)
            name = base[: self.max_len - len(suffix)] + suffix
        self.taken.add(name.lower())
        return name


def alnum_code(ident: str, max_len: int, prefix: str = "q") -> str:
    """An identifier reduced to ASCII letters and digits, starting with a letter."""
    code = re.sub(r"[^A-Za-z0-9]", "", ident)
    if not code or not code[0].isalpha():
        code = prefix + code
    return code[:max_len]


def readme(title: str, sections: Sequence[tuple[str, Sequence[str]]]) -> str:
    """A short plain-text README: a title and bulleted sections."""
    lines = [title, "=" * len(title), ""]
    for heading, bullets in sections:
        if not bullets:
            continue
        lines += [heading, "-" * len(heading)]
        lines += [f"- {b}" for b in bullets]
        lines.append("")
    return "\n".join(lines)


def export_files(
    files: Mapping[str, bytes | str],
    cmap: ColumnMap,
    title: str,
    sections: Sequence[tuple[str, Sequence[str]]],
) -> dict[str, bytes | str]:
    """An exporter's files: its questionnaire files, then the column map and a README.

    The map and README names are what the response reader looks for, so every exporter gets
    them from here.

    Parameters
    ----------
    files : mapping of str to bytes or str
        The platform's questionnaire files by file name, in the order they are written.
    cmap : ColumnMap
        The column map; its notes end the README as the section "Responses".
    title : str
        What the README is about, after the study id: ``"LimeSurvey export"``.
    sections : sequence of (str, sequence of str)
        README sections before "Responses", as for :func:`readme`.

    Returns
    -------
    dict of str to bytes or str
        ``files`` followed by ``<study>_<platform>_columns.json`` and
        ``<study>_<platform>_README.txt``.
    """
    prefix = f"{cmap.study}_{cmap.platform}"
    out = dict(files)
    out[f"{prefix}_columns.json"] = cmap.to_json()
    out[f"{prefix}_README.txt"] = readme(
        f"{cmap.study}: {title}", [*sections, ("Responses", cmap.notes)]
    )
    return out


def has_soft_requirement(instrument: Instrument) -> bool:
    """Whether a block or background question is soft-required (reminded, may still skip)."""
    return any(b.required == "soft" for b in instrument.blocks) or any(
        q.required == "soft" for q in instrument.background
    )


def fixed_order_notes(instrument: Instrument, cannot: str) -> list[str]:
    """The note of a platform that cannot shuffle a block, if the study randomises any.

    Parameters
    ----------
    instrument : Instrument
        The study.
    cannot : str
        The platform's limitation, the start of the sentence: ``"REDCap cannot shuffle the
        fields of a matrix"``.

    Returns
    -------
    list of str
        One note naming the randomised blocks, or none when no block is randomised.
    """
    randomised = [b.id for b in instrument.blocks if b.randomize]
    if not randomised:
        return []
    return [
        f"{cannot}: "
        + ", ".join(randomised)
        + " is fielded in a fixed order, and no <block>_order column exists."
    ]


def has_integral_bounds(question: Question) -> bool:
    """A number question is integer-valued when both bounds are given and are whole numbers."""
    bounds = (question.minimum, question.maximum)
    return all(b is not None and float(b).is_integer() for b in bounds)


def bound_text(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))
