"""Sample statistics per group: moments for complete data, missing-data patterns and the EM
(saturated, "H1") estimates for full-information ML.

Covariances divide by N (not N - 1): the normal-theory likelihood is written in the ML moments,
as lavaan does with its default ``likelihood = "normal"``.

The EM algorithm for the saturated model (Dempster, Laird & Rubin, 1977; Little & Rubin, 2002,
ch. 11) works on per-pattern sufficient statistics, so an iteration costs the same for any N.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from moscale.errors import DataError

__all__ = ["GroupStats", "Pattern", "em_saturated", "group_stats", "loglik_patterns"]

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
    for pat in patterns:
        o = pat.obs
        s = sigma[np.ix_(o, o)]
        sign, logdet = np.linalg.slogdet(s)
        if sign <= 0:
            return -np.inf
        d = pat.mean - mu[o]
        w = pat.cov + np.outer(d, d)
        sinv = np.linalg.inv(s)
        total += pat.n * (len(o) * LOG2PI + logdet + np.sum(sinv * w))
    return -0.5 * total


def em_saturated(
    patterns: list[Pattern], p: int, n: int, *, tol: float = 1e-10, max_iter: int = 10_000
) -> tuple[np.ndarray, np.ndarray, int]:
    """EM estimates (mu, Sigma) of the saturated normal model with incomplete data.

    E-step per pattern with B = Sigma_mo Sigma_oo^-1, C = Sigma_mm - B Sigma_om, c = mu_m - B mu_o:
    sum y_m = n c + B T_o, sum y_m y_o' = c T_o' + B Q_oo,
    sum y_m y_m' = n (C + c c') + c T_o' B' + B T_o c' + B Q_oo B'  (T_o, Q_oo: pattern sums).
    M-step: mu = T1 / N, Sigma = T2 / N - mu mu'.
    Stops when the largest change in mu or Sigma is below ``tol``.
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
    it = 0
    while it < max_iter:
        it += 1
        T1 = np.zeros(p)
        T2 = np.zeros((p, p))
        for pat in patterns:
            o = pat.obs
            if len(o) == p:
                T1 += pat.sum
                T2 += pat.crossprod
                continue
            m = np.setdiff1d(np.arange(p), o)
            s_oo = sigma[np.ix_(o, o)]
            s_mo = sigma[np.ix_(m, o)]
            b = np.linalg.solve(s_oo, s_mo.T).T
            cm = sigma[np.ix_(m, m)] - b @ s_mo.T
            c = mu[m] - b @ mu[o]
            to, qoo = pat.sum, pat.crossprod
            sm = pat.n * c + b @ to
            smo = np.outer(c, to) + b @ qoo
            smm = (
                pat.n * (cm + np.outer(c, c))
                + np.outer(c, to @ b.T)
                + np.outer(b @ to, c)
                + b @ qoo @ b.T
            )
            T1[o] += to
            T1[m] += sm
            T2[np.ix_(o, o)] += qoo
            T2[np.ix_(m, o)] += smo
            T2[np.ix_(o, m)] += smo.T
            T2[np.ix_(m, m)] += smm
        mu_new = T1 / n
        sigma_new = T2 / n - np.outer(mu_new, mu_new)
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
