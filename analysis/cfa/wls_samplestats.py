"""Sample statistics for ordinal CFA: thresholds, polychoric correlations and their asymptotic
covariance matrix Gamma (lavaan's ``NACOV``), per group.

The statistics are estimated in two steps (Olsson, 1979; Muthen, 1984). Step one gives each item's
thresholds from its own margin, ``tau_k = Phi^-1(p_1 + ... + p_k)``. Step two gives each pair's
polychoric correlation by maximum likelihood with the thresholds held fixed
(:func:`moscale.analysis.polychoric.polychoric` with ``mimic="lavaan"``).

The statistics are stacked as lavaan does, ``s = (tau_1', ..., tau_p', rho_21, rho_31, ..., rho_p1,
rho_32, ...)'``: every item's thresholds in model order, then the lower triangle of the correlation
matrix column by column without its diagonal.

Gamma (Muthen, 1984; Muthen & Satorra, 1995) is the sandwich of the case-wise scores of the two
estimating equations. With ``S`` the N x q matrix of case-wise scores -- step one: the derivative of
each case's univariate log-likelihood ``log P(y_i = c)`` with respect to each threshold; step two: the
derivative of each case's bivariate log-likelihood ``log pi_ab(rho)`` with respect to ``rho`` -- and

    A11 = block-diag_i( sum_n s_th,i s_th,i' )                        (per item)
    A21[(ij), tau_i] = sum_n s_rho,ij(n) d log pi_ab / d tau_i          (cross derivative)
    A22 = diag( sum_n s_rho,ij(n)^2 )
    B^-1 = [[A11^-1, 0], [-A22^-1 A21 A11^-1, A22^-1]],

the weight matrix is ``W = B^-1 (S'S) B^-1'`` and ``Gamma = N W``. Every sum over cases is taken over
the cells of the univariate and bivariate frequency tables, except ``S'S``, which is computed as
``Z'Z`` with the case-wise influence functions ``Z = S B^-1'`` (one matrix product).

The derivatives of the bivariate cell probabilities use ``dPhi2(a, b; rho)/drho = phi2(a, b; rho)``
and ``dPhi2(a, b; rho)/da = phi(a) Phi((b - rho a)/sqrt(1 - rho^2))`` (Olsson, 1979). As lavaan
does, cell probabilities below ``sqrt(machine epsilon)`` are raised to that value.

DWLS uses the weight ``diag(Gamma)^-1``, ULS the identity and WLS ``Gamma^-1``.

References
----------
Muthen, B. (1984). A general structural equation model with dichotomous, ordered categorical, and
continuous latent variable indicators. Psychometrika, 49, 115-132.
Muthen, B., & Satorra, A. (1995). Technical aspects of Muthen's LISCOMP approach to estimation of
latent variable relations with a comprehensive measurement model. Psychometrika, 60, 489-503.
Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation coefficient.
Psychometrika, 44, 443-460.
Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. Journal of Statistical
Software, 48(2), 1-36.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from moscale.errors import DataError

from ..polychoric import PolychoricResult, bvn_cdf, bvn_pdf, polychoric

__all__ = [
    "OrdinalGroupStats",
    "code_ordinal",
    "cor_pairs",
    "ordinal_group_stats",
    "ordinal_sample_stats",
]

_PI_MIN = float(np.sqrt(np.finfo(float).eps))  # lavaan's floor for cell probabilities


def cor_pairs(p: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of each correlation in lavaan's order (lower triangle by column, no diagonal)."""
    rows, cols = [], []
    for j in range(p):
        for i in range(j + 1, p):
            rows.append(i)
            cols.append(j)
    return np.array(rows, dtype=int), np.array(cols, dtype=int)


@dataclass
class OrdinalGroupStats:
    """Thresholds, polychoric correlations and Gamma of one group.

    Attributes
    ----------
    names
        Items in model order.
    n
        Cases used (complete on every item).
    categories
        Each item's response categories (the values seen in the whole data set, in order).
    thresholds
        Each item's thresholds (K - 1 for K categories).
    th_var, th_num
        For each entry of the stacked threshold vector: its item (0-based) and threshold number
        (1-based, lavaan's ``t1``, ``t2``, ...).
    cor
        Polychoric correlation matrix (not smoothed: the estimator works with the estimates).
    pair_i, pair_j
        Item indices of each correlation in the stacked vector.
    wls_obs
        ``s = (thresholds, correlations)``.
    gamma
        Asymptotic covariance matrix of ``sqrt(N) s`` (lavaan's ``NACOV``), q x q.
    polychoric
        The step-two result (pair tables, convergence, notes).
    notes
        Plain-language remarks (empty cells, sparse tables, ...).
    """

    names: list[str]
    n: int
    categories: list[np.ndarray]
    thresholds: list[np.ndarray]
    th_var: np.ndarray
    th_num: np.ndarray
    cor: np.ndarray
    pair_i: np.ndarray
    pair_j: np.ndarray
    wls_obs: np.ndarray
    gamma: np.ndarray
    polychoric: PolychoricResult | None = None
    label: str = ""
    notes: list[str] = field(default_factory=list)
    numeric: np.ndarray | None = None  # bool per item: continuous (True) or ordinal
    means: np.ndarray | None = None  # continuous items' means (0 for ordinal items)
    variances: np.ndarray | None = None  # continuous items' ML variances (1 for ordinal items)

    def __post_init__(self) -> None:
        p = len(self.names)
        if self.numeric is None:
            self.numeric = np.zeros(p, dtype=bool)
        if self.means is None:
            self.means = np.zeros(p)
        if self.variances is None:
            self.variances = np.ones(p)

    @property
    def p(self) -> int:
        return len(self.names)

    @property
    def nth(self) -> int:
        """Entries of the threshold block (a continuous item contributes its negated mean)."""
        return int(self.th_var.size)

    @property
    def num_idx(self) -> np.ndarray:
        """Indices of the continuous items (their variances follow the threshold block)."""
        return np.flatnonzero(self.numeric)

    @property
    def nnum(self) -> int:
        return int(self.num_idx.size)

    @property
    def cov_offset(self) -> int:
        """Position of the first covariance/correlation in :attr:`wls_obs`."""
        return self.nth + self.nnum

    @property
    def npairs(self) -> int:
        return int(self.pair_i.size)

    @property
    def sd(self) -> np.ndarray:
        """Standard deviations used to turn correlations into covariances (1 for ordinal items)."""
        return np.sqrt(self.variances)

    @property
    def cov(self) -> np.ndarray:
        """Sample covariance matrix of the latent responses: correlations scaled by :attr:`sd`."""
        return self.cor * np.outer(self.sd, self.sd)

    @property
    def threshold_names(self) -> list[str]:
        """``item|tk`` labels of the stacked thresholds (lavaan's names); a continuous item's entry
        (its negated mean) is labelled ``item|mean``."""
        return [
            f"{self.names[v]}|t{k}" if k > 0 else f"{self.names[v]}|mean"
            for v, k in zip(self.th_var, self.th_num, strict=True)
        ]

    def weight_diagonal(self, kind: str) -> np.ndarray:
        """Diagonal weights: ``1/diag(Gamma)`` for DWLS, ones for ULS."""
        if kind == "ULS":
            return np.ones(self.gamma.shape[0])
        d = np.diag(self.gamma)
        if not np.all(np.isfinite(d)) or np.any(d <= 0):
            raise DataError(
                "the asymptotic variances of the thresholds/polychoric correlations are not all "
                f"positive{_where(self.label)}",
                hint="Check for items with empty categories or pairs of items that never vary "
                "together; collapse sparse categories.",
            )
        return 1.0 / d


def _where(label: str) -> str:
    return f" in group {label}" if label else ""


def code_ordinal(
    data: pd.DataFrame, names: Sequence[str], max_categories: int = 15
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Code ordinal columns as 0..K-1 over the categories seen in ``data`` (listwise complete).

    Returns the integer codes (N x p) and each item's categories.

    Raises
    ------
    DataError
        A non-integer value, fewer than two categories or more than ``max_categories``.
    """
    codes = np.empty((data.shape[0], len(names)), dtype=np.int64)
    cats: list[np.ndarray] = []
    for j, name in enumerate(names):
        col = pd.to_numeric(data[name], errors="coerce").to_numpy(dtype=float)
        if np.any(col != np.round(col)):
            raise DataError(
                f"item {name} has non-integer values; an ordered item needs response categories",
                hint=f"recode {name} to categories, or leave it out of ordered=",
            )
        c = np.unique(col)
        if c.size < 2:
            raise DataError(
                f"item {name} has only {c.size} observed category; an ordinal item needs at least two",
                hint=f"drop item {name} from the model",
            )
        if c.size > max_categories:
            raise DataError(
                f"item {name} has {c.size} distinct values, more than {max_categories} categories",
                hint=f"treat {name} as continuous (estimator='MLR'), or recode it to fewer categories",
            )
        codes[:, j] = np.searchsorted(c, col)
        cats.append(c)
    return codes, cats


# ---------------------------------------------------------------------------------------------
# Scores and Gamma
# ---------------------------------------------------------------------------------------------
def _phi(x: np.ndarray) -> np.ndarray:
    return np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi)


def _univariate_blocks(tau: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Score table and A11 block of one item.

    ``S[c, k] = d log P(y = c) / d tau_k = (phi(tau_k) [k = c] - phi(tau_k) [k = c - 1]) / P(c)``
    (c = 0..K-1, k = 0..K-2); ``A11 = S' diag(counts) S``.
    """
    k = tau.size
    ext = np.concatenate([[-np.inf], tau, [np.inf]])
    prob = special.ndtr(ext[1:]) - special.ndtr(ext[:-1])
    d = _phi(tau)
    s = np.zeros((k + 1, k))
    idx = np.arange(k)
    s[idx, idx] = d / prob[:k]
    s[idx + 1, idx] = -d / prob[1:]
    a11 = s.T @ (counts[:, None] * s)
    return s, a11


def _pair_blocks(
    rho: np.ndarray, t1: np.ndarray, t2: np.ndarray, tables: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-cell rho scores and the A21/A22 entries of many pairs with tables of one shape.

    ``rho`` (P,), ``t1`` (P, R-1), ``t2`` (P, C-1), ``tables`` (P, R, C) observed counts.
    Returns ``ratio`` (P, R, C) = (d pi / d rho) / pi, the cross sums with the row and column
    thresholds ``a21_row`` (P, R-1) and ``a21_col`` (P, C-1), and ``a22`` (P,).
    """
    npair = rho.size
    nr, nc = t1.shape[1] + 1, t2.shape[1] + 1
    r3 = rho[:, None, None]
    h = t1[:, :, None]
    k = t2[:, None, :]
    cdf = np.zeros((npair, nr + 1, nc + 1))
    cdf[:, 1:nr, 1:nc] = bvn_cdf(h, k, r3)
    cdf[:, nr, 1:nc] = special.ndtr(t2)
    cdf[:, 1:nr, nc] = special.ndtr(t1)
    cdf[:, nr, nc] = 1.0
    dens = np.zeros((npair, nr + 1, nc + 1))
    dens[:, 1:nr, 1:nc] = bvn_pdf(h, k, r3)

    def diff2(f: np.ndarray) -> np.ndarray:
        return f[:, 1:, 1:] - f[:, :-1, 1:] - f[:, 1:, :-1] + f[:, :-1, :-1]

    pi = np.maximum(diff2(cdf), _PI_MIN)
    ratio = diff2(dens) / pi
    a22 = np.sum(tables * ratio * ratio, axis=(1, 2))
    s = np.sqrt((1.0 - rho) * (1.0 + rho))[:, None, None]
    w = tables * ratio / pi  # n_ab (dpi/drho) / pi^2
    # Row thresholds: dF(t1_r, b)/dt1_r = phi(t1_r) Phi((b - rho t1_r)/s) over the column bounds b.
    b_ext = np.concatenate([np.full((npair, 1), -np.inf), t2, np.full((npair, 1), np.inf)], axis=1)
    g = _phi(t1)[:, :, None] * special.ndtr((b_ext[:, None, :] - r3 * t1[:, :, None]) / s)
    strip = (
        g[:, :, 1:] - g[:, :, :-1]
    )  # (P, R-1, C): d pi[r, b]/d t1_r = strip, pi[r+1, b] = -strip
    a21_row = np.sum(strip * (w[:, :-1, :] - w[:, 1:, :]), axis=2)
    a_ext = np.concatenate([np.full((npair, 1), -np.inf), t1, np.full((npair, 1), np.inf)], axis=1)
    g = _phi(t2)[:, :, None] * special.ndtr((a_ext[:, None, :] - r3 * t2[:, :, None]) / s)
    strip = g[:, :, 1:] - g[:, :, :-1]  # (P, C-1, R)
    a21_col = np.sum(strip * (w[:, :, :-1] - w[:, :, 1:]).transpose(0, 2, 1), axis=2)
    return ratio, a21_row, a21_col, a22


def _bvreg_scores(y1: np.ndarray, y2: np.ndarray, rho: float, m1, v1, m2, v2):
    """Case-wise scores of the bivariate normal log-likelihood of two continuous items
    (rho, mu1, var1, mu2, var2), with z_k = (y_k - mu_k)/sd_k and R = 1 - rho^2:
    d/drho = rho/R + z1 z2/R - rho Q/R^2 (Q = z1^2 - 2 rho z1 z2 + z2^2),
    d/dmu1 = (z1 - rho z2)/(R sd1), d/dvar1 = -1/(2 var1) + z1 (z1 - rho z2)/(2 R var1)."""
    s1, s2 = np.sqrt(v1), np.sqrt(v2)
    z1, z2 = (y1 - m1) / s1, (y2 - m2) / s2
    r = 1.0 - rho * rho
    q = z1 * z1 - 2 * rho * z1 * z2 + z2 * z2
    d_rho = rho / r + z1 * z2 / r - rho * q / (r * r)
    d_m1 = (z1 - rho * z2) / (r * s1)
    d_m2 = (z2 - rho * z1) / (r * s2)
    d_v1 = -0.5 / v1 + z1 * (z1 - rho * z2) / (2 * r * v1)
    d_v2 = -0.5 / v2 + z2 * (z2 - rho * z1) / (2 * r * v2)
    return d_rho, d_m1, d_v1, d_m2, d_v2


def _bvmix_scores(y: np.ndarray, code: np.ndarray, tau: np.ndarray, rho: float, m, v):
    """Case-wise scores of the polyserial log-likelihood log phi(y) + log P(c | y)
    (Olsson, Drasgow & Dorans, 1982), u_c = (tau_c - rho z)/R, R = sqrt(1 - rho^2):
    d/drho = [phi(u_c)(rho tau_c - z) - phi(u_c-1)(rho tau_c-1 - z)] / (R^3 P),
    d/dtau_k = [1(c = k) phi(u_k) - 1(c = k+1) phi(u_k)] / (R P),
    d/dmu = (z + rho (phi(u_c) - phi(u_c-1))/(R P)) / sd,
    d/dvar = ((z^2 - 1) + rho z (phi(u_c) - phi(u_c-1))/(R P)) / (2 var)."""
    sd = np.sqrt(v)
    z = (y - m) / sd
    r = np.sqrt(1.0 - rho * rho)
    ext = np.concatenate([[-np.inf], tau, [np.inf]])
    up, lo = ext[code + 1], ext[code]
    fu, fl = np.isfinite(up), np.isfinite(lo)
    uu = np.where(fu, (np.where(fu, up, 0.0) - rho * z) / r, np.inf)
    ul = np.where(fl, (np.where(fl, lo, 0.0) - rho * z) / r, -np.inf)
    prob = np.maximum(special.ndtr(uu) - special.ndtr(ul), np.finfo(float).eps)
    pu = np.where(fu, _phi(np.where(fu, uu, 0.0)), 0.0)
    pl = np.where(fl, _phi(np.where(fl, ul, 0.0)), 0.0)
    tu = np.where(fu, pu * (rho * np.where(fu, up, 0.0) - z), 0.0)
    tl = np.where(fl, pl * (rho * np.where(fl, lo, 0.0) - z), 0.0)
    d_rho = (tu - tl) / (r**3 * prob)
    diff = (pu - pl) / (r * prob)
    d_m = (z + rho * diff) / sd
    d_v = ((z * z - 1.0) + rho * z * diff) / (2.0 * v)
    k = tau.size
    d_tau = np.zeros((y.size, k))
    rows = np.arange(y.size)
    top = code < k  # the case's upper threshold is tau_code
    d_tau[rows[top], code[top]] += pu[top] / (r * prob[top])
    bot = code > 0  # its lower threshold is tau_(code-1)
    d_tau[rows[bot], code[bot] - 1] -= pl[bot] / (r * prob[bot])
    return d_rho, d_m, d_v, d_tau


def muthen1984_gamma(
    codes: np.ndarray,
    thresholds: list[np.ndarray],
    cor: np.ndarray,
    pair_i: np.ndarray,
    pair_j: np.ndarray,
    *,
    y: np.ndarray | None = None,
    numeric: np.ndarray | None = None,
) -> np.ndarray:
    """Gamma (NACOV) of the stacked sample statistics (Muthen, 1984).

    Parameters
    ----------
    codes
        N x p integer categories 0..K_i-1 of the ordinal items (complete data; ignored for
        continuous items).
    thresholds
        Each ordinal item's thresholds (step one); anything for a continuous item.
    cor
        Polychoric / polyserial / Pearson correlations (step two).
    pair_i, pair_j
        The pairs in the stacked order (:func:`cor_pairs`).
    y, numeric
        Raw values (N x p) and a boolean mask of the continuous items, if any. A continuous item
        contributes its mean (entered negated, as lavaan) to the threshold block and its variance to
        a variance block; its correlations are turned into covariances (lavaan's ``H`` matrix).

    Returns
    -------
    ndarray
        ``N B^-1 (S'S) B^-1'`` (see the module docstring), of order
        ``#thresholds + #continuous means + #continuous variances + p(p-1)/2``.
    """
    n, p = codes.shape
    num = np.zeros(p, dtype=bool) if numeric is None else np.asarray(numeric, dtype=bool)
    nth_i = np.array([1 if num[i] else thresholds[i].size for i in range(p)])
    start = np.concatenate([[0], np.cumsum(nth_i)[:-1]]).astype(int)
    nth = int(nth_i.sum())
    num_idx = np.flatnonzero(num)
    var_col = {int(i): nth + k for k, i in enumerate(num_idx)}
    q1 = nth + num_idx.size
    npair = pair_i.size
    mean = np.zeros(p)
    var = np.ones(p)
    # Step one: influence functions Z1 = S1 A11^-1, one block per item.
    z1 = np.empty((n, q1))
    for i in range(p):
        if num[i]:
            yi = y[:, i]
            mean[i] = yi.mean()
            var[i] = yi.var()
            res = yi - mean[i]
            sc = np.column_stack([res / var[i], -0.5 / var[i] + res * res / (2 * var[i] ** 2)])
            zi = sc @ np.linalg.inv(sc.T @ sc)
            z1[:, start[i]] = zi[:, 0]
            z1[:, var_col[i]] = zi[:, 1]
            continue
        counts = np.bincount(codes[:, i], minlength=nth_i[i] + 1).astype(float)
        s, a11 = _univariate_blocks(thresholds[i], counts)
        try:
            a11_inv = np.linalg.inv(a11)
        except np.linalg.LinAlgError:
            a11_inv = np.linalg.pinv(a11)
        z1[:, start[i] : start[i] + nth_i[i]] = (s @ a11_inv)[codes[:, i]]
    # Step two: rho scores per case, the A21 cross sums and the A22 diagonal.
    sc_cor = np.empty((n, npair))
    a22 = np.empty(npair)
    corr = np.zeros((n, npair))  # sum_k Z1_k A21[pair, k]
    shapes: dict[tuple[int, int], list[int]] = {}
    mixed: list[int] = []
    for k in range(npair):
        i, j = pair_i[k], pair_j[k]
        if num[i] or num[j]:
            mixed.append(k)
        else:
            shapes.setdefault((nth_i[i] + 1, nth_i[j] + 1), []).append(k)
    for (nr, nc), ks in shapes.items():
        ks_a = np.array(ks)
        ii, jj = pair_i[ks_a], pair_j[ks_a]
        t1 = np.stack([thresholds[i] for i in ii])
        t2 = np.stack([thresholds[j] for j in jj])
        rho = cor[ii, jj]
        cell = codes[:, ii] * nc + codes[:, jj]  # N x P
        tables = (
            np.stack([np.bincount(cell[:, m], minlength=nr * nc) for m in range(ks_a.size)])
            .reshape(ks_a.size, nr, nc)
            .astype(float)
        )
        ratio, a21_row, a21_col, a22_k = _pair_blocks(rho, t1, t2, tables)
        sc = np.take_along_axis(ratio.reshape(ks_a.size, -1), cell.T, axis=1).T
        sc_cor[:, ks_a] = sc
        a22[ks_a] = a22_k
        for m, k in enumerate(ks):
            i, j = pair_i[k], pair_j[k]
            corr[:, k] = (
                z1[:, start[i] : start[i] + nth_i[i]] @ a21_row[m]
                + z1[:, start[j] : start[j] + nth_i[j]] @ a21_col[m]
            )
    for k in mixed:
        i, j = int(pair_i[k]), int(pair_j[k])
        rho = float(cor[i, j])
        if num[i] and num[j]:
            d_rho, d_m1, d_v1, d_m2, d_v2 = _bvreg_scores(
                y[:, i], y[:, j], rho, mean[i], var[i], mean[j], var[j]
            )
            parts = [(start[i], d_m1), (var_col[i], d_v1), (start[j], d_m2), (var_col[j], d_v2)]
            blocks = []
        else:
            c, o = (i, j) if num[i] else (j, i)
            d_rho, d_m, d_v, d_tau = _bvmix_scores(
                y[:, c], codes[:, o], thresholds[o], rho, mean[c], var[c]
            )
            parts = [(start[c], d_m), (var_col[c], d_v)]
            blocks = [(o, d_tau)]
        sc_cor[:, k] = d_rho
        a22[k] = float(d_rho @ d_rho)
        for col, d in parts:
            corr[:, k] += z1[:, col] * float(d_rho @ d)
        for o, d_tau in blocks:
            corr[:, k] += z1[:, start[o] : start[o] + nth_i[o]] @ (d_rho @ d_tau)
    with np.errstate(divide="ignore"):
        inv22 = np.where(a22 > 0, 1.0 / a22, 0.0)
    z_cor = (sc_cor - corr) * inv22[None, :]
    if num_idx.size:
        # correlations -> covariances: cov_ij = rho_ij sd_i sd_j (lavaan's H matrix)
        sd = np.sqrt(var)
        rho = cor[pair_i, pair_j]
        z_cov = z_cor * (sd[pair_i] * sd[pair_j])[None, :]
        for a, b in ((pair_i, pair_j), (pair_j, pair_i)):
            for k in np.flatnonzero(num[a]):
                z_cov[:, k] += z1[:, var_col[int(a[k])]] * (sd[b[k]] * rho[k] / (2 * sd[a[k]]))
        z_cor = z_cov
        z1 = z1.copy()
        z1[:, start[num_idx]] *= -1.0  # the statistic is the negated mean
    z = np.hstack([z1, z_cor])
    return n * _crossprod(z)


def _crossprod(z: np.ndarray) -> np.ndarray:
    """z'z through the symmetric rank-k BLAS update (half the work of a general product)."""
    try:
        from scipy.linalg.blas import dsyrk

        upper = dsyrk(1.0, np.asfortranarray(z), trans=1)
        return np.triu(upper) + np.triu(upper, 1).T
    except (ImportError, ValueError):  # pragma: no cover - scipy always ships dsyrk
        return z.T @ z


# ---------------------------------------------------------------------------------------------
# Public entry points
# ---------------------------------------------------------------------------------------------
def ordinal_group_stats(
    data: pd.DataFrame,
    names: Sequence[str],
    *,
    ordered: Sequence[str] | None = None,
    categories: dict[str, np.ndarray] | list[np.ndarray] | None = None,
    label: str = "",
    gamma: bool = True,
    max_categories: int = 15,
) -> OrdinalGroupStats:
    """Thresholds, polychoric correlations and Gamma of one group's complete cases.

    Parameters
    ----------
    data
        The group's cases (rows with a missing answer on any of ``names`` must already be dropped).
    names
        Items in model order.
    ordered
        The ordinal items (default: all). The others are continuous: they contribute their means
        and variances, polyserial correlations with the ordinal items and covariances among
        themselves, as in lavaan.
    categories
        The categories each ordinal item should have (from the whole data set, so that every group
        gets the same thresholds); by default the categories seen in ``data``.
    label
        Group label for messages.
    gamma
        Compute Gamma (needed for robust standard errors and tests, and for the DWLS weights).

    Raises
    ------
    DataError
        Too few cases, an item with fewer than two categories, a continuous item without variance,
        or a category of an item that nobody in this group chose (its thresholds would not be
        estimable).
    """
    names = [str(n) for n in names]
    ordset = set(names) if ordered is None else {str(o) for o in ordered}
    where = _where(label)
    n = int(data.shape[0])
    p = len(names)
    if n < 2 or n <= p:
        raise DataError(
            f"too few complete cases{where}: {n} for {p} items",
            hint="Collect more responses or fit fewer items.",
        )
    numeric = np.array([nm not in ordset for nm in names])
    ord_names = [nm for nm in names if nm in ordset]
    codes = np.zeros((n, p), dtype=np.int64)
    cats: list[np.ndarray] = [np.zeros(0) for _ in names]
    if ord_names:
        oc, ocats = code_ordinal(data, ord_names, max_categories)
        if isinstance(categories, list):
            categories = dict(zip(ord_names, categories, strict=True))
        for k, name in enumerate(ord_names):
            j = names.index(name)
            codes[:, j] = oc[:, k]
            cats[j] = ocats[k]
            if categories is not None:
                want = np.asarray(categories[name])
                missing = np.setdiff1d(want, ocats[k])
                if missing.size:
                    shown = ", ".join(f"{v:g}" for v in missing)
                    raise DataError(
                        f"item {name} has no answers in categor"
                        f"{'y' if missing.size == 1 else 'ies'} {shown}{where}, so its thresholds "
                        "cannot be estimated there",
                        hint=f"Merge the empty categories of {name} with a neighbour in every group "
                        "(recode), or drop the item.",
                    )
                codes[:, j] = np.searchsorted(want, ocats[k])[oc[:, k]]
                cats[j] = want
    y = np.zeros((n, p))
    for j in np.flatnonzero(numeric):
        y[:, j] = pd.to_numeric(data[names[j]], errors="coerce").to_numpy(dtype=float)
        if not np.var(y[:, j]) > 0:
            raise DataError(
                f"item {names[j]} has no variance{where} (every answer is the same)",
                hint=f"Drop item {names[j]} from the model.",
            )
    frame = pd.DataFrame(
        {nm: (y[:, j] if numeric[j] else codes[:, j]) for j, nm in enumerate(names)}
    )
    pc = polychoric(
        frame,
        ordered=ord_names,
        mimic="lavaan",
        smooth=False,
        max_categories=max(max_categories, 2),
    )
    thresholds = [
        np.zeros(0) if numeric[j] else np.asarray(pc.thresholds[nm], dtype=float)
        for j, nm in enumerate(names)
    ]
    cor = pc.unsmoothed.loc[names, names].to_numpy(dtype=float)
    bad = [
        f"{names[i]} and {names[j]}"
        for i in range(p)
        for j in range(i)
        if not (np.isfinite(cor[i, j]) and abs(cor[i, j]) < 1.0)
    ]
    if bad:
        raise DataError(
            f"items {'; '.join(bad)} are perfectly associated{where} (a 2 x 2 table with two empty "
            "cells), so their tetrachoric correlation is +-1 and has no sampling variance",
            hint="Drop one item of each pair, or collapse categories so that the table has no "
            "empty cells.",
        )
    means = np.where(numeric, y.mean(axis=0), 0.0)
    variances = np.where(numeric, y.var(axis=0), 1.0)
    pair_i, pair_j = cor_pairs(p)
    th_var = np.concatenate(
        [np.full(1 if numeric[i] else t.size, i) for i, t in enumerate(thresholds)]
    )
    th_num = np.concatenate(
        [
            np.zeros(1, dtype=int) if numeric[i] else np.arange(1, t.size + 1)
            for i, t in enumerate(thresholds)
        ]
    )
    th_obs = np.concatenate(
        [-means[i : i + 1] if numeric[i] else t for i, t in enumerate(thresholds)]
    )
    sd = np.sqrt(variances)
    wls_obs = np.concatenate(
        [th_obs, variances[numeric], cor[pair_i, pair_j] * sd[pair_i] * sd[pair_j]]
    )
    notes = [f"{nt}{' (' + label + ')' if label else ''}" for nt in pc.notes]
    g = (
        muthen1984_gamma(codes, thresholds, cor, pair_i, pair_j, y=y, numeric=numeric)
        if gamma
        else np.full((wls_obs.size, wls_obs.size), np.nan)
    )
    return OrdinalGroupStats(
        names=names,
        n=n,
        categories=cats,
        thresholds=thresholds,
        th_var=th_var.astype(int),
        th_num=th_num.astype(int),
        cor=cor,
        pair_i=pair_i,
        pair_j=pair_j,
        wls_obs=wls_obs,
        gamma=g,
        polychoric=pc,
        label=label,
        notes=notes,
        numeric=numeric,
        means=means,
        variances=variances,
    )


def ordinal_sample_stats(
    data: pd.DataFrame,
    names: Sequence[str],
    *,
    ordered: Sequence[str] | None = None,
    group: str | None = None,
    max_categories: int = 15,
) -> tuple[list[OrdinalGroupStats], list[str], int]:
    """Per-group sample statistics for ordinal (and continuous) items after listwise deletion.

    Parameters
    ----------
    data
        Responses: one column per item (and the group column).
    names
        Items in model order.
    ordered
        The ordinal items (default: all of ``names``).
    group
        Grouping column, or None for one group. Groups are taken in order of first appearance,
        as lavaan does.

    Returns
    -------
    (stats, group_labels, n_dropped)
        One :class:`OrdinalGroupStats` per group, the group labels, and the number of rows dropped
        for missing answers.
    """
    names = [str(n) for n in names]
    ord_names = names if ordered is None else [n for n in names if n in {str(o) for o in ordered}]
    missing_cols = [c for c in names + ([group] if group else []) if c not in data.columns]
    if missing_cols:
        raise DataError(
            f"column(s) {', '.join(missing_cols)} are not in the data",
            hint="Check the item ids in the model against the data's column names.",
        )
    cols = names + ([group] if group else [])
    sub = data[cols]
    nonnum = [c for c in names if not pd.api.types.is_numeric_dtype(sub[c])]
    if nonnum:
        raise DataError(
            f"item(s) {', '.join(nonnum)} are not numeric",
            hint="Code the responses as numbers (the scale's response codes) before the analysis.",
        )
    complete = sub.dropna(axis=0, how="any")
    dropped = int(sub.shape[0] - complete.shape[0])
    if complete.shape[0] == 0:
        raise DataError(
            "no case answered every model item",
            hint="Check the missing-value codes; listwise deletion left no rows.",
        )
    cats = None
    if ord_names:
        _, oc = code_ordinal(complete, ord_names, max_categories)
        cats = dict(zip(ord_names, oc, strict=True))
    kw = dict(ordered=ord_names, categories=cats, max_categories=max_categories)
    if group is None:
        return [ordinal_group_stats(complete, names, **kw)], [], dropped
    labels = list(pd.unique(complete[group]))
    if len(labels) < 2:
        raise DataError(
            f"the group column {group} has only one value among the complete cases",
            hint="Fit the model without group=, or check the group column.",
        )
    out = [
        ordinal_group_stats(complete[complete[group] == lab], names, label=str(lab), **kw)
        for lab in labels
    ]
    return out, [str(x) for x in labels], dropped
