"""Normal-theory ML discrepancy and its derivatives in the moments (mu, vech Sigma).

Everything here works at the level of one group's implied moments; the chain rule to the model
parameters (through the Jacobian Delta of :mod:`.matrices`) happens in :mod:`.estimators`.

Complete data (Joreskog, 1969; Bollen, 1989, ch. 4), with W = S + (ybar - mu)(ybar - mu)':

    F = 1/2 [ log|Sigma| + tr(W Sigma^-1) - log|S| - p ]                     (lavaan's fmin scale)
    dF/dmu = -Sigma^-1 d,   dF/dSigma = 1/2 (Sigma^-1 - Sigma^-1 W Sigma^-1)

Incomplete data, case-wise ML summed by pattern (Arbuckle, 1996; Savalei, 2010):

    F = (1/N) sum_p n_p 1/2 [ p_o log 2 pi + log|Sigma_oo| + tr(Sigma_oo^-1 W_p) ]  = -logL / N

Derivatives with respect to a vech element sigma_ab count both (a,b) and (b,a), so off-diagonal
entries carry a factor 2 ("multiplicity"). With A = Sigma^-1:

* expected information (unit): mu-block A; vech-block 1/2 D'(A x A)D;
* observed information (Hessian of F): mu-mu A; mu-sigma_cd A E_cd A d;
  sigma-sigma H(X, Y) = 1/2 [ -tr(XAYA) + tr(XAYQ) + tr(XQYA) ],  Q = A W A;
* case-wise scores (for the first-order / "meat" information): A (y - mu) and
  1/2 vech*( A (y - mu)(y - mu)' A - A ).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .matrices import vech_indices
from .samplestats import LOG2PI, GroupStats, Pattern

__all__ = [
    "expected_sigma",
    "fiml_group",
    "hessian_sigma",
    "ml_group",
    "scores",
]


@lru_cache(maxsize=64)
def _vech(p: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    vr, vc = vech_indices(p)
    mult = np.where(vr == vc, 1.0, 2.0)
    half = np.where(vr == vc, 0.5, 1.0)
    return vr, vc, mult, half


@lru_cache(maxsize=64)
def _vech_pos(p: int) -> np.ndarray:
    vr, vc = vech_indices(p)
    pos = np.zeros((p, p), dtype=int)
    pos[vr, vc] = np.arange(len(vr))
    pos[vc, vr] = np.arange(len(vr))
    return pos


def _inv_logdet(sigma: np.ndarray) -> tuple[np.ndarray, float] | None:
    try:
        chol = np.linalg.cholesky(sigma)
    except np.linalg.LinAlgError:
        return None
    logdet = 2.0 * np.sum(np.log(np.diag(chol)))
    ci = np.linalg.inv(chol)
    return ci.T @ ci, logdet


def _moment_index(p: int, obs: np.ndarray, meanstructure: bool) -> np.ndarray:
    """Positions of a pattern's (mu_o, vech Sigma_oo) inside the full (mu, vech Sigma) vector."""
    po = len(obs)
    vr, vc = vech_indices(po)
    vpos = _vech_pos(p)[obs[vr], obs[vc]]
    if meanstructure:
        return np.concatenate([obs, p + vpos])
    return vpos


# ---------------------------------------------------------------------------------------------
# Complete data
# ---------------------------------------------------------------------------------------------
def ml_group(
    sigma: np.ndarray,
    mu: np.ndarray | None,
    st: GroupStats,
    logdet_s: float,
    *,
    gradient: bool = True,
) -> tuple[float, np.ndarray | None]:
    """F_ML of one group and dF/d(mu, vech Sigma); ``inf`` when Sigma is not positive definite."""
    p = sigma.shape[0]
    il = _inv_logdet(sigma)
    if il is None:
        return np.inf, None
    a, logdet = il
    w = st.cov
    d = None
    if mu is not None:
        d = st.mean - mu
        w = w + np.outer(d, d)
    f = 0.5 * (logdet + np.sum(a * w) - logdet_s - p)
    if not gradient:
        return f, None
    vr, vc, mult, _ = _vech(p)
    g = 0.5 * (a - a @ w @ a)
    gv = mult * g[vr, vc]
    if mu is not None:
        gv = np.concatenate([-(a @ d), gv])
    return f, gv


def expected_sigma(sigma: np.ndarray, meanstructure: bool) -> np.ndarray:
    """Unit expected information of (mu, vech Sigma): blockdiag(A, 1/2 D'(A x A) D)."""
    a = np.linalg.inv(sigma)
    return _expected_from_inv(a, meanstructure)


def _expected_from_inv(a: np.ndarray, meanstructure: bool) -> np.ndarray:
    p = a.shape[0]
    vr, vc, mult, _ = _vech(p)
    w = a[np.ix_(vr, vr)] * a[np.ix_(vc, vc)] + a[np.ix_(vr, vc)] * a[np.ix_(vc, vr)]
    w *= 0.25 * np.outer(mult, mult)
    if not meanstructure:
        return w
    ps = len(vr)
    out = np.zeros((p + ps, p + ps))
    out[:p, :p] = a
    out[p:, p:] = w
    return out


def _gather(m: np.ndarray, vr: np.ndarray, vc: np.ndarray):
    return m[np.ix_(vr, vr)], m[np.ix_(vr, vc)], m[np.ix_(vc, vc)]


def _t_mat(pg, rg, ww: np.ndarray) -> np.ndarray:
    """T[(ab),(cd)] = tr(E_ab P E_cd R) for symmetric P, R (E_ab the vech direction), from the
    gathered blocks M_rr = M[a,c], M_rc = M[a,d], M_cc = M[b,d] (a,b = vech rows/cols)."""
    p_rr, p_rc, p_cc = pg
    r_rr, r_rc, r_cc = rg
    return ww * (p_rc.T * r_rc + p_cc * r_rr + p_rr * r_cc + p_rc * r_rc.T)


def _hessian_block(a: np.ndarray, w: np.ndarray, d: np.ndarray | None) -> np.ndarray:
    """Hessian of 1/2[log|Sigma| + tr(A W)] in (mu, vech Sigma) for one moment set."""
    p = a.shape[0]
    vr, vc, _, half = _vech(p)
    ww = np.outer(half, half)
    q = a @ w @ a
    ag = _gather(a, vr, vc)
    taq = _t_mat(ag, _gather(q, vr, vc), ww)
    hss = 0.5 * (-_t_mat(ag, ag, ww) + taq + taq.T)
    if d is None:
        return hss
    v = a @ d
    hms = (a[:, vr] * v[vc][None, :] + a[:, vc] * v[vr][None, :]) * half[None, :]
    ps = len(vr)
    out = np.empty((p + ps, p + ps))
    out[:p, :p] = a
    out[:p, p:] = hms
    out[p:, :p] = hms.T
    out[p:, p:] = hss
    return out


def hessian_sigma(sigma: np.ndarray, mu: np.ndarray | None, st: GroupStats) -> np.ndarray:
    """Hessian of the group's F in (mu, vech Sigma) (observed information at the moment level)."""
    if st.missing:
        return _fiml_hessian(sigma, mu, st)  # type: ignore[arg-type]
    a = np.linalg.inv(sigma)
    w = st.cov
    d = None
    if mu is not None:
        d = st.mean - mu
        w = w + np.outer(d, d)
    return _hessian_block(a, w, d)


def scores(
    sigma: np.ndarray, mu: np.ndarray | None, st: GroupStats, mean_for_cov: np.ndarray | None = None
) -> np.ndarray:
    """Case-wise scores of the log-likelihood in (mu, vech Sigma), one row per case.

    Without a mean structure only the vech Sigma part is returned and cases are centred at
    ``mean_for_cov`` (the sample mean).
    """
    if st.missing:
        return _fiml_scores(sigma, mu, st)  # type: ignore[arg-type]
    p = sigma.shape[0]
    vr, vc, mult, _ = _vech(p)
    a = np.linalg.inv(sigma)
    centre = mu if mu is not None else mean_for_cov
    z = (st.data - centre) @ a
    sc = 0.5 * mult[None, :] * (z[:, vr] * z[:, vc] - a[vr, vc][None, :])
    if mu is not None:
        sc = np.hstack([z, sc])
    return sc


# ---------------------------------------------------------------------------------------------
# Incomplete data (FIML)
# ---------------------------------------------------------------------------------------------
def _pattern_parts(sigma: np.ndarray, mu: np.ndarray, pat: Pattern):
    o = pat.obs
    s = sigma[np.ix_(o, o)]
    il = _inv_logdet(s)
    if il is None:
        return None
    a, logdet = il
    d = pat.mean - mu[o]
    w = pat.cov + np.outer(d, d)
    return a, logdet, d, w


def fiml_group(
    sigma: np.ndarray, mu: np.ndarray, st: GroupStats, *, gradient: bool = True
) -> tuple[float, np.ndarray | None]:
    """-logL/N of one group with incomplete data and its gradient in (mu, vech Sigma)."""
    f, big_g, gm = _fiml_batched(sigma, mu, st, gradient=gradient)
    if not gradient or big_g is None:
        return f, None
    p = sigma.shape[0]
    vr, vc, mult, _ = _vech(p)
    return f, np.concatenate([gm, mult * big_g[vr, vc]])


def fiml_expected(sigma: np.ndarray, st: GroupStats) -> np.ndarray:
    """Pattern-weighted expected information sum_p (n_p/N) I_p(Sigma_oo), embedded (for scoring).

    With A_p = Sigma_oo^-1 embedded in p x p (zeros outside the observed block) and w_p = n_p/N,
    the mean block is sum_p w_p A_p and the vech block
    1/4 m_ab m_cd sum_p w_p (A_p,ac A_p,bd + A_p,ad A_p,bc), i.e. entries of the one matrix
    product sum_p w_p vec(A_p) vec(A_p)'. Memory grows as p^4, so beyond 60 items the patterns are
    summed one at a time.
    """
    p = sigma.shape[0]
    ps = p * (p + 1) // 2
    out = np.zeros((p + ps, p + ps))
    if p > 60:
        for pat in st.patterns:  # type: ignore[union-attr]
            o = pat.obs
            a = np.linalg.inv(sigma[np.ix_(o, o)])
            idx = _moment_index(p, o, True)
            out[np.ix_(idx, idx)] += (pat.n / st.n) * _expected_from_inv(a, True)
        return out
    npat = sum(blk.obs.shape[0] for blk in st.blocks)
    xa = np.zeros((npat, p, p))
    wts = np.zeros(npat)
    r0 = 0
    for blk in st.blocks:
        obs = blk.obs
        b = obs.shape[0]
        rows = np.arange(r0, r0 + b)[:, None, None]
        xa[rows, obs[:, :, None], obs[:, None, :]] = np.linalg.inv(
            sigma[obs[:, :, None], obs[:, None, :]]
        )
        wts[r0 : r0 + b] = blk.n / st.n
        r0 += b
    fa = xa.reshape(npat, p * p)
    waa = (fa.T @ (wts[:, None] * fa)).reshape(p, p, p, p)  # sum w A_ij A_kl
    vr, vc, mult, _ = _vech(p)
    a_, b_ = vr[:, None], vc[:, None]
    c_, d_ = vr[None, :], vc[None, :]
    out[:p, :p] = np.tensordot(wts, xa, axes=1)
    out[p:, p:] = 0.25 * np.outer(mult, mult) * (waa[a_, c_, b_, d_] + waa[a_, d_, b_, c_])
    return out


def _fiml_hessian(sigma: np.ndarray, mu: np.ndarray, st: GroupStats) -> np.ndarray:
    """Hessian of -logL/N in (mu, vech Sigma) with incomplete data, summed over patterns.

    With A_p, Q_p = A_p W_p A_p and v_p = A_p d_p embedded in p x p (zeros outside the observed
    block) and w_p = n_p / N, every term is a pattern sum of products of two such arrays, e.g.
    sum_p w_p A_p[i,j] Q_p[k,l], which is one matrix product over the stacked, flattened arrays; the
    vech Hessian then gathers its entries. Memory grows as p^4, so beyond 60 items the patterns
    are summed one at a time.
    """
    p = sigma.shape[0]
    ps = p * (p + 1) // 2
    if p > 60:
        out = np.zeros((p + ps, p + ps))
        for pat in st.patterns:  # type: ignore[union-attr]
            parts = _pattern_parts(sigma, mu, pat)
            a, _, d, w = parts  # type: ignore[misc]
            idx = _moment_index(p, pat.obs, True)
            out[np.ix_(idx, idx)] += (pat.n / st.n) * _hessian_block(a, w, d)
        return out
    npat = sum(blk.obs.shape[0] for blk in st.blocks)
    xa = np.zeros((npat, p, p))
    xq = np.zeros((npat, p, p))
    xv = np.zeros((npat, p))
    wts = np.zeros(npat)
    r0 = 0
    for blk in st.blocks:
        obs = blk.obs
        b = obs.shape[0]
        a = np.linalg.inv(sigma[obs[:, :, None], obs[:, None, :]])
        d = blk.mean - mu[obs]
        w = blk.cov + d[:, :, None] * d[:, None, :]
        q = a @ w @ a
        rows = np.arange(r0, r0 + b)[:, None, None]
        xa[rows, obs[:, :, None], obs[:, None, :]] = a
        xq[rows, obs[:, :, None], obs[:, None, :]] = q
        xv[np.arange(r0, r0 + b)[:, None], obs] = np.einsum("bij,bj->bi", a, d)
        wts[r0 : r0 + b] = blk.n / st.n
        r0 += b
    fa = xa.reshape(npat, p * p)
    fq = xq.reshape(npat, p * p)
    waa = (fa.T @ (wts[:, None] * fa)).reshape(p, p, p, p)  # sum w A_ij A_kl
    waq = (fa.T @ (wts[:, None] * fq)).reshape(p, p, p, p)  # sum w A_ij Q_kl
    vr, vc, _, half = _vech(p)
    a_, b_ = vr[:, None], vc[:, None]  # row (ab)
    c_, d_ = vr[None, :], vc[None, :]  # column (cd)

    def t_sum(t4, swap: bool):
        # t(P, R)[(ab),(cd)] = P_bc R_da + P_bd R_ca + P_ac R_db + P_ad R_cb, with
        # t4[i,j,k,l] = sum w P_ij R_kl (swap: the roles of P and R exchanged)
        if swap:
            return t4[d_, a_, b_, c_] + t4[c_, a_, b_, d_] + t4[d_, b_, a_, c_] + t4[c_, b_, a_, d_]
        return t4[b_, c_, d_, a_] + t4[b_, d_, c_, a_] + t4[a_, c_, d_, b_] + t4[a_, d_, c_, b_]

    ww = np.outer(half, half)
    hss = 0.5 * ww * (-t_sum(waa, False) + t_sum(waq, False) + t_sum(waq, True))
    amean = np.einsum("b,bij->ij", wts, xa)
    wav = (fa.T @ (wts[:, None] * xv)).reshape(p, p, p)  # sum w A_ij v_k
    hms = (wav[:, vr, vc] + wav[:, vc, vr]) * half[None, :]
    out = np.empty((p + ps, p + ps))
    out[:p, :p] = amean
    out[:p, p:] = hms
    out[p:, :p] = hms.T
    out[p:, p:] = hss
    return out


def _fiml_scores(sigma: np.ndarray, mu: np.ndarray, st: GroupStats) -> np.ndarray:
    p = sigma.shape[0]
    ps = p * (p + 1) // 2
    rows = []
    for pat in st.patterns:  # type: ignore[union-attr]
        o = pat.obs
        a = np.linalg.inv(sigma[np.ix_(o, o)])
        vr, vc, mult, _ = _vech(len(o))
        z = (pat.data - mu[o]) @ a
        sc = np.zeros((pat.n, p + ps))
        sc[:, o] = z
        vpos = _vech_pos(p)[o[vr], o[vc]]
        sc[:, p + vpos] = 0.5 * mult[None, :] * (z[:, vr] * z[:, vc] - a[vr, vc][None, :])
        rows.append(sc)
    return np.vstack(rows)


# ---------------------------------------------------------------------------------------------
# Matrix gradients (contracted with the rank-2 derivatives of :mod:`.lowrank` by the estimator)
# ---------------------------------------------------------------------------------------------
def moment_gradient(
    sigma: np.ndarray, mu: np.ndarray | None, st: GroupStats, logdet_s: float
) -> tuple[float, np.ndarray | None, np.ndarray | None]:
    """F of one group and its matrix gradient: G = dF/dSigma (symmetric, p x p), g = dF/dmu."""
    p = sigma.shape[0]
    if not st.missing:
        il = _inv_logdet(sigma)
        if il is None:
            return np.inf, None, None
        a, logdet = il
        w = st.cov
        d = None
        if mu is not None:
            d = st.mean - mu
            w = w + np.outer(d, d)
        f = 0.5 * (logdet + np.sum(a * w) - logdet_s - p)
        big_g = 0.5 * (a - a @ w @ a)
        return f, big_g, (None if d is None else -(a @ d))
    return _fiml_batched(sigma, mu, st, gradient=True)


def _fiml_batched(sigma: np.ndarray, mu: np.ndarray, st: GroupStats, *, gradient: bool):
    """-logL/N of incomplete data and its matrix gradient, patterns batched by size."""
    p = sigma.shape[0]
    nn = float(st.n)
    f = 0.0
    gm = np.zeros(p)
    gflat = np.zeros(p * p)
    for blk in st.blocks:
        obs = blk.obs
        s = obs.shape[1]
        sig = sigma[obs[:, :, None], obs[:, None, :]]
        try:
            chol = np.linalg.cholesky(sig)
        except np.linalg.LinAlgError:
            return np.inf, None, None
        logdet = 2.0 * np.sum(np.log(np.diagonal(chol, axis1=1, axis2=2)), axis=1)
        ci = np.linalg.inv(chol)
        a = np.swapaxes(ci, 1, 2) @ ci
        d = blk.mean - mu[obs]
        w = blk.cov + d[:, :, None] * d[:, None, :]
        wt = blk.n / nn
        f += float(np.sum(wt * 0.5 * (s * LOG2PI + logdet + np.sum(a * w, axis=(1, 2)))))
        if gradient:
            ad = np.einsum("bij,bj->bi", a, d)
            gm += np.bincount(obs.ravel(), weights=(-wt[:, None] * ad).ravel(), minlength=p)
            gg = 0.5 * (a - a @ w @ a) * wt[:, None, None]
            gflat += np.bincount(blk.flat.ravel(), weights=gg.ravel(), minlength=p * p)
    if not gradient:
        return f, None, None
    return f, gflat.reshape(p, p), gm
