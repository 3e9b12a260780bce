"""Per-format readers for response files: CSV (sniffed), XLSX, SPSS, Stata, Parquet.

Every reader returns a :class:`RawTable`: the data as it stands in the file (CSV and XLSX cells as
text or the spreadsheet's own types; SPSS/Stata/Parquet with their types), one *location number* per
row so that problems can be reported where the user will look for them, and whatever the file says
about value labels and missing codes. Nothing here interprets the data; that is
:mod:`moscale.analysis.responses`' job.

Location numbers
----------------
* CSV / TSV: the physical line on which the record starts (the header is line 1; a quoted field
  that spans lines pushes the following records down, as a text editor shows them).
* XLSX: the worksheet row number (as Excel shows it).
* SPSS, Stata, Parquet: the record number, 1-based.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from moscale.errors import DataError

#: Cell texts read as "no answer" in text formats (R writes NA, Stata/SAS write ".", Excel #N/A).
MISSING_TEXTS = frozenset({"", "na", "n/a", "nan", ".", "#n/a", "null"})

#: Delimiters tried when sniffing a text file, in order of preference on ties.
DELIMITERS = (",", ";", "\t", "|")

#: Encodings tried in order; latin-1 decodes any byte string, so reading never fails on encoding.
ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")

FORMATS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".sav": "sav",
    ".zsav": "sav",
    ".dta": "dta",
    ".parquet": "parquet",
    ".pq": "parquet",
}


@dataclass
class RawTable:
    """A response file as read, before any interpretation.

    Attributes
    ----------
    frame : DataFrame
        Columns as named in the file's first row; for text formats every cell is a ``str`` or
        ``None`` (an empty cell).
    rows : ndarray of int
        Location number of each row (see the module docstring).
    row_label : str
        What the location numbers are: ``"line"``, ``"row"`` or ``"record"``.
    format : str
        ``csv``, ``xlsx``, ``sav``, ``dta``, ``parquet`` or ``frame`` (an in-memory DataFrame).
    value_labels : dict
        ``{column: {code: label}}`` from SPSS/Stata files.
    missing_values : dict
        ``{column: [codes]}`` declared missing in an SPSS file (user-missing values).
    column_labels : dict
        ``{column: label}`` (SPSS/Stata variable labels).
    info : dict
        How the file was read: encoding, delimiter, sheet.
    """

    frame: pd.DataFrame
    rows: np.ndarray
    row_label: str
    format: str
    value_labels: dict[str, dict[Any, str]] = field(default_factory=dict)
    missing_values: dict[str, list[Any]] = field(default_factory=dict)
    column_labels: dict[str, str] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)


def file_format(path: Path) -> str:
    """The reader a file name asks for; unknown extensions raise :class:`DataError`."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise DataError(
            f"cannot read '{suffix or path.name}' files",
            location=str(path),
            hint="save the responses as CSV, XLSX, SPSS (.sav/.zsav), Stata (.dta) or Parquet",
        )
    return FORMATS[suffix]


def read_table(path: Path, sheet: str | int | None = None) -> RawTable:
    """Read ``path`` with the reader its extension names."""
    if not path.exists():
        raise DataError("file not found", location=str(path), hint="check the path and file name")
    if path.is_dir():
        raise DataError("is a folder, not a file", location=str(path), hint="give the data file")
    fmt = file_format(path)
    reader = {
        "csv": read_csv,
        "xlsx": read_xlsx,
        "sav": read_spss,
        "dta": read_stata,
        "parquet": read_parquet,
    }[fmt]
    table = reader(path, sheet=sheet) if fmt == "xlsx" else reader(path)
    if table.frame.shape[1] == 0:
        raise DataError(
            "the file has no columns", location=str(path), hint="check that it is the export"
        )
    return table


# --- text -----------------------------------------------------------------------------------------


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode a text file: UTF-16 by its BOM, then UTF-8 (with or without BOM), cp1252, latin-1.

    Returns the text and the name of the encoding used.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Qualtrics' TSV export is UTF-16 with a byte-order mark
        return data.decode("utf-16"), "utf-16"
    for enc in ENCODINGS:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        name = "utf-8" if enc == "utf-8-sig" else enc
        if enc == "utf-8-sig" and data.startswith(b"\xef\xbb\xbf"):
            name = "utf-8-sig"
        return text, name
    raise AssertionError("latin-1 decodes every byte string")  # pragma: no cover


def sniff_delimiter(text: str) -> str:
    """Choose the delimiter that splits the first lines into the most, and most consistent, fields.

    Each candidate parses up to 30 lines with the csv module (so quoted delimiters do not count);
    the score is the number of lines with as many fields as the header, then the header's field
    count. A file with a single column gets ``","``.
    """
    sample = "\n".join(text.splitlines()[:30])
    best, best_score = ",", (-1, -1)
    for delim in DELIMITERS:
        try:
            rows = [r for r in csv.reader(io.StringIO(sample), delimiter=delim) if r]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        score = (sum(len(r) == width for r in rows), width)
        if score > best_score:
            best, best_score = delim, score
    return best


def parse_text(text: str, source: str, delimiter: str | None = None) -> RawTable:
    """Parse delimited text into a :class:`RawTable` keeping every record's starting line number."""
    delimiter = delimiter or sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[list[str]] = []
    lines: list[int] = []
    header: list[str] | None = None
    header_line = 0
    prev_end = 0
    try:
        for rec in reader:
            start, prev_end = prev_end + 1, reader.line_num
            if not rec or not "".join(rec).strip():  # only blanks and delimiters
                continue
            if header is None:
                header, header_line = rec, start
                continue
            records.append(rec)
            lines.append(start)
    except csv.Error as exc:
        raise DataError(
            f"not readable as delimited text ({exc}) in the record that starts on line "
            f"{prev_end + 1}",
            location=f"{source}, line {prev_end + 1}",
            hint="check for an unclosed quotation mark; re-export the file as CSV",
        ) from None
    if header is None:
        raise DataError("the file is empty", location=source, hint="check that it is the export")
    header = [h.strip() for h in header]
    width = len(header)
    for rec, line in zip(records, lines, strict=True):
        if len(rec) > width:
            extra = [c for c in rec[width:] if c.strip()]
            if extra:
                raise DataError(
                    f"{len(rec)} fields but the header (line {header_line}) has {width}",
                    location=f"{source}, line {line}",
                    hint=f"a value may contain the delimiter '{_show(delimiter)}' without "
                    "quotation marks; quote it or re-export the file",
                )
            del rec[width:]
        elif len(rec) < width:
            rec.extend([""] * (width - len(rec)))
    columns = _unique_columns(header, source)
    # Column by column, each distinct text cleaned once: an answer column repeats a few codes.
    cleaned_columns: dict[str, pd.Series] = {}
    for col, values in zip(columns, zip(*records, strict=True) if records else (), strict=False):
        codes, uniques = pd.factorize(np.array(values, dtype=object))
        cleaned = np.empty(len(uniques), dtype=object)
        for k, value in enumerate(uniques):
            value = value.strip()
            cleaned[k] = None if value.lower() in MISSING_TEXTS else value
        cleaned_columns[col] = pd.Series(cleaned[codes], dtype=object)
    if records:
        frame = pd.DataFrame(cleaned_columns)
    else:
        frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    return RawTable(
        frame=frame,
        rows=np.asarray(lines, dtype=int),
        row_label="line",
        format="csv",
        info={"delimiter": delimiter, "header_line": header_line},
    )


def _show(delim: str) -> str:
    return {"\t": "tab"}.get(delim, delim)


def _unique_columns(header: list[str], source: str) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(header, start=1):
        if not name:
            name = f"column_{i}"
        if name in seen:
            raise DataError(
                f"column '{name}' appears twice in the header (columns {seen[name]} and {i})",
                location=source,
                hint="give every column its own name, then read the file again",
            )
        seen[name] = i
        out.append(name)
    return out


def read_csv(path: Path) -> RawTable:
    """Read a delimited text file; delimiter and encoding are sniffed (see :func:`decode_bytes`)."""
    text, encoding = decode_bytes(path.read_bytes())
    table = parse_text(text, str(path))
    table.info["encoding"] = encoding
    return table


# --- spreadsheets and statistics packages -------------------------------------------------------


def read_xlsx(path: Path, sheet: str | int | None = None) -> RawTable:
    """Read one worksheet (the first unless ``sheet`` names another); row numbers as Excel shows."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise DataError(
            f"not readable as an Excel workbook ({type(exc).__name__}: {exc})",
            location=str(path),
            hint="open it in Excel or LibreOffice and save it again as .xlsx",
        ) from None
    try:
        if sheet is None:
            ws = wb.worksheets[0]
        elif isinstance(sheet, int):
            ws = wb.worksheets[sheet]
        else:
            if sheet not in wb.sheetnames:
                raise DataError(
                    f"no worksheet '{sheet}'",
                    location=str(path),
                    hint=f"use one of: {', '.join(wb.sheetnames)}",
                )
            ws = wb[sheet]
        header: list[str] | None = None
        records: list[list[Any]] = []
        rows: list[int] = []
        for r, values in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = [_xl_cell(v) for v in values]
            if all(c is None for c in cells):
                continue
            if header is None:
                header = [("" if c is None else str(c)).strip() for c in cells]
                while header and not header[-1]:
                    header.pop()
                continue
            cells = (cells + [None] * len(header))[: len(header)]
            records.append(cells)
            rows.append(r)
        sheet_name = ws.title
    finally:
        wb.close()
    if header is None:
        raise DataError("the worksheet is empty", location=str(path), hint="check the sheet")
    columns = _unique_columns(header, f"{path} (sheet {sheet_name})")
    frame = pd.DataFrame(records, columns=columns, dtype=object)
    return RawTable(
        frame=frame,
        rows=np.asarray(rows, dtype=int),
        row_label="row",
        format="xlsx",
        info={"sheet": sheet_name},
    )


def _xl_cell(v: Any) -> Any:
    if isinstance(v, str):
        v = v.strip()
        return None if v.lower() in MISSING_TEXTS else v
    return v


def _missing_codes(meta: Any) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for col, ranges in (getattr(meta, "missing_ranges", None) or {}).items():
        codes = []
        for r in ranges:
            lo, hi = r.get("lo"), r.get("hi")
            codes.append(lo if lo == hi else (lo, hi))
        out[col] = codes
    return out


def read_spss(path: Path) -> RawTable:
    """Read an SPSS ``.sav``/``.zsav`` file with pyreadstat; user-missing values are kept as codes
    (and listed in ``missing_values``) so that they can be counted before they become missing."""
    import pyreadstat

    try:
        df, meta = pyreadstat.read_sav(str(path), user_missing=True)
    except Exception as exc:
        raise DataError(
            f"not readable as an SPSS file ({exc})",
            location=str(path),
            hint="check that the file is complete; re-save it from SPSS or PSPP",
        ) from None
    return _stat_table(df, meta, "sav")


def read_stata(path: Path) -> RawTable:
    """Read a Stata ``.dta`` file with pyreadstat (value labels kept; Stata's .a-.z are missing)."""
    import pyreadstat

    try:
        df, meta = pyreadstat.read_dta(str(path))
    except Exception as exc:
        raise DataError(
            f"not readable as a Stata file ({exc})",
            location=str(path),
            hint="check that the file is complete; re-save it from Stata",
        ) from None
    return _stat_table(df, meta, "dta")


def _stat_table(df: pd.DataFrame, meta: Any, fmt: str) -> RawTable:
    labels = {
        k: {_plain(c): str(lab) for c, lab in v.items()}
        for k, v in (getattr(meta, "variable_value_labels", None) or {}).items()
    }
    col_labels = {
        k: v for k, v in (getattr(meta, "column_names_to_labels", None) or {}).items() if v
    }
    df = df.reset_index(drop=True)
    return RawTable(
        frame=df,
        rows=np.arange(1, len(df) + 1),
        row_label="record",
        format=fmt,
        value_labels=labels,
        missing_values=_missing_codes(meta),
        column_labels=col_labels,
        info={"file_encoding": getattr(meta, "file_encoding", None)},
    )


def _plain(code: Any) -> Any:
    """1.0 -> 1 so that value-label codes compare with integer scale codes."""
    if isinstance(code, float) and code.is_integer():
        return int(code)
    return code


def read_parquet(path: Path) -> RawTable:
    """Read a Parquet file (pyarrow)."""
    try:
        df = pd.read_parquet(path)
    except Exception as exc:
        raise DataError(
            f"not readable as a Parquet file ({exc})",
            location=str(path),
            hint="check that the file is complete",
        ) from None
    df = df.reset_index(drop=True)
    return RawTable(frame=df, rows=np.arange(1, len(df) + 1), row_label="record", format="parquet")


def from_frame(df: pd.DataFrame) -> RawTable:
    """Wrap an in-memory DataFrame (notebook use); rows are numbered 1..n."""
    df = df.reset_index(drop=True).copy()
    df.columns = [str(c) for c in df.columns]
    if len(set(df.columns)) != len(df.columns):
        dup = df.columns[df.columns.duplicated()][0]
        raise DataError(f"column '{dup}' appears twice", hint="give every column its own name")
    return RawTable(frame=df, rows=np.arange(1, len(df) + 1), row_label="record", format="frame")
