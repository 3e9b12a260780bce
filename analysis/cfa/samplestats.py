"""Sample statistics per group: moments for complete data, missing-data patterns and the EM
(saturated, "H1") estimates for full-information ML.

Covariances divide by N (not N - 1): the normal-theory likelihood is written in the ML moments,
as lavaan does with its default ``likelihood = "normal"``.

The EM algorithm for the saturated model (Dempster, Laird & Rubin, 1977; Little & Rubin, 2002,
ch. 11) works on per-pattern sufficient statistics, so an iteration costs the same for any N.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from moscale.errors import DataError

__all__ = [
    "GroupStats",
    "Pattern",
    "PatternBlock",
    "em_saturated",
    "group_stats",
    "group_stats_cached",
    "loglik_patterns",
]

LOG2PI = np.log(2.0 * np.pi)


@dataclass
class Pattern:
    """Cases sharing one set of observed variables."""

    obs: np.ndarray  # int indices of the observed variables
    n: int
    mean: np.ndarray  # mean of the observed variables within the pattern
    cov: np.ndarray  # covariance (divisor n) within the pattern
    data: np.ndarray  # n x len(obs) raw values

    @property
    def sum(self) -> np.ndarray:
        return self.n * self.mean

    @property
    def crossprod(self) -> np.ndarray:
        return self.n * (self.cov + np.outer(self.mean, self.mean))


@dataclass
class PatternBlock:
    """Missing-data patterns with the same number of observed variables, stacked for batched
    linear algebra (a complete-data group is one block with one "pattern")."""

    obs: np.ndarray  # B x s indices of the observed variables
    n: np.ndarray  # B cases per pattern
    mean: np.ndarray  # B x s
    cov: np.ndarray  # B x s x s (divisor n)
    flat: np.ndarray  # B x s x s positions in a flattened p x p matrix (for scatter-adds)
    patterns: list[Pattern]


def _blocks(patterns: list[Pattern], p: int) -> list[PatternBlock]:
    by_size: dict[int, list[Pattern]] = {}
    for pat in patterns:
        by_size.setdefault(len(pat.obs), []).append(pat)
    out = []
    for _, pats in sorted(by_size.items()):
        obs = np.array([pt.obs for pt in pats], dtype=int)
        out.append(
            PatternBlock(
                obs=obs,
                n=np.array([pt.n for pt in pats], dtype=float),
                mean=np.array([pt.mean for pt in pats]),
                cov=np.array([pt.cov for pt in pats]),
                flat=obs[:, :, None] * p + obs[:, None, :],
                patterns=pats,
            )
        )
    return out


@dataclass
class GroupStats:
    """Sample statistics of one group.

    ``cov``/``mean`` are the ML moments; with missing data (FIML) they are the EM estimates of the
    saturated model, and ``patterns`` holds the data by missing-data pattern.
    """

    n: int
    cov: np.ndarray
    mean: np.ndarray
    data: np.ndarray  # n x p (may contain NaN under FIML)
    patterns: list[Pattern] | None = None
    h1_loglik: float = float("nan")
    em_iterations: int = 0
    notes: list[str] = field(default_factory=list)
    cache: dict = field(default_factory=dict, repr=False)

    @property
    def missing(self) -> bool:
        return self.patterns is not None

    @property
    def blocks(self) -> list[PatternBlock]:
        """Patterns stacked by size (one block holding the whole sample for complete data)."""
        if "blocks" not in self.cache:
            if self.patterns is not None:
                self.cache["blocks"] = _blocks(self.patterns, self.p)
            else:
                full = Pattern(np.arange(self.p), self.n, self.mean, self.cov, self.data)
                self.cache["blocks"] = _blocks([full], self.p)
        return self.cache["blocks"]

    @property
    def p(self) -> int:
        return self.cov.shape[0]


def _patterns(y: np.ndarray) -> list[Pattern]:
    obs = ~np.isnan(y)
    keys, inverse = np.unique(obs, axis=0, return_inverse=True)
    out = []
    for k, key in enumerate(keys):
        rows = np.flatnonzero(inverse.ravel() == k)
        idx = np.flatnonzero(key)
        d = y[np.ix_(rows, idx)]
        mean = d.mean(axis=0)
        c = d - mean
        out.append(Pattern(idx, len(rows), mean, c.T @ c / len(rows), d))
    return out


def loglik_patterns(patterns: list[Pattern], sigma: np.ndarray, mu: np.ndarray) -> float:
    """Normal log-likelihood of incomplete data summed over patterns.

    logL = -1/2 sum_p n_p [ p_o log(2 pi) + log|Sigma_oo| + tr(Sigma_oo^-1 W_p) ],
    W_p = S_p + (ybar_p - mu_o)(ybar_p - mu_o)'.
    """
    total = 0.0
    by_size: dict[int, list[Pattern]] = {}
    for pat in patterns:
        by_size.setdefault(len(pat.obs), []).append(pat)
    for size, pats in by_size.items():
        obs = np.array([pt.obs for pt in pats], dtype=int)
        nn = np.array([pt.n for pt in pats], dtype=float)
        s = sigma[obs[:, :, None], obs[:, None, :]]
        sign, logdet = np.linalg.slogdet(s)
        if np.any(sign <= 0):
            return -np.inf
        d = np.array([pt.mean for pt in pats]) - mu[obs]
        w = np.array([pt.cov for pt in pats]) + d[:, :, None] * d[:, None, :]
        a = np.linalg.inv(s)
        total += float(np.sum(nn * (size * LOG2PI + logdet + np.sum(a * w, axis=(1, 2)))))
    return -0.5 * total


def em_saturated(
    patterns: list[Pattern], p: int, n: int, *, tol: float = 1e-10, max_iter: int = 10_000
) -> tuple[np.ndarray, np.ndarray, int]:
    """EM estimates (mu, Sigma) of the saturated normal model with incomplete data.

    E-step per pattern with B = Sigma_mo Sigma_oo^-1, C = Sigma_mm - B Sigma_om, c = mu_m - B mu_o:
    sum y_m = n c + B T_o, sum y_m y_o' = c T_o' + B Q_oo,
    sum y_m y_m' = n (C + c c') + c T_o' B' + B T_o c' + B Q_oo B'  (T_o, Q_oo: pattern sums).
    M-step: mu = T1 / N, Sigma = T2 / N - mu mu'. Patterns with the same number of observed
    variables are processed as one batch. Stops when the largest change in mu or Sigma is below
    ``tol``.
    """
    # start: available-case means and variances
    t1 = np.zeros(p)
    cnt = np.zeros(p)
    t2d = np.zeros(p)
    for pat in patterns:
        t1[pat.obs] += pat.sum
        cnt[pat.obs] += pat.n
        t2d[pat.obs] += np.diag(pat.crossprod)
    mu = t1 / cnt
    sigma = np.diag(t2d / cnt - mu**2)
    # batches: observed indices followed by missing ones, and the pattern sums
    batches = []
    allv = np.arange(p)
    by_size: dict[int, list[Pattern]] = {}
    for pat in patterns:
        by_size.setdefault(len(pat.obs), []).append(pat)
    for size, pats in by_size.items():
        obs = np.array([pt.obs for pt in pats], dtype=int)
        mis = np.array([np.setdiff1d(allv, pt.obs) for pt in pats], dtype=int).reshape(
            len(pats), p - size
        )
        perm = np.concatenate([obs, mis], axis=1)
        nn = np.array([pt.n for pt in pats], dtype=float)
        to = np.array([pt.sum for pt in pats])
        qoo = np.array([pt.crossprod for pt in pats])
        flat = perm[:, :, None] * p + perm[:, None, :]
        batches.append((obs, mis, perm, nn, to, qoo, flat))
    it = 0
    while it < max_iter:
        it += 1
        T1 = np.zeros(p)
        T2 = np.zeros(p * p)
        for obs, mis, perm, nn, to, qoo, flat in batches:
            s = obs.shape[1]
            if s == p:
                T1 += to.sum(axis=0)
                T2 += np.bincount(flat.ravel(), weights=qoo.ravel(), minlength=p * p)
                continue
            s_oo = sigma[obs[:, :, None], obs[:, None, :]]
            s_mo = sigma[mis[:, :, None], obs[:, None, :]]
            s_mm = sigma[mis[:, :, None], mis[:, None, :]]
            b = np.swapaxes(np.linalg.solve(s_oo, np.swapaxes(s_mo, 1, 2)), 1, 2)  # B x m x s
            cm = s_mm - b @ np.swapaxes(s_mo, 1, 2)
            c = mu[mis] - np.einsum("bij,bj->bi", b, mu[obs])
            bto = np.einsum("bij,bj->bi", b, to)
            sm = nn[:, None] * c + bto
            smo = c[:, :, None] * to[:, None, :] + b @ qoo
            smm = (
                nn[:, None, None] * (cm + c[:, :, None] * c[:, None, :])
                + c[:, :, None] * bto[:, None, :]
                + bto[:, :, None] * c[:, None, :]
                + b @ qoo @ np.swapaxes(b, 1, 2)
            )
            full = np.empty((len(nn), p, p))
            full[:, :s, :s] = qoo
            full[:, s:, :s] = smo
            full[:, :s, s:] = np.swapaxes(smo, 1, 2)
            full[:, s:, s:] = smm
            T1 += np.bincount(
                perm.ravel(), weights=np.concatenate([to, sm], axis=1).ravel(), minlength=p
            )
            T2 += np.bincount(flat.ravel(), weights=full.ravel(), minlength=p * p)
        mu_new = T1 / n
        sigma_new = T2.reshape(p, p) / n - np.outer(mu_new, mu_new)
        sigma_new = (sigma_new + sigma_new.T) / 2
        delta = max(np.max(np.abs(mu_new - mu)), np.max(np.abs(sigma_new - sigma)))
        mu, sigma = mu_new, sigma_new
        if delta < tol:
            break
    return mu, sigma, it


def group_stats(
    y: np.ndarray, names: list[str], *, missing: bool, group_label: str = ""
) -> GroupStats:
    """Sample statistics of one group's data matrix (cases x variables, NaN for missing).

    Raises
    ------
    DataError
        Too few cases, an item without variance, an item never observed, or a covariance matrix that
        is not positive definite (the message names the items involved).
    """
    where = f" in group {group_label}" if group_label else ""
    n, p = y.shape
    notes: list[str] = []
    if missing:
        empty = np.all(np.isnan(y), axis=1)
        if empty.any():
            notes.append(
                f"{int(empty.sum())} case(s){where} had no answer on any model item and were left out."
            )
            y = y[~empty]
            n = y.shape[0]
        never = [names[j] for j in range(p) if np.all(np.isnan(y[:, j]))]
        if never:
            raise DataError(
                f"item(s) {', '.join(never)} have no observed values{where}",
                hint="Remove these items from the model or check the data file.",
            )
    _check_n(n, p, where)
    if not missing:
        mean = y.mean(axis=0)
        c = y - mean
        cov = c.T @ c / n
        _check_cov(cov, names, where, n)
        return GroupStats(n=n, cov=cov, mean=mean, data=y, notes=notes)

    pats = _patterns(y)
    _check_coverage(y, names, where)
    mu, sigma, iters = em_saturated(pats, p, n)
    _check_cov(sigma, names, where, n, em=True)
    ll = loglik_patterns(pats, sigma, mu)
    return GroupStats(
        n=n,
        cov=sigma,
        mean=mu,
        data=y,
        patterns=pats,
        h1_loglik=ll,
        em_iterations=iters,
        notes=notes,
    )


# Statistics of recent data matrices, by content: an invariance ladder, a method-factor comparison
# or a partial-invariance search fits many models to the same data, and the EM estimates, pattern
# blocks, saturated-model information and baseline model (kept in ``GroupStats.cache``) are the
# same for all of them. Large matrices are not kept alive.
_STATS_CACHE: OrderedDict[tuple, GroupStats] = OrderedDict()
_CACHE_ENTRIES = 32
_CACHE_MAX_CELLS = 2_000_000


def group_stats_cached(
    y: np.ndarray, names: list[str], *, missing: bool, group_label: str = ""
) -> GroupStats:
    """:func:`group_stats`, reusing the result for a data matrix seen recently (same values,
    names, missing-data treatment and label). ``cache["key"]`` identifies the content."""
    if y.size > _CACHE_MAX_CELLS:
        return group_stats(y, names, missing=missing, group_label=group_label)
    yc = np.ascontiguousarray(y, dtype=float)
    digest = hashlib.blake2b(yc.tobytes(), digest_size=20).digest()
    key = (digest, yc.shape, tuple(names), bool(missing), group_label)
    st = _STATS_CACHE.get(key)
    if st is None:
        st = group_stats(yc, names, missing=missing, group_label=group_label)
        st.cache["key"] = key
        _STATS_CACHE[key] = st
        if len(_STATS_CACHE) > _CACHE_ENTRIES:
            _STATS_CACHE.popitem(last=False)
    else:
        _STATS_CACHE.move_to_end(key)
    return st


def _check_n(n: int, p: int, where: str) -> None:
    if n < 2 or n <= p:
        raise DataError(
            f"too few cases{where}: {n} complete case(s) for {p} items; the covariance matrix of "
            f"{p} items needs more than {p} cases",
            hint="Collect more responses, fit fewer items, or use missing='fiml' if cases were "
            "dropped for missing answers.",
        )


def _check_cov(cov: np.ndarray, names: list[str], where: str, n: int, em: bool = False) -> None:
    var = np.diag(cov)
    zero = [
        names[j] for j in range(len(names)) if not var[j] > 1e-12 * max(1.0, np.max(np.abs(var)))
    ]
    if zero:
        raise DataError(
            f"item(s) {', '.join(zero)} have no variance{where} (every answer is the same)",
            hint="Remove these items from the model; an item without variance cannot load on a factor.",
        )
    sd = np.sqrt(var)
    r = cov / np.outer(sd, sd)
    w, v = np.linalg.eigh(r)
    if w[0] > 1e-8:
        return
    # Name the items that make the matrix singular: near-perfect pairs first, then the items
    # with the largest weights in the eigenvector of the smallest eigenvalue.
    pairs = []
    p = len(names)
    for i in range(p):
        for j in range(i):
            if abs(r[i, j]) > 0.999:
                pairs.append(f"{names[j]} and {names[i]} (r = {r[i, j]:.3f})")
    vec = np.abs(v[:, 0])
    involved = [names[k] for k in np.argsort(-vec) if vec[k] > 0.1][:6]
    what = "EM-estimated covariance matrix" if em else "sample covariance matrix"
    detail = (
        ("near-duplicate items: " + "; ".join(pairs))
        if pairs
        else ("the items most involved in a linear dependency are " + ", ".join(involved))
    )
    raise DataError(
        f"the {what} of the model items is not positive definite{where}: {detail}",
        hint="One item may be a copy, a sum or a reversal of others. Drop one of the collinear "
        "items, or check the coding of the data.",
    )


def _check_coverage(y: np.ndarray, names: list[str], where: str) -> None:
    obs = (~np.isnan(y)).astype(float)
    cover = obs.T @ obs
    p = len(names)
    for i in range(p):
        for j in range(i):
            if cover[i, j] == 0:
                raise DataError(
                    f"items {names[j]} and {names[i]} are never answered by the same case{where}, so "
                    "their covariance cannot be estimated",
                    hint="FIML needs some cases that answered both items; drop one of them or "
                    "collect overlapping data.",
                )
