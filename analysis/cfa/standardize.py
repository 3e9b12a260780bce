"""Standardized solutions (lavaan's ``std.lv`` and ``std.all``), R-squared and residual correlations.

With VETA = A Psi A' the model-implied latent covariance matrix (sd_f = sqrt(VETA_ff)) and
VY = diag(Sigma) the implied variances of the items (sd_y = sqrt(VY_yy)):

* loading F =~ y:     std.lv = lambda sd_F;   std.all = lambda sd_F / sd_y
* loading G =~ F:     lambda sd_G / sd_F (both)
* factor variance:    psi_FF / VETA_FF;  factor covariance: psi_FG / sqrt(|psi_FF| |psi_GG|)
* residual variance:  std.lv unchanged;   std.all = theta_yy / VY_yy
* residual covariance: std.all = theta_yz / sqrt(|theta_yy| |theta_zz|)
* intercepts:         std.all = nu_y / sd_y;  latent means / sd_F

Standard errors of standardized estimates follow from the delta method, J Var(x) J', with J the
Jacobian of the standardization with respect to the free parameters (central differences).
R-squared: 1 - theta_yy / VY_yy for items, 1 - psi_FF / VETA_FF for factors with a higher-order
factor. Residual correlations ("cor.bollen"): cor(S) - cor(Sigma).
"""

from __future__ import annotations

import numpy as np

from .matrices import ModelMatrices

__all__ = ["standardize", "standardized_se"]


def _sqrt_nan(v: np.ndarray) -> np.ndarray:
    out = np.full_like(v, np.nan, dtype=float)
    ok = v >= 0
    out[ok] = np.sqrt(v[ok])
    return out


def standardize(
    mm: ModelMatrices,
    x: np.ndarray,
    lhs: list[str],
    op: list[str],
    rhs: list[str],
    group: np.ndarray,
    values: np.ndarray,
    kind: str = "std.all",
) -> np.ndarray:
    """Standardize ``values`` of the rows (lhs, op, rhs, group) at the model solution ``x``.

    ``values`` need not be the model's own estimates (modification indices standardize their
    expected parameter changes this way); the scales come from the model at ``x``.
    """
    mats = mm.matrices(x)
    lv_idx = {n: i for i, n in enumerate(mm.lv_names)}
    ov_idx = {n: i for i, n in enumerate(mm.ov_names)}
    per = []
    for gm in mats:
        a = gm.ib_inv()
        veta = np.diag(a @ gm.psi @ a.T).copy()
        la = gm.lam @ a
        vy = np.diag(la @ gm.psi @ la.T + gm.theta).copy()
        vy[np.abs(vy) < np.finfo(float).eps] = np.nan
        eta = _sqrt_nan(veta)
        per.append((eta, vy, _sqrt_nan(vy), np.diag(gm.psi).copy(), np.diag(gm.theta).copy()))
    out = np.array(values, dtype=float).copy()
    for k in range(len(out)):
        g = int(group[k]) - 1
        eta, vy, sdy, psid, thd = per[g]
        o, left, right = op[k], lhs[k], rhs[k]
        v = out[k]
        if o == "=~":
            f = lv_idx[left]
            if right in lv_idx:
                v = v * eta[f] / eta[lv_idx[right]]
            else:
                v = v * eta[f]
                if kind == "std.all":
                    v = v / sdy[ov_idx[right]]
        elif o == "~~":
            if left in lv_idx:
                i, j = lv_idx[left], lv_idx[right]
                if i == j:
                    v = v / (eta[i] * eta[j])
                else:
                    v = v / (np.sqrt(abs(psid[i])) * np.sqrt(abs(psid[j])))
            elif kind == "std.all":
                i, j = ov_idx[left], ov_idx[right]
                if i == j:
                    v = v / vy[i]
                else:
                    v = v / (np.sqrt(abs(thd[i])) * np.sqrt(abs(thd[j])))
        elif o == "~1":
            if left in lv_idx:
                v = v / eta[lv_idx[left]]
            elif kind == "std.all":
                v = v / sdy[ov_idx[left]]
        out[k] = v
    return out


def standardized_se(
    mm: ModelMatrices, x: np.ndarray, vcov: np.ndarray, lhs, op, rhs, group, kind: str = "std.all"
) -> tuple[np.ndarray, np.ndarray]:
    """Standardized estimates of the model's own rows and their delta-method standard errors."""

    def fun(z: np.ndarray) -> np.ndarray:
        return standardize(mm, z, lhs, op, rhs, group, mm.rows_from_x(z), kind)

    est = fun(x)
    npar = len(x)
    jac = np.zeros((len(est), npar))
    for j in range(npar):
        h = 1e-6 * max(1.0, abs(x[j]))
        xp = x.copy()
        xm = x.copy()
        xp[j] += h
        xm[j] -= h
        jac[:, j] = (fun(xp) - fun(xm)) / (2 * h)
    var = np.einsum("ij,jk,ik->i", jac, vcov, jac)
    se = np.sqrt(np.clip(var, 0, None))
    se[np.abs(var) < 1e-30] = 0.0
    return est, se


def r_squared(mm: ModelMatrices, x: np.ndarray) -> list[dict[str, float]]:
    """R-squared of every item, and of every factor that has a higher-order factor, per group."""
    out = []
    endo = set()
    if mm.has_beta:
        for k in np.flatnonzero(mm.row_mat == 3):
            endo.add(mm.row_r[k])
    for gm in mm.matrices(x):
        a = gm.ib_inv()
        la = gm.lam @ a
        vy = np.diag(la @ gm.psi @ la.T + gm.theta)
        r2 = {n: float(1 - gm.theta[i, i] / vy[i]) for i, n in enumerate(mm.ov_names)}
        veta = np.diag(a @ gm.psi @ a.T)
        for i in sorted(endo):
            r2[mm.lv_names[i]] = float(1 - gm.psi[i, i] / veta[i])
        out.append(r2)
    return out


def cov2cor(m: np.ndarray) -> np.ndarray:
    sd = np.sqrt(np.diag(m))
    return m / np.outer(sd, sd)
