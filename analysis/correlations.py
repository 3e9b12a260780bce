"""Item correlation matrices: Pearson, Spearman and polychoric, with the n each rests on.

``correlation_matrix(data, method=...)`` is the one entry point the report, EFA and reliability use.

- Pearson: ``r = s_xy / (s_x s_y)``; with ``missing="pairwise"`` each pair's means and variances come
  from the rows where both are present (R ``cor(use = "pairwise.complete.obs")``).
- Spearman: the Pearson correlation of the ranks (mid-ranks for ties); pairwise, the two columns are
  ranked again within each pair's complete rows, as R does (Spearman, 1904).
- Polychoric: two-step maximum likelihood with polyserial and Pearson entries for columns not
  declared ordinal; see :mod:`moscale.analysis.polychoric`.

A matrix that is not positive definite (pairwise deletion or polychoric estimates can give one) is
smoothed with psych's ``cor.smooth`` only when needed, and the result says so.

References
----------
Pearson, K. (1896). Mathematical contributions to the theory of evolution. III. Regression, heredity,
and panmixia. Philosophical Transactions of the Royal Society A, 187, 253-318.
Spearman, C. (1904). The proof and measurement of association between two things. American Journal of
Psychology, 15, 72-101.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from moscale.analysis.polychoric import (
    PolychoricResult,
    _apply_missing,
    _as_frame,
    json_safe,
    pearson_pairwise,
    polychoric,
    smooth_correlation,
)
from moscale.errors import DataError, UserError

Method = Literal["pearson", "spearman", "polychoric"]


@dataclass(frozen=True)
class CorrelationResult:
    """Result of :func:`correlation_matrix`.

    Attributes
    ----------
    matrix : DataFrame
        The correlations, smoothed to positive definite only if they were not.
    unsmoothed : DataFrame
        The correlations as estimated.
    n : DataFrame
        Respondents each correlation rests on (the diagonal: each item's answers).
    method, missing : str
    smoothed : bool
    min_eigenvalue : float
        Smallest eigenvalue of :attr:`unsmoothed` (NaN when some correlations are missing).
    n_obs : int
        Rows in the data (after listwise deletion when it was asked for).
    polychoric : PolychoricResult or None
        Thresholds and pair tables when ``method="polychoric"``.
    notes : list of str
    """

    matrix: pd.DataFrame
    unsmoothed: pd.DataFrame
    n: pd.DataFrame
    method: str
    missing: str
    smoothed: bool
    min_eigenvalue: float
    n_obs: int
    polychoric: PolychoricResult | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        out = {
            "method": self.method,
            "missing": self.missing,
            "n_obs": self.n_obs,
            "items": list(self.matrix.columns),
            "matrix": self.matrix.to_numpy().tolist(),
            "n": self.n.to_numpy().tolist(),
            "smoothed": self.smoothed,
            "min_eigenvalue": self.min_eigenvalue,
            "notes": list(self.notes),
        }
        if self.polychoric is not None:
            out["thresholds"] = {k: v.tolist() for k, v in self.polychoric.thresholds.items()}
        return json_safe(out)


def _spearman_pairwise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Spearman correlations, ranking each pair's complete rows afresh (R's pairwise rule)."""
    p = x.shape[1]
    ok = ~np.isnan(x)
    r = np.eye(p)
    n = (ok.T.astype(int)) @ ok.astype(int)
    for i in range(p):
        for j in range(i + 1, p):
            both = ok[:, i] & ok[:, j]
            if both.sum() < 2:
                r[i, j] = r[j, i] = np.nan
                continue
            a = stats.rankdata(x[both, i])
            b = stats.rankdata(x[both, j])
            a = a - a.mean()
            b = b - b.mean()
            den = np.sqrt(np.dot(a, a) * np.dot(b, b))
            r[i, j] = r[j, i] = np.dot(a, b) / den if den > 0 else np.nan
    return r, n


def correlation_matrix(
    data: pd.DataFrame,
    method: Method = "pearson",
    *,
    missing: Literal["listwise", "pairwise"] = "listwise",
    smooth: bool = True,
    ordered: Sequence[str] | None = None,
    mimic: Literal["lavaan", "psych"] = "lavaan",
    correct: float | None = None,
) -> CorrelationResult:
    """Correlation matrix of item responses.

    Parameters
    ----------
    data : DataFrame
        One numeric column per item; NaN for missing.
    method : {"pearson", "spearman", "polychoric"}
        Pearson (product-moment), Spearman (rank) or polychoric (two-step ML; polyserial and Pearson
        for columns left out of ``ordered``).
    missing : {"listwise", "pairwise"}
        Listwise (default) drops every row with a missing answer, so all correlations rest on the
        same respondents and the matrix is positive semi-definite; pairwise uses each pair's complete
        rows. The n of every entry is in ``result.n``.
    smooth : bool
        Smooth to positive definite (psych ``cor.smooth``) when, and only when, needed.
    ordered, mimic, correct
        Passed to :func:`moscale.analysis.polychoric.polychoric` when ``method="polychoric"``.

    Returns
    -------
    CorrelationResult

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 1, 4, 3, 5], "c": [1, 1, 2, 2, 2]})
    >>> round(float(correlation_matrix(d, "spearman").matrix.loc["a", "b"]), 3)
    0.8
    >>> int(correlation_matrix(d).n.loc["a", "b"])  # respondents behind the correlation
    5
    """
    if method not in ("pearson", "spearman", "polychoric"):
        raise UserError(
            f"method={method!r} is not a correlation method",
            hint="use method='pearson', 'spearman' or 'polychoric'",
        )
    if method == "polychoric":
        res = polychoric(
            data, ordered=ordered, mimic=mimic, correct=correct, missing=missing, smooth=smooth
        )
        return CorrelationResult(
            matrix=res.matrix,
            unsmoothed=res.unsmoothed,
            n=res.n,
            method=method,
            missing=missing,
            smoothed=res.smoothed,
            min_eigenvalue=res.min_eigenvalue,
            n_obs=res.n_obs,
            polychoric=res,
            notes=list(res.notes),
        )
    frame = _apply_missing(_as_frame(data, "data"), missing)
    names = [str(c) for c in frame.columns]
    if len(names) < 2:
        raise DataError(
            "a correlation matrix needs at least two columns", hint="pass two or more items"
        )
    x = frame.to_numpy()
    if x.shape[0] < 2:
        raise DataError(
            f"only {x.shape[0]} complete row(s); a correlation needs at least two",
            hint="use missing='pairwise' or check the missing-value codes",
        )
    if method == "pearson":
        r, n = pearson_pairwise(x)
    elif missing == "listwise":
        ranks = np.apply_along_axis(stats.rankdata, 0, x)
        r, n = pearson_pairwise(ranks)
    else:
        r, n = _spearman_pairwise(x)
    notes: list[str] = []
    sd = np.nanstd(x, axis=0)
    flat = [names[i] for i in range(len(names)) if not sd[i] > 0]
    if flat:
        notes.append(
            "No variance in " + ", ".join(flat) + "; its correlations are undefined (NaN)."
        )
    raw = r.copy()
    smoothed, min_eig = False, float("nan")
    if np.all(np.isfinite(raw)):
        if smooth:
            r, smoothed, min_eig = smooth_correlation(raw)
        else:
            min_eig = float(np.linalg.eigvalsh(raw).min())
        if smoothed:
            notes.append(
                f"The matrix was not positive definite (smallest eigenvalue {min_eig:.3g}); it was "
                "smoothed (psych cor.smooth)."
            )
    elif not flat:
        notes.append("Some pairs have fewer than two complete rows; their correlations are NaN.")
    return CorrelationResult(
        matrix=pd.DataFrame(r, index=names, columns=names),
        unsmoothed=pd.DataFrame(raw, index=names, columns=names),
        n=pd.DataFrame(n, index=names, columns=names),
        method=method,
        missing=missing,
        smoothed=smoothed,
        min_eigenvalue=min_eig,
        n_obs=int(x.shape[0]),
        polychoric=None,
        notes=notes,
    )
