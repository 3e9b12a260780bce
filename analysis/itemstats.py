"""Item descriptive statistics: n, mean, SD, skewness, kurtosis, missingness, floor and ceiling,
response distribution; and the reverse keying every later statistic relies on.

Formulas (as psych ``describe``, its default ``type = 3``, which is also Minitab's and SPSS's
``b1``/``b2`` family; Joanes & Gill, 1998)::

    skew     = m3 / s^3            m_r = sum (x - mean)^r / n,   s the SD with divisor n - 1
    kurtosis = m4 / s^4 - 3        (excess kurtosis)

Floor and ceiling percentages are the shares of an item's valid answers at the scale's lowest and
highest category (``scale_range``, declared or, when not given, the lowest and highest answer observed
over all items); percentage missing is the share of all rows with no answer.

Reverse keying is ``x' = min + max - x`` with ``(min, max)`` the scale range, declared or observed
over all the items (as psych's ``alpha``). It is only ever done to the items named in ``reverse`` and
the range used is recorded with the result; it is never guessed from the data.

References
----------
Joanes, D. N., & Gill, C. A. (1998). Comparing measures of sample skewness and kurtosis. Journal of the
Royal Statistical Society D, 47, 183-189.
Revelle, W. (2022). psych: Procedures for psychological, psychometric, and personality research
(R package 2.2.9).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from moscale.analysis.polychoric import _as_frame, json_safe
from moscale.errors import DataError, UserError

#: Response distributions are tabulated for items with at most this many categories.
MAX_DISTRIBUTION_CATEGORIES = 20


@dataclass(frozen=True)
class KeyedItems:
    """Items after reverse keying, and a record of what was done."""

    data: pd.DataFrame
    reverse_keyed: list[str]
    scale_range: tuple[float, float] | None
    range_source: str  # "given", "observed" or "none"


def resolve_scale_range(
    data: pd.DataFrame, scale_range: Sequence[float] | None
) -> tuple[tuple[float, float] | None, str]:
    """The scale's (min, max): as given (validated against the data), else observed over all items."""
    if scale_range is not None:
        if len(scale_range) != 2:
            raise UserError(
                f"scale_range must be (min, max), got {scale_range!r}",
                hint="give the lowest and highest response code, e.g. scale_range=(1, 7)",
            )
        lo, hi = float(scale_range[0]), float(scale_range[1])
        if not lo < hi:
            raise UserError(
                f"scale_range=({lo:g}, {hi:g}) is empty",
                hint="give the lowest code first, e.g. scale_range=(1, 7)",
            )
        outside = [
            f"{c} ({', '.join(f'{v:g}' for v in sorted(set(data[c][(data[c] < lo) | (data[c] > hi)])))})"
            for c in data.columns
            if ((data[c] < lo) | (data[c] > hi)).any()
        ]
        if outside:
            raise DataError(
                f"answers outside the scale range {lo:g}-{hi:g}: " + "; ".join(outside),
                hint="declare those codes missing, or correct scale_range",
            )
        return (lo, hi), "given"
    vals = data.to_numpy(dtype=float)
    if np.all(np.isnan(vals)):
        return None, "none"
    return (float(np.nanmin(vals)), float(np.nanmax(vals))), "observed"


def reverse_key(
    items: pd.DataFrame,
    reverse: Sequence[str] | None = None,
    scale_range: Sequence[float] | None = None,
) -> KeyedItems:
    """Reverse-key the named items: ``x' = min + max - x``.

    Parameters
    ----------
    items : DataFrame
    reverse : sequence of str, optional
        Items to reverse. Nothing is reversed unless named here.
    scale_range : (min, max), optional
        The scale's lowest and highest codes; when omitted, the lowest and highest answers observed
        over all items (psych's rule), and the result says so.

    Returns
    -------
    KeyedItems
        Reversing twice with the same range gives the items back.
    """
    data = _as_frame(items)
    rng, source = resolve_scale_range(data, scale_range)
    rev = [str(r) for r in (reverse or [])]
    unknown = [r for r in rev if r not in data.columns]
    if unknown:
        raise UserError(
            f"reverse= names item(s) not in the data: {', '.join(unknown)}",
            hint="use the item ids of the columns, e.g. reverse=['A1']",
        )
    if len(set(rev)) != len(rev):
        raise UserError("reverse= names an item twice", hint="list each reverse-keyed item once")
    if rev:
        if rng is None:
            raise DataError(
                "cannot reverse-key items that have no answers",
                hint="give scale_range=(min, max)",
            )
        data = data.copy()
        data[rev] = rng[0] + rng[1] - data[rev]
    return KeyedItems(data, rev, rng, source)


def _skew_kurt(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """psych type-3 skewness ``m3/s^3`` and excess kurtosis ``m4/s^4 - 3`` per column, NaN-aware."""
    n = np.sum(~np.isnan(x), axis=0).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nanmean(x, axis=0)
        d = x - mean
        d2 = d * d  # products, not d**3 and d**4: pow() is ~6x slower on large arrays
        sd = np.sqrt(np.nansum(d2, axis=0) / (n - 1))
        m3 = np.nansum(d2 * d, axis=0) / n
        m4 = np.nansum(d2 * d2, axis=0) / n
        return m3 / sd**3, m4 / sd**4 - 3.0


@dataclass(frozen=True)
class ItemStatistics:
    """Result of :func:`item_statistics`.

    Attributes
    ----------
    table : DataFrame
        One row per item: ``reversed``, ``n`` (valid answers), ``n_missing``, ``pct_missing``,
        ``mean``, ``sd``, ``median``, ``min``, ``max``, ``skew``, ``kurtosis`` (excess),
        ``floor_pct``, ``ceiling_pct``.
    distribution : DataFrame or None
        Share of each item's valid answers in each category (columns: the categories), and
        ``missing``, the share of all rows without an answer (as psych ``response.frequencies``);
        None when the items have too many distinct values to tabulate.
    counts : DataFrame or None
        The same as counts.
    scale_range : (float, float) or None
    range_source : {"given", "observed", "none"}
    reverse_keyed : list of str
    n_obs : int
        Rows in the data.
    notes : list of str
    """

    table: pd.DataFrame
    distribution: pd.DataFrame | None
    counts: pd.DataFrame | None
    scale_range: tuple[float, float] | None
    range_source: str
    reverse_keyed: list[str]
    n_obs: int
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return json_safe(
            {
                "n_obs": self.n_obs,
                "scale_range": list(self.scale_range) if self.scale_range else None,
                "scale_range_source": self.range_source,
                "reverse_keyed": list(self.reverse_keyed),
                "items": self.table.reset_index().to_dict(orient="records"),
                "distribution": None
                if self.distribution is None
                else {
                    "categories": [str(c) for c in self.distribution.columns],
                    "proportions": self.distribution.reset_index().to_dict(orient="records"),
                },
                "notes": list(self.notes),
            }
        )


def _categories(vals: np.ndarray, rng: tuple[float, float] | None) -> np.ndarray | None:
    obs = vals[~np.isnan(vals)]
    if obs.size == 0:
        return None
    if (
        np.all(obs == np.round(obs))
        and rng is not None
        and rng[0] == round(rng[0])
        and rng[1] == round(rng[1])
    ):
        if rng[1] - rng[0] + 1 <= MAX_DISTRIBUTION_CATEGORIES:
            return np.arange(rng[0], rng[1] + 1)
    uniq = np.unique(obs)
    return uniq if uniq.size <= MAX_DISTRIBUTION_CATEGORIES else None


def item_statistics(
    items: pd.DataFrame,
    *,
    scale_range: Sequence[float] | None = None,
    reverse: Sequence[str] | None = None,
) -> ItemStatistics:
    """Descriptive statistics of each item (module docstring for the formulas).

    Parameters
    ----------
    items : DataFrame
        One numeric column per item, NaN for missing.
    scale_range : (min, max), optional
        The scale's lowest and highest codes (floor, ceiling, reverse keying, the categories of the
        response distribution). Default: the lowest and highest answers observed over all items.
    reverse : sequence of str, optional
        Items to reverse-key before describing them (``min + max - x``).

    Returns
    -------
    ItemStatistics

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"q1": [1, 2, 2, 5, None], "q2": [3, 3, 4, 5, 5]})
    >>> st = item_statistics(d, scale_range=(1, 5))
    >>> st.table.loc["q1", ["n", "pct_missing", "floor_pct", "ceiling_pct"]].tolist()
    [4.0, 20.0, 25.0, 25.0]
    >>> st.distribution.loc["q2"].tolist()  # shares of categories 1..5, then missing
    [0.0, 0.0, 0.4, 0.2, 0.4, 0.0]
    """
    keyed = reverse_key(items, reverse, scale_range)
    data = keyed.data
    rng = keyed.scale_range
    x = data.to_numpy(dtype=float)
    n_obs = x.shape[0]
    valid = np.sum(~np.isnan(x), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(valid > 0, np.nansum(x, axis=0) / np.maximum(valid, 1), np.nan)
        sd = np.sqrt(np.nansum((x - mean) ** 2, axis=0) / (valid - 1))
    sd = np.where(valid > 1, sd, np.nan)
    skew, kurt = _skew_kurt(x)
    names = [str(c) for c in data.columns]
    rows = []
    notes: list[str] = []
    for k, name in enumerate(names):
        col = x[:, k]
        obs = col[~np.isnan(col)]
        if obs.size == 0:
            notes.append(f"{name} has no answers.")
        floor = ceil = np.nan
        if rng is not None and obs.size:
            floor = 100.0 * np.mean(obs == rng[0])
            ceil = 100.0 * np.mean(obs == rng[1])
        rows.append(
            {
                "item": name,
                "reversed": name in keyed.reverse_keyed,
                "n": int(valid[k]),
                "n_missing": int(n_obs - valid[k]),
                "pct_missing": 100.0 * (n_obs - valid[k]) / n_obs if n_obs else np.nan,
                "mean": float(mean[k]),
                "sd": float(sd[k]),
                "median": float(np.median(obs)) if obs.size else np.nan,
                "min": float(obs.min()) if obs.size else np.nan,
                "max": float(obs.max()) if obs.size else np.nan,
                "skew": float(skew[k]) if obs.size > 1 else np.nan,
                "kurtosis": float(kurt[k]) if obs.size > 1 else np.nan,
                "floor_pct": floor,
                "ceiling_pct": ceil,
            }
        )
    table = pd.DataFrame(rows).set_index("item")
    flat = table.index[(table["sd"] == 0)].tolist()
    if flat:
        notes.append("No variance in " + ", ".join(flat) + ": everyone gave the same answer.")
    cats = _categories(x.ravel(), rng)
    dist = counts = None
    if cats is not None:
        cnt = np.stack([[np.sum(x[:, k] == c) for c in cats] for k in range(len(names))]).astype(
            float
        )
        labels = [f"{c:g}" for c in cats]
        counts = pd.DataFrame(cnt.astype(int), index=names, columns=labels)
        with np.errstate(invalid="ignore", divide="ignore"):
            prop = cnt / valid[:, None]
        dist = pd.DataFrame(prop, index=names, columns=labels)
        dist["missing"] = 1.0 - valid / n_obs if n_obs else np.nan
        counts["missing"] = n_obs - valid
        dist.index.name = counts.index.name = "item"
    if keyed.range_source == "observed" and rng is not None:
        notes.append(
            f"Scale range {rng[0]:g}-{rng[1]:g} taken from the answers observed (not declared)."
        )
    return ItemStatistics(
        table=table,
        distribution=dist,
        counts=counts,
        scale_range=rng,
        range_source=keyed.range_source,
        reverse_keyed=keyed.reverse_keyed,
        n_obs=n_obs,
        notes=notes,
    )
