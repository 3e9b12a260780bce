"""The report object: sections of text, APA tables and SVG figures, rendered to one HTML file and JSON.

:func:`moscale.analysis.pipeline` (the ``analyze`` step) fills a :class:`Report`; this module only holds
and renders it. The HTML is self-contained (inline CSS, inline SVG, a small inline script for "copy
table"); everything user-supplied is escaped by Jinja2's autoescape. Figures are SVG produced by
:mod:`moscale.analysis.plots`, which escapes the text it places, so they are inserted as markup.
"""

from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import Environment, FunctionLoader, select_autoescape
from markupsafe import Markup

from .tables import Table

#: Version of the JSON results layout (docs/results.md). Bump on any incompatible change.
SCHEMA_VERSION = "1.0"


@dataclass
class Figure:
    id: str
    title: str
    svg: str
    caption: str = ""


@dataclass
class Section:
    """One numbered part of the report."""

    id: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Report:
    """A psychometric report: what :func:`moscale.analyze` returns.

    Use :meth:`to_html` for the self-contained HTML file, :meth:`to_json` for the results, and
    :meth:`table` (or :attr:`tables`) for any table as a DataFrame.
    """

    title: str
    lang: str = "en"
    summary: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    results: dict[str, Any] = field(default_factory=dict)
    #: per-respondent data behind the report (not in the JSON): ``"scores"``
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)

    # --- access -------------------------------------------------------------------------------

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by id, at full precision."""
        return {t.id: t.frame for s in self.sections for t in s.tables}

    def table(self, table_id: str) -> pd.DataFrame:
        try:
            return self.tables[table_id]
        except KeyError:
            raise KeyError(
                f"no table '{table_id}'; the report has: {', '.join(self.tables)}"
            ) from None

    def section(self, section_id: str) -> Section:
        return next(s for s in self.sections if s.id == section_id)

    # --- output -------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return _clean(
            {
                "schema_version": SCHEMA_VERSION,
                "title": self.title,
                "lang": self.lang,
                "meta": self.meta,
                "summary": self.summary,
                "warnings": self.warnings,
                "results": self.results,
                "tables": {t.id: t.to_dict() for s in self.sections for t in s.tables},
            }
        )

    def to_json(self, indent: int = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)

    def to_html(self) -> str:
        env = _environment()
        template = env.get_template("report.html.j2")
        css = (resources.files("moscale.templates") / "report.css").read_text(encoding="utf-8")
        return template.render(
            report=self,
            css=Markup(css),
            strings=STRINGS.get(self.lang, STRINGS["en"]),
        )

    def _repr_html_(self) -> str:  # Jupyter
        return self.to_html()


def _environment() -> Environment:
    env = Environment(
        loader=FunctionLoader(_template_source),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["csv_data_uri"] = _csv_data_uri
    env.filters["svg"] = lambda s: Markup(s)  # produced by plots.py, which escapes its text
    return env


def _template_source(name: str) -> str | None:
    ref = resources.files("moscale.templates") / name
    return ref.read_text(encoding="utf-8") if ref.is_file() else None


def _csv_data_uri(table: Table) -> str:
    payload = base64.b64encode(("\ufeff" + table.to_csv()).encode("utf-8")).decode("ascii")
    return f"data:text/csv;charset=utf-8;base64,{payload}"


def _clean(obj: Any) -> Any:
    """JSON-safe: numpy scalars to Python, NaN/inf to None, DataFrames to records."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, pd.DataFrame):
        return _clean(obj.to_dict(orient="records"))
    if isinstance(obj, pd.Series):
        return _clean(obj.to_dict())
    if isinstance(obj, np.ndarray):
        return _clean(obj.tolist())
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if obj is pd.NA or obj is pd.NaT:
        return None
    return obj


#: Interface words of the report in each language (section titles come from the pipeline).
STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "summary": "Summary",
        "warnings": "Warnings",
        "contents": "Contents",
        "table": "Table",
        "figure": "Figure",
        "note": "Note.",
        "download_csv": "Download CSV",
        "copy_apa": "Copy (APA)",
        "copied": "Copied",
        "generated": "Generated by moscale",
    },
    "fi": {
        "summary": "Yhteenveto",
        "warnings": "Varoitukset",
        "contents": "Sisällys",
        "table": "Taulukko",
        "figure": "Kuvio",
        "note": "Huom.",
        "download_csv": "Lataa CSV",
        "copy_apa": "Kopioi (APA)",
        "copied": "Kopioitu",
        "generated": "Tuotettu moscalella",
    },
}
