"""Several respondents per firm: within-firm agreement, reliability of firm means, firm-level scores.

* :func:`rwg_j` -- within-group agreement on a J-item scale against a uniform ("no agreement")
  null (James, Demaree & Wolf, 1984), as R's ``multilevel::rwg.j`` computes it.
* :func:`icc` -- ICC(1) and ICC(2) from a one-way ANOVA of the respondents' scores on firm (Bliese,
  2000), as ``multilevel::ICC1``/``ICC2`` and ``psych::statsBy`` compute them.
* :func:`aggregate` -- firm means of dimension scores, kept only where the firm's members agree
  (rwg(j) ≥ .70 by default) and the firm has enough respondents; what was kept and dropped is
  reported.

Formulas
--------
rwg(j): with ``s̄²`` the mean of the J within-firm item variances (n − 1 denominator) and the
uniform-null variance ``σ²_EU = (A² − 1) / 12`` for A response options,

    rwg(j) = J (1 − s̄²/σ²_EU) / [ J (1 − s̄²/σ²_EU) + s̄²/σ²_EU ].

When ``s̄² > σ²_EU`` (more disagreement than random answering) the index is set to 0, as
``multilevel::rwg.j`` does and LeBreton & Senter (2008) recommend; a firm with one respondent has
no rwg(j). By default respondents with a missing answer on the scale are left out of that firm's
computation (listwise, as ``rwg.j``).

ICC: with MSB and MSW the between- and within-firm mean squares of a one-way ANOVA and
``k = N / G`` the mean firm size,

    ICC(1) = (MSB − MSW) / (MSB + (k − 1) MSW),     ICC(2) = (MSB − MSW) / MSB.

References
----------
Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability: implications for
data aggregation and analysis. In K. J. Klein & S. W. J. Kozlowski (Eds.), Multilevel theory,
research, and methods in organizations (pp. 349-381). Jossey-Bass.
James, L. R., Demaree, R. G., & Wolf, G. (1984). Estimating within-group interrater reliability
with and without response bias. Journal of Applied Psychology, 69, 85-98.
LeBreton, J. M., & Senter, J. L. (2008). Answers to 20 questions about interrater reliability and
interrater agreement. Organizational Research Methods, 11, 815-852.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from moscale.errors import DataError, UserError


def uniform_null_variance(points: int) -> float:
    """σ²_EU = (A² − 1) / 12, the variance of answers spread evenly over A options."""
    if points < 2:
        raise UserError(f"a response scale has at least 2 points, not {points}")
    return (points**2 - 1) / 12.0


def _cluster_series(cluster: Any, index: pd.Index, what: str) -> pd.Series:
    c = pd.Series(cluster, index=index) if not isinstance(cluster, pd.Series) else cluster
    if len(c) != len(index):
        raise UserError(
            f"the cluster variable has {len(c)} values for {len(index)} respondents ({what})",
            hint="pass one firm id per respondent",
        )
    return pd.Series(c.to_numpy(), index=index)


def rwg_j(
    items: pd.DataFrame | np.ndarray,
    cluster: Any,
    points: int | None = None,
    *,
    null_variance: float | None = None,
    missing: str = "listwise",
) -> pd.DataFrame:
    """Within-group agreement rwg(j) per cluster (James, Demaree & Wolf, 1984).

    Parameters
    ----------
    items : DataFrame or array, respondents × J items of one scale (J = 1 gives rwg).
    cluster : array-like
        Firm (group) id of each respondent; respondents without one are left out.
    points : int
        Number of response options A; ``σ²_EU = (A² − 1)/12``.
    null_variance : float, optional
        Another null variance instead (e.g. a skewed null, LeBreton & Senter, 2008).
    missing : {"listwise", "available"}
        Leave out respondents with any missing answer (default, as ``multilevel::rwg.j``), or
        compute each item's variance over the firm members who answered it.

    Returns
    -------
    DataFrame indexed by cluster: ``n`` (respondents used), ``mean_var`` (s̄²), ``rwg_j``
    (0 where s̄² > σ²_EU; NaN with fewer than 2 respondents), ``truncated``.
    """
    x = pd.DataFrame(items).astype(float)
    if x.shape[1] == 0:
        raise UserError("rwg(j) needs at least one item")
    if null_variance is None:
        if points is None:
            raise UserError(
                "rwg(j) needs the number of response options",
                hint="pass points=7 for a seven-point scale",
            )
        null_variance = uniform_null_variance(int(points))
    if missing not in ("listwise", "available"):
        raise UserError(f"missing='{missing}'", hint="use 'listwise' or 'available'")
    c = _cluster_series(cluster, x.index, "rwg_j")
    ok = c.notna()
    if missing == "listwise":
        ok &= x.notna().all(axis=1)
    x, c = x[ok.to_numpy()], c[ok.to_numpy()]
    g = x.groupby(c.to_numpy(), sort=True)
    n = g.size()
    var = g.var(ddof=1)  # per item, over the members who answered it
    s2 = var.mean(axis=1, skipna=True)
    s2[n < 2] = np.nan
    j = x.shape[1]
    ratio = np.minimum(s2 / null_variance, 1.0)
    rwg = j * (1 - ratio) / (j * (1 - ratio) + ratio)
    out = pd.DataFrame({"n": n, "mean_var": s2, "rwg_j": rwg, "truncated": s2 > null_variance})
    out.index.name = "cluster"
    return out


@dataclass(frozen=True)
class ICCResult:
    """One row per variable: n, groups, mean group size k, MSB, MSW, F, df, p, ICC(1), ICC(2)."""

    table: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def icc(values: pd.DataFrame | pd.Series | np.ndarray, cluster: Any) -> pd.DataFrame:
    """ICC(1) and ICC(2) of each column from a one-way ANOVA on the cluster (Bliese, 2000).

    ``MSB = Σ_g n_g (ȳ_g − ȳ)² / (G − 1)``, ``MSW = Σ_g Σ_i (y_gi − ȳ_g)² / (N − G)``,
    ``k = N / G``; ``ICC(1) = (MSB − MSW) / (MSB + (k − 1) MSW)``, ``ICC(2) = (MSB − MSW) / MSB``;
    ``F = MSB / MSW`` on (G − 1, N − G) df. Respondents without a value or a cluster are left out
    for that column. Matches ``multilevel::ICC1``/``ICC2`` on ``aov(y ~ factor(firm))`` and
    ``psych::statsBy``; for equal group sizes ICC(1) and ICC(2) equal psych::ICC's ICC1 and ICC1k.

    Returns
    -------
    DataFrame indexed by variable: ``n, groups, k, ms_between, ms_within, F, df1, df2, p, icc1,
    icc2``.
    """
    if isinstance(values, pd.Series):
        frame = values.to_frame(values.name if values.name is not None else "value")
    else:
        frame = pd.DataFrame(values)
    c = _cluster_series(cluster, frame.index, "icc")
    rows = {}
    for col in frame.columns:
        y = pd.to_numeric(frame[col], errors="coerce").astype(float)
        ok = (y.notna() & c.notna()).to_numpy()
        y, g = y[ok].to_numpy(), c[ok].to_numpy()
        codes, uniq = pd.factorize(g, sort=True)
        n_groups, n = len(uniq), len(y)
        if n_groups < 2 or n - n_groups < 1:
            raise DataError(
                f"ICC of '{col}' needs at least two clusters and one with several respondents "
                f"({n} respondents in {n_groups} cluster(s))",
                hint="check the cluster (firm id) column",
            )
        size = np.bincount(codes)
        means = np.bincount(codes, weights=y) / size
        grand = y.mean()
        ssb = float((size * (means - grand) ** 2).sum())
        ssw = float(((y - means[codes]) ** 2).sum())
        df1, df2 = n_groups - 1, n - n_groups
        msb, msw = ssb / df1, ssw / df2
        k = n / n_groups
        f = msb / msw if msw > 0 else np.inf
        rows[col] = {
            "n": n,
            "groups": n_groups,
            "k": k,
            "ms_between": msb,
            "ms_within": msw,
            "F": f,
            "df1": df1,
            "df2": df2,
            "p": float(stats.f.sf(f, df1, df2)) if np.isfinite(f) else 0.0,
            "icc1": (msb - msw) / (msb + (k - 1) * msw),
            "icc2": (msb - msw) / msb if msb > 0 else np.nan,
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "variable"
    return out


@dataclass(frozen=True)
class Aggregation:
    """Result of :func:`aggregate`.

    Attributes
    ----------
    firm_scores : DataFrame
        One row per cluster: ``n`` and the mean of each score over the firm's respondents; a
        score is NaN where the rule was not met.
    agreement : DataFrame
        rwg(j) of each dimension per cluster (columns = dimensions).
    included : DataFrame
        Booleans: the firm's score on that dimension was kept.
    icc : DataFrame
        ICC(1)/ICC(2) of each respondent-level score (:func:`icc`).
    summary : DataFrame
        Per dimension: firms, firms kept, dropped for size, dropped for agreement, median and
        mean rwg(j), share of firms with rwg(j) ≥ the cut-off.
    rule : dict
        ``rwg_min``, ``min_size``, ``points`` per dimension.
    notes : list of str
    """

    firm_scores: pd.DataFrame
    agreement: pd.DataFrame
    included: pd.DataFrame
    icc: pd.DataFrame
    summary: pd.DataFrame
    rule: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "summary": self.summary.reset_index().to_dict(orient="records"),
            "icc": self.icc.reset_index().to_dict(orient="records"),
            "notes": list(self.notes),
        }


def aggregate(
    data: Any,
    cluster: Any = None,
    *,
    rwg_min: float | None = 0.70,
    min_size: int = 2,
    method: str = "mean",
    min_valid: float | int = 0.5,
    dimensions: Mapping[str, Sequence[str]] | None = None,
    points: int | Mapping[str, int] | None = None,
) -> Aggregation:
    """Firm-level scores: the mean of the respondents' dimension scores per firm, kept where the
    firm has at least ``min_size`` respondents and its rwg(j) on that dimension is at least
    ``rwg_min`` (``None`` keeps every firm with enough respondents, reporting agreement only).

    Parameters
    ----------
    data : Dataset
        Keyed items, dimensions and the cluster column (``Dataset.cluster``) are used; scores
        come from :func:`moscale.analysis.scoring.score` with ``method`` and ``min_valid``.
    cluster : str or array-like, optional
        A background column name or one firm id per respondent (default ``data.cluster``).
    points : int or {dimension: int}, optional
        Response options for σ²_EU; by default from the dataset's scale ranges.

    Returns
    -------
    Aggregation
    """
    from .scoring import score

    dims = {k: list(v) for k, v in (dimensions or data.dimensions).items()}
    if cluster is None:
        cluster = data.cluster
        if cluster is None:
            raise UserError(
                "no cluster (firm id) variable",
                hint="give the study a background question with role: cluster, or pass "
                "cluster='firm_id'",
            )
    if isinstance(cluster, str):
        if cluster not in data.background:
            raise UserError(
                f"no column '{cluster}' for the cluster",
                hint=f"use one of: {', '.join(data.background.columns)}",
            )
        firm = data.background[cluster]
        cname = cluster
    else:
        firm = pd.Series(np.asarray(cluster), index=data.items.index)
        cname = "cluster"
    if min_size < 2:
        raise UserError("min_size must be at least 2", hint="agreement needs two respondents")
    sc = score(
        data, method=method, min_valid=min_valid, dimensions=dims, higher_order={}, scales={}
    )
    scores = sc.scores
    ok = firm.notna().to_numpy()
    firm_ok = firm[ok]
    groups = scores[ok].groupby(firm_ok.to_numpy(), sort=True)
    means = groups.mean()
    sizes = groups.size()
    agreement = {}
    used_points = {}
    for d, its in dims.items():
        if isinstance(points, Mapping):
            a = points[d]
        elif points is not None:
            a = int(points)
        else:
            lo, hi = data.scale_range[its[0]]
            a = int(round(hi - lo + 1))
        used_points[d] = a
        agreement[d] = rwg_j(data.items[its], firm, points=a)["rwg_j"]
    agree = pd.DataFrame(agreement).reindex(means.index)
    big = (sizes >= min_size).to_numpy()[:, None]
    if rwg_min is None:
        keep = pd.DataFrame(
            np.repeat(big, len(dims), axis=1), index=means.index, columns=list(dims)
        )
    else:
        keep = pd.DataFrame(
            big & (agree.to_numpy() >= rwg_min), index=means.index, columns=list(dims)
        )
    firm_scores = means.where(keep)
    firm_scores.insert(0, "n", sizes)
    firm_scores.index.name = cname
    agree.index.name = keep.index.name = cname
    summ = {}
    for d in dims:
        r = agree[d]
        small = ~big[:, 0]
        summ[d] = {
            "firms": len(r),
            "kept": int(keep[d].sum()),
            "dropped_size": int(small.sum()),
            "dropped_agreement": int(((~small) & ~keep[d].to_numpy()).sum()),
            "rwg_median": float(r.median()) if r.notna().any() else np.nan,
            "rwg_mean": float(r.mean()) if r.notna().any() else np.nan,
            "share_agree": float((r >= (rwg_min or 0.70)).sum() / r.notna().sum())
            if r.notna().any()
            else np.nan,
        }
    summary = pd.DataFrame.from_dict(summ, orient="index")
    summary.index.name = "dimension"
    icc_table = icc(scores, firm)
    notes = [
        f"Firm scores are means of respondents' {method} scores; a firm needs at least "
        f"{min_size} respondents"
        + (
            f" and rwg(j) ≥ {rwg_min:.2f} on the dimension (uniform null, "
            "James, Demaree & Wolf, 1984; values above the null variance set to 0)."
            if rwg_min is not None
            else "; agreement is reported but not required."
        ),
    ]
    for d, row in summ.items():
        notes.append(
            f"{d}: {row['kept']} of {row['firms']} firms kept ({row['dropped_size']} too small, "
            f"{row['dropped_agreement']} below the agreement cut-off); median rwg(j) = "
            f"{row['rwg_median']:.2f}."
        )
    return Aggregation(
        firm_scores=firm_scores,
        agreement=agree,
        included=keep,
        icc=icc_table,
        summary=summary,
        rule={"rwg_min": rwg_min, "min_size": min_size, "points": used_points},
        notes=notes,
    )
