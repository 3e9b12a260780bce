"""APA 7 tables: numbers formatted as journals print them, with a note under the table.

A :class:`Table` keeps the full-precision DataFrame (for CSV download and JSON) and says how each
column is printed: decimals, and whether the statistic is bounded by 1 so that its leading zero is
dropped (APA 7, section 6.36: ".85", not "0.85", for correlations, proportions, alpha, p).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

#: Column kinds and how they print.
#: ``bounded``: cannot exceed 1 in absolute value -> no leading zero (r, alpha, CR, AVE, CFI, loadings)
#: ``p``: p-values -> no leading zero, "< .001" below .001
#: ``stat``: unbounded statistics (chi², t, F, means) -> leading zero kept
#: ``int``: counts
#: ``text``: as is
KINDS = ("bounded", "p", "stat", "int", "text", "percent")


def format_value(value: object, kind: str = "stat", decimals: int = 2) -> str:
    """Format one cell the APA 7 way.

    >>> format_value(0.8512, "bounded")
    '.85'
    >>> format_value(-0.0512, "bounded", 3)
    '−.051'
    >>> format_value(0.0004, "p")
    '< .001'
    >>> format_value(12.3456, "stat")
    '12.35'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if kind == "text":
        return str(value)
    if kind == "int":
        return f"{int(value):,}".replace(",", "\u2009")  # thin space as thousands separator
    v = float(value)
    if kind == "percent":
        return f"{100 * v:.{decimals}f}%"
    if kind == "p":
        if v < 0.001:
            return "< .001"
        text = f"{v:.3f}"
        return text[1:] if text.startswith("0") else text
    text = f"{abs(v):.{decimals}f}"
    if kind == "bounded" and text.startswith("0"):
        text = text[1:]
    sign = "\u2212" if v < 0 and float(text.replace("\u2212", "") or 0) != 0 else ""
    return sign + text


@dataclass
class Table:
    """A report table.

    Attributes
    ----------
    id : str
        Stable identifier (used for the CSV file name and the JSON key).
    title : str
        APA table title (italic title line under the bold "Table N").
    frame : DataFrame
        The numbers at full precision.
    kinds : dict
        ``{column: kind}`` (see :data:`KINDS`); columns not listed print as ``stat``.
    decimals : dict
        ``{column: decimals}``; default 2 (3 for p).
    note : str
        The note printed under the table (abbreviations, thresholds, what was done).
    """

    id: str
    title: str
    frame: pd.DataFrame
    kinds: dict[str, str] = field(default_factory=dict)
    decimals: dict[str, int] = field(default_factory=dict)
    note: str = ""
    index: bool = False

    def kind_of(self, column: object) -> str:
        """How ``column`` prints (see :data:`KINDS`): given, or text/stat from the dtype."""
        kind = self.kinds.get(column)
        if kind is None:
            numeric = pd.api.types.is_numeric_dtype(self.frame[column])
            kind = "stat" if numeric else "text"
        return kind

    def formatted(self) -> pd.DataFrame:
        """The table as printed: every cell a string."""
        out = {}
        for col in self.frame.columns:
            kind = self.kind_of(col)
            dec = self.decimals.get(col, 3 if kind == "p" else 2)
            out[col] = [format_value(v, kind, dec) for v in self.frame[col]]
        frame = pd.DataFrame(out, index=self.frame.index)
        return frame

    def to_csv(self) -> str:
        return self.frame.to_csv(index=self.index)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "note": self.note,
            "columns": [str(c) for c in self.frame.columns],
            "rows": self.frame.reset_index().to_dict(orient="records")
            if self.index
            else self.frame.to_dict(orient="records"),
        }
