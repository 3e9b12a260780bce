"""Reliability of a scale: Cronbach's alpha with confidence intervals, Guttman's lambda 6, omega,
ordinal alpha and omega, and the item analysis (item-rest correlations, alpha and omega if deleted).

For the k keyed items with covariance matrix ``C`` and correlation matrix ``R`` (psych ``alpha``,
Revelle 2022, whose figures these match):

* raw alpha ``= k/(k-1) (1 - tr C / 1'C1)`` (Cronbach, 1951);
* standardised alpha ``= k/(k-1) (1 - k / 1'R1)``, the same on ``R``;
* average inter-item correlation ``r_bar = (1'R1 - k) / (k(k-1))``; median of the ``r_ij``;
  signal/noise ``k r_bar / (1 - r_bar)``;
* Guttman's lambda 6 ``= 1 - (k - sum smc_i) / 1'R1`` with ``smc_i = 1 - 1/(R^-1)_ii`` (Guttman, 1945);
* corrected item-total (item-rest) correlation ``r_drop,i = (C_i. 1 - C_ii) / sqrt(C_ii 1'C_(-i)1)``;
  uncorrected ``raw_r``: correlation of the item with the mean of the items; ``std_r =
  (R 1)_i / sqrt(1'R1)``; ``r_cor``: the same with the SMCs on the diagonal (psych ``r.cor``);
* alpha (raw and standardised) and omega if the item is deleted: the same on the other k-1 items.

Confidence intervals of alpha:

* Feldt (Feldt, Woodruff & Salih, 1987; psych ``alpha.ci``):
  ``[1 - (1-alpha) F_{1-a/2}(n-1, (n-1)(k-1)), 1 - (1-alpha) F_{a/2}(n-1, (n-1)(k-1))]``;
* Duhachek & Iacobucci (2004), ``alpha +- z_{1-a/2} ase`` with psych's asymptotic standard error
  ``ase = sqrt(Q/n)``, ``Q = 2k^2/((k-1)^2 (1'C1)^3) [1'C1 (tr C^2 + (tr C)^2) - 2 tr C 1'C^21]``
  (van Zyl, Neudecker & Nel, 2000);
* bootstrap (respondents resampled with replacement, numpy ``Generator`` seeded by ``seed``):
  percentile, and BCa with the bias correction ``z0 = Phi^-1(#{t* < t} / B)`` and the acceleration
  ``a = sum L^3 / (6 (sum L^2)^1.5)`` from the jackknife influence values ``L_i = (n-1)(t_(.) -
  t_(i))`` (Efron, 1987). Endpoints are the ``(B+1) alpha``-th order statistics interpolated on the
  normal scale, as R's ``boot.ci`` (Davison & Hinkley, 1997). The 2,000 covariance matrices are
  computed at once from resampling weights and the items' cross products.

Omega total comes from a one-factor minres model (McDonald, 1999; psych ``omega(nfactors = 1)``, via
:func:`moscale.analysis.omega.omega_total_1f`); ordinal alpha is standardised alpha on the polychoric
matrix (Zumbo, Gadermann & Zeisser, 2007) and ordinal omega the one-factor omega of that matrix; for a
scale with sub-dimensions, omega hierarchical and omega total come from the Schmid-Leiman solution
(:func:`moscale.analysis.omega.omega`, as psych ``omega()``). Items are never reversed by these
functions: only those named in ``reverse`` are, an item with a negative item-rest correlation is
flagged, not flipped, and omega is computed without psych's automatic ``flip``.

Missing data: listwise within the scale by default, so every figure rests on the same respondents;
``missing="pairwise"`` computes each covariance from the respondents who answered both items (psych's
default) and then the n behind the Feldt interval is the smallest pairwise n. The n is reported with
every figure.

Formative and index scales get no alpha: their items are not exchangeable reflections of one
construct, so internal consistency says nothing about their quality (Bollen & Lennox, 1991;
Diamantopoulos & Winklhofer, 2001).

References
----------
Bollen, K., & Lennox, R. (1991). Conventional wisdom on measurement: A structural equation
perspective. Psychological Bulletin, 110, 305-314.
Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests. Psychometrika, 16,
297-334.
Davison, A. C., & Hinkley, D. V. (1997). Bootstrap methods and their application. Cambridge University
Press.
Diamantopoulos, A., & Winklhofer, H. M. (2001). Index construction with formative indicators. Journal
of Marketing Research, 38, 269-277.
Duhachek, A., & Iacobucci, D. (2004). Alpha's standard error (ASE). Journal of Applied Psychology, 89,
792-808.
Efron, B. (1987). Better bootstrap confidence intervals. JASA, 82, 171-185.
Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for coefficient alpha.
Applied Psychological Measurement, 11, 93-103.
Guttman, L. (1945). A basis for analyzing test-retest reliability. Psychometrika, 10, 255-282.
McDonald, R. P. (1999). Test theory: A unified treatment. Erlbaum.
van Zyl, J. M., Neudecker, H., & Nel, D. G. (2000). On the distribution of the maximum likelihood
estimator of Cronbach's alpha. Psychometrika, 65, 271-280.
Zumbo, B. D., Gadermann, A. M., & Zeisser, C. (2007). Ordinal versions of coefficients alpha and theta
for Likert rating scales. Journal of Modern Applied Statistical Methods, 6, 21-29.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import special, stats

from moscale.analysis.itemstats import item_statistics, reverse_key
from moscale.analysis.polychoric import (
    PolychoricResult,
    _as_frame,
    json_safe,
    pearson_pairwise,
    polychoric,
)
from moscale.errors import DataError, ModelError, UserError

Kind = Literal["reflective", "formative", "index"]

#: Default seed of the bootstrap, so that a report is reproducible unless asked otherwise.
DEFAULT_SEED = 20240601
#: Resamples drawn per block (fixed, so that a seed gives the same draws whatever the data size).
_BOOT_BLOCK = 100
#: Ordinal coefficients are computed automatically for integer items with at most this many
#: categories.
ORDINAL_MAX_CATEGORIES = 10

NO_ALPHA_REASON = {
    "formative": (
        "Formative scale: its items are causes, not reflections, of the construct and need not "
        "correlate, so internal consistency (alpha, omega) does not measure its quality (Bollen & "
        "Lennox, 1991; Diamantopoulos & Winklhofer, 2001). Judge the items by content coverage, "
        "multicollinearity (VIF) and external validity instead."
    ),
    "index": (
        "Index: the score adds up distinct components, which need not correlate, so internal "
        "consistency (alpha, omega) does not apply (Diamantopoulos & Winklhofer, 2001)."
    ),
}


# --------------------------------------------------------------------------------------------------
# Alpha and its relatives from C and R
# --------------------------------------------------------------------------------------------------


def smc(r: np.ndarray) -> np.ndarray:
    """Squared multiple correlations ``1 - 1/diag(R^-1)`` (pseudo-inverse, clipped to [0, 1] as psych)."""
    inv = np.linalg.pinv(r)
    return np.clip(1.0 - 1.0 / np.diag(inv), 0.0, 1.0)


def alpha_coefficients(c: np.ndarray) -> dict[str, float]:
    """Alpha and related coefficients from one covariance matrix (module docstring)."""
    c = np.asarray(c, dtype=float)
    k = c.shape[0]
    d = np.sqrt(np.diag(c))
    r = c / np.outer(d, d)
    tot_c = c.sum()
    tot_r = r.sum()
    tr = np.trace(c)
    low = r[np.tril_indices(k, -1)]
    av_r = (tot_r - k) / (k * (k - 1))
    q = (2.0 * k * k / ((k - 1) ** 2 * tot_c**3)) * (
        tot_c * (np.trace(c @ c) + tr * tr) - 2.0 * tr * (c @ c).sum()
    )
    return {
        "alpha": k / (k - 1) * (1.0 - tr / tot_c),
        "std_alpha": k / (k - 1) * (1.0 - k / tot_r),
        "g6": 1.0 - (k - smc(r).sum()) / tot_r,
        "average_r": av_r,
        "median_r": float(np.median(low)),
        "signal_noise": k * av_r / (1.0 - av_r),
        "q": q,
    }


def _alpha_batch(c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Raw and standardised alpha of a stack of covariance matrices (B, k, k)."""
    k = c.shape[-1]
    tr = np.trace(c, axis1=1, axis2=2)
    tot = c.sum(axis=(1, 2))
    d = np.sqrt(np.diagonal(c, axis1=1, axis2=2))
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = k / (k - 1) * (1.0 - tr / tot)
        rsum = (c / (d[:, :, None] * d[:, None, :])).sum(axis=(1, 2))
        std = k / (k - 1) * (1.0 - k / rsum)
    return raw, std


def feldt_ci(alpha: float, n: int, k: int, level: float = 0.95) -> tuple[float, float]:
    """Feldt, Woodruff & Salih (1987) interval, as psych ``alpha.ci``.

    ``lower = 1 - (1-alpha) F_{1-a/2}(n-1, (n-1)(k-1))``,
    ``upper = 1 - (1-alpha) F_{a/2}(n-1, (n-1)(k-1))``, ``a = 1 - level``.
    """
    a = 1.0 - level
    df1, df2 = n - 1, (n - 1) * (k - 1)
    lower = 1.0 - (1.0 - alpha) * stats.f.ppf(1.0 - a / 2.0, df1, df2)
    upper = 1.0 - (1.0 - alpha) * stats.f.ppf(a / 2.0, df1, df2)
    return float(lower), float(upper)


# --------------------------------------------------------------------------------------------------
# Bootstrap
# --------------------------------------------------------------------------------------------------


def _norm_inter(t: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Quantiles of bootstrap replicates as R's ``boot:::norm.inter``: the ``(B+1) p``-th order
    statistic, interpolated between neighbours on the normal quantile scale (Davison & Hinkley,
    1997, eq. 5.8); the extreme order statistics at the ends."""
    t = np.sort(t[np.isfinite(t)])
    b = t.size
    out = np.empty(len(probs))
    for m, p in enumerate(probs):
        rk = (b + 1) * p
        k = int(np.trunc(rk))
        if k == rk and 0 < k <= b:
            out[m] = t[k - 1]
        elif k <= 0:
            out[m] = t[0]
        elif k >= b:
            out[m] = t[-1]
        else:
            z = special.ndtri(p)
            z1 = special.ndtri(k / (b + 1))
            z2 = special.ndtri((k + 1) / (b + 1))
            out[m] = t[k - 1] + (z - z1) / (z2 - z1) * (t[k] - t[k - 1])
    return out


def bootstrap_interval(
    t0: float,
    t: np.ndarray,
    level: float = 0.95,
    method: Literal["percentile", "bca"] = "percentile",
    jackknife: np.ndarray | None = None,
) -> tuple[float, float]:
    """Percentile or BCa interval from bootstrap replicates ``t`` of the estimate ``t0``.

    BCa (Efron, 1987): ``z0 = Phi^-1(#{t* < t0}/B)``, acceleration ``a = sum L^3 / (6 (sum L^2)^1.5)``
    with the jackknife influence values ``L_i = (n-1)(mean(t_(.)) - t_(i))`` from the leave-one-out
    estimates ``jackknife``; the endpoints are the quantiles at
    ``Phi(z0 + (z0 + z_a) / (1 - a (z0 + z_a)))``. Quantiles as R's boot (``norm.inter``), so the
    result equals ``boot.ci(type = "bca", L = L)`` on the same replicates. Non-finite replicates are
    dropped, as boot does.
    """
    t = np.asarray(t, dtype=float)
    t = t[np.isfinite(t)]
    if t.size < 10:
        return float("nan"), float("nan")
    probs = np.array([(1.0 - level) / 2.0, (1.0 + level) / 2.0])
    if method == "percentile":
        lo, hi = _norm_inter(t, probs)
        return float(lo), float(hi)
    if method != "bca":
        raise UserError(f"unknown bootstrap interval {method!r}", hint="use 'percentile' or 'bca'")
    if jackknife is None:
        raise UserError("a BCa interval needs the jackknife estimates", hint="pass jackknife=")
    frac = np.sum(t < t0) / t.size
    if frac <= 0 or frac >= 1:
        return float("nan"), float("nan")
    z0 = special.ndtri(frac)
    jk = np.asarray(jackknife, dtype=float)
    jk = jk[np.isfinite(jk)]
    infl = (jk.size - 1) * (jk.mean() - jk)
    den = 6.0 * np.sum(infl**2) ** 1.5
    acc = float(np.sum(infl**3) / den) if den > 0 else 0.0
    za = special.ndtri(probs)
    adj = special.ndtr(z0 + (z0 + za) / (1.0 - acc * (z0 + za)))
    lo, hi = _norm_inter(t, adj)
    return float(lo), float(hi)


class _Moments:
    """Per-respondent cross products from which the covariance matrix of any reweighting of the
    respondents (bootstrap weights, leave-one-out) follows by one matrix product.

    Listwise: ``G = [x_i, x_i x_j (i <= j)]`` of the centred items. Pairwise: for every pair
    ``i <= j`` the indicator ``m_ij`` of both being present and ``m_ij x_i``, ``m_ij x_j``,
    ``m_ij x_i x_j``, so each covariance uses its own respondents, as in the point estimate.
    """

    def __init__(self, x: np.ndarray, pairwise: bool):
        self.pairwise = pairwise
        n, k = x.shape
        self.k = k
        self.iu = np.triu_indices(k)
        xc = x - np.nanmean(x, axis=0)
        if not pairwise:
            prods = xc[:, self.iu[0]] * xc[:, self.iu[1]]
            self.g = np.hstack([np.ones((n, 1)), xc, prods])
        else:
            m = (~np.isnan(xc)).astype(float)
            x0 = np.where(m > 0, xc, 0.0)
            mij = m[:, self.iu[0]] * m[:, self.iu[1]]
            xi = x0[:, self.iu[0]] * mij
            xj = x0[:, self.iu[1]] * mij
            self.g = np.hstack([mij, xi, xj, x0[:, self.iu[0]] * x0[:, self.iu[1]]])

    def cov(self, s: np.ndarray) -> np.ndarray:
        """Covariance matrices (B, k, k) from summed rows ``s`` (B, q)."""
        k, iu = self.k, self.iu
        npair = iu[0].size
        b = s.shape[0]
        if not self.pairwise:
            n = s[:, 0]
            sx = s[:, 1 : 1 + k]
            sxx = s[:, 1 + k :]
            up = (sxx - sx[:, iu[0]] * sx[:, iu[1]] / n[:, None]) / (n[:, None] - 1.0)
        else:
            n = s[:, :npair]
            si = s[:, npair : 2 * npair]
            sj = s[:, 2 * npair : 3 * npair]
            sij = s[:, 3 * npair :]
            with np.errstate(invalid="ignore", divide="ignore"):
                up = (sij - si * sj / n) / (n - 1.0)
        c = np.empty((b, k, k))
        c[:, iu[0], iu[1]] = up
        c[:, iu[1], iu[0]] = up
        return c


def _bootstrap_alpha(
    x: np.ndarray, pairwise: bool, n_boot: int, seed: int | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Bootstrap and jackknife replicates of raw and standardised alpha.

    Resampling ``n`` respondents with replacement is a weight vector of counts; the sums of the
    cross products under those weights give every resample's covariance matrix at once.
    """
    n = x.shape[0]
    mom = _Moments(x, pairwise)
    rng = np.random.default_rng(seed)
    raw = np.empty(n_boot)
    std = np.empty(n_boot)
    done = 0
    while done < n_boot:
        b = min(_BOOT_BLOCK, n_boot - done)
        idx = rng.integers(0, n, size=(b, n))
        w = np.bincount((idx + n * np.arange(b)[:, None]).ravel(), minlength=b * n).reshape(b, n)
        raw[done : done + b], std[done : done + b] = _alpha_batch(mom.cov(w @ mom.g))
        done += b
    total = mom.g.sum(axis=0)
    jk_raw, jk_std = _alpha_batch(mom.cov(total[None, :] - mom.g))
    return raw, std, jk_raw, jk_std


# --------------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReliabilityResult:
    """Result of :func:`reliability` for one scale (dimension).

    Attributes
    ----------
    alpha, std_alpha : float or None
        Cronbach's alpha on the covariances and on the correlations (None for formative and index
        scales; see ``no_alpha_reason``).
    g6, average_r, median_r, signal_noise, alpha_se : float or None
        Guttman's lambda 6, the average and median inter-item correlation, signal/noise and psych's
        asymptotic standard error of alpha.
    omega_total : float or None
        One-factor omega total, psych's ``omega.tot`` (``(V - sum psi)/V``, V the variance of the sum).
    omega_total_model : float or None
        The same with the model-implied variance of the sum (McDonald, 1999).
    ordinal_alpha, ordinal_omega : float or None
        Standardised alpha and one-factor omega total of the polychoric matrix.
    omega_hierarchical, omega_total_sl : float or None
        From the Schmid-Leiman solution when ``subscales`` were given.
    ci : DataFrame
        Confidence intervals: one row per coefficient and method (feldt, duhachek,
        bootstrap_percentile, bootstrap_bca) with ``level`` and the ``n`` it rests on.
    items : DataFrame
        Item table: descriptives (n, mean, SD, skew, kurtosis, missing, floor, ceiling), item-rest
        correlation ``r_drop``, ``raw_r``, ``std_r``, ``r_cor``, alpha / standardised alpha / omega if
        deleted, and ``flag``.
    distribution : DataFrame or None
        Response distribution (shares of valid answers per category and of missing answers).
    n_obs : int
        Rows in the data.
    n_used : int
        Respondents the figures rest on (listwise: complete rows; pairwise: the smallest pairwise n).
    n_pairwise : DataFrame or None
        Pairwise n when ``missing="pairwise"``.
    subscales : dict of str to ReliabilityResult
    """

    name: str | None
    item_names: list[str]
    kind: str
    missing: str
    n_obs: int
    n_used: int
    reverse_keyed: list[str]
    scale_range: tuple[float, float] | None
    scale_range_source: str
    alpha: float | None
    std_alpha: float | None
    g6: float | None
    average_r: float | None
    median_r: float | None
    signal_noise: float | None
    alpha_se: float | None
    omega_total: float | None
    omega_total_model: float | None
    ordinal_alpha: float | None
    ordinal_omega: float | None
    omega_hierarchical: float | None
    omega_total_sl: float | None
    ci: pd.DataFrame
    items: pd.DataFrame
    distribution: pd.DataFrame | None
    n_pairwise: pd.DataFrame | None
    no_alpha_reason: str | None
    bootstrap: dict[str, Any]
    flags: list[str]
    polychoric: PolychoricResult | None = None
    omega_1f: Any = None
    omega_sl: Any = None
    subscales: dict[str, ReliabilityResult] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> pd.DataFrame:
        """One row per coefficient: estimate, CI (Feldt for alpha, BCa for standardised alpha when
        bootstrapped) and the n it rests on."""
        rows = []

        def ci_of(coef: str, method: str) -> tuple[float, float, str]:
            sel = self.ci[(self.ci["coefficient"] == coef) & (self.ci["method"] == method)]
            if sel.empty:
                return float("nan"), float("nan"), ""
            return float(sel["lower"].iloc[0]), float(sel["upper"].iloc[0]), method

        for coef, val, meth in [
            ("alpha", self.alpha, "feldt"),
            ("std_alpha", self.std_alpha, "bootstrap_bca"),
            ("g6", self.g6, None),
            ("average_r", self.average_r, None),
            ("median_r", self.median_r, None),
            ("omega_total", self.omega_total, None),
            ("ordinal_alpha", self.ordinal_alpha, None),
            ("ordinal_omega", self.ordinal_omega, None),
            ("omega_hierarchical", self.omega_hierarchical, None),
            ("omega_total_sl", self.omega_total_sl, None),
        ]:
            if val is None:
                continue
            lo, hi, m = ci_of(coef, meth) if meth else (float("nan"), float("nan"), "")
            rows.append(
                {
                    "coefficient": coef,
                    "estimate": val,
                    "ci_lower": lo,
                    "ci_upper": hi,
                    "ci_method": m,
                    "n": self.n_used,
                }
            )
        return pd.DataFrame(
            rows, columns=["coefficient", "estimate", "ci_lower", "ci_upper", "ci_method", "n"]
        )

    def to_dict(self) -> dict:
        items = self.items.reset_index()
        ci = self.ci
        return json_safe(
            {
                "name": self.name,
                "items": list(self.item_names),
                "kind": self.kind,
                "no_alpha_reason": self.no_alpha_reason,
                "missing": self.missing,
                "n_obs": self.n_obs,
                "n_used": self.n_used,
                "reverse_keyed": list(self.reverse_keyed),
                "scale_range": list(self.scale_range) if self.scale_range else None,
                "scale_range_source": self.scale_range_source,
                "coefficients": {
                    "alpha": self.alpha,
                    "std_alpha": self.std_alpha,
                    "g6": self.g6,
                    "average_r": self.average_r,
                    "median_r": self.median_r,
                    "signal_noise": self.signal_noise,
                    "alpha_se": self.alpha_se,
                    "omega_total": self.omega_total,
                    "omega_total_model": self.omega_total_model,
                    "ordinal_alpha": self.ordinal_alpha,
                    "ordinal_omega": self.ordinal_omega,
                    "omega_hierarchical": self.omega_hierarchical,
                    "omega_total_sl": self.omega_total_sl,
                },
                "ci": ci.to_dict(orient="records"),
                "bootstrap": dict(self.bootstrap),
                "item_table": items.to_dict(orient="records"),
                "distribution": None
                if self.distribution is None
                else self.distribution.reset_index().to_dict(orient="records"),
                "flags": list(self.flags),
                "subscales": {k: v.to_dict() for k, v in self.subscales.items()},
                "notes": list(self.notes),
            }
        )


# --------------------------------------------------------------------------------------------------
# The public function
# --------------------------------------------------------------------------------------------------


def _pairwise_cov(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Covariances on pairwise-complete rows (R ``cov(use = "pairwise")``) and the pairwise n."""
    mom = _Moments(x, pairwise=True)
    c = mom.cov(mom.g.sum(axis=0)[None, :])[0]
    m = (~np.isnan(x)).astype(float)
    return c, (m.T @ m).astype(int)


def _is_ordinal(x: np.ndarray) -> bool:
    for col in x.T:
        obs = col[~np.isnan(col)]
        if obs.size == 0 or np.any(obs != np.round(obs)):
            return False
        if not 2 <= np.unique(obs).size <= ORDINAL_MAX_CATEGORIES:
            return False
    return True


def _omega_1f(r: pd.DataFrame, n: int):
    """One-factor omega via the omega module (imported here: it pulls in the EFA machinery)."""
    from moscale.analysis.omega import omega_total_1f

    return omega_total_1f(r, flip=False, n_obs=n)


def reliability(
    items: pd.DataFrame,
    reverse: Sequence[str] | None = None,
    scale_range: Sequence[float] | None = None,
    *,
    kind: Kind = "reflective",
    missing: Literal["listwise", "pairwise"] = "listwise",
    level: float = 0.95,
    n_boot: int = 2000,
    seed: int | None = DEFAULT_SEED,
    ordinal: bool | Literal["auto"] = "auto",
    omega: bool = True,
    subscales: Mapping[str, Sequence[str]] | None = None,
    name: str | None = None,
) -> ReliabilityResult:
    """Reliability and item analysis of one scale (formulas in the module docstring).

    Parameters
    ----------
    items : DataFrame
        The scale's items, one numeric column each (response codes), NaN for missing.
    reverse : sequence of str, optional
        Reverse-keyed items, recoded ``min + max - x`` before anything is computed. Nothing is
        reversed unless named here; the result records what was.
    scale_range : (min, max), optional
        Lowest and highest response codes (reverse keying, floor and ceiling). Default: the lowest
        and highest answers observed over the items, and the result says so.
    kind : {"reflective", "formative", "index"}
        Formative scales and indices get the item table and no alpha/omega, with the reason.
    missing : {"listwise", "pairwise"}
        Listwise within the scale (default) or pairwise covariances (psych's default).
    level : float
        Confidence level of the intervals.
    n_boot : int
        Bootstrap resamples (0 for none).
    seed : int or None
        Seed of the bootstrap's numpy Generator (fixed by default so that a report reproduces).
    ordinal : bool or "auto"
        Ordinal alpha and omega from polychoric correlations; "auto": when every item is an integer
        code with 2 to 10 categories.
    omega : bool
        Compute omega (total, if deleted, ordinal, hierarchical); needs the factor-analysis modules.
    subscales : mapping of str to sequence of str, optional
        Sub-dimensions of a multidimensional scale: each gets its own result, and omega
        hierarchical / omega total come from a Schmid-Leiman solution with one group factor per
        sub-dimension.
    name : str, optional
        The scale's name, carried into the result.

    Returns
    -------
    ReliabilityResult

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"q1": [4, 5, 3, 4, 2, 5, 3, 4], "q2": [4, 4, 3, 5, 2, 5, 2, 4],
    ...                   "q3": [2, 1, 3, 2, 4, 1, 4, 2]})
    >>> res = reliability(d, reverse=["q3"], scale_range=(1, 5), n_boot=0)
    >>> round(res.alpha, 3)  # psych: alpha(d, keys = "q3")$total$raw_alpha
    0.962
    >>> res.items["r_drop"].round(3).tolist()
    [0.924, 0.882, 0.965]
    """
    if kind not in ("reflective", "formative", "index"):
        raise UserError(
            f"kind={kind!r} is not a kind of scale",
            hint="use kind='reflective', 'formative' or 'index'",
        )
    if missing not in ("listwise", "pairwise"):
        raise UserError(
            f"missing={missing!r} is not a missing-data option",
            hint="use missing='listwise' or missing='pairwise'",
        )
    if not 0 < level < 1:
        raise UserError(f"level={level} must be between 0 and 1", hint="use e.g. level=0.95")
    if n_boot and 0 < n_boot < 100:
        raise UserError(
            f"n_boot={n_boot} is too few resamples for an interval",
            hint="use n_boot=2000 (default), or 0 for no bootstrap",
        )
    data = _as_frame(items)
    names = [str(c) for c in data.columns]
    if len(names) < 2:
        raise DataError(
            f"reliability needs at least two items, got {len(names)}"
            + (f" ({names[0]})" if names else ""),
            hint="pass the columns of all the scale's items",
        )
    keyed = reverse_key(data, reverse, scale_range)
    kdata = keyed.data
    istats = item_statistics(kdata, scale_range=keyed.scale_range)
    table = istats.table.copy()
    table["reversed"] = [n in keyed.reverse_keyed for n in table.index]
    notes = [n for n in istats.notes if not n.startswith("Scale range")]
    if keyed.range_source == "observed" and keyed.scale_range is not None:
        notes.append(
            f"Scale range {keyed.scale_range[0]:g}-{keyed.scale_range[1]:g} taken from the answers "
            "observed, not declared"
            + (" (used for reverse keying)." if keyed.reverse_keyed else ".")
        )
    if keyed.reverse_keyed:
        lo, hi = keyed.scale_range  # type: ignore[misc]
        notes.append(f"Reverse-keyed as {lo + hi:g} - x: " + ", ".join(keyed.reverse_keyed) + ".")
    common = {
        "name": name,
        "kind": kind,
        "missing": missing,
        "n_obs": int(kdata.shape[0]),
        "reverse_keyed": keyed.reverse_keyed,
        "scale_range": keyed.scale_range,
        "scale_range_source": keyed.range_source,
        "distribution": istats.distribution,
    }
    empty_ci = pd.DataFrame(columns=["coefficient", "method", "lower", "upper", "level", "n"])
    none_coefs = dict.fromkeys(
        [
            "alpha",
            "std_alpha",
            "g6",
            "average_r",
            "median_r",
            "signal_noise",
            "alpha_se",
            "omega_total",
            "omega_total_model",
            "ordinal_alpha",
            "ordinal_omega",
            "omega_hierarchical",
            "omega_total_sl",
        ]
    )
    if kind != "reflective":
        return ReliabilityResult(
            **common,
            item_names=names,
            n_used=int(kdata.dropna().shape[0]),
            **none_coefs,
            ci=empty_ci,
            items=table,
            n_pairwise=None,
            no_alpha_reason=NO_ALPHA_REASON[kind],
            bootstrap={},
            flags=[],
            notes=notes + [NO_ALPHA_REASON[kind]],
        )

    # Items without variance cannot enter a covariance-based coefficient.
    sample = kdata.dropna() if missing == "listwise" else kdata
    if sample.shape[0] < 3:
        raise DataError(
            f"only {sample.shape[0]} respondent(s) answered every item of the scale",
            hint="use missing='pairwise' or check the missing-value codes",
        )
    sd = sample.std(ddof=1)
    flat = [c for c in names if not (sd[c] > 0)]
    if flat:
        notes.append(
            "Left out of the coefficients (no variance"
            + (" among complete responses" if missing == "listwise" else "")
            + "): "
            + ", ".join(flat)
            + "."
        )
    use = [c for c in names if c not in flat]
    if len(use) < 2:
        raise DataError(
            "fewer than two items vary"
            + (" among the respondents who answered every item" if missing == "listwise" else ""),
            hint="check the data and the missing-value codes; with many gaps try missing='pairwise'",
        )
    x = sample[use].to_numpy(dtype=float)
    k = len(use)
    if missing == "listwise":
        n_used = x.shape[0]
        c = np.cov(x, rowvar=False)
        npw = None
    else:
        c, npw_arr = _pairwise_cov(x)
        n_used = int(npw_arr.min())
        if n_used < 3 or not np.all(np.isfinite(c)):
            raise DataError(
                "some pairs of items have fewer than three respondents in common",
                hint="drop items that were rarely answered",
            )
        npw = pd.DataFrame(npw_arr, index=use, columns=use)
    d = np.sqrt(np.diag(c))
    r = c / np.outer(d, d)
    if np.linalg.eigvalsh(r).min() <= 0:
        notes.append(
            "The inter-item correlation matrix is not positive definite (pairwise deletion); SMC-"
            "based figures (lambda 6, r_cor) use its pseudo-inverse."
        )
    co = alpha_coefficients(c)
    alpha_se = float(np.sqrt(co["q"] / n_used))

    # Item analysis.
    colsum = c.sum(axis=0)
    r_drop = np.empty(k)
    a_drop = np.full(k, np.nan)
    s_drop = np.full(k, np.nan)
    for i in range(k):
        keep = np.arange(k) != i
        r_drop[i] = (colsum[i] - c[i, i]) / np.sqrt(c[i, i] * c[np.ix_(keep, keep)].sum())
        if k > 2:
            sub = alpha_coefficients(c[np.ix_(keep, keep)])
            a_drop[i], s_drop[i] = sub["alpha"], sub["std_alpha"]
    rc = r.copy()
    np.fill_diagonal(rc, smc(r))
    with np.errstate(invalid="ignore"):  # NaN when the items mostly correlate negatively
        std_r = r.sum(axis=0) / np.sqrt(r.sum())
        r_cor = rc.sum(axis=0) / np.sqrt(rc.sum())
    # psych's total: the mean of the items each respondent answered (NaN if none).
    answered = (~np.isnan(x)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_score = np.where(answered > 0, np.nansum(x, axis=1) / answered, np.nan)
    raw_r = np.array(
        [pearson_pairwise(np.column_stack([mean_score, x[:, i]]))[0][0, 1] for i in range(k)]
    )
    analysis = pd.DataFrame(
        {
            "r_drop": r_drop,
            "raw_r": raw_r,
            "std_r": std_r,
            "r_cor": r_cor,
            "alpha_if_deleted": a_drop,
            "std_alpha_if_deleted": s_drop,
        },
        index=pd.Index(use, name="item"),
    )
    flags = []
    table = table.join(analysis, how="left")
    table["omega_if_deleted"] = np.nan
    table["flag"] = ""
    for it in use:
        if analysis.loc[it, "r_drop"] < 0:
            msg = (
                f"{it} correlates negatively with the rest of the scale (r = "
                f"{analysis.loc[it, 'r_drop']:.2f}): if it is worded in reverse, add it to reverse=; "
                "otherwise consider dropping it. It was not reversed."
            )
            flags.append(msg)
            table.loc[it, "flag"] = "negative item-rest correlation"
    for it in flat:
        table.loc[it, "flag"] = "no variance"
    notes.extend(flags)

    # Confidence intervals.
    ci_rows = []
    lo, hi = feldt_ci(co["alpha"], n_used, k, level)
    ci_rows.append(("alpha", "feldt", lo, hi))
    z = special.ndtri(0.5 + level / 2.0)
    ci_rows.append(("alpha", "duhachek", co["alpha"] - z * alpha_se, co["alpha"] + z * alpha_se))
    boot_info: dict[str, Any] = {"n_boot": int(n_boot), "seed": seed, "level": level}
    if n_boot and n_boot > 0:
        b_raw, b_std, j_raw, j_std = _bootstrap_alpha(x, missing == "pairwise", int(n_boot), seed)
        for coef, t0, bt, jk in (
            ("alpha", co["alpha"], b_raw, j_raw),
            ("std_alpha", co["std_alpha"], b_std, j_std),
        ):
            p_lo, p_hi = bootstrap_interval(t0, bt, level, "percentile")
            ci_rows.append((coef, "bootstrap_percentile", p_lo, p_hi))
            c_lo, c_hi = bootstrap_interval(t0, bt, level, "bca", jk)
            ci_rows.append((coef, "bootstrap_bca", c_lo, c_hi))
        boot_info["n_valid"] = int(np.isfinite(b_raw).sum())
        boot_info["se_alpha"] = float(np.nanstd(b_raw, ddof=1))
        boot_info["se_std_alpha"] = float(np.nanstd(b_std, ddof=1))
    ci = pd.DataFrame(ci_rows, columns=["coefficient", "method", "lower", "upper"])
    ci["level"] = level
    ci["n"] = n_used

    # Omega (one factor; if deleted), ordinal coefficients, Schmid-Leiman omega.
    om_total = om_model = ord_alpha = ord_omega = om_h = om_t_sl = None
    om_obj = sl_obj = poly = None
    r_df = pd.DataFrame(r, index=use, columns=use)
    if omega and k >= 3:
        try:
            om_obj = _omega_1f(r_df, n_used)
            om_total, om_model = float(om_obj.omega_total), float(om_obj.omega_model)
            if k >= 4:
                for it in use:
                    rest = [u for u in use if u != it]
                    table.loc[it, "omega_if_deleted"] = float(
                        _omega_1f(r_df.loc[rest, rest], n_used).omega_total
                    )
            else:
                notes.append("Omega if deleted needs at least three remaining items.")
        except (ModelError, UserError, np.linalg.LinAlgError) as exc:
            notes.append(f"Omega could not be computed: {exc}")
    elif omega:
        notes.append(
            "Omega needs at least three items (a one-factor model of two is not identified)."
        )
    do_ord = _is_ordinal(x) if ordinal == "auto" else bool(ordinal)
    if do_ord:
        poly = polychoric(pd.DataFrame(x, columns=use), missing=missing)
        pr = poly.matrix.to_numpy()
        ord_alpha = float(k / (k - 1) * (1.0 - k / pr.sum()))
        notes.extend(f"Polychoric: {m}" for m in poly.notes)
        if omega and k >= 3:
            try:
                ord_omega = float(_omega_1f(poly.matrix, n_used).omega_total)
            except (ModelError, UserError, np.linalg.LinAlgError) as exc:
                notes.append(f"Ordinal omega could not be computed: {exc}")
    subs: dict[str, ReliabilityResult] = {}
    if subscales:
        listed = [str(i) for group in subscales.values() for i in group]
        unknown = sorted(set(listed) - set(names))
        if unknown:
            raise UserError(
                f"subscales name item(s) not among the items: {', '.join(unknown)}",
                hint="every sub-dimension must list columns of items",
            )
        for sname, group in subscales.items():
            subs[str(sname)] = reliability(
                data[[str(i) for i in group]],
                [rv for rv in keyed.reverse_keyed if rv in {str(i) for i in group}],
                keyed.scale_range,
                missing=missing,
                level=level,
                n_boot=n_boot,
                seed=seed,
                ordinal=ordinal,
                omega=omega,
                name=str(sname),
            )
        if omega and len(subscales) >= 2:
            from moscale.analysis.omega import omega as omega_sl

            try:
                sl_obj = omega_sl(r_df, n_factors=len(subscales), flip=False, n_obs=n_used)
                om_h, om_t_sl = float(sl_obj.omega_h), float(sl_obj.omega_total)
                if len(subscales) == 2:
                    notes.append(
                        "With two sub-dimensions the general factor is identified only by "
                        "assuming equal loadings on it (psych's option 'equal')."
                    )
            except (ModelError, UserError, np.linalg.LinAlgError) as exc:
                notes.append(f"Omega hierarchical could not be computed: {exc}")
    if missing == "pairwise":
        notes.append(
            f"Pairwise deletion: covariances rest on {n_used} to {int(npw.to_numpy().max())} "
            "respondents; the Feldt interval uses the smallest."
        )
    elif common["n_obs"] > n_used:
        notes.append(
            f"Listwise deletion: {n_used} of {common['n_obs']} respondents answered every item."
        )
    return ReliabilityResult(
        **common,
        item_names=names,
        n_used=int(n_used),
        alpha=float(co["alpha"]),
        std_alpha=float(co["std_alpha"]),
        g6=float(co["g6"]),
        average_r=float(co["average_r"]),
        median_r=float(co["median_r"]),
        signal_noise=float(co["signal_noise"]),
        alpha_se=alpha_se,
        omega_total=om_total,
        omega_total_model=om_model,
        ordinal_alpha=ord_alpha,
        ordinal_omega=ord_omega,
        omega_hierarchical=om_h,
        omega_total_sl=om_t_sl,
        ci=ci,
        items=table,
        n_pairwise=npw,
        no_alpha_reason=None,
        bootstrap=boot_info,
        flags=flags,
        polychoric=poly,
        omega_1f=om_obj,
        omega_sl=sl_obj,
        subscales=subs,
        notes=notes,
    )


__all__ = [
    "ReliabilityResult",
    "alpha_coefficients",
    "bootstrap_interval",
    "feldt_ci",
    "reliability",
    "smc",
]
