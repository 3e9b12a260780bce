"""How many factors: parallel analysis, Velicer's MAP, and the eigenvalues for a scree plot.

``parallel_analysis`` follows psych ``fa.parallel`` (Revelle 2022): it compares the eigenvalues of the
observed correlation matrix (components) and of the matrix reduced by one-factor minres communalities
(factors) with the ``quantile`` of the same eigenvalues from ``n_iter`` data sets of independent
normal variables of the same size (simulated) and from the data with each column resampled
independently (resampled). The suggested numbers are the counts of leading observed eigenvalues that
exceed the simulated quantiles (the resampled ones when simulation is switched off), as psych
reports them. All data sets are drawn, correlated and decomposed as stacked arrays in one pass.

``velicer_map`` is Velicer's (1976) minimum average partial: after removing ``m`` principal
components, the average squared partial correlation; psych ``vss()$map`` for ``m = 1 .. n``.

References
----------
Horn, J. L. (1965). A rationale and test for the number of factors in factor analysis.
Psychometrika, 30, 179-185.
Humphreys, L. G., & Montanelli, R. G. (1975). An investigation of the parallel analysis criterion for
determining the number of common factors. Multivariate Behavioral Research, 10, 193-205.
Odell, P. L., & Feiveson, A. H. (1966). A numerical procedure to generate a sample covariance
matrix. Journal of the American Statistical Association, 61, 199-203.
Velicer, W. F. (1976). Determining the number of components from the matrix of partial correlations.
Psychometrika, 41, 321-327.
Revelle, W. (2022). psych (version 2.2.9): ``fa.parallel``, ``vss``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from moscale.analysis.extraction import (
    METHOD_ALIASES,
    CorrelationInput,
    correlation_input,
    extract,
    jsonable,
    minres_one_factor_batch,
    pairwise_correlation_centered,
    smc,
)
from moscale.errors import UserError

#: Largest number of simulated values (rows x items) drawn at once, to bound memory.
_CHUNK_VALUES = 4_000_000


@dataclass(frozen=True)
class ParallelAnalysisResult:
    """Result of :func:`parallel_analysis`.

    Attributes
    ----------
    n_factors, n_components : int or None
        Suggested numbers (psych ``nfact`` and ``ncomp``); ``None`` when that side was not run.
    table : DataFrame
        One row per position: observed component and factor eigenvalues, and the mean and quantile
        of the simulated and resampled ones (NaN where not computed). This is the scree plot.
    pc_values, fa_values : ndarray
        Observed eigenvalues: of ``R`` (components) and of ``R`` with one-factor communalities on the
        diagonal (factors), psych ``pc.values`` and ``fa.values``.
    """

    n_factors: int | None
    n_components: int | None
    table: pd.DataFrame
    pc_values: np.ndarray
    fa_values: np.ndarray
    n_iter: int
    quantile: float
    seed: int
    n_obs: int
    method: str
    fa: str
    simulated: bool
    resampled: bool
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return jsonable(
            {
                "n_factors": self.n_factors,
                "n_components": self.n_components,
                "n_iter": self.n_iter,
                "quantile": self.quantile,
                "seed": self.seed,
                "n_obs": self.n_obs,
                "method": self.method,
                "fa": self.fa,
                "simulated": self.simulated,
                "resampled": self.resampled,
                "table": self.table.reset_index().to_dict(orient="records"),
                "notes": list(self.notes),
            }
        )


def _factor_values(Rs: np.ndarray, method: str, use_smc: bool) -> np.ndarray:
    """Eigenvalues of each matrix in the stack with its diagonal replaced by communalities.

    psych ``fa.parallel`` (``SMC = FALSE``, its default) takes the communalities of a one-factor
    solution (``fa(r, 1, fm = method)$values``); ``use_smc`` puts the SMCs there instead.
    """
    B, p, _ = Rs.shape
    idx = np.arange(p)
    if use_smc:
        h = smc(Rs)
    elif method == "minres":
        h = minres_one_factor_batch(Rs)
    else:
        h = np.empty((B, p))
        for b in range(B):
            ex = extract(Rs[b], 1, method)
            h[b] = np.sum(ex.loadings**2, axis=1)
    Rr = Rs.copy()
    Rr[:, idx, idx] = h
    return np.linalg.eigvalsh(Rr)[:, ::-1]


def _simulated_correlations(rng: np.random.Generator, n_iter: int, n: int, p: int) -> np.ndarray:
    """Correlation matrices of ``n_iter`` samples of ``n`` independent standard normal ``p``-vectors.

    The centred cross-product matrix of such a sample is Wishart(``n - 1``, I); it is drawn directly
    by Bartlett's decomposition ``W = A A'`` (``A`` lower triangular, ``A_ii^2 ~ chi2(n - i)``,
    ``A_ij ~ N(0, 1)`` below the diagonal; Odell & Feiveson 1966), which costs ``O(p^2)`` instead of
    ``O(n p)`` per sample and has exactly the distribution of psych's ``cor(rnorm(...))``.
    Too few cases for a full-rank Wishart fall back to drawing the data.
    """
    df = n - 1
    if df >= p:
        A = np.tril(rng.standard_normal((n_iter, p, p)), k=-1)
        idx = np.arange(p)
        A[:, idx, idx] = np.sqrt(rng.chisquare(df - idx, size=(n_iter, p)))
        W = A @ np.swapaxes(A, 1, 2)
        d = 1.0 / np.sqrt(np.diagonal(W, axis1=1, axis2=2))
        return W * d[:, :, None] * d[:, None, :]
    out = np.empty((n_iter, p, p))
    for b in range(n_iter):
        z = rng.standard_normal((n, p))
        z -= z.mean(axis=0)
        c = z.T @ z
        d = 1.0 / np.sqrt(np.diag(c))
        out[b] = c * d[:, None] * d[None, :]
    return out


def _resampled_correlations(
    rng: np.random.Generator, data: np.ndarray, n_iter: int, cor: str
) -> np.ndarray:
    """Correlations of the data with each column resampled independently with replacement
    (psych's ``sample(y, n, replace = TRUE)`` per column), redrawn if a correlation is missing."""
    n, p = data.shape
    out = np.empty((n_iter, p, p))
    cols = np.arange(p)
    present = ~np.isnan(data)
    has_missing = bool((~present).any())
    # Centre once by the full-sample means (any centring keeps the one-pass sums accurate) and
    # put zeros in the missing cells, so that a resample is two gathers.
    x0_all = np.where(present, data - np.nanmean(data, axis=0), 0.0).ravel()
    m_all = present.astype(float).ravel()
    filled = 0
    per = max(1, _CHUNK_VALUES // (n * p))
    tries = 0
    while filled < n_iter:
        b = min(per, n_iter - filled)
        flat = rng.integers(0, n, size=(b, n, p)) * p + cols
        if cor == "polychoric":
            from moscale.analysis.polychoric import polychoric

            x = data.ravel()[flat]
            cs = np.stack(
                [
                    np.asarray(
                        polychoric(pd.DataFrame(xi), mimic="psych", missing="pairwise").matrix,
                        dtype=float,
                    )
                    for xi in x
                ]
            )
        elif has_missing:
            cs, _ = pairwise_correlation_centered(x0_all[flat], m_all[flat])
        else:
            x = x0_all[flat]
            x -= x.mean(axis=1, keepdims=True)
            c = np.swapaxes(x, 1, 2) @ x
            d = 1.0 / np.sqrt(np.diagonal(c, axis1=1, axis2=2))
            cs = c * d[:, :, None] * d[:, None, :]
        good = np.all(np.isfinite(cs), axis=(1, 2))
        cs = cs[good]
        take = min(len(cs), n_iter - filled)
        out[filled : filled + take] = cs[:take]
        filled += take
        tries += 1
        if tries > 100 * n_iter:
            raise UserError(
                "Resampled data keep producing undefined correlations.",
                hint="Items with very few answers or almost no variance cannot be resampled; "
                "drop them, or use resample=False.",
            )
    return out


def _count_above(observed: np.ndarray, threshold: np.ndarray) -> int:
    """psych: ``which(!(observed > threshold))[1] - 1``; all above gives the number of values."""
    below = np.flatnonzero(~(observed > threshold))
    return int(below[0]) if below.size else int(observed.size)


def parallel_analysis(
    items: Any,
    n_iter: int = 20,
    quantile: float = 0.95,
    seed: int | None = None,
    cor: str = "pearson",
    fa: Literal["both", "fa", "pc"] = "both",
    method: str = "minres",
    *,
    n_obs: int | None = None,
    simulate: bool = True,
    resample: bool = True,
    use_smc: bool = False,
    missing: str = "pairwise",
) -> ParallelAnalysisResult:
    """Horn's (1965) parallel analysis for factors and components, as psych ``fa.parallel``.

    Parameters
    ----------
    items : DataFrame, ndarray or correlation matrix
        Item responses, or a correlation matrix with ``n_obs`` (then only simulated data are used).
    n_iter : int
        Number of simulated (and resampled) data sets (psych default 20).
    quantile : float
        Quantile of the random eigenvalues an observed eigenvalue must exceed (psych ``quant``, .95).
    seed : int, optional
        Seed of numpy's default generator; the same seed gives the same result. Without one a
        seed is drawn from the operating system and recorded in the result, so that any run can
        be repeated.
    cor : {"pearson", "polychoric"}
        Correlations of the items (and of the resampled data). Simulated data are normal and are
        always correlated by Pearson correlations, as in psych.
    fa : {"both", "fa", "pc"}
        Factors, components, or both.
    method : {"minres", "ml", "pa"}
        Extraction for the one-factor communalities of the factor eigenvalues.
    n_obs : int, optional
        Sample size for a correlation matrix.
    simulate, resample : bool
        Use simulated normal data and/or resampled data (psych ``sim``; psych always resamples item
        data). With both, the suggestions use the simulated quantiles (as psych).
    use_smc : bool
        Put SMCs rather than one-factor communalities on the diagonal (psych ``SMC = TRUE``).
    missing : {"pairwise", "listwise"}
        Missing-data rule for the item correlations.

    Returns
    -------
    ParallelAnalysisResult

    Notes
    -----
    The number suggested is the count of leading observed eigenvalues ``e_j`` with
    ``e_j > q_j``, ``q_j`` the ``quantile`` of the ``j``-th random eigenvalue (type 7 quantile, as
    R). Quantiles of random eigenvalues vary from seed to seed, so near-ties can move the suggestion
    by one; report the seed.
    """
    if fa not in ("both", "fa", "pc"):
        raise UserError(f"Unknown fa='{fa}'.", hint="Use 'both', 'fa' or 'pc'.")
    if not (0 < quantile < 1):
        raise UserError(f"quantile must lie in (0, 1), got {quantile}.", hint="Use e.g. 0.95.")
    if int(n_iter) < 1:
        raise UserError(f"n_iter must be at least 1, got {n_iter}.", hint="Use e.g. 20.")
    m = METHOD_ALIASES.get(str(method).lower())
    if m is None:
        raise UserError(f"Unknown method '{method}'.", hint="Use 'minres', 'ml' or 'pa'.")
    n_iter = int(n_iter)
    ci = correlation_input(items, n_obs=n_obs, cor=cor, missing=missing)
    return _parallel(ci, n_iter, quantile, seed, fa, m, simulate, resample, use_smc)


def _parallel(
    ci: CorrelationInput,
    n_iter: int,
    quantile: float,
    seed: int | None,
    fa: str,
    method: str,
    simulate: bool,
    resample: bool,
    use_smc: bool,
) -> ParallelAnalysisResult:
    R = ci.R
    p = R.shape[0]
    notes: list[str] = []
    if ci.n_obs is None:
        raise UserError(
            "Parallel analysis of a correlation matrix needs the sample size.",
            hint="Pass n_obs=<number of respondents>.",
        )
    n = int(ci.n_obs)
    can_resample = resample and ci.data is not None
    if resample and ci.data is None:
        notes.append("A correlation matrix was given, so only simulated data were used.")
    if not simulate and not can_resample:
        raise UserError(
            "Parallel analysis needs simulated or resampled data.",
            hint="Set simulate=True (resampling needs item data).",
        )
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % 2**63)
    rng = np.random.default_rng(seed)
    do_fa = fa in ("both", "fa")
    do_pc = fa in ("both", "pc")

    pc_values = np.linalg.eigvalsh(R)[::-1]
    fa_values = _factor_values(R[None], method, use_smc)[0] if do_fa else np.full(p, np.nan)

    def summarise(Rs: np.ndarray) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        if do_pc:
            v = np.linalg.eigvalsh(Rs)[:, ::-1]
            out["pc_mean"] = v.mean(axis=0)
            out["pc_q"] = np.quantile(v, quantile, axis=0)
        if do_fa:
            v = _factor_values(Rs, method, use_smc)
            out["fa_mean"] = v.mean(axis=0)
            out["fa_q"] = np.quantile(v, quantile, axis=0)
        return out

    nan = np.full(p, np.nan)
    resampled = (
        summarise(_resampled_correlations(rng, ci.data, n_iter, ci.cor)) if can_resample else {}
    )
    simulated = summarise(_simulated_correlations(rng, n_iter, n, p)) if simulate else {}
    ref = simulated if simulate else resampled
    n_factors = _count_above(fa_values, ref["fa_q"]) if do_fa else None
    n_components = _count_above(pc_values, ref["pc_q"]) if do_pc else None

    table = pd.DataFrame(
        {
            "pc_observed": pc_values,
            "pc_simulated": simulated.get("pc_mean", nan),
            "pc_simulated_quantile": simulated.get("pc_q", nan),
            "pc_resampled": resampled.get("pc_mean", nan),
            "pc_resampled_quantile": resampled.get("pc_q", nan),
            "fa_observed": fa_values,
            "fa_simulated": simulated.get("fa_mean", nan),
            "fa_simulated_quantile": simulated.get("fa_q", nan),
            "fa_resampled": resampled.get("fa_mean", nan),
            "fa_resampled_quantile": resampled.get("fa_q", nan),
        },
        index=pd.RangeIndex(1, p + 1, name="position"),
    )
    if not do_pc:
        table = table.drop(columns=[c for c in table.columns if c.startswith("pc_")])
    if not do_fa:
        table = table.drop(columns=[c for c in table.columns if c.startswith("fa_")])
    table = table.dropna(axis=1, how="all")
    return ParallelAnalysisResult(
        n_factors=n_factors,
        n_components=n_components,
        table=table,
        pc_values=pc_values,
        fa_values=fa_values,
        n_iter=n_iter,
        quantile=quantile,
        seed=seed,
        n_obs=n,
        method=method,
        fa=fa,
        simulated=simulate,
        resampled=can_resample,
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class MAPResult:
    """Result of :func:`velicer_map`.

    Attributes
    ----------
    map : Series
        Average squared partial correlation after removing ``m = 1 .. n`` components (psych ``map``).
    average_squared_r : float
        The average squared correlation before any component is removed (``m = 0``).
    n_factors : int
        The ``m`` with the smallest average squared partial (among ``1 .. n``, as psych).
    """

    map: pd.Series
    average_squared_r: float
    n_factors: int

    def to_dict(self) -> dict[str, Any]:
        return jsonable(
            {
                "map": [None if not np.isfinite(v) else float(v) for v in self.map],
                "average_squared_r": self.average_squared_r,
                "n_factors": self.n_factors,
            }
        )


def velicer_map(
    items: Any, max_factors: int = 8, *, cor: str = "pearson", missing: str = "pairwise"
) -> MAPResult:
    """Velicer's (1976) minimum average partial (MAP) test, as psych ``vss()$map``.

    For ``m = 1 .. min(max_factors, p - 1)`` the first ``m`` principal components ``A_m`` are
    partialled out, ``C = R - A_m A_m'``; the partial correlations are
    ``C_ij / sqrt(C_ii C_jj)`` and MAP(m) is their mean square over the ``p(p - 1)`` off-diagonal
    cells. The suggested number of factors minimises MAP.
    """
    ci = correlation_input(items, cor=cor, missing=missing)
    R = ci.R
    p = R.shape[0]
    n = min(int(max_factors), p)
    n1 = p - 1 if n >= p else n
    w, v = np.linalg.eigh(R)
    w = w[::-1]
    v = v[:, ::-1]
    comp = v * np.sqrt(np.maximum(w, 0.0))
    vals = np.full(n, np.nan)
    for m in range(1, n1 + 1):
        C = R - comp[:, :m] @ comp[:, :m].T
        d = 1.0 / np.sqrt(np.diag(C))
        rs = C * d[:, None] * d[None, :]
        np.fill_diagonal(rs, 0.0)
        vals[m - 1] = np.sum(rs * rs) / (p * (p - 1))
    off = R - np.diag(np.diag(R))
    base = float(np.sum(off * off) / (p * (p - 1)))
    best = int(np.nanargmin(vals)) + 1
    return MAPResult(pd.Series(vals, index=range(1, n + 1), name="map"), base, best)


def scree(items: Any, *, cor: str = "pearson", missing: str = "pairwise") -> pd.DataFrame:
    """Eigenvalues for a scree plot: of ``R`` (components) and of ``R`` with SMCs on the diagonal."""
    ci = correlation_input(items, cor=cor, missing=missing)
    R = ci.R
    Rr = R.copy()
    np.fill_diagonal(Rr, smc(R))
    return pd.DataFrame(
        {
            "component": np.linalg.eigvalsh(R)[::-1],
            "factor_smc": np.linalg.eigvalsh(Rr)[::-1],
        },
        index=pd.RangeIndex(1, R.shape[0] + 1, name="position"),
    )


__all__ = [
    "MAPResult",
    "ParallelAnalysisResult",
    "parallel_analysis",
    "scree",
    "velicer_map",
]
