"""Convergent and discriminant validity: composite reliability, AVE, Fornell–Larcker, HTMT and HTMT2.

Every figure follows the definition semTools 0.5.6 uses (``compRelSEM``, ``AVE``, ``htmt``), so that a
reviewer who reruns the analysis in R gets the same numbers; the tests compare them to 1e-6 on lavaan's
own estimates and to 1e-3 end to end through moscale's CFA engine.

The reliability and variance figures are pure functions of the measurement-model matrices (loadings
Λ, factor covariance Φ and the total covariance Σ of the items), so they can be computed from any
CFA — ours, lavaan's or a published one — and the CFA-result convenience simply pulls those matrices
out of a :class:`~moscale.analysis.cfa.api.CFAResult`.

References
----------
Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with unobservable
variables and measurement error. Journal of Marketing Research, 18, 39-50.
Raykov, T. (1997). Estimation of composite reliability for congeneric measures. Applied Psychological
Measurement, 21, 173-184.
Bentler, P. M. (2009). Alpha, dimension-free, and model-based internal consistency reliability.
Psychometrika, 74, 137-143.
Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing discriminant
validity in variance-based structural equation modeling. JAMS, 43, 115-135.
Roemer, E., Schuberth, F., & Henseler, J. (2021). HTMT2 — an improved criterion for assessing
discriminant validity in structural equation modeling. Industrial Management & Data Systems, 121,
2637-2650.
Kline, R. B. (2011). Principles and practice of structural equation modeling (3rd ed.). Guilford.
Gold, A. H., Malhotra, A., & Segars, A. H. (2001). Knowledge management: an organizational
capabilities perspective. Journal of Management Information Systems, 18, 185-214.
Jorgensen, T. D., Pornprasertmanit, S., Schoemann, A. M., & Rosseel, Y. (2022). semTools: Useful
tools for structural equation modeling (R package 0.5-6).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from moscale.analysis.cfa.syntax import parse_model
from moscale.errors import DataError, ModelError, UserError

#: HTMT cut-offs: .85 (Kline 2011; conservative) and .90 (Gold et al. 2001; conceptually close
#: constructs), as reviewed by Henseler et al. (2015).
HTMT_THRESHOLDS: tuple[float, ...] = (0.85, 0.90)

ProgressCallback = Callable[[int, int], None]

# --------------------------------------------------------------------------------------------------
# Model structure: which items measure which factor
# --------------------------------------------------------------------------------------------------


def _map_from_statements(parsed: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for st in parsed.statements:
        if st.op == "=~":
            out.setdefault(str(st.lhs), [])
            if st.rhs not in out[st.lhs]:
                out[str(st.lhs)].append(str(st.rhs))
    return out


def indicator_map(model: Any) -> dict[str, list[str]]:
    """Factor -> indicators of a measurement model.

    Parameters
    ----------
    model : str, mapping or CFA result
        lavaan syntax (only the ``=~`` lines matter), a ``{factor: [items]}`` mapping, or a fitted
        CFA result (its loading pattern).

    Returns
    -------
    dict
        Factors in the order they are defined, each with its indicators in order.
    """
    if isinstance(model, Mapping):
        out = {str(f): [str(i) for i in items] for f, items in model.items()}
    elif isinstance(model, str):
        out = _map_from_statements(parse_model(model))
    else:
        lam = _cfa_parts(model)["loadings"]
        out = {f: [str(i) for i in lam.index[lam[f].to_numpy() != 0]] for f in lam.columns}
    if not out:
        raise ModelError(
            "the model defines no factors",
            hint="give at least one line such as 'F =~ item1 + item2 + item3'",
        )
    return out


# --------------------------------------------------------------------------------------------------
# Matrices out of a CFA result
# --------------------------------------------------------------------------------------------------


def _as_frame(x: Any, rows: Sequence[str] | None, cols: Sequence[str] | None, what: str):
    if isinstance(x, pd.DataFrame):
        return x.astype(float)
    arr = np.asarray(x, dtype=float)
    if arr.ndim != 2:
        raise UserError(f"{what} must be a two-dimensional matrix", hint="pass a DataFrame")
    # names only when they fit; a size mismatch is reported by the caller with both shapes
    r = list(rows) if rows is not None and len(rows) == arr.shape[0] else None
    c = list(cols) if cols is not None and len(cols) == arr.shape[1] else None
    r = r if r is not None else [f"v{i + 1}" for i in range(arr.shape[0])]
    c = c if c is not None else [f"v{i + 1}" for i in range(arr.shape[1])]
    return pd.DataFrame(arr, index=r, columns=c)


def _call_or_get(obj: Any, name: str, *args: Any, **kwargs: Any) -> Any:
    val = getattr(obj, name)
    return val(*args, **kwargs) if callable(val) else val


def _cfa_parts(result: Any) -> dict[str, pd.DataFrame]:
    """Unstandardised Λ, Φ, observed (ML, divisor N) and implied Σ, and factor correlations.

    Reads the matrices a :class:`CFAResult` exposes; anything with ``loadings()``,
    ``factor_covariance()``, ``sample_cov()`` and ``implied_cov()`` methods (or attributes) works.
    """
    try:
        lam = _call_or_get(result, "loadings", standardized=False)
    except AttributeError as exc:
        raise UserError(
            "this object is not a CFA result",
            hint="pass the result of moscale.cfa(model, data), or the matrices themselves",
        ) from exc
    if isinstance(lam, Mapping):  # multi-group results keep one matrix per group
        raise ModelError(
            "validity figures are computed for one group at a time",
            hint="fit the CFA in each group separately (without group=) and compute them per group",
        )
    lam = _as_frame(lam, None, None, "loadings")
    out = {"loadings": lam}
    for key, names in (
        ("factor_cov", ("factor_covariances", "factor_covariance", "cov_lv")),
        ("sample_cov", ("sample_cov", "sample_covariance", "observed_cov")),
        ("implied_cov", ("implied_cov", "implied_covariance", "fitted_cov")),
        ("factor_cor", ("factor_correlations", "cor_lv")),
    ):
        for name in names:
            if hasattr(result, name):
                val = _call_or_get(result, name)
                if isinstance(val, Mapping):  # multi-group results keep one matrix per group
                    raise ModelError(
                        "validity figures are computed for one group at a time",
                        hint="fit the CFA in each group separately (or without group=) first",
                    )
                out[key] = _as_frame(val, None, None, key)
                break
    if "factor_cor" not in out and "factor_cov" in out:
        out["factor_cor"] = _cov2cor(out["factor_cov"])
    return out


def _cov2cor(cov: pd.DataFrame) -> pd.DataFrame:
    sd = np.sqrt(np.diag(cov.to_numpy()))
    return pd.DataFrame(cov.to_numpy() / np.outer(sd, sd), index=cov.index, columns=cov.columns)


def _matrices(
    result: Any,
    loadings: Any,
    factor_cov: Any,
    total_cov: Any,
    obs_var: bool,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    if result is not None:
        parts = _cfa_parts(result)
        key = "sample_cov" if obs_var else "implied_cov"
        missing = [k for k in ("factor_cov", key) if k not in parts]
        if missing:
            raise UserError(
                f"the CFA result does not expose {', '.join(missing)}",
                hint="pass loadings=, factor_cov= and total_cov= explicitly",
            )
        return parts["loadings"], parts["factor_cov"], parts[key]
    if loadings is None or factor_cov is None or total_cov is None:
        raise UserError(
            "composite reliability and AVE need a CFA result or the three matrices",
            hint="call with a CFA result, or with loadings=, factor_cov= and total_cov=",
        )
    lam = _as_frame(loadings, None, None, "loadings")
    phi = _as_frame(factor_cov, lam.columns, lam.columns, "factor_cov")
    sig = _as_frame(total_cov, lam.index, lam.index, "total_cov")
    if phi.shape != (lam.shape[1], lam.shape[1]) or sig.shape != (lam.shape[0], lam.shape[0]):
        raise UserError(
            f"matrix sizes do not fit: loadings {lam.shape}, factor_cov {phi.shape}, "
            f"total_cov {sig.shape}",
            hint="factor_cov is factors x factors and total_cov is items x items",
        )
    absent = [i for i in lam.index if i not in sig.index]
    if absent:
        raise UserError(
            f"items missing from total_cov: {', '.join(absent)}",
            hint="total_cov must have a row and column for every item in the loadings",
        )
    return lam, phi, sig


def _reliability_factors(lam: pd.DataFrame, drop_single: bool) -> list[str]:
    facs = [f for f in lam.columns if (lam[f].to_numpy() != 0).sum() > 0]
    if drop_single:
        facs = [f for f in facs if (lam[f].to_numpy() != 0).sum() > 1]
    return facs


def _mixed_signs(lam: pd.DataFrame, f: str) -> bool:
    v = lam[f].to_numpy()
    v = v[v != 0]
    return bool((v > 0).any() and (v < 0).any())


# --------------------------------------------------------------------------------------------------
# Composite reliability and AVE
# --------------------------------------------------------------------------------------------------


def composite_reliability(
    result: Any = None,
    *,
    loadings: Any = None,
    factor_cov: Any = None,
    total_cov: Any = None,
    obs_var: bool = True,
    tau_eq: bool = False,
    drop_single: bool = True,
) -> pd.Series:
    """Composite reliability (omega) of each factor's unit-weighted sum score.

    For factor *f* with indicator set *I_f* (items with a non-zero loading on *f*)

    .. math:: \\omega_f = \\frac{\\mathbf 1' \\lambda_f \\phi_{ff} \\lambda_f' \\mathbf 1}
              {\\mathbf 1' \\Sigma_{I_f} \\mathbf 1}
              = \\frac{\\phi_{ff} (\\sum_i \\lambda_{if})^2}{\\operatorname{Var}(\\sum_{i \\in I_f} x_i)}

    with unstandardised loadings λ, factor variance φ and the total covariance Σ of the items: the
    observed (sample) covariance when ``obs_var`` is true (Bentler, 2009), the model-implied one
    otherwise (Raykov, 1997). Because the denominator is the variance of the sum itself, residual
    covariances and cross-loadings of the items lower ω rather than being ignored. This is
    semTools' ``compRelSEM(obs.var=, tau.eq=)`` for continuous indicators; with a standardised
    congeneric model and no residual covariances it reduces to the familiar
    ``(Σλ)² / ((Σλ)² + Σθ)`` (Fornell & Larcker, 1981).

    With ``tau_eq=True`` coefficient alpha is returned instead, computed from the same Σ:
    ``k/(k-1) · (1 − tr Σ / 1'Σ1)``.

    For an ordinal (WLSMV) result, ω is that of the sum of the observed ordinal scores (Green &
    Yang, 2009), as semTools' default ``ord.scale = TRUE``; see
    :func:`moscale.analysis.cfa.wls.ordinal_composite_reliability` (first group of a multi-group fit).

    Parameters
    ----------
    result : CFA result, optional
        A fitted single-group CFA; otherwise pass the three matrices.
    loadings : DataFrame (items × factors)
        Unstandardised loadings (zeros where an item does not load).
    factor_cov : DataFrame (factors × factors)
        Factor covariance matrix Φ.
    total_cov : DataFrame (items × items)
        Σ for the denominator. semTools uses lavaan's sample covariance, which for ML has divisor
        *N*, not *N* − 1; the ratio depends on which one is given.
    obs_var : bool
        With a CFA result: observed (True, semTools' default) or model-implied (False) Σ.
    tau_eq : bool
        Return coefficient alpha instead of omega.
    drop_single : bool
        Leave out factors with a single indicator (their reliability is not estimable).

    Returns
    -------
    Series
        One value per factor, named ``"omega"`` (or ``"alpha"``). A factor whose loadings have mixed
        signs gets a value, but it describes a sum score with unreversed items: reverse the
        negatively keyed items first.

    Examples
    --------
    >>> import pandas as pd
    >>> lam = pd.DataFrame({"F": [0.8, 0.7, 0.6]}, index=["a", "b", "c"])
    >>> phi = pd.DataFrame([[1.0]], index=["F"], columns=["F"])
    >>> sig = lam @ phi @ lam.T + pd.DataFrame(np.diag([0.36, 0.51, 0.64]), lam.index, lam.index)
    >>> round(float(composite_reliability(loadings=lam, factor_cov=phi, total_cov=sig)["F"]), 4)
    0.7449
    """
    if result is not None and hasattr(result, "composite_reliability") and not tau_eq:
        # an ordinal (WLSMV) fit: reliability of the sum of the observed ordinal scores, as
        # semTools' compRelSEM(ord.scale = TRUE) (Green & Yang, 2009)
        table = result.composite_reliability(ord_scale=True)
        table = table[table["group"] == table["group"].iloc[0]]
        return pd.Series(
            table["omega"].to_numpy(float), index=table["factor"].tolist(), name="omega"
        )
    lam, phi, sig = _matrices(result, loadings, factor_cov, total_cov, obs_var)
    out = {}
    for f in _reliability_factors(lam, drop_single):
        idx = lam.index[lam[f].to_numpy() != 0]
        s = sig.loc[idx, idx].to_numpy()
        total = s.sum()
        if tau_eq:
            k = len(idx)
            out[f] = k / (k - 1) * (1.0 - np.trace(s) / total) if k > 1 else np.nan
        else:
            lf = lam.loc[idx, f].to_numpy()
            out[f] = float(phi.loc[f, f]) * lf.sum() ** 2 / total
    return pd.Series(out, name="alpha" if tau_eq else "omega", dtype=float)


def ave(
    result: Any = None,
    *,
    loadings: Any = None,
    factor_cov: Any = None,
    total_cov: Any = None,
    obs_var: bool = True,
    drop_single: bool = True,
) -> pd.Series:
    """Average variance extracted (Fornell & Larcker, 1981) of each factor.

    .. math:: \\mathrm{AVE}_f = \\frac{\\phi_{ff} \\sum_{i \\in I_f} \\lambda_{if}^2}
              {\\sum_{i \\in I_f} \\Sigma_{ii}}

    the share of the indicators' total variance that the factor accounts for: the mean squared
    standardised loading when Σ is the model-implied covariance of a model without cross-loadings.
    As in semTools' ``AVE(obs.var=)``, Σ is the observed (``obs_var=True``, default) or model-implied
    covariance, and a factor with an indicator that also loads on another factor gets NaN: its
    indicators' variance is not the factor's alone to extract.

    Parameters and ``result``/matrix conventions are those of :func:`composite_reliability`.

    Returns
    -------
    Series
        One value per factor, named ``"ave"``.

    Examples
    --------
    >>> import pandas as pd
    >>> lam = pd.DataFrame({"F": [0.8, 0.7, 0.6]}, index=["a", "b", "c"])
    >>> phi = pd.DataFrame([[1.0]], index=["F"], columns=["F"])
    >>> sig = lam @ phi @ lam.T + pd.DataFrame(np.diag([0.36, 0.51, 0.64]), lam.index, lam.index)
    >>> round(float(ave(loadings=lam, factor_cov=phi, total_cov=sig)["F"]), 4)
    0.4967
    """
    lam, phi, sig = _matrices(result, loadings, factor_cov, total_cov, obs_var)
    facs = _reliability_factors(lam, drop_single)
    # cross-loading check on loadings rounded to 5 decimals, among the factors reported (semTools)
    cross = (np.round(lam[facs].to_numpy(), 5) != 0).sum(axis=1) > 1
    cross = pd.Series(cross, index=lam.index)
    out = {}
    for f in facs:
        idx = lam.index[lam[f].to_numpy() != 0]
        if cross[idx].any():
            out[f] = np.nan
            continue
        lf = lam.loc[idx, f].to_numpy()
        out[f] = (
            float(phi.loc[f, f]) * float((lf**2).sum()) / float(np.diag(sig.loc[idx, idx]).sum())
        )
    return pd.Series(out, name="ave", dtype=float)


# --------------------------------------------------------------------------------------------------
# Fornell–Larcker
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FornellLarckerResult:
    """Result of :func:`fornell_larcker`.

    Attributes
    ----------
    matrix : DataFrame
        √AVE on the diagonal, factor correlations off it.
    passed : Series of bool
        Per factor: √AVE exceeds the absolute value of each of its correlations with other factors.
    violations : DataFrame
        One row per pair whose |r| reaches the smaller of the two √AVE: factor1, factor2, r,
        sqrt_ave1, sqrt_ave2.
    """

    matrix: pd.DataFrame
    passed: pd.Series
    violations: pd.DataFrame

    def to_dict(self) -> dict:
        return {
            "matrix": _frame_to_dict(self.matrix),
            "passed": {k: bool(v) for k, v in self.passed.items()},
            "violations": self.violations.to_dict(orient="records"),
        }


def fornell_larcker(
    result: Any = None, *, ave: pd.Series | None = None, factor_cor: Any = None
) -> FornellLarckerResult:
    """Fornell–Larcker criterion: √AVE of each factor against its correlations with the others.

    Discriminant validity holds for factor *f* when :math:`\\sqrt{\\mathrm{AVE}_f} > |r_{fg}|` for
    every other factor *g* (Fornell & Larcker, 1981), i.e. a factor shares more variance with its own
    indicators than with any other factor. Henseler et al. (2015) showed that the criterion misses
    many discriminant-validity problems when loadings are similar and high; report HTMT beside it.

    Parameters
    ----------
    result : CFA result, optional
        Supplies AVE (observed Σ) and the factor correlations.
    ave : Series, optional
        AVE per factor (from :func:`ave`).
    factor_cor : DataFrame, optional
        Factor correlation matrix (standardised Φ).
    """
    if result is not None:
        if ave is None:
            ave = globals()["ave"](result)
        if factor_cor is None:
            factor_cor = _cfa_parts(result)["factor_cor"]
    if ave is None or factor_cor is None:
        raise UserError(
            "the Fornell-Larcker criterion needs AVE and factor correlations",
            hint="pass a CFA result, or ave= and factor_cor=",
        )
    cor = _as_frame(factor_cor, list(ave.index), list(ave.index), "factor_cor")
    facs = [f for f in cor.index if f in ave.index]
    cor = cor.loc[facs, facs]
    root = np.sqrt(ave[facs].to_numpy(dtype=float))
    m = cor.to_numpy(dtype=float).copy()
    np.fill_diagonal(m, root)
    matrix = pd.DataFrame(m, index=facs, columns=facs)
    absr = np.abs(cor.to_numpy(dtype=float))
    np.fill_diagonal(absr, -np.inf)
    passed = pd.Series(root > absr.max(axis=1), index=facs, name="passed")
    rows = []
    for i, a in enumerate(facs):
        for j in range(i + 1, len(facs)):
            if absr[i, j] >= min(root[i], root[j]):
                rows.append(
                    {
                        "factor1": a,
                        "factor2": facs[j],
                        "r": float(cor.iloc[i, j]),
                        "sqrt_ave1": float(root[i]),
                        "sqrt_ave2": float(root[j]),
                    }
                )
    viol = pd.DataFrame(rows, columns=["factor1", "factor2", "r", "sqrt_ave1", "sqrt_ave2"])
    return FornellLarckerResult(matrix=matrix, passed=passed, violations=viol)


# --------------------------------------------------------------------------------------------------
# HTMT
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HTMTResult:
    """Result of :func:`htmt`.

    Attributes
    ----------
    matrix : DataFrame
        HTMT (or HTMT2) for every pair of factors (symmetric; diagonal 1).
    ci_lower, ci_upper : DataFrame or None
        Percentile bootstrap confidence limits (``level``), when ``bootstrap > 0``.
    pairs : DataFrame
        One row per pair: factor1, factor2, htmt, ci_lower, ci_upper, and one ``above_<t>`` flag per
        threshold (point estimate ≥ t) plus ``ci_upper_above_<t>`` (upper limit ≥ t, the
        HTMT-inference test) and ``ci_includes_1``.
    method : str
        ``"HTMT"`` (arithmetic means) or ``"HTMT2"`` (geometric means).
    n : int
        Cases used (after listwise deletion), or None with a given correlation matrix.
    bootstrap : int
        Resamples requested; ``bootstrap_valid`` of them gave a finite value for every pair.
    notes : list of str
        Warnings in words (negative within-factor correlations, single-indicator factors, ...).
    """

    matrix: pd.DataFrame
    pairs: pd.DataFrame
    method: str
    thresholds: tuple[float, ...]
    n: int | None
    absolute: bool
    ci_lower: pd.DataFrame | None = None
    ci_upper: pd.DataFrame | None = None
    level: float = 0.95
    bootstrap: int = 0
    bootstrap_valid: int = 0
    seed: int | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "method": self.method,
            "n": self.n,
            "absolute": self.absolute,
            "thresholds": list(self.thresholds),
            "matrix": _frame_to_dict(self.matrix),
            "ci_lower": None if self.ci_lower is None else _frame_to_dict(self.ci_lower),
            "ci_upper": None if self.ci_upper is None else _frame_to_dict(self.ci_upper),
            "level": self.level,
            "bootstrap": self.bootstrap,
            "bootstrap_valid": self.bootstrap_valid,
            "seed": self.seed,
            "pairs": _records(self.pairs),
            "notes": list(self.notes),
        }


def _frame_to_dict(df: pd.DataFrame) -> dict:
    vals = [[None if not np.isfinite(v) else float(v) for v in row] for row in df.to_numpy(float)]
    return {
        "rows": [str(r) for r in df.index],
        "cols": [str(c) for c in df.columns],
        "values": vals,
    }


def _records(df: pd.DataFrame) -> list[dict]:
    recs = df.to_dict(orient="records")
    for r in recs:
        for k, v in r.items():
            if isinstance(v, float) and not np.isfinite(v):
                r[k] = None
            elif isinstance(v, np.bool_):
                r[k] = bool(v)
    return recs


def _threshold_label(t: float) -> str:
    return f"{t:.2f}"


def _membership(fmap: dict[str, list[str]], items: list[str]) -> np.ndarray:
    pos = {v: i for i, v in enumerate(items)}
    a = np.zeros((len(items), len(fmap)))
    for j, its in enumerate(fmap.values()):
        for it in its:
            a[pos[it], j] = 1.0
    return a


def _htmt_from_cor(r: np.ndarray, a: np.ndarray, htmt2: bool, absolute: bool) -> np.ndarray:
    """HTMT for a stack of correlation matrices ``r`` (B × p × p) and membership ``a`` (p × m).

    Block means leave out the diagonal of R (an item's correlation with itself), so for two
    factors sharing an item only the distinct pairs count, as in semTools.
    """
    if absolute or htmt2:
        r = np.abs(r)
    if htmt2:
        # geometric mean = exp(mean(log r)); r = 0 gives a geometric mean of 0, kept finite here
        # (log of the smallest positive double) so that 0 × log stays defined in the matrix products
        r = np.log(np.maximum(r, np.finfo(float).tiny))
    p = r.shape[-1]
    r = r * (1.0 - np.eye(p))
    sums = np.einsum("pa,bpq,qc->bac", a, r, a, optimize=True)
    shared = a.T @ a  # items common to both factors (diagonal cells of R inside the block)
    size = a.sum(axis=0)
    counts = np.outer(size, size) - shared
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts
        if htmt2:
            means = np.exp(means)
        within = np.diagonal(means, axis1=1, axis2=2)
        denom = np.sqrt(within[:, :, None] * within[:, None, :])
        return means / denom


def _boot_counts(rng: np.random.Generator, n: int, size: int) -> np.ndarray:
    idx = rng.integers(0, n, size=(size, n))
    flat = idx + (np.arange(size) * n)[:, None]
    return np.bincount(flat.ravel(), minlength=size * n).reshape(size, n).astype(float)


def _boot_cors(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Correlation matrices of the resamples given as case counts ``w`` (B × n), vectorised.

    Weighted first and second moments (one matrix product each) on data centred at the full-sample
    means, which keeps the subtraction ``E[xy] − E[x]E[y]`` well conditioned.
    """
    n, p = x.shape
    iu = np.triu_indices(p)
    prods = x[:, iu[0]] * x[:, iu[1]]
    m1 = w @ x / n
    m2 = w @ prods / n
    cov_u = m2 - m1[:, iu[0]] * m1[:, iu[1]]
    cov = np.empty((w.shape[0], p, p))
    cov[:, iu[0], iu[1]] = cov_u
    cov[:, iu[1], iu[0]] = cov_u
    sd = np.sqrt(np.diagonal(cov, axis1=1, axis2=2))
    with np.errstate(invalid="ignore", divide="ignore"):
        return cov / (sd[:, :, None] * sd[:, None, :])


def _percentile_ci(boot: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    alpha = (1.0 - level) / 2.0
    # linear interpolation between order statistics = R's quantile(type = 7)
    lo = np.nanquantile(boot, alpha, axis=0)
    hi = np.nanquantile(boot, 1.0 - alpha, axis=0)
    return lo, hi


def htmt(
    model: Any,
    data: pd.DataFrame | None = None,
    *,
    sample_cov: Any = None,
    htmt2: bool = False,
    absolute: bool = True,
    ordered: bool | Sequence[str] | None = None,
    missing: str = "listwise",
    bootstrap: int = 0,
    level: float = 0.95,
    seed: int | np.random.Generator | None = None,
    progress: ProgressCallback | None = None,
    thresholds: Sequence[float] = HTMT_THRESHOLDS,
    chunk_size: int = 250,
) -> HTMTResult:
    """Heterotrait–monotrait ratio of correlations (HTMT, HTMT2) with bootstrap confidence intervals.

    For factors *i* and *j* with indicator sets of size *K_i*, *K_j*,

    .. math:: \\mathrm{HTMT}_{ij} = \\frac{\\bar r_{ij}}{\\sqrt{\\bar r_{ii}\\, \\bar r_{jj}}}

    where :math:`\\bar r_{ij}` is the mean of the *K_i K_j* heterotrait–heteromethod correlations
    and :math:`\\bar r_{ii}` the mean of the *K_i(K_i−1)/2* monotrait–heteromethod correlations
    (Henseler et al., 2015). HTMT2 replaces every arithmetic mean by a geometric mean, which stays
    consistent for congeneric (unequal-loading) indicators (Roemer et al., 2021).

    As semTools' ``htmt()`` (0.5.6), correlations are Pearson correlations after listwise deletion
    over the model's items, and their absolute values are used by default (``absolute=True``;
    HTMT2 always uses them): HTMT then does not depend on whether reverse-keyed items were recoded.
    With ``absolute=False`` signed correlations are averaged and unrecoded reverse-keyed items pull
    HTMT towards zero; a negative within-factor mean gives NaN (or ±1 on the diagonal), as in
    semTools. Note that semTools' own default is ``htmt2=TRUE``; moscale's default is the original
    HTMT of Henseler et al., which the .85/.90 cut-offs were calibrated for.

    Bootstrap: ``bootstrap`` resamples of the cases (with replacement, seeded), every resample's
    correlation matrix computed from case counts with two matrix products, percentile intervals
    at ``level`` (R's ``quantile`` type 7). HTMT-inference (Henseler et al., 2015) asks whether the
    upper limit stays below 1 (or below .85/.90).

    Parameters
    ----------
    model : str, mapping or CFA result
        lavaan syntax (``=~`` lines), ``{factor: [items]}``, or a fitted CFA.
    data : DataFrame
        Item responses; columns named by item.
    sample_cov : DataFrame, optional
        A covariance or correlation matrix instead of data (no bootstrap then).
    htmt2 : bool
        Geometric-mean HTMT2 instead of HTMT.
    absolute : bool
        Average absolute correlations (semTools' default).
    ordered : bool or sequence of str, optional
        Items to treat as ordinal (``True``: all): their correlations are polychoric (polyserial
        with continuous items), as ``lavCor(ordered=)`` in semTools' ``htmt(ordered=)``. Each
        bootstrap resample then estimates a full polychoric matrix (about 0.1 s for 25 items), so
        use the progress callback with many resamples.
    missing : {"listwise"}
        Only listwise deletion is implemented (semTools' default).
    bootstrap : int
        Number of bootstrap resamples (0 = none; 2000 is common).
    level : float
        Confidence level of the percentile intervals.
    seed : int or numpy Generator, optional
        Makes the resamples reproducible.
    progress : callable(done, total), optional
        Called after each block of resamples (for a progress bar).
    thresholds : sequence of float
        Cut-offs to flag (default .85 and .90).
    chunk_size : int
        Resamples per vectorised block (memory vs speed).

    Returns
    -------
    HTMTResult

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> f = rng.normal(size=(500, 2))
    >>> x = np.repeat(f, 3, axis=1) + rng.normal(size=(500, 6))
    >>> d = pd.DataFrame(x, columns=["a1", "a2", "a3", "b1", "b2", "b3"])
    >>> res = htmt("A =~ a1 + a2 + a3\\nB =~ b1 + b2 + b3", d)
    >>> bool(res.matrix.loc["A", "B"] < 0.85)
    True
    """
    fmap = indicator_map(model)
    notes: list[str] = []
    higher = [f for f, its in fmap.items() if any(i in fmap for i in its)]
    if higher:
        # HTMT compares observed indicators; a second-order factor has none of its own
        fmap = {f: its for f, its in fmap.items() if f not in higher}
        notes.append("Higher-order factors left out of HTMT: " + ", ".join(higher) + ".")
    items = list(dict.fromkeys(i for its in fmap.values() for i in its))
    thresholds = tuple(sorted(float(t) for t in thresholds))
    if not 0.0 < level < 1.0:
        raise UserError(f"level={level} is not a confidence level", hint="use e.g. level=0.95")
    if bootstrap < 0:
        raise UserError(f"bootstrap={bootstrap} is negative", hint="use 0 or e.g. 2000 resamples")
    if missing != "listwise":
        raise UserError(
            f"missing='{missing}' is not available for HTMT",
            hint="use missing='listwise' (as semTools), or impute first and pass the completed data",
        )

    n: int | None
    x: np.ndarray | None = None
    ord_items: list[str] = []
    if data is not None:
        if not isinstance(data, pd.DataFrame):
            data = pd.DataFrame(data)
        absent = [i for i in items if i not in data.columns]
        if absent:
            raise DataError(
                f"items of the model not in the data: {', '.join(absent)}",
                hint="check the spelling of the item names in the model against the data columns",
            )
        bad = [
            c
            for c in items
            if not (pd.api.types.is_numeric_dtype(data[c]) or pd.api.types.is_bool_dtype(data[c]))
        ]
        if bad:
            raise DataError(
                f"non-numeric item columns: {', '.join(bad)}",
                hint="code the responses as numbers before computing HTMT",
            )
        sub = data[items].astype(float)
        complete = sub.notna().all(axis=1).to_numpy()
        x = sub.to_numpy(dtype=float)[complete]
        n = int(x.shape[0])
        if n < sub.shape[0]:
            notes.append(
                f"{sub.shape[0] - n} of {sub.shape[0]} cases with a missing item response were "
                "left out (listwise deletion)."
            )
        if n < 3:
            raise DataError(
                f"only {n} complete cases on the model's items",
                hint="HTMT needs complete responses from at least a few respondents",
            )
        sd = x.std(axis=0)
        const = [items[k] for k in np.flatnonzero(sd == 0)]
        if const:
            raise DataError(
                f"items without variance: {', '.join(const)}",
                hint="drop constant items from the model; their correlations are undefined",
            )
        ord_items = _ordered_items(ordered, items)
        r = _item_correlations(x, items, ord_items)
    elif sample_cov is not None:
        if ordered:
            raise UserError(
                "ordered= needs the raw responses",
                hint="pass data= (or give the polychoric matrix itself as sample_cov=)",
            )
        s = _as_frame(sample_cov, None, None, "sample_cov")
        absent = [i for i in items if i not in s.index]
        if absent:
            raise DataError(
                f"items of the model not in the covariance matrix: {', '.join(absent)}",
                hint="the matrix needs row and column names matching the model's items",
            )
        s = s.loc[items, items].to_numpy(dtype=float)
        sd = np.sqrt(np.diag(s))
        r = s / np.outer(sd, sd)
        n = None
        if bootstrap:
            raise UserError(
                "bootstrap intervals need the raw data, not a covariance matrix",
                hint="pass data= instead of sample_cov=, or set bootstrap=0",
            )
    else:
        raise UserError("htmt needs data or sample_cov", hint="pass the item responses as data=")

    a = _membership(fmap, items)
    facs = list(fmap)
    est = _htmt_from_cor(r[None], a, htmt2, absolute)[0]
    matrix = pd.DataFrame(est, index=facs, columns=facs)

    single = [f for f, its in fmap.items() if len(its) < 2]
    if single:
        notes.append(
            "HTMT is undefined for single-indicator factors (no monotrait correlation): "
            + ", ".join(single)
            + "."
        )
    signed = r.copy()
    np.fill_diagonal(signed, np.nan)
    neg = [
        f for f, its in fmap.items() if len(its) > 1 and np.nanmin(_block(signed, items, its)) < 0
    ]
    if neg:
        notes.append(
            "Negative correlations among the items of "
            + ", ".join(neg)
            + (
                ": reverse-keyed items seem not to be recoded. Absolute correlations were used, "
                "so HTMT is unaffected; recode them for the other statistics."
                if (absolute or htmt2)
                else ": reverse-keyed items seem not to be recoded, and signed correlations were "
                "averaged. Recode them (or use absolute=True) before interpreting HTMT."
            )
        )

    ci_lo = ci_hi = None
    valid = 0
    seed_out: int | None = seed if isinstance(seed, int | np.integer) else None
    if bootstrap:
        assert x is not None
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        xc = x - x.mean(axis=0)
        boot = np.empty((bootstrap, len(facs), len(facs)))
        done = 0
        # polychoric resamples are slow one by one: report progress in small steps
        chunk = max(1, int(chunk_size) if not ord_items else min(int(chunk_size), 10))
        while done < bootstrap:
            size = min(chunk, bootstrap - done)
            w = _boot_counts(rng, n, size)
            if ord_items:
                cors = np.stack([_resample_correlations(x, items, ord_items, c) for c in w])
            else:
                cors = _boot_cors(xc, w)
            boot[done : done + size] = _htmt_from_cor(cors, a, htmt2, absolute)
            done += size
            if progress is not None:
                progress(done, bootstrap)
        iu = np.triu_indices(len(facs), 1)
        ok = (
            np.isfinite(boot[:, iu[0], iu[1]]).all(axis=1)
            if len(iu[0])
            else np.ones(bootstrap, bool)
        )
        valid = int(ok.sum())
        if valid < bootstrap:
            notes.append(
                f"{bootstrap - valid} of {bootstrap} bootstrap resamples gave an undefined HTMT "
                "(e.g. an item without variance in the resample) and were left out."
            )
        lo, hi = _percentile_ci(boot[ok], level) if valid else (np.full(est.shape, np.nan),) * 2
        ci_lo = pd.DataFrame(lo, index=facs, columns=facs)
        ci_hi = pd.DataFrame(hi, index=facs, columns=facs)

    rows = []
    for i, fa in enumerate(facs):
        for j in range(i + 1, len(facs)):
            v = float(est[i, j])
            row: dict[str, Any] = {"factor1": fa, "factor2": facs[j], "htmt": v}
            row["ci_lower"] = float(ci_lo.iloc[i, j]) if ci_lo is not None else np.nan
            row["ci_upper"] = float(ci_hi.iloc[i, j]) if ci_hi is not None else np.nan
            for t in thresholds:
                row[f"above_{_threshold_label(t)}"] = bool(v >= t) if np.isfinite(v) else None
            if ci_hi is not None:
                for t in thresholds:
                    u = row["ci_upper"]
                    row[f"ci_upper_above_{_threshold_label(t)}"] = (
                        bool(u >= t) if np.isfinite(u) else None
                    )
                u = row["ci_upper"]
                row["ci_includes_1"] = bool(u >= 1.0) if np.isfinite(u) else None
            rows.append(row)
    pairs = pd.DataFrame(rows)
    flagged = [
        f"{r['factor1']}–{r['factor2']}"
        for r in rows
        if np.isfinite(r["htmt"]) and r["htmt"] >= thresholds[0]
    ]
    if flagged:
        notes.append(
            f"HTMT reaches .{int(round(thresholds[0] * 100))} for "
            + ", ".join(flagged)
            + ": these constructs may not be empirically distinct."
        )
    return HTMTResult(
        matrix=matrix,
        pairs=pairs,
        method="HTMT2" if htmt2 else "HTMT",
        thresholds=thresholds,
        n=n,
        absolute=bool(absolute or htmt2),
        ci_lower=ci_lo,
        ci_upper=ci_hi,
        level=level,
        bootstrap=int(bootstrap),
        bootstrap_valid=valid,
        seed=None if seed_out is None else int(seed_out),
        notes=notes,
    )


def _ordered_items(ordered: bool | Sequence[str] | None, items: list[str]) -> list[str]:
    if ordered is None or ordered is False:
        return []
    if ordered is True:
        return list(items)
    sel = [str(i) for i in ordered]
    unknown = [i for i in sel if i not in items]
    if unknown:
        raise UserError(
            f"ordered items not in the model: {', '.join(unknown)}",
            hint="list item names that appear in the model (or ordered=True for all)",
        )
    return [i for i in items if i in sel]


def _item_correlations(x: np.ndarray, items: list[str], ord_items: list[str]) -> np.ndarray:
    """Pearson correlations, or polychoric/polyserial ones for ordinal items (lavCor's rules)."""
    if not ord_items:
        return np.corrcoef(x, rowvar=False)
    from moscale.analysis.polychoric import polychoric  # noqa: PLC0415 - only for ordinal data

    res = polychoric(
        pd.DataFrame(x, columns=items), ordered=ord_items, mimic="lavaan", smooth=False
    )
    return res.matrix.loc[items, items].to_numpy(dtype=float)


def _resample_correlations(
    x: np.ndarray, items: list[str], ord_items: list[str], counts: np.ndarray
) -> np.ndarray:
    try:
        return _item_correlations(np.repeat(x, counts.astype(int), axis=0), items, ord_items)
    except UserError:  # e.g. an item left with one category in this resample
        return np.full((len(items), len(items)), np.nan)


def _block(r: np.ndarray, items: list[str], sel: list[str]) -> np.ndarray:
    pos = [items.index(i) for i in sel]
    return r[np.ix_(pos, pos)]


# --------------------------------------------------------------------------------------------------
# All together: the discriminant-validity table
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiscriminantValidityResult:
    """Result of :func:`discriminant_validity`.

    Attributes
    ----------
    table : DataFrame
        Factors × factors: √AVE on the diagonal, factor correlations below it, HTMT above it (the
        layout marketing journals print; Henseler et al., 2015).
    reliability : DataFrame
        One row per factor: omega (composite reliability), ave, sqrt_ave, ``cr_ok`` (ω ≥ .70),
        ``ave_ok`` (AVE ≥ .50), ``fornell_larcker_ok``.
    correlations : DataFrame
        One row per pair of factors: factor1, factor2, r (standardised factor covariance), its
        delta-method se and two-sided p (lavaan ``standardizedSolution()``), for the significance
        marks under the diagonal; empty when the CFA result gives no standard errors.
    fornell_larcker : FornellLarckerResult
    htmt : HTMTResult
    notes : list of str
        The verdict in words.
    """

    table: pd.DataFrame
    reliability: pd.DataFrame
    fornell_larcker: FornellLarckerResult
    htmt: HTMTResult
    correlations: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "table": _frame_to_dict(self.table),
            "reliability": _records(self.reliability.reset_index(names="factor")),
            "correlations": _records(self.correlations),
            "fornell_larcker": self.fornell_larcker.to_dict(),
            "htmt": self.htmt.to_dict(),
            "notes": list(self.notes),
        }


def _factor_correlation_tests(result: Any, facs: list[str]) -> pd.DataFrame:
    """Standardised factor covariances with se and p from the CFA's standardised solution."""
    cols = ["factor1", "factor2", "r", "se", "pvalue"]
    fn = getattr(result, "standardized", None)
    if not callable(fn):
        return pd.DataFrame(columns=cols)
    std = fn()
    sel = std[(std["op"] == "~~") & (std["lhs"] != std["rhs"])]
    sel = sel[sel["lhs"].isin(facs) & sel["rhs"].isin(facs)]
    rows = [
        {"factor1": a, "factor2": b, "r": r, "se": se, "pvalue": p}
        for a, b, r, se, p in zip(
            sel["lhs"], sel["rhs"], sel["est.std"], sel["se"], sel["pvalue"], strict=True
        )
    ]
    return pd.DataFrame(rows, columns=cols)


def _cfa_data(result: Any) -> pd.DataFrame | None:
    for name in ("data", "raw_data", "observed_data"):
        val = getattr(result, name, None)
        if isinstance(val, pd.DataFrame):
            return val
    return None


def discriminant_validity(
    cfa_result: Any,
    data: pd.DataFrame | None = None,
    *,
    htmt2: bool = False,
    absolute: bool = True,
    ordered: bool | Sequence[str] | None = None,
    bootstrap: int = 0,
    level: float = 0.95,
    seed: int | np.random.Generator | None = None,
    progress: ProgressCallback | None = None,
    thresholds: Sequence[float] = HTMT_THRESHOLDS,
    cr_cutoff: float = 0.70,
    ave_cutoff: float = 0.50,
) -> DiscriminantValidityResult:
    """Convergent and discriminant validity of a fitted CFA in one table.

    Combines :func:`composite_reliability` (ω, observed Σ), :func:`ave`, :func:`fornell_larcker`
    (on the CFA's factor correlations) and :func:`htmt` (on the item correlations of the data, with
    the CFA's loading pattern as the model), as reviewers of marketing journals expect them:
    CR ≥ .70 and AVE ≥ .50 (Fornell & Larcker, 1981; Bagozzi & Yi, 1988), √AVE above the factor
    correlations, and HTMT below .85/.90 with a bootstrap interval that excludes 1 (Henseler et al.,
    2015).

    Parameters
    ----------
    cfa_result : CFA result
        A fitted single-group CFA.
    data : DataFrame, optional
        Item responses for HTMT; taken from the CFA result when it keeps them.
    Other parameters are those of :func:`htmt`; ``cr_cutoff`` and ``ave_cutoff`` set the flags.
    """
    parts = _cfa_parts(cfa_result)
    if data is None:
        data = _cfa_data(cfa_result)
    if data is None:
        raise UserError(
            "HTMT needs the item responses",
            hint="pass the data the CFA was fitted to: discriminant_validity(result, data)",
        )
    cr = composite_reliability(cfa_result)
    av = ave(cfa_result)
    fl = fornell_larcker(ave=av, factor_cor=parts["factor_cor"])
    lam = parts["loadings"]
    fmap = {f: [str(i) for i in lam.index[lam[f].to_numpy() != 0]] for f in lam.columns}
    fmap = {f: v for f, v in fmap.items() if f in cr.index}
    h = htmt(
        fmap,
        data,
        htmt2=htmt2,
        absolute=absolute,
        ordered=ordered,
        bootstrap=bootstrap,
        level=level,
        seed=seed,
        progress=progress,
        thresholds=thresholds,
    )
    facs = list(fmap)
    cor = parts["factor_cor"].loc[facs, facs].to_numpy(dtype=float)
    hm = h.matrix.loc[facs, facs].to_numpy(dtype=float)
    tab = np.where(np.tri(len(facs), k=-1, dtype=bool), cor, hm)
    np.fill_diagonal(tab, np.sqrt(av[facs].to_numpy(dtype=float)))
    table = pd.DataFrame(tab, index=facs, columns=facs)
    rel = pd.DataFrame(
        {
            "omega": cr[facs],
            "ave": av[facs],
            "sqrt_ave": np.sqrt(av[facs]),
            "cr_ok": cr[facs] >= cr_cutoff,
            "ave_ok": av[facs] >= ave_cutoff,
            "fornell_larcker_ok": fl.passed.reindex(facs),
        }
    )
    notes: list[str] = []
    low_cr = [f for f in facs if not cr[f] >= cr_cutoff]
    low_ave = [f for f in facs if not av[f] >= ave_cutoff]
    if low_cr:
        notes.append(
            f"Composite reliability below {cr_cutoff:.2f} for {', '.join(low_cr)}".replace(
                "0.", "."
            )
            + "."
        )
    if low_ave:
        notes.append(
            f"AVE below {ave_cutoff:.2f} for {', '.join(low_ave)}: the factor explains less than "
            "half of its indicators' variance (convergent validity in doubt).".replace("0.", ".", 1)
        )
    mixed = [f for f in facs if _mixed_signs(lam, f)]
    if mixed:
        notes.append(
            "Loadings of mixed sign on "
            + ", ".join(mixed)
            + ": composite reliability describes the sum with unreversed items; reverse-key first."
        )
    if len(fl.violations):
        pairs = ", ".join(
            f"{a}–{b}" for a, b in zip(fl.violations.factor1, fl.violations.factor2, strict=True)
        )
        notes.append(f"Fornell–Larcker criterion not met for {pairs}.")
    elif len(facs) > 1:
        notes.append("Fornell–Larcker criterion met: every √AVE exceeds the factor's correlations.")
    notes.extend(h.notes)
    return DiscriminantValidityResult(
        table=table,
        reliability=rel,
        fornell_larcker=fl,
        htmt=h,
        correlations=_factor_correlation_tests(cfa_result, facs),
        notes=notes,
    )


__all__ = [
    "HTMT_THRESHOLDS",
    "DiscriminantValidityResult",
    "FornellLarckerResult",
    "HTMTResult",
    "ave",
    "composite_reliability",
    "discriminant_validity",
    "fornell_larcker",
    "htmt",
    "indicator_map",
]
