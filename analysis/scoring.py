"""Dimension, scale and higher-order scores from keyed item answers.

Rules (stated here, in the result's ``notes`` and in ``docs/data-policy.md``):

* A **dimension score** is the mean of the respondent's answered, keyed items of the dimension,
  computed only when at least ``required(k)`` of its ``k`` items are answered; otherwise it is
  missing. ``min_valid`` is a share (float, default ``0.5``: at least half of the items, rounded
  up: ``required(k) = ceil(0.5 k)``) or a count (int, capped at ``k``).
* A **scale score** (a block of the questionnaire with several dimensions) is the mean of all its
  keyed items under the same rule.
* A **higher-order score** is the mean of its dimension scores, computed when at least
  ``required(m)`` of its ``m`` dimension scores exist.
* ``method="sum"`` gives the *prorated* sum ``k × mean`` (a respondent who skipped an item is not
  scored lower for it; Schafer & Graham, 2002, call this person-mean imputation); a higher-order
  sum is the sum of its dimension sums and needs every dimension.
* ``method="pomp"`` gives percent of maximum possible, ``100 (x - min) / (max - min)``, per item
  and then averaged (Cohen, Cohen, Aiken & West, 1999), so that scales with different numbers of
  points are comparable.

References
----------
Cohen, P., Cohen, J., Aiken, L. S., & West, S. G. (1999). The problem of units and the
circumstance for POMP. Multivariate Behavioral Research, 34, 315-346.
Schafer, J. L., & Graham, J. W. (2002). Missing data: our view of the state of the art.
Psychological Methods, 7, 147-177.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from moscale.errors import UserError

Method = Literal["mean", "sum", "pomp"]


@dataclass(frozen=True)
class Scores:
    """Result of :func:`score`.

    Attributes
    ----------
    scores : DataFrame
        One row per respondent (the dataset's index), one column per dimension, scale and
        higher-order construct.
    n_valid : DataFrame
        Items (or, for higher-order columns, dimension scores) each score rests on.
    required : dict
        ``{column: minimum number of items/dimensions needed}``.
    kind : dict
        ``{column: "dimension" | "scale" | "higher_order"}``.
    components : dict
        ``{column: [items or dimension keys]}``.
    method, min_valid : as passed.
    notes : list of str
        The rules in words.
    """

    scores: pd.DataFrame
    n_valid: pd.DataFrame
    required: dict[str, int]
    kind: dict[str, str]
    components: dict[str, list[str]]
    method: str
    min_valid: float | int
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "min_valid": self.min_valid,
            "columns": [
                {
                    "name": c,
                    "kind": self.kind[c],
                    "components": self.components[c],
                    "required": self.required[c],
                    "n_scored": int(self.scores[c].notna().sum()),
                    "n_missing": int(self.scores[c].isna().sum()),
                }
                for c in self.scores.columns
            ],
            "notes": list(self.notes),
        }


def required_count(k: int, min_valid: float | int) -> int:
    """How many of ``k`` components a score needs: ``ceil(min_valid * k)`` for a share (float),
    ``min(min_valid, k)`` for a count (int); at least 1."""
    if isinstance(min_valid, bool):
        raise UserError("min_valid must be a share (0.5) or a count (2)", hint="e.g. 0.5")
    if isinstance(min_valid, (int, np.integer)):
        if min_valid < 1:
            raise UserError(f"min_valid={min_valid} must be at least 1 item", hint="e.g. 2")
        return int(min(min_valid, k))
    if not 0 < float(min_valid) <= 1:
        raise UserError(
            f"min_valid={min_valid} must be a share above 0 and at most 1, or a whole count",
            hint="0.5 means at least half of the items, rounded up",
        )
    # the small epsilon keeps 0.5 * 4 = 2 from becoming 3 through floating-point error
    return max(1, math.ceil(float(min_valid) * k - 1e-9))


def _masked_mean(x: np.ndarray, need: int) -> tuple[np.ndarray, np.ndarray]:
    valid = ~np.isnan(x)
    n = valid.sum(axis=1)
    total = np.where(valid, x, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / n
    mean[n < need] = np.nan
    return mean, n


def score(
    data: Any,
    method: Method = "mean",
    min_valid: float | int = 0.5,
    *,
    dimensions: Mapping[str, list[str]] | None = None,
    higher_order: Mapping[str, list[str]] | None = None,
    scales: Mapping[str, list[str]] | None = None,
    scale_range: Mapping[str, tuple[float, float]] | tuple[float, float] | None = None,
) -> Scores:
    """Dimension, scale and higher-order scores (see the module docstring for the rules).

    Parameters
    ----------
    data : Dataset or DataFrame
        A :class:`~moscale.analysis.responses.Dataset` (its keyed items, dimensions, blocks,
        higher-order constructs and scale ranges are used), or a DataFrame of keyed item answers
        with ``dimensions`` given.
    method : {"mean", "sum", "pomp"}
        Mean of items (default), prorated sum, or percent of maximum possible (0-100).
    min_valid : float or int
        Share of items (default 0.5, rounded up) or number of items a score needs.
    dimensions, higher_order, scales : dict, optional
        ``{name: [items]}``, ``{name: [dimension names]}``, ``{name: [items]}``; override the
        dataset's.
    scale_range : (min, max) or {item: (min, max)}, optional
        Needed for ``"pomp"`` with a DataFrame.

    Returns
    -------
    Scores

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [1, 4, None], "b": [3, None, None]})
    >>> score(df, dimensions={"F": ["a", "b"]}).scores["F"].tolist()
    [2.0, 4.0, nan]
    """
    if method not in ("mean", "sum", "pomp"):
        raise UserError(f"unknown scoring method '{method}'", hint="use 'mean', 'sum' or 'pomp'")
    if isinstance(data, pd.DataFrame):
        items = data
        dims = dict(dimensions or {})
        if not dims:
            raise UserError(
                "which items form which dimension?",
                hint="pass dimensions={'F1': ['x1', 'x2', 'x3']} or a Dataset",
            )
        higher = dict(higher_order or {})
        blocks = dict(scales or {})
        ranges: Any = scale_range
    else:
        items = data.items
        dims = dict(dimensions or data.dimensions)
        higher = dict(data.higher_order if higher_order is None else higher_order)
        blocks = dict(data.blocks if scales is None else scales)
        ranges = scale_range or data.scale_range
    for name, its in list(dims.items()) + list(blocks.items()):
        missing = [i for i in its if i not in items.columns]
        if missing:
            raise UserError(
                f"'{name}' names item(s) not in the data: {', '.join(missing)}",
                hint=f"the items are: {', '.join(map(str, items.columns[:15]))}",
            )
    for name, ds in higher.items():
        missing = [d for d in ds if d not in dims]
        if missing:
            raise UserError(
                f"higher-order '{name}' names unknown dimension(s): {', '.join(missing)}",
                hint=f"the dimensions are: {', '.join(dims)}",
            )

    x = items.astype(float)
    if method == "pomp":
        x = x.copy()
        for col in {i for its in list(dims.values()) + list(blocks.values()) for i in its}:
            lo, hi = _range_of(col, ranges)
            x[col] = 100.0 * (x[col] - lo) / (hi - lo)

    out: dict[str, np.ndarray] = {}
    nval: dict[str, np.ndarray] = {}
    req: dict[str, int] = {}
    kind: dict[str, str] = {}
    comp: dict[str, list[str]] = {}

    def add(name: str, its: list[str], what: str) -> None:
        need = required_count(len(its), min_valid)
        mean, n = _masked_mean(x[its].to_numpy(), need)
        out[name] = mean * len(its) if method == "sum" else mean
        nval[name], req[name], kind[name], comp[name] = n, need, what, list(its)

    for name, its in dims.items():
        add(name, its, "dimension")
    for name, its in blocks.items():
        in_dims = [d for d, di in dims.items() if set(di) <= set(its)]
        if len(in_dims) > 1 and name not in out:  # a one-dimension scale is its dimension
            add(name, its, "scale")
    for name, ds in higher.items():
        m = np.column_stack([out[d] for d in ds])
        need = len(ds) if method == "sum" else required_count(len(ds), min_valid)
        mean, n = _masked_mean(m, need)
        out[name] = mean * len(ds) if method == "sum" else mean
        nval[name], req[name], kind[name], comp[name] = n, need, "higher_order", list(ds)

    scores = pd.DataFrame(out, index=items.index)
    n_valid = pd.DataFrame(nval, index=items.index)
    share = (
        f"at least {min_valid:.0%} of the items, rounded up"
        if not isinstance(min_valid, (int, np.integer))
        else f"at least {min_valid} item(s)"
    )
    notes = [
        {
            "mean": "Scores are means of the keyed items",
            "sum": "Scores are prorated sums (number of items × mean of the answered items)",
            "pomp": "Scores are POMP (percent of maximum possible, 0-100) averaged over items",
        }[method]
        + f"; a score needs {share} (otherwise it is missing).",
    ]
    if higher:
        notes.append(
            "Higher-order scores are the "
            + ("sum of the dimension sums (all needed)." if method == "sum" else "")
            + (
                f"mean of the dimension scores ({share.replace('items', 'dimensions')})."
                if method != "sum"
                else ""
            )
        )
    for name in scores.columns:
        n_missing = int(scores[name].isna().sum())
        if n_missing:
            notes.append(
                f"{name}: {n_missing} respondent(s) without a score (fewer than {req[name]} "
                f"{'dimension scores' if kind[name] == 'higher_order' else 'items'} answered)."
            )
    return Scores(
        scores=scores,
        n_valid=n_valid,
        required=req,
        kind=kind,
        components=comp,
        method=method,
        min_valid=min_valid,
        notes=notes,
    )


def _range_of(item: str, ranges: Any) -> tuple[float, float]:
    if ranges is None:
        raise UserError(
            "POMP scores need the response scale's minimum and maximum",
            hint="pass scale_range=(1, 7) or a Dataset read with an instrument",
        )
    if isinstance(ranges, Mapping):
        if item not in ranges:
            raise UserError(
                f"no scale range for item '{item}'", hint="pass scale_range={item: (min, max)}"
            )
        lo, hi = ranges[item]
    else:
        lo, hi = ranges
    if not hi > lo:
        raise UserError(f"scale range of '{item}' is {lo}..{hi}", hint="give (min, max), min < max")
    return float(lo), float(hi)
