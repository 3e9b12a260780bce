"""Information matrices and case-wise scores in parameter space from rank-2 derivatives.

Every free parameter of a CFA changes Sigma by a symmetric rank-2 matrix,

    dSigma/dx_j = u_j v_j' + v_j u_j'

(loading lambda_if: u = e_i, v = (Lambda A Psi A')_.f; residual (co)variance theta_ij: u = e_i,
v = e_j, halved when i = j; latent (co)variance psi_kl: u = (Lambda A)_.k, v = (Lambda A)_.l, halved
when k = l; higher-order loading b_kl: u = (Lambda A)_.k, v = (Lambda A Psi A')_.l), and mu by a vector
m_j. For symmetric P, R the traces then reduce to inner products,

    tr(P X_j R X_k) = (v_k'P u_j)(v_j'R u_k) + (u_k'P u_j)(v_j'R v_k)
                      + (v_k'P v_j)(u_j'R u_k) + (u_k'P v_j)(u_j'R v_k),

so the expected information 1/2 tr(A X_j A X_k) + m_j'A m_k and the observed information
1/2[-tr(A X_j A X_k) + tr(A X_j Q X_k) + tr(Q X_j A X_k)] + m_j'A X_k A d + m_k'A X_j A d + m_j'A m_k
(A = Sigma_oo^-1, Q = A W A, W = S + d d', d = ybar - mu) cost O(K^2 p) a pattern instead of O(K^2 p^2),
and patterns of the same size are processed as one batch. Scores:
s_ij = (z_i'u_j)(z_i'v_j) - u_j'A v_j + z_i'm_j with z_i = A (y_i - mu).
"""

from __future__ import annotations

import numpy as np

from .samplestats import GroupStats

__all__ = ["expected_rows_complete", "info_rows", "rows_to_x", "scores_rows"]

_MAX_CHUNK = 4_000_000  # entries of a B x K x K batch


def _t_lowrank(puu, pvv, puv, ruu, rvv, ruv):
    """T(P, R)[j, k] = tr(P X_j R X_k), batched (B x K x K) from the inner-product blocks."""
    return puv * np.swapaxes(ruv, 1, 2) + puu * rvv + pvv * ruu + np.swapaxes(puv, 1, 2) * ruv


def _wsum(wt: np.ndarray, x: np.ndarray, y: np.ndarray, transpose: bool) -> np.ndarray:
    """sum_b wt_b X_b o Y_b (or X_b o Y_b') without materializing the products."""
    # an elementwise product and one matrix-vector product: einsum's path search costs more
    # than the arithmetic at these sizes
    prod = x * (np.swapaxes(y, 1, 2) if transpose else y)
    return np.tensordot(wt, prod, axes=1)


def info_rows(
    sigma: np.ndarray,
    mu: np.ndarray | None,
    st: GroupStats,
    u: np.ndarray,
    v: np.ndarray,
    m: np.ndarray | None,
    kind: str,
) -> np.ndarray:
    """Unit information (``"expected"`` or ``"observed"``, the latter without the second
    derivatives of the model) of one group, one row/column per free table row (K x K)."""
    k_all = u.shape[0]
    out = np.zeros((k_all, k_all))
    nn = float(st.n)
    use_mean = mu is not None and m is not None
    # rows that move Sigma (intercepts and latent means only move mu)
    sel = np.flatnonzero(np.any(u != 0, axis=1) | np.any(v != 0, axis=1))
    us, vs = u[sel], v[sel]
    k = len(sel)
    sig_part = np.zeros((k, k))
    for blk in st.blocks:
        b_all = blk.obs.shape[0]
        chunk = max(1, _MAX_CHUNK // max(k_all * k_all, 1))
        for c0 in range(0, b_all, chunk):
            sl = slice(c0, min(c0 + chunk, b_all))
            obs = blk.obs[sl]
            wt = blk.n[sl] / nn
            sig = sigma[obs[:, :, None], obs[:, None, :]]
            a = np.linalg.inv(sig)
            d = None
            if use_mean:
                d = blk.mean[sl] - mu[obs]  # type: ignore[index]
            if k:
                uo = np.swapaxes(us[:, obs], 0, 1)  # B x k x s
                vo = np.swapaxes(vs[:, obs], 0, 1)
                ut = np.swapaxes(uo, 1, 2)
                vt = np.swapaxes(vo, 1, 2)
                au = uo @ a
                av = vo @ a
                puu = au @ ut
                pvv = av @ vt
                puv = au @ vt
                # T(A, A) = 2 (puv o puv' + puu o pvv)
                taa = 2.0 * (_wsum(wt, puv, puv, True) + _wsum(wt, puu, pvv, False))
                if kind == "expected":
                    sig_part += 0.5 * taa
                else:
                    w = blk.cov[sl]
                    if d is not None:
                        w = w + d[:, :, None] * d[:, None, :]
                    q = a @ w @ a
                    qu = uo @ q
                    qv = vo @ q
                    quu, qvv, quv = qu @ ut, qv @ vt, qu @ vt
                    taq = (
                        _wsum(wt, puv, quv, True)
                        + _wsum(wt, puu, qvv, False)
                        + _wsum(wt, pvv, quu, False)
                        + _wsum(wt, quv, puv, True)
                    )
                    sig_part += 0.5 * (-taa + taq + taq.T)
            if use_mean:
                mo = np.swapaxes(m[:, obs], 0, 1)  # type: ignore[index]  B x K x s
                ma = mo @ a
                out += np.tensordot(ma * wt[:, None, None], mo, axes=([0, 2], [0, 2]))
                if kind != "expected" and k:
                    ad = np.einsum("bij,bj->bi", a, d)
                    uad = np.einsum("bkj,bj->bk", uo, ad)
                    vad = np.einsum("bkj,bj->bk", vo, ad)
                    # C[j, k] = m_j'A u_k (v_k'A d) + m_j'A v_k (u_k'A d)
                    maw = ma * wt[:, None, None]
                    c = np.tensordot(maw, uo * vad[:, :, None], axes=([0, 2], [0, 2]))
                    c += np.tensordot(maw, vo * uad[:, :, None], axes=([0, 2], [0, 2]))
                    cfull = np.zeros((k_all, k_all))
                    cfull[:, sel] = c
                    out += cfull + cfull.T
    out[np.ix_(sel, sel)] += sig_part
    return out


def expected_rows_complete(
    sigma: np.ndarray, u: np.ndarray, v: np.ndarray, m: np.ndarray | None
) -> np.ndarray:
    """Complete-data expected information at (Sigma, mu): the Fisher-scoring metric used for FIML
    when there are many missing-data patterns (exact per-pattern information costs O(K^2 p) each)."""
    a = np.linalg.inv(sigma)
    au, av = u @ a, v @ a
    puu, pvv, puv = au @ u.T, av @ v.T, au @ v.T
    out = puv * puv.T + puu * pvv
    if m is not None:
        out = out + m @ a @ m.T
    return out


def scores_rows(
    sigma: np.ndarray,
    mu: np.ndarray | None,
    st: GroupStats,
    u: np.ndarray,
    v: np.ndarray,
    m: np.ndarray | None,
) -> np.ndarray:
    """Case-wise scores dlogL_i/d(row) (n x K). Without a mean structure the cases are centred at
    the sample mean and the mean term is absent."""
    rows = []
    use_mean = mu is not None and m is not None
    centre_all = mu if mu is not None else st.mean
    for blk in st.blocks:
        for pat in blk.patterns:
            o = pat.obs
            a = np.linalg.inv(sigma[np.ix_(o, o)])
            z = (pat.data - centre_all[o]) @ a
            uo, vo = u[:, o], v[:, o]
            tr = np.sum((uo @ a) * vo, axis=1)
            sc = (z @ uo.T) * (z @ vo.T) - tr[None, :]
            if use_mean:
                sc = sc + z @ m[:, o].T  # type: ignore[index]
            rows.append(sc)
    return np.vstack(rows)


def rows_to_x(mat: np.ndarray, idx: np.ndarray, npar: int) -> np.ndarray:
    """Sum a K x K row-level matrix into the npar x npar parameter matrix (rows sharing a
    parameter through an equality constraint add up)."""
    out = np.zeros((npar, npar))
    if len(np.unique(idx)) == len(idx):
        out[np.ix_(idx, idx)] = mat
    else:
        np.add.at(out, (idx[:, None], idx[None, :]), mat)
    return out
