"""Is a correlation matrix worth factoring? Kaiser-Meyer-Olkin MSA, Bartlett's sphericity test,
and the determinant.

Both functions take item data (correlated pairwise, as psych) or a correlation matrix (Pearson or
polychoric) with ``n_obs``; the figures match psych's ``KMO`` and ``cortest.bartlett``.

References
----------
Kaiser, H. F. (1970). A second generation little jiffy. Psychometrika, 35, 401-415.
Kaiser, H. F., & Rice, J. (1974). Little jiffy, mark IV. Educational and Psychological Measurement,
34, 111-117.
Bartlett, M. S. (1950). Tests of significance in factor analysis. British Journal of Psychology
(Statistical Section), 3, 77-85.
Dziuban, C. D., & Shirkey, E. C. (1974). When is a correlation matrix appropriate for factor
analysis? Psychological Bulletin, 81, 358-361.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from moscale.analysis.extraction import correlation_input, jsonable
from moscale.errors import UserError

#: Kaiser's (1974) verbal labels for the MSA, from the lower bound of each band.
KMO_LABELS = (
    (0.90, "marvelous"),
    (0.80, "meritorious"),
    (0.70, "middling"),
    (0.60, "mediocre"),
    (0.50, "miserable"),
    (-np.inf, "unacceptable"),
)


def kmo_label(msa: float) -> str:
    """Kaiser's (1974) label for a measure of sampling adequacy (.90 marvelous ... < .50 unacceptable)."""
    for bound, label in KMO_LABELS:
        if msa >= bound:
            return label
    return "unacceptable"  # pragma: no cover - NaN only


@dataclass(frozen=True)
class KMOResult:
    """Kaiser-Meyer-Olkin measure of sampling adequacy.

    Attributes
    ----------
    msa : float
        Overall MSA ``sum r_ij^2 / (sum r_ij^2 + sum q_ij^2)`` over ``i != j``, with ``q_ij`` the
        partial (anti-image) correlations.
    msa_items : Series
        Per item: the same sums over row ``i`` only.
    label : str
        Kaiser's (1974) verbal label of the overall MSA.
    partial : DataFrame
        Partial correlations of each pair given all other items (``-Q_ij / sqrt(Q_ii Q_jj)`` with
        ``Q = R^-1``), diagonal 1.
    """

    msa: float
    msa_items: pd.Series
    label: str
    partial: pd.DataFrame
    singular: bool

    def to_dict(self) -> dict[str, Any]:
        return jsonable(
            {
                "msa": self.msa,
                "label": self.label,
                "msa_items": {k: float(v) for k, v in self.msa_items.items()},
                "singular": self.singular,
            }
        )


def kmo(items: Any, *, cor: str = "pearson", missing: str = "pairwise") -> KMOResult:
    """Kaiser-Meyer-Olkin measure of sampling adequacy (Kaiser 1970; Kaiser & Rice 1974).

    Parameters
    ----------
    items : DataFrame, ndarray or correlation matrix
        Item responses or a correlation matrix.
    cor : {"pearson", "polychoric"}
        Correlations to use for item data.
    missing : {"pairwise", "listwise"}
        Missing-data rule for item data (psych correlates pairwise).

    Returns
    -------
    KMOResult

    Notes
    -----
    ``MSA = sum_{i!=j} r_ij^2 / (sum_{i!=j} r_ij^2 + sum_{i!=j} q_ij^2)``, ``q_ij`` the partial
    correlation of items ``i`` and ``j`` given the others; ``MSA_i`` uses row ``i`` only. Values
    below .50 are unacceptable, .60 mediocre, .70 middling, .80 meritorious, .90 marvelous
    (Kaiser 1974). A singular matrix has no partial correlations; psych then uses ``R`` in place
    of its inverse, and so do we (``singular`` is set).
    """
    ci = correlation_input(items, cor=cor, missing=missing)
    R = ci.R
    names = list(ci.names)
    singular = False
    try:
        Q = np.linalg.inv(R)
        if not np.all(np.isfinite(Q)) or np.linalg.cond(R) > 1 / np.finfo(float).eps:
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        Q = R.copy()
        singular = True
    d = 1.0 / np.sqrt(np.diag(Q))
    partial = -Q * d[:, None] * d[None, :]
    np.fill_diagonal(partial, 1.0)
    q2 = partial * partial
    r2 = R * R
    np.fill_diagonal(q2, 0.0)
    np.fill_diagonal(r2, 0.0)
    msa = float(r2.sum() / (r2.sum() + q2.sum()))
    msai = r2.sum(axis=0) / (r2.sum(axis=0) + q2.sum(axis=0))
    return KMOResult(
        msa=msa,
        msa_items=pd.Series(msai, index=names, name="msa"),
        label=kmo_label(msa),
        partial=pd.DataFrame(partial, index=names, columns=names),
        singular=singular,
    )


@dataclass(frozen=True)
class BartlettResult:
    """Bartlett's (1950) test that the population correlation matrix is an identity matrix.

    Attributes
    ----------
    chisq, df, pvalue : float
        ``chisq = -(n - 1 - (2p + 5)/6) ln|R|`` on ``df = p(p - 1)/2``.
    determinant : float
        ``|R|``; close to 0 means strongly related items (below about 1e-5 suggests
        multicollinearity, Field 2013).
    n_obs : int
    """

    chisq: float
    df: float
    pvalue: float
    determinant: float
    n_obs: int

    def to_dict(self) -> dict[str, Any]:
        return jsonable(
            {
                "chisq": self.chisq,
                "df": self.df,
                "pvalue": self.pvalue,
                "determinant": self.determinant,
                "n_obs": self.n_obs,
            }
        )


def bartlett(
    items: Any,
    *,
    n_obs: int | None = None,
    cor: str = "pearson",
    missing: str = "pairwise",
) -> BartlettResult:
    """Bartlett's (1950) test of sphericity, as psych ``cortest.bartlett``.

    Parameters
    ----------
    items : DataFrame, ndarray or correlation matrix
        Item responses (``n_obs`` is then the number of rows, as psych) or a correlation matrix
        (``n_obs`` required).
    n_obs : int, optional
        Sample size behind a correlation matrix.

    Returns
    -------
    BartlettResult

    Notes
    -----
    ``chisq = -(n - 1 - (2p + 5)/6) ln|R|``, ``df = p(p - 1)/2``. With large samples the test
    rejects almost always; it only guards against factoring unrelated items.
    """
    ci = correlation_input(items, n_obs=n_obs, cor=cor, missing=missing)
    if ci.n_obs is None:
        raise UserError(
            "Bartlett's test of a correlation matrix needs the sample size.",
            hint="Pass n_obs=<number of respondents>.",
        )
    R = ci.R
    p = R.shape[0]
    n = int(ci.n_obs)
    sign, logdet = np.linalg.slogdet(R)
    det = float(sign * np.exp(logdet))
    df = p * (p - 1) / 2
    if sign <= 0:
        chisq = np.inf
        pval = 0.0
    else:
        chisq = float(-logdet * (n - 1 - (2 * p + 5) / 6))
        pval = float(stats.chi2.sf(chisq, df))
    return BartlettResult(chisq=chisq, df=df, pvalue=pval, determinant=det, n_obs=n)


__all__ = ["BartlettResult", "KMOResult", "bartlett", "kmo", "kmo_label"]
