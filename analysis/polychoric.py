"""Polychoric and polyserial correlations by two-step maximum likelihood.

Ordinal responses are treated as coarse readings of continuous standard-normal variables cut at
thresholds. The estimator is the two-step one of Olsson (1979): first each item's thresholds come from
its own margin, ``tau_c = Phi^-1(p_1 + ... + p_c)``; then, with the thresholds held fixed, the
correlation of each pair maximises the multinomial log-likelihood of the pair's contingency table

    l(rho) = sum_ij n_ij log pi_ij(rho),
    pi_ij(rho) = Phi2(a_i, b_j; rho) - Phi2(a_{i-1}, b_j; rho) - Phi2(a_i, b_{j-1}; rho)
                 + Phi2(a_{i-1}, b_{j-1}; rho),

where ``Phi2`` is the bivariate standard normal distribution function. The polyserial correlation of a
continuous ``x`` with an ordinal ``y`` maximises, in the same two-step way, the conditional likelihood
``prod_k P(y_k | x_k)`` with ``P(y = c | z) = Phi((tau_c - rho z)/s) - Phi((tau_{c-1} - rho z)/s)``,
``z`` the standardised ``x`` and ``s = sqrt(1 - rho^2)`` (Olsson, Drasgow & Dorans, 1982).

Two conventions are offered, each matching its anchor:

``mimic="lavaan"`` (default; what the WLSMV estimator will use)
    lavaan's ``lavCor(ordered=)``: thresholds from each item's margin; empty cells are left empty
    (``correct`` is lavaan's ``zero.add[2]``, 0 by default), except in a 2x2 table with one empty
    cell, which gets 0.5 added and removed so that the margins are kept (lavaan's ``zero.add[1]``);
    ``rho`` is bounded to [-0.999, 0.999]; polyserial by two-step ML.
``mimic="psych"``
    psych's ``polychoric()``: when every item has the same highest category ("global" thresholds),
    thresholds from each item's margin and no correction; otherwise thresholds per pair from the
    pair's table after dropping empty rows and columns and setting empty cells to ``correct`` (0.5 by
    default); ``rho`` in [-1, 1]; polyserial by psych's ad hoc estimator
    ``r_xy sqrt((n-1)/n) sd_y / sum_c phi(tau_c)`` (Olsson, Drasgow & Dorans, 1982).

psych's optimiser stops at a tolerance of about 1e-4 (R's ``optimize`` default), so its figures
differ from the exact maximum by up to a few 1e-5; lavaan's agree with ours to about 1e-7.

The bivariate normal CDF is evaluated through Owen's T function (Owen, 1956),

    Phi2(h, k; rho) = Phi(h)/2 + Phi(k)/2 - T(h, a_h) - T(k, a_k) - beta,
    a_h = (k - rho h) / (h sqrt(1-rho^2)),  a_k = (h - rho k) / (k sqrt(1-rho^2)),

with ``beta = 1/2`` when ``h`` and ``k`` have opposite signs, vectorised over every threshold pair of
every table at once; ``rho`` is found by a bracketed Newton iteration on the analytic score and
Hessian, all pairs of the same table shape in one array operation.

The correlation matrix is made positive definite only when its smallest eigenvalue is below machine
epsilon, with psych's ``cor.smooth`` (eigenvalues below 1e-12 set to 1e-10, rescaled to sum to the
number of items, back to a correlation matrix; Wothke, 1993), and the result says so.

References
----------
Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation coefficient.
Psychometrika, 44, 443-460.
Olsson, U., Drasgow, F., & Dorans, N. J. (1982). The polyserial correlation coefficient.
Psychometrika, 47, 337-347.
Owen, D. B. (1956). Tables for computing bivariate normal probabilities. Annals of Mathematical
Statistics, 27, 1075-1090.
Wothke, W. (1993). Nonpositive definite matrices in structural modeling. In K. A. Bollen & J. S. Long
(Eds.), Testing structural equation models (pp. 256-293). Sage.
Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. Journal of Statistical
Software, 48(2), 1-36.
Revelle, W. (2022). psych: Procedures for psychological, psychometric, and personality research
(R package 2.2.9).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import special

from moscale.errors import DataError, UserError

Mimic = Literal["lavaan", "psych"]
Missing = Literal["listwise", "pairwise"]

#: lavaan's bounds for rho (nlminb ``lower``/``upper`` in lav_bvord_cor_twostep_fit).
LAVAAN_BOUND = 0.999
#: lavaan's bounds for the polyserial rho (lav_bvmix_cor_twostep_fit).
LAVAAN_BOUND_POLYSERIAL = 0.995
#: psych optimises over [-1, 1] (to within 1e-4); the end points make the likelihood degenerate.
PSYCH_BOUND = 0.99999

_TINY = 1e-300


# --------------------------------------------------------------------------------------------------
# The bivariate normal distribution
# --------------------------------------------------------------------------------------------------


def bvn_cdf(h: np.ndarray, k: np.ndarray, rho: np.ndarray | float) -> np.ndarray:
    """Bivariate standard normal CDF ``P(X <= h, Y <= k)`` with correlation ``rho``, vectorised.

    Uses Owen's (1956) T function (``scipy.special.owens_t``)::

        Phi2(h, k; rho) = Phi(h)/2 + Phi(k)/2 - T(h, a_h) - T(k, a_k) - beta

    with ``a_h = (k - rho h)/(h r)``, ``a_k = (h - rho k)/(k r)``, ``r = sqrt(1 - rho^2)`` and
    ``beta = 1/2`` when ``h k < 0`` (a zero argument counts as positive; ``T(0, +-inf) = +-1/4``).
    ``Phi2(0, 0; rho) = 1/4 + asin(rho)/(2 pi)``. Arguments may be infinite; ``|rho| < 1``.
    Accurate to about 1e-15.
    """
    h, k, rho = np.broadcast_arrays(
        np.asarray(h, dtype=float), np.asarray(k, dtype=float), np.asarray(rho, dtype=float)
    )
    out = np.empty(h.shape, dtype=float)
    # Infinite arguments reduce to the univariate margin (or 0).
    hinf, kinf = ~np.isfinite(h), ~np.isfinite(k)
    ok = ~(hinf | kinf)
    if np.any(~ok):
        hh, kk = h[~ok], k[~ok]
        val = np.where(
            (hh == -np.inf) | (kk == -np.inf),
            0.0,
            np.where(hh == np.inf, special.ndtr(kk), special.ndtr(hh)),
        )
        out[~ok] = val
    if not np.any(ok):
        return out
    h, k, rho = h[ok], k[ok], rho[ok]
    r = np.sqrt((1.0 - rho) * (1.0 + rho))
    with np.errstate(divide="ignore", invalid="ignore"):
        a_h = (k - rho * h) / (h * r)
        a_k = (h - rho * k) / (k * r)
    # T(0, a) = atan(a)/(2 pi); for h -> 0+ a_h -> sign(k) inf, so T -> sign(k)/4.
    t_h = np.where(h == 0.0, 0.25 * np.sign(k), special.owens_t(h, np.where(h == 0, 0.0, a_h)))
    t_k = np.where(k == 0.0, 0.25 * np.sign(h), special.owens_t(k, np.where(k == 0, 0.0, a_k)))
    sh = np.where(h >= 0.0, 1.0, -1.0)
    sk = np.where(k >= 0.0, 1.0, -1.0)
    beta = np.where(sh * sk < 0.0, 0.5, 0.0)
    val = 0.5 * special.ndtr(h) + 0.5 * special.ndtr(k) - t_h - t_k - beta
    both0 = (h == 0.0) & (k == 0.0)
    if np.any(both0):
        val = np.where(both0, 0.25 + np.arcsin(rho) / (2.0 * np.pi), val)
    out[ok] = np.clip(val, 0.0, 1.0)
    return out


def bvn_pdf(h: np.ndarray, k: np.ndarray, rho: np.ndarray | float) -> np.ndarray:
    """Bivariate standard normal density ``phi2(h, k; rho)``; 0 where an argument is infinite.

    ``phi2 = exp(-(h^2 - 2 rho h k + k^2) / (2 (1 - rho^2))) / (2 pi sqrt(1 - rho^2))``; it is also
    ``d Phi2(h, k; rho) / d rho`` (Plackett, 1954).
    """
    h, k, rho = np.broadcast_arrays(
        np.asarray(h, dtype=float), np.asarray(k, dtype=float), np.asarray(rho, dtype=float)
    )
    one_m = (1.0 - rho) * (1.0 + rho)
    fin = np.isfinite(h) & np.isfinite(k)
    hf = np.where(fin, h, 0.0)
    kf = np.where(fin, k, 0.0)
    q = (hf * hf - 2.0 * rho * hf * kf + kf * kf) / one_m
    return np.where(fin, np.exp(-0.5 * q) / (2.0 * np.pi * np.sqrt(one_m)), 0.0)


def _bvn_pdf_drho(h: np.ndarray, k: np.ndarray, rho: np.ndarray, pdf: np.ndarray) -> np.ndarray:
    """``d phi2 / d rho = phi2 [rho/(1-rho^2) + h k/(1-rho^2) - rho Q/(1-rho^2)^2]``."""
    one_m = (1.0 - rho) * (1.0 + rho)
    fin = np.isfinite(h) & np.isfinite(k)
    hf = np.where(fin, h, 0.0)
    kf = np.where(fin, k, 0.0)
    q = hf * hf - 2.0 * rho * hf * kf + kf * kf
    return pdf * ((rho + hf * kf) / one_m - rho * q / (one_m * one_m))


# --------------------------------------------------------------------------------------------------
# Cell probabilities of a pair and their derivatives
# --------------------------------------------------------------------------------------------------


def _grid(
    rho: np.ndarray, t1: np.ndarray, t2: np.ndarray, order: int = 0
) -> tuple[np.ndarray, ...]:
    """Cell probabilities of many tables of one shape at once.

    ``rho`` (P,), ``t1`` (P, R-1), ``t2`` (P, C-1) finite thresholds. Returns ``pi`` (P, R, C) and,
    for ``order >= 1``, ``d pi / d rho``; for ``order >= 2`` also ``d2 pi / d rho2``.
    """
    p = rho.shape[0]
    nr, nc = t1.shape[1] + 1, t2.shape[1] + 1
    h = t1[:, :, None]
    k = t2[:, None, :]
    rr = rho[:, None, None]
    cdf = np.zeros((p, nr + 1, nc + 1))
    cdf[:, 1:nr, 1:nc] = bvn_cdf(h, k, rr)
    cdf[:, nr, 1:nc] = special.ndtr(t2)
    cdf[:, 1:nr, nc] = special.ndtr(t1)
    cdf[:, nr, nc] = 1.0
    out = [_diff2(cdf)]
    if order >= 1:
        dens = np.zeros((p, nr + 1, nc + 1))
        pdf = bvn_pdf(h, k, rr)
        dens[:, 1:nr, 1:nc] = pdf
        out.append(_diff2(dens))
        if order >= 2:
            d2 = np.zeros((p, nr + 1, nc + 1))
            d2[:, 1:nr, 1:nc] = _bvn_pdf_drho(
                np.broadcast_to(h, pdf.shape), np.broadcast_to(k, pdf.shape), rr, pdf
            )
            out.append(_diff2(d2))
    return tuple(out)


def _diff2(f: np.ndarray) -> np.ndarray:
    """Rectangle differences of a CDF grid padded with its edges: F[i,j]-F[i-1,j]-F[i,j-1]+F[i-1,j-1]."""
    return f[:, 1:, 1:] - f[:, :-1, 1:] - f[:, 1:, :-1] + f[:, :-1, :-1]


def pair_probabilities(
    rho: float, tau_row: Sequence[float], tau_col: Sequence[float]
) -> np.ndarray:
    """Model cell probabilities ``pi_ij(rho)`` of an R x C table given the two threshold vectors.

    Parameters
    ----------
    rho : float
        Polychoric correlation, ``|rho| < 1``.
    tau_row, tau_col : sequence of float
        The R-1 and C-1 finite, increasing thresholds of the row and column item.
    """
    t1 = np.asarray(tau_row, dtype=float)[None, :]
    t2 = np.asarray(tau_col, dtype=float)[None, :]
    return _grid(np.array([float(rho)]), t1, t2)[0][0]


def pair_derivatives(
    rho: float, tau_row: Sequence[float], tau_col: Sequence[float]
) -> dict[str, np.ndarray]:
    """Derivatives of the cell probabilities of a pair, the building block of WLSMV's weight matrix.

    With ``F(a, b) = Phi2(a, b; rho)``: ``dF/drho = phi2(a, b; rho)`` and
    ``dF/da = phi(a) Phi((b - rho a)/sqrt(1 - rho^2))`` (and symmetrically in ``b``); the cell
    probabilities are rectangle differences of ``F`` (Olsson, 1979, eqs. 6-9).

    Returns
    -------
    dict
        ``pi`` (R, C); ``d_rho`` (R, C); ``d_tau_row`` (R-1, R, C), the derivative of every cell with
        respect to each row threshold; ``d_tau_col`` (C-1, R, C).
    """
    a = np.asarray(tau_row, dtype=float)
    b = np.asarray(tau_col, dtype=float)
    rho = float(rho)
    pi, d_rho = (x[0] for x in _grid(np.array([rho]), a[None, :], b[None, :], order=1))
    nr, nc = a.size + 1, b.size + 1
    s = np.sqrt(1.0 - rho * rho)
    a_ext = np.concatenate([[-np.inf], a, [np.inf]])
    b_ext = np.concatenate([[-np.inf], b, [np.inf]])
    # dF(a_r, b_j)/d a_r for every column bound b_j (F of the +inf bound is Phi(a_r): derivative phi).
    with np.errstate(invalid="ignore"):
        ga = special.ndtr((b_ext[None, :] - rho * a[:, None]) / s) * _phi(a)[:, None]  # (R-1, C+1)
        gb = special.ndtr((a_ext[None, :] - rho * b[:, None]) / s) * _phi(b)[:, None]  # (C-1, R+1)
    d_row = np.zeros((nr - 1, nr, nc))
    for r in range(nr - 1):
        g = ga[r]  # dF(a_r, b_j) for j = 0..C (b_0 = -inf, b_C = +inf)
        strip = g[1:] - g[:-1]  # d/d a_r of P(a_{r-1} < X <= a_r, b_{j-1} < Y <= b_j) over j
        d_row[r, r, :] += strip  # cell row r has upper bound a_r
        d_row[r, r + 1, :] -= strip  # cell row r+1 has lower bound a_r
    d_col = np.zeros((nc - 1, nr, nc))
    for c in range(nc - 1):
        g = gb[c]
        strip = g[1:] - g[:-1]
        d_col[c, :, c] += strip
        d_col[c, :, c + 1] -= strip
    return {"pi": pi, "d_rho": d_rho, "d_tau_row": d_row, "d_tau_col": d_col}


def _phi(x: np.ndarray) -> np.ndarray:
    return np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi)


# --------------------------------------------------------------------------------------------------
# A vectorised, bracketed Newton solver for many one-parameter likelihoods at once
# --------------------------------------------------------------------------------------------------


def _solve_score(
    score_hess: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
    start: np.ndarray,
    lower: float,
    upper: float,
    tol: float = 1e-11,
    max_iter: int = 200,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Root of the score ``g(rho) = 0`` of many one-parameter likelihoods, ``lower <= rho <= upper``.

    ``score_hess(rho, act)`` returns the score and the observed Hessian of problems ``act`` at
    ``rho``. Newton steps ``-g/H`` stay inside a bracket ``[lo, hi]`` with ``g(lo) > 0 > g(hi)`` that
    shrinks at every evaluation; a step leaving the bracket, or taken where the log-likelihood is not
    concave, is replaced by bisection (a safeguarded Newton iteration, as rtsafe in Press et al.,
    2007); the bounds themselves are never evaluated (the likelihood degenerates there), and when
    the score keeps one sign the bisections walk to that bound. Only problems not yet converged are
    evaluated.

    Returns ``rho``, the iteration count and a convergence flag per problem.
    """
    n = start.shape[0]
    lo = np.full(n, lower, dtype=float)
    hi = np.full(n, upper, dtype=float)
    rho = np.clip(np.where(np.isfinite(start), start, 0.0), lower, upper)
    iters = np.zeros(n, dtype=int)
    done = np.zeros(n, dtype=bool)
    for it in range(1, max_iter + 1):
        act = np.flatnonzero(~done)
        if act.size == 0:
            break
        r = rho[act]
        g, hess = score_hess(r, act)
        l_ = np.where(g > 0.0, r, lo[act])
        h_ = np.where(g < 0.0, r, hi[act])
        with np.errstate(divide="ignore", invalid="ignore"):
            new = r - g / hess
        bad = ~np.isfinite(new) | (hess >= 0.0) | (new <= l_) | (new >= h_)
        new = np.where(bad, 0.5 * (l_ + h_), new)
        conv = (np.abs(new - r) < tol) | (g == 0.0) | ((h_ - l_) < tol)
        rho[act] = np.where(g == 0.0, r, new)
        lo[act], hi[act] = l_, h_
        iters[act] = it
        done[act[conv]] = True
    return rho, iters, done


# --------------------------------------------------------------------------------------------------
# Data preparation
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Ordinal:
    """An ordinal column coded 0..K-1 over the categories observed (NaN -> -1)."""

    name: str
    categories: np.ndarray  # observed values, increasing
    codes: np.ndarray  # int, -1 for missing


def _as_frame(items: pd.DataFrame | np.ndarray, what: str = "items") -> pd.DataFrame:
    if isinstance(items, pd.Series):
        items = items.to_frame()
    if isinstance(items, np.ndarray):
        if items.ndim != 2:
            raise DataError(
                f"{what} must be a two-dimensional table (respondents x items)",
                hint="pass a pandas DataFrame with one column per item",
            )
        items = pd.DataFrame(items, columns=[f"V{i + 1}" for i in range(items.shape[1])])
    if not isinstance(items, pd.DataFrame):
        raise DataError(
            f"{what} must be a pandas DataFrame, got {type(items).__name__}",
            hint="pass a DataFrame with one column per item",
        )
    bad = [str(c) for c in items.columns if not pd.api.types.is_numeric_dtype(items[c])]
    if bad:
        raise DataError(
            f"column(s) {', '.join(bad)} are not numeric",
            hint="code the responses as numbers (the scale's response codes) before analysis",
        )
    if items.columns.duplicated().any():
        dup = items.columns[items.columns.duplicated()].tolist()
        raise DataError(
            f"duplicated column name(s): {', '.join(map(str, dup))}",
            hint="give every item a unique column name",
        )
    return items.astype(float)


def _apply_missing(data: pd.DataFrame, missing: str) -> pd.DataFrame:
    if missing == "listwise":
        return data.dropna(axis=0, how="any")
    if missing == "pairwise":
        return data
    raise UserError(
        f"missing={missing!r} is not a missing-data option",
        hint="use missing='listwise' or missing='pairwise'",
    )


def _ordinal(name: str, x: np.ndarray, max_categories: int) -> _Ordinal:
    obs = x[~np.isnan(x)]
    if obs.size and np.any(obs != np.round(obs)):
        raise DataError(
            f"item {name} has non-integer values; polychoric correlations need ordered categories",
            hint="declare the item continuous (leave it out of ordered=) or recode it to categories",
        )
    cats = np.unique(obs)
    if cats.size < 2:
        raise DataError(
            f"item {name} has {cats.size} observed categor{'y' if cats.size == 1 else 'ies'}; "
            "a correlation needs variation",
            hint=f"drop item {name} from the analysis",
        )
    if cats.size > max_categories:
        raise DataError(
            f"item {name} has {cats.size} distinct values, more than max_categories={max_categories}",
            hint="treat it as continuous (leave it out of ordered=) or raise max_categories",
        )
    codes = np.full(x.shape, -1, dtype=np.int64)
    ok = ~np.isnan(x)
    codes[ok] = np.searchsorted(cats, x[ok])
    return _Ordinal(name, cats, codes)


def _margin_thresholds(counts: np.ndarray) -> np.ndarray:
    """``tau_c = Phi^-1(cumulative proportion up to category c)``, c = 1..K-1."""
    tot = counts.sum()
    return special.ndtri(np.cumsum(counts)[:-1] / tot)


def _all_tables(ords: dict[int, _Ordinal], n: int) -> tuple[np.ndarray, dict[int, slice]]:
    """Every pairwise contingency table at once: ``O'O`` for the one-hot coding ``O`` of all ordinal
    items (a missing answer is a zero row, so each block counts its pair's complete rows)."""
    offsets: dict[int, slice] = {}
    start = 0
    for i, o in ords.items():
        offsets[i] = slice(start, start + o.categories.size)
        start += o.categories.size
    onehot = np.zeros((n, start))
    for i, o in ords.items():
        ok = o.codes >= 0
        onehot[np.flatnonzero(ok), offsets[i].start + o.codes[ok]] = 1.0
    return onehot.T @ onehot, offsets


def json_safe(obj: Any) -> Any:
    """A copy of ``obj`` that ``json.dumps`` accepts as strict JSON: NaN and infinities become None,
    numpy scalars and arrays Python numbers and lists, tuples lists."""
    if isinstance(obj, dict):
        return {str(k): json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_safe(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return json_safe(obj.tolist())
    if isinstance(obj, np.bool_ | bool):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        v = float(obj)
        return v if np.isfinite(v) else None
    return obj


# --------------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PairFit:
    """The estimate for one pair, with what it rests on (kept for ordinal EFA and WLSMV).

    Attributes
    ----------
    kind : {"polychoric", "polyserial", "pearson"}
    rho : float
    n : int
        Respondents with both answers.
    table : ndarray or None
        Observed contingency table (rows: categories of ``item1``; columns: of ``item2``), before any
        correction; None for polyserial and Pearson pairs.
    tau_row, tau_col : ndarray or None
        The thresholds the estimate used (psych's per-pair thresholds when it uses them).
    zero_cells : int
        Empty cells of the table.
    adjustment : str
        What was done to empty cells (``""`` when nothing).
    loglik : float
        Log-likelihood ``sum n_ij log pi_ij`` at ``rho`` (polychoric) or ``sum log P(y|x)``
        (polyserial, ML); NaN otherwise.
    """

    item1: str
    item2: str
    kind: str
    rho: float
    n: int
    table: np.ndarray | None = None
    tau_row: np.ndarray | None = None
    tau_col: np.ndarray | None = None
    zero_cells: int = 0
    adjustment: str = ""
    loglik: float = float("nan")
    iterations: int = 0
    converged: bool = True


@dataclass(frozen=True)
class PolychoricResult:
    """Result of :func:`polychoric`.

    Attributes
    ----------
    matrix : DataFrame
        The correlation matrix (polychoric for ordinal pairs, polyserial for ordinal x continuous,
        Pearson for continuous pairs), smoothed to positive definite only if it was not.
    unsmoothed : DataFrame
        The matrix as estimated.
    thresholds : dict of str to ndarray
        Each ordinal item's thresholds from its margin (step one).
    categories : dict of str to ndarray
        Each ordinal item's observed categories, in order.
    n : DataFrame
        Respondents each correlation rests on.
    pairs : dict of (str, str) to PairFit
        Per-pair estimates with their tables and thresholds (keys in column order, ``i < j``).
    kinds : dict of str to {"ordinal", "continuous"}
    smoothed : bool
    min_eigenvalue : float
        Smallest eigenvalue of :attr:`unsmoothed`.
    n_obs : int
        Rows used (after listwise deletion when ``missing="listwise"``).
    """

    matrix: pd.DataFrame
    unsmoothed: pd.DataFrame
    thresholds: dict[str, np.ndarray]
    categories: dict[str, np.ndarray]
    n: pd.DataFrame
    pairs: dict[tuple[str, str], PairFit]
    kinds: dict[str, str]
    smoothed: bool
    min_eigenvalue: float
    n_obs: int
    mimic: str
    correct: float
    missing: str
    notes: list[str] = field(default_factory=list)

    def table(self, item1: str, item2: str) -> pd.DataFrame:
        """The observed contingency table of two ordinal items, labelled by category."""
        key, flip = (item1, item2), False
        if key not in self.pairs:
            key, flip = (item2, item1), True
        if key not in self.pairs or self.pairs[key].table is None:
            raise UserError(
                f"no contingency table for {item1} x {item2}",
                hint="both items must be ordinal columns of this result",
            )
        t = self.pairs[key].table
        df = pd.DataFrame(
            t,
            index=pd.Index(self.categories[key[0]], name=key[0]),
            columns=pd.Index(self.categories[key[1]], name=key[1]),
        )
        return df.T if flip else df

    def thresholds_table(self) -> pd.DataFrame:
        """Thresholds in long form: item, threshold number (1..K-1), value (as lavaan's ``|t1``)."""
        rows = [
            {"item": it, "threshold": j + 1, "value": float(v)}
            for it, tau in self.thresholds.items()
            for j, v in enumerate(tau)
        ]
        return pd.DataFrame(rows, columns=["item", "threshold", "value"])

    def pair_table(self) -> pd.DataFrame:
        """One row per pair: kind, rho, n, empty cells, adjustment, iterations, convergence."""
        rows = [
            {
                "item1": p.item1,
                "item2": p.item2,
                "kind": p.kind,
                "rho": p.rho,
                "n": p.n,
                "zero_cells": p.zero_cells,
                "adjustment": p.adjustment,
                "loglik": p.loglik,
                "iterations": p.iterations,
                "converged": p.converged,
            }
            for p in self.pairs.values()
        ]
        return pd.DataFrame(rows)

    def to_dict(self) -> dict:
        return json_safe(
            {
                "method": "two-step maximum likelihood",
                "mimic": self.mimic,
                "correct": self.correct,
                "missing": self.missing,
                "n_obs": self.n_obs,
                "items": list(self.matrix.columns),
                "kinds": dict(self.kinds),
                "matrix": self.matrix.to_numpy().tolist(),
                "smoothed": self.smoothed,
                "min_eigenvalue": self.min_eigenvalue,
                "n": self.n.to_numpy().tolist(),
                "thresholds": {k: v.tolist() for k, v in self.thresholds.items()},
                "categories": {k: v.tolist() for k, v in self.categories.items()},
                "pairs": self.pair_table().to_dict(orient="records"),
                "notes": list(self.notes),
            }
        )


@dataclass(frozen=True)
class PolyserialResult:
    """Result of :func:`polyserial`: ``matrix`` has one row per continuous and one column per
    ordinal variable; ``thresholds`` the ordinal items' thresholds; ``n`` the pairwise counts."""

    matrix: pd.DataFrame
    thresholds: dict[str, np.ndarray]
    n: pd.DataFrame
    mimic: str
    missing: str
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return json_safe(
            {
                "mimic": self.mimic,
                "missing": self.missing,
                "continuous": list(self.matrix.index),
                "ordinal": list(self.matrix.columns),
                "matrix": self.matrix.to_numpy().tolist(),
                "thresholds": {k: v.tolist() for k, v in self.thresholds.items()},
                "n": self.n.to_numpy().tolist(),
                "notes": list(self.notes),
            }
        )


# --------------------------------------------------------------------------------------------------
# Polychoric pairs
# --------------------------------------------------------------------------------------------------


@dataclass
class _PairJob:
    i: int
    j: int
    weights: np.ndarray  # table used in the likelihood (after any correction)
    t1: np.ndarray
    t2: np.ndarray
    start: float
    table: np.ndarray
    zero_cells: int
    adjustment: str
    fixed: float | None = None  # closed-form answer (lavaan's 2x2 rules), no optimisation


def _fit_polychoric_jobs(
    jobs: list[_PairJob], bound: float
) -> dict[int, tuple[float, float, int, bool]]:
    """Estimate rho for every job, grouping tables of the same shape into one array problem."""
    out: dict[int, tuple[float, float, int, bool]] = {}
    groups: dict[tuple[int, int], list[int]] = {}
    for idx, job in enumerate(jobs):
        if job.fixed is not None:
            out[idx] = (job.fixed, float("nan"), 0, True)
        else:
            groups.setdefault(job.weights.shape, []).append(idx)
    for idxs in groups.values():
        w = np.stack([jobs[i].weights for i in idxs])
        t1 = np.stack([jobs[i].t1 for i in idxs])
        t2 = np.stack([jobs[i].t2 for i in idxs])
        start = np.array([jobs[i].start for i in idxs])

        def score_hess(r: np.ndarray, act: np.ndarray, w=w, t1=t1, t2=t2) -> tuple:
            pi, d1, d2 = _grid(r, t1[act], t2[act], order=2)
            ww = w[act]
            pi = np.maximum(pi, _TINY)
            # Near |rho| = 1 empty-probability cells overflow; the bracket then bisects.
            with np.errstate(over="ignore", invalid="ignore"):
                ratio = np.where(ww > 0, d1 / pi, 0.0)
                g = np.sum(ww * ratio, axis=(1, 2))
                hess = np.sum(np.where(ww > 0, ww * (d2 / pi - ratio * ratio), 0.0), axis=(1, 2))
            return g, hess

        rho, iters, conv = _solve_score(score_hess, start, -bound, bound)
        pi = np.maximum(_grid(rho, t1, t2)[0], _TINY)
        ll = np.sum(np.where(w > 0, w * np.log(pi), 0.0), axis=(1, 2))
        for pos, i in enumerate(idxs):
            out[i] = (float(rho[pos]), float(ll[pos]), int(iters[pos]), bool(conv[pos]))
    return out


def _lavaan_2x2(freq: np.ndarray) -> tuple[np.ndarray, float | None, str]:
    """lavaan's rules for 2x2 tables (lav_bvord_cor_twostep_fit, zero.add[1] = 0.5, margins kept)."""
    zeros = np.flatnonzero(freq.ravel() == 0)
    if zeros.size >= 2:
        # Two empty cells: perfect association in the direction of the filled diagonal.
        return freq, (1.0 if freq[0, 0] > 0 else -1.0), "two empty cells: rho set to +-1 (lavaan)"
    adj = ""
    if zeros.size == 1:
        f = freq.copy()
        d = 0.5 if zeros[0] in (0, 3) else -0.5
        f[0, 0] += d
        f[1, 1] += d
        f[1, 0] -= d
        f[0, 1] -= d
        freq = f
        adj = "0.5 added to the empty cell of a 2x2 table, margins kept (lavaan)"
    if freq[0, 0] * freq[1, 1] == freq[0, 1] * freq[1, 0]:
        return freq, 0.0, adj
    return freq, None, adj


def _psych_pair_table(
    tab: np.ndarray, correct: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """psych's non-global treatment of one table (polyc with global = FALSE).

    Empty rows and columns are dropped; empty cells become ``correct`` (in count units); thresholds
    come from the corrected table's margins divided by the uncorrected total (psych does not
    renormalise).
    """
    tot = tab.sum()
    t = tab[tab.sum(axis=1) > 0][:, tab.sum(axis=0) > 0]
    adj = ""
    if correct > 0 and np.any(t == 0):
        t = t.copy()
        n0 = int(np.sum(t == 0))
        t[t == 0] = correct
        adj = f"{n0} empty cell(s) set to {correct:g} (psych correction for continuity)"
    if min(t.shape) < 2:
        return t, np.array([]), np.array([]), adj
    p = t / tot
    rc = special.ndtri(np.cumsum(p.sum(axis=1))[:-1])
    cc = special.ndtri(np.cumsum(p.sum(axis=0))[:-1])
    if not (np.all(np.isfinite(rc)) and np.all(np.isfinite(cc))):
        # The correction pushed a cumulative proportion to 1 or beyond (psych would fail here):
        # renormalise so the thresholds exist.
        p = t / t.sum()
        rc = special.ndtri(np.cumsum(p.sum(axis=1))[:-1])
        cc = special.ndtri(np.cumsum(p.sum(axis=0))[:-1])
        adj += "; margins renormalised after the correction"
    return t, rc, cc, adj


def pearson_pairwise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pearson correlations of the columns of ``x`` on pairwise-complete rows, and their n.

    For each pair the means and variances come from the rows where both are present (as R's
    ``cor(use = "pairwise.complete.obs")``), computed for all pairs at once from masked cross
    products. Pairs with fewer than two rows, or no variance, are NaN.
    """
    x = np.asarray(x, dtype=float)
    m = (~np.isnan(x)).astype(float)
    x0 = np.where(m > 0, x, 0.0)
    n = m.T @ m
    s = x0.T @ m  # s[i, j]: sum of x_i over rows where x_j is present too
    ss = (x0 * x0).T @ m
    sp = x0.T @ x0
    with np.errstate(divide="ignore", invalid="ignore"):
        cov = sp - s * s.T / n
        var_i = ss - s * s / n  # variance of x_i within the pair's rows (times n-1)
        r = cov / np.sqrt(var_i * var_i.T)
    r[n < 2] = np.nan
    r = np.where(np.isfinite(r), np.clip(r, -1.0, 1.0), np.nan)
    np.fill_diagonal(r, np.where(np.diag(n) >= 2, 1.0, np.nan))
    return r, n.astype(int)


def _pearson_pair(x: np.ndarray, y: np.ndarray) -> tuple[float, int]:
    ok = ~np.isnan(x) & ~np.isnan(y)
    n = int(ok.sum())
    if n < 2:
        return float("nan"), n
    a = x[ok] - x[ok].mean()
    b = y[ok] - y[ok].mean()
    den = np.sqrt(np.dot(a, a) * np.dot(b, b))
    return (float(np.dot(a, b) / den) if den > 0 else float("nan")), n


# --------------------------------------------------------------------------------------------------
# Polyserial pairs
# --------------------------------------------------------------------------------------------------


def _polyserial_ml(
    jobs: list[tuple[np.ndarray, np.ndarray, np.ndarray]], bound: float
) -> list[tuple[float, float, int, bool]]:
    """Two-step ML polyserial correlation for several (z, codes, tau) problems at once.

    ``z`` the standardised continuous variable, ``codes`` the ordinal categories 0..K-1 and ``tau``
    the K-1 thresholds. With ``u_c = (tau_c - rho z)/s``, ``s = sqrt(1 - rho^2)``:

        P(y = c | z) = Phi(u_c) - Phi(u_{c-1}),
        d u_c / d rho = (rho tau_c - z) / s^3,

    and the score and Hessian are summed per problem.
    """
    if not jobs:
        return []
    lens = np.array([z.size for z, _, _ in jobs])
    pid = np.repeat(np.arange(len(jobs)), lens)
    z = np.concatenate([j[0] for j in jobs])
    upper_tau = np.concatenate(
        [np.concatenate([t, [np.inf]])[c] for _, c, t in jobs]
    )  # tau_c (upper bound of the observed category)
    lower_tau = np.concatenate([np.concatenate([[-np.inf], t])[c] for _, c, t in jobs])
    start = np.zeros(len(jobs))
    for k, (zz, c, t) in enumerate(jobs):
        # lavaan's start: r(x, y) sd_ML(y) / sum phi(tau), halved when beyond 0.9.
        r, _ = _pearson_pair(zz, c.astype(float))
        sd = np.std(c)
        s0 = r * sd / np.sum(_phi(t)) if np.isfinite(r) else 0.0
        start[k] = s0 / 2 if abs(s0) > 0.9 else s0
    nj = len(jobs)

    def parts(rho_p: np.ndarray, sel_obs: np.ndarray):
        rr = rho_p
        s2 = (1.0 - rr) * (1.0 + rr)
        s = np.sqrt(s2)
        zz = z[sel_obs]
        tu, tl = upper_tau[sel_obs], lower_tau[sel_obs]
        fu, fl = np.isfinite(tu), np.isfinite(tl)
        tuf, tlf = np.where(fu, tu, 0.0), np.where(fl, tl, 0.0)
        uu = np.where(fu, (tuf - rr * zz) / s, np.inf)
        ul = np.where(fl, (tlf - rr * zz) / s, -np.inf)
        p = np.maximum(special.ndtr(uu) - special.ndtr(ul), np.finfo(float).eps)
        du_u = np.where(fu, (rr * tuf - zz) / (s * s2), 0.0)
        du_l = np.where(fl, (rr * tlf - zz) / (s * s2), 0.0)
        pu = np.where(fu, _phi(np.where(fu, uu, 0.0)), 0.0)
        pl = np.where(fl, _phi(np.where(fl, ul, 0.0)), 0.0)
        dp = pu * du_u - pl * du_l
        # d/drho [phi(u) du] = phi(u) [-u du^2 + d2u], d2u = tau/s^3 + 3 rho (rho tau - z)/s^5
        d2u_u = np.where(fu, tuf / (s * s2) + 3.0 * rr * (rr * tuf - zz) / (s * s2 * s2), 0.0)
        d2u_l = np.where(fl, tlf / (s * s2) + 3.0 * rr * (rr * tlf - zz) / (s * s2 * s2), 0.0)
        uuf = np.where(fu, uu, 0.0)
        ulf = np.where(fl, ul, 0.0)
        d2p = pu * (-uuf * du_u * du_u + d2u_u) - pl * (-ulf * du_l * du_l + d2u_l)
        return p, dp, d2p

    def score_hess(r: np.ndarray, act: np.ndarray):
        rho_full = np.zeros(nj)
        rho_full[act] = r
        mask = np.isin(pid, act)
        p, dp, d2p = parts(rho_full[pid[mask]], np.flatnonzero(mask))
        ratio = dp / p
        g = np.bincount(pid[mask], weights=ratio, minlength=nj)[act]
        hess = np.bincount(pid[mask], weights=d2p / p - ratio * ratio, minlength=nj)[act]
        return g, hess

    rho, iters, conv = _solve_score(score_hess, start, -bound, bound)
    p, _, _ = parts(rho[pid], np.arange(z.size))
    ll = np.bincount(pid, weights=np.log(p), minlength=nj)
    return [(float(rho[k]), float(ll[k]), int(iters[k]), bool(conv[k])) for k in range(nj)]


def _psych_polyserial(x: np.ndarray, y: np.ndarray, n_rows: int) -> float:
    """psych's ad hoc polyserial: ``r_xy sqrt((n-1)/n) sd_y / sum_c phi(tau_c)``.

    ``tau`` from y's margin over the categories between its lowest and highest value, ``r_xy``
    pairwise, ``sd_y`` with divisor n-1 and ``n`` the number of rows (as psych::polyserial).
    """
    ok = ~np.isnan(y)
    yv = y[ok]
    lo, hi = int(np.min(yv)), int(np.max(yv))
    counts = np.array([(yv == v).sum() for v in range(lo, hi + 1)], dtype=float)
    cum = np.cumsum(counts / counts.sum())[:-1]
    stau = np.sum(_phi(special.ndtri(cum)))
    r, _ = _pearson_pair(x, y)
    rps = r * np.sqrt((n_rows - 1) / n_rows) * np.std(yv, ddof=1) / stau
    return float(np.clip(rps, -1.0, 1.0))


# --------------------------------------------------------------------------------------------------
# Smoothing
# --------------------------------------------------------------------------------------------------


def smooth_correlation(r: np.ndarray, eig_tol: float = 1e-12) -> tuple[np.ndarray, bool, float]:
    """Make a correlation matrix positive definite if (and only if) it is not.

    psych's ``cor.smooth`` (Wothke, 1993): if the smallest eigenvalue is below machine epsilon,
    eigenvalues below ``eig_tol`` are set to ``100 eig_tol``, all are rescaled to sum to the number
    of variables, the matrix is rebuilt from its eigenvectors and rescaled to unit diagonal.

    Returns the (possibly) smoothed matrix, whether it was smoothed, and the smallest eigenvalue of
    the input.
    """
    r = np.asarray(r, dtype=float)
    vals, vecs = np.linalg.eigh(r)
    min_eig = float(vals.min())
    if min_eig >= np.finfo(float).eps:
        return r, False, min_eig
    vals = np.where(vals < eig_tol, 100.0 * eig_tol, vals)
    vals = vals * r.shape[0] / vals.sum()
    s = (vecs * vals) @ vecs.T
    d = np.sqrt(np.diag(s))
    s = s / np.outer(d, d)
    s = 0.5 * (s + s.T)
    np.fill_diagonal(s, 1.0)
    return s, True, min_eig


# --------------------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------------------


def polychoric(
    items: pd.DataFrame,
    *,
    ordered: Sequence[str] | None = None,
    mimic: Mimic = "lavaan",
    correct: float | None = None,
    missing: Missing = "listwise",
    smooth: bool = True,
    max_categories: int = 15,
) -> PolychoricResult:
    """Polychoric correlation matrix (with polyserial and Pearson entries for continuous columns).

    Two-step maximum likelihood (Olsson, 1979): thresholds from each item's margin, then one
    correlation per pair by ML with the thresholds fixed. See the module docstring for the formulas.

    Parameters
    ----------
    items : DataFrame
        One column per item, numeric response codes; NaN for missing.
    ordered : sequence of str, optional
        Columns to treat as ordinal. Default: all. Pairs of an ordinal and a continuous column get the
        polyserial correlation, pairs of continuous columns the Pearson correlation (as lavCor).
    mimic : {"lavaan", "psych"}
        Whose conventions to follow (module docstring). ``"lavaan"`` is the default because the
        WLSMV estimator uses exactly these estimates.
    correct : float, optional
        Value given to empty cells. lavaan: default 0 (lavaan's ``zero.add[2]``; 2x2 tables always
        follow lavaan's 0.5 rule); psych: default 0.5, used only when the items do not all have the
        same highest category, as psych does.
    missing : {"listwise", "pairwise"}
        Listwise (default; as lavCor) drops every row with a missing answer; pairwise uses each
        item's available answers for its thresholds and each pair's complete rows for its table (as
        psych). The n of every correlation is in ``result.n``.
    smooth : bool
        Smooth to positive definite when (only when) needed; the result says whether it was done.
    max_categories : int
        Refuse (with a hint) ordinal columns with more distinct values than this.

    Returns
    -------
    PolychoricResult

    Examples
    --------
    >>> import pandas as pd
    >>> from moscale.analysis.polychoric import polychoric
    >>> d = pd.DataFrame({"a": [1, 2, 2, 3, 3, 1, 2, 3], "b": [1, 1, 2, 3, 2, 1, 3, 3]})
    >>> res = polychoric(d)
    >>> round(float(res.matrix.loc["a", "b"]), 3)  # lavaan's lavCor(d, ordered = c("a", "b"))
    0.867
    >>> res.thresholds["a"].round(3).tolist()
    [-0.674, 0.319]
    """
    if mimic not in ("lavaan", "psych"):
        raise UserError(f"mimic={mimic!r} is not known", hint="use mimic='lavaan' or mimic='psych'")
    data = _apply_missing(_as_frame(items), missing)
    names = [str(c) for c in data.columns]
    if len(names) < 2:
        raise DataError(
            "a correlation matrix needs at least two items", hint="pass two or more columns"
        )
    if data.shape[0] == 0:
        raise DataError(
            "no respondent answered every item (listwise deletion left no rows)",
            hint="use missing='pairwise' or check the missing-value codes",
        )
    if ordered is None:
        ordered_set = set(names)
    else:
        ordered_set = {str(o) for o in ordered}
        unknown = sorted(ordered_set - set(names))
        if unknown:
            raise UserError(
                f"ordered= names column(s) not in the data: {', '.join(unknown)}",
                hint="check the item ids",
            )
    if correct is None:
        correct = 0.0 if mimic == "lavaan" else 0.5
    if correct < 0:
        raise UserError("correct must be zero or positive", hint="use e.g. correct=0.5 or 0")

    x = data.to_numpy()
    p = len(names)
    kinds = {n: ("ordinal" if n in ordered_set else "continuous") for n in names}
    ords: dict[int, _Ordinal] = {
        i: _ordinal(n, x[:, i], max_categories)
        for i, n in enumerate(names)
        if kinds[n] == "ordinal"
    }
    notes: list[str] = []
    thresholds: dict[str, np.ndarray] = {}
    categories: dict[str, np.ndarray] = {}
    for o in ords.values():
        counts = np.bincount(o.codes[o.codes >= 0], minlength=o.categories.size).astype(float)
        thresholds[o.name] = _margin_thresholds(counts)
        categories[o.name] = o.categories

    # psych uses "global" thresholds only when every item has the same highest category.
    psych_global = True
    if mimic == "psych" and ords:
        tops = {float(o.categories[-1]) for o in ords.values()}
        psych_global = len(tops) == 1
        if not psych_global:
            notes.append(
                "The items do not have the same highest category, so (as psych) thresholds were "
                f"estimated per pair and empty cells set to {correct:g}."
            )

    bound = LAVAAN_BOUND if mimic == "lavaan" else PSYCH_BOUND
    rmat = np.eye(p)
    nmat = np.zeros((p, p), dtype=int)
    pairs: dict[tuple[str, str], PairFit] = {}
    jobs: list[_PairJob] = []
    ps_jobs: list[tuple[int, int, int, int]] = []  # (i, j, continuous index, ordinal index)
    ps_data: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    pear, _ = pearson_pairwise(x)  # start values (and the continuous pairs)
    tables, blocks = _all_tables(ords, x.shape[0])
    for i in range(p):
        nmat[i, i] = int(np.sum(~np.isnan(x[:, i])))
        for j in range(i + 1, p):
            oi, oj = ords.get(i), ords.get(j)
            if oi is not None and oj is not None:
                tab = tables[blocks[i], blocks[j]].copy()
                n_ij = int(tab.sum())
                nmat[i, j] = nmat[j, i] = n_ij
                if n_ij == 0:
                    pairs[(names[i], names[j])] = PairFit(
                        names[i], names[j], "polychoric", float("nan"), 0, tab, converged=False
                    )
                    rmat[i, j] = rmat[j, i] = np.nan
                    continue
                zero = int(np.sum(tab == 0))
                r0 = pear[i, j]
                start = r0 if np.isfinite(r0) and abs(r0) < 1 else 0.0
                t1, t2 = thresholds[names[i]], thresholds[names[j]]
                w, adj, fixed = tab, "", None
                if mimic == "lavaan":
                    if tab.shape == (2, 2):
                        w, fixed, adj = _lavaan_2x2(tab)
                    elif zero and correct > 0:
                        w = np.where(tab == 0, correct, tab)
                        adj = f"{zero} empty cell(s) set to {correct:g}"
                elif not psych_global:
                    w, t1, t2, adj = _psych_pair_table(tab, correct)
                    if t1.size == 0 or t2.size == 0:
                        fixed = float("nan")
                        adj = (adj + "; " if adj else "") + "fewer than two categories in this pair"
                jobs.append(_PairJob(i, j, w, t1, t2, start, tab, zero, adj, fixed))
            elif oi is None and oj is None:
                r, n_ij = _pearson_pair(x[:, i], x[:, j])
                nmat[i, j] = nmat[j, i] = n_ij
                rmat[i, j] = rmat[j, i] = r
                pairs[(names[i], names[j])] = PairFit(names[i], names[j], "pearson", r, n_ij)
            else:
                ci, oi_ = (j, i) if oi is not None else (i, j)
                ok = ~np.isnan(x[:, ci]) & (ords[oi_].codes >= 0)
                n_ij = int(ok.sum())
                nmat[i, j] = nmat[j, i] = n_ij
                ps_jobs.append((i, j, ci, oi_))

    fits = _fit_polychoric_jobs(jobs, bound)
    for idx, job in enumerate(jobs):
        rho, ll, it, conv = fits[idx]
        i, j = job.i, job.j
        rmat[i, j] = rmat[j, i] = rho
        if not conv:
            notes.append(
                f"The polychoric correlation of {names[i]} and {names[j]} did not converge."
            )
        pairs[(names[i], names[j])] = PairFit(
            names[i],
            names[j],
            "polychoric",
            rho,
            int(job.table.sum()),
            job.table,
            job.t1,
            job.t2,
            job.zero_cells,
            job.adjustment,
            ll,
            it,
            conv,
        )

    if ps_jobs:
        if mimic == "lavaan":
            for _i, _j, ci, oi_ in ps_jobs:
                o = ords[oi_]
                xc = x[:, ci]
                okc = ~np.isnan(xc)
                # Step one: the continuous margin (mean, ML variance) from its available answers.
                mu, sd = xc[okc].mean(), xc[okc].std()
                ok = okc & (o.codes >= 0)
                ps_data.append(((xc[ok] - mu) / sd, o.codes[ok], thresholds[o.name]))
            res = _polyserial_ml(ps_data, LAVAAN_BOUND_POLYSERIAL)
        else:
            res = [
                (_psych_polyserial(x[:, ci], x[:, oi_], x.shape[0]), float("nan"), 0, True)
                for i, j, ci, oi_ in ps_jobs
            ]
        for (i, j, _ci, _oi), (rho, ll, it, conv) in zip(ps_jobs, res, strict=True):
            rmat[i, j] = rmat[j, i] = rho
            pairs[(names[i], names[j])] = PairFit(
                names[i],
                names[j],
                "polyserial",
                rho,
                int(nmat[i, j]),
                loglik=ll,
                iterations=it,
                converged=conv,
            )

    raw = rmat.copy()
    smoothed, min_eig = False, float("nan")
    if np.all(np.isfinite(raw)):
        fixed_m, smoothed, min_eig = (
            smooth_correlation(raw)
            if smooth
            else (raw, False, float(np.linalg.eigvalsh(raw).min()))
        )
        if smoothed:
            rmat = fixed_m
            notes.append(
                f"The matrix was not positive definite (smallest eigenvalue {min_eig:.3g}); it was "
                "smoothed (psych cor.smooth)."
            )
        elif not smooth and min_eig < np.finfo(float).eps:
            notes.append(
                f"The matrix is not positive definite (smallest eigenvalue {min_eig:.3g}) and was "
                "not smoothed (smooth=False)."
            )
    else:
        bad = [
            f"{names[i]} x {names[j]}"
            for i in range(p)
            for j in range(i + 1, p)
            if np.isnan(raw[i, j])
        ]
        notes.append(
            "Some correlations could not be estimated (no respondents answered both items): "
            + ", ".join(bad)
            + "; the matrix was not smoothed."
        )
    n_obs = int(data.shape[0])
    n_zero = sum(1 for pf in pairs.values() if pf.zero_cells)
    if n_zero:
        notes.append(
            f"{n_zero} of {len(pairs)} pair tables have empty cells"
            + ("; they were left empty (lavaan)." if mimic == "lavaan" and correct == 0 else ".")
        )
    return PolychoricResult(
        matrix=pd.DataFrame(rmat, index=names, columns=names),
        unsmoothed=pd.DataFrame(raw, index=names, columns=names),
        thresholds=thresholds,
        categories=categories,
        n=pd.DataFrame(nmat, index=names, columns=names),
        pairs=pairs,
        kinds=kinds,
        smoothed=smoothed,
        min_eigenvalue=min_eig,
        n_obs=n_obs,
        mimic=mimic,
        correct=float(correct),
        missing=missing,
        notes=notes,
    )


def polyserial(
    x: pd.DataFrame | pd.Series,
    y: pd.DataFrame | pd.Series,
    *,
    mimic: Mimic = "lavaan",
    missing: Missing = "listwise",
    max_categories: int = 15,
) -> PolyserialResult:
    """Polyserial correlations of continuous variables ``x`` with ordinal items ``y``.

    ``mimic="lavaan"`` (default): two-step ML (Olsson, Drasgow & Dorans, 1982) as lavaan's
    ``lavCor``: ``x`` standardised with its mean and ML standard deviation, ``y``'s thresholds from
    its margin, then ``rho`` maximising ``sum_k log P(y_k | x_k)`` (module docstring), bounded to
    [-0.995, 0.995]. ``mimic="psych"``: psych's ad hoc estimator
    ``r_xy sqrt((n-1)/n) sd_y / sum_c phi(tau_c)``.

    Parameters
    ----------
    x : DataFrame or Series
        Continuous variable(s).
    y : DataFrame or Series
        Ordinal item(s), numeric codes.
    mimic : {"lavaan", "psych"}
    missing : {"listwise", "pairwise"}
        Listwise over the columns of ``x`` and ``y`` together, or each pair's complete rows.

    Returns
    -------
    PolyserialResult
    """
    xf = _as_frame(x, "x")
    yf = _as_frame(y, "y")
    if xf.shape[0] != yf.shape[0]:
        raise DataError(
            f"x has {xf.shape[0]} rows and y has {yf.shape[0]}",
            hint="pass x and y for the same respondents",
        )
    overlap = set(map(str, xf.columns)) & set(map(str, yf.columns))
    if overlap:
        raise DataError(
            f"column(s) {', '.join(sorted(overlap))} appear in both x and y",
            hint="give the continuous and ordinal variables distinct names",
        )
    both = pd.concat([xf.reset_index(drop=True), yf.reset_index(drop=True)], axis=1)
    res = polychoric(
        both,
        ordered=[str(c) for c in yf.columns],
        mimic=mimic,
        missing=missing,
        smooth=False,
        max_categories=max_categories,
    )
    xs, ys = [str(c) for c in xf.columns], [str(c) for c in yf.columns]
    mat = res.unsmoothed.loc[xs, ys]
    return PolyserialResult(
        matrix=mat,
        thresholds={k: res.thresholds[k] for k in ys},
        n=res.n.loc[xs, ys],
        mimic=mimic,
        missing=missing,
        notes=[n for n in res.notes if "positive definite" not in n],
    )
