"""LISREL-style model matrices, the implied moments and their Jacobian.

For group g, with observed variables y (p) and latent variables eta (m)::

    y   = nu + Lambda eta + eps,      Var(eps) = Theta
    eta = alpha + B eta + zeta,       Var(zeta) = Psi

so that, with A = (I - B)^-1,

    Sigma(theta) = Lambda A Psi A' Lambda' + Theta,     mu(theta) = nu + Lambda A alpha.

A loading of an observed indicator goes into Lambda; a loading of a factor on a second-order factor
(``g =~ F1``) goes into B (F1 regressed on g). This is the "all-y" LISREL notation lavaan uses
(Joreskog & Sorbom; Rosseel, 2012).

:class:`ModelMatrices` maps the parameter table onto these matrices once; afterwards
``implied(x)`` and ``jacobian(x)`` are array operations. The Jacobian Delta = d(mu, vech Sigma)/d theta is
computed analytically:

* d Sigma / d lambda_ij = e_i L_j' + L_j e_i',           L = Lambda A Psi A'
* d Sigma / d psi_kl    = a_k a_l' + a_l a_k' (k != l),  a_k = (Lambda A)_{.k}
* d Sigma / d theta_ij  = E_ij + E_ji
* d Sigma / d b_kl      = a_k L_l' + L_l a_k'
* d mu / d nu_i = e_i;  d mu / d alpha_k = a_k;  d mu / d lambda_ij = e_i (A alpha)_j;
  d mu / d b_kl = a_k (A alpha)_l.

``vech`` stacks the lower triangle column by column; moments are ordered (mu, vech Sigma).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .partable import ParTable

__all__ = ["GroupMatrices", "ModelMatrices", "vech_indices"]


def vech_indices(p: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of vech (lower triangle, column by column)."""
    rows, cols = [], []
    for j in range(p):
        for i in range(j, p):
            rows.append(i)
            cols.append(j)
    return np.array(rows, dtype=int), np.array(cols, dtype=int)


@dataclass
class GroupMatrices:
    """Matrices of one group at one parameter value."""

    lam: np.ndarray
    theta: np.ndarray
    psi: np.ndarray
    beta: np.ndarray | None
    nu: np.ndarray | None
    alpha: np.ndarray | None

    def ib_inv(self) -> np.ndarray:
        m = self.psi.shape[0]
        if self.beta is None:
            return np.eye(m)
        return np.linalg.inv(np.eye(m) - self.beta)


_MAT_CODES = {"lam": 0, "theta": 1, "psi": 2, "beta": 3, "nu": 4, "alpha": 5}


class ModelMatrices:
    """The mapping parameter table -> matrices for every group, and the implied moments.

    Parameters
    ----------
    pt
        The parameter table (``free`` and ``value`` columns are used).
    """

    def __init__(self, pt: ParTable):
        self.pt = pt
        f = pt.frame
        self.ov_names = list(pt.ov_names)
        self.lv_names = list(pt.lv_names)
        self.p = len(self.ov_names)
        self.m = len(self.lv_names)
        self.ngroups = pt.ngroups
        self.meanstructure = pt.meanstructure
        self.npar = pt.npar
        lv_set = set(self.lv_names)
        self.has_beta = bool(((f["op"] == "=~") & f["rhs"].isin(lv_set)).any())
        ov_idx = {n: i for i, n in enumerate(self.ov_names)}
        lv_idx = {n: i for i, n in enumerate(self.lv_names)}

        mat = np.empty(len(f), dtype=int)
        r = np.empty(len(f), dtype=int)
        c = np.empty(len(f), dtype=int)
        for k, (lhs, op, rhs) in enumerate(zip(f["lhs"], f["op"], f["rhs"], strict=True)):
            if op == "=~":
                if rhs in lv_set:
                    mat[k], r[k], c[k] = 3, lv_idx[rhs], lv_idx[lhs]
                else:
                    mat[k], r[k], c[k] = 0, ov_idx[rhs], lv_idx[lhs]
            elif op == "~~":
                if lhs in lv_set:
                    mat[k], r[k], c[k] = 2, lv_idx[lhs], lv_idx[rhs]
                else:
                    mat[k], r[k], c[k] = 1, ov_idx[lhs], ov_idx[rhs]
            elif op == "~1":
                if lhs in lv_set:
                    mat[k], r[k], c[k] = 5, lv_idx[lhs], 0
                else:
                    mat[k], r[k], c[k] = 4, ov_idx[lhs], 0
            else:  # pragma: no cover - the table holds no other operators
                raise ValueError(op)
        self.row_mat, self.row_r, self.row_c = mat, r, c
        self.row_group = f["group"].to_numpy(dtype=int) - 1
        self.row_free = f["free"].to_numpy(dtype=int)
        self.row_value = f["value"].to_numpy(dtype=float)

        # Per group: fixed base matrices and (matrix, r, c, x-index) of the free entries.
        self._base: list[GroupMatrices] = []
        self._free: list[dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]]] = []
        for g in range(self.ngroups):
            base = GroupMatrices(
                lam=np.zeros((self.p, self.m)),
                theta=np.zeros((self.p, self.p)),
                psi=np.zeros((self.m, self.m)),
                beta=np.zeros((self.m, self.m)) if self.has_beta else None,
                nu=np.zeros(self.p) if self.meanstructure else None,
                alpha=np.zeros(self.m) if self.meanstructure else None,
            )
            sel = self.row_group == g
            fixed = sel & (self.row_free == 0)
            for k in np.flatnonzero(fixed):
                self._set(base, mat[k], r[k], c[k], self.row_value[k])
            free: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
            for code in range(6):
                ks = np.flatnonzero(sel & (self.row_free > 0) & (mat == code))
                free[code] = (r[ks], c[ks], self.row_free[ks] - 1)
            self._base.append(base)
            self._free.append(free)
        self.vech_r, self.vech_c = vech_indices(self.p)
        self.pstar = len(self.vech_r)
        self.nmom = self.pstar + (self.p if self.meanstructure else 0)
        # Free rows (one per table row) and the map rows -> x (equality constraints).
        self.free_rows = np.flatnonzero(self.row_free > 0)

    @staticmethod
    def _set(gm: GroupMatrices, code: int, r: int, c: int, v: float) -> None:
        if code == 0:
            gm.lam[r, c] = v
        elif code == 1:
            gm.theta[r, c] = v
            gm.theta[c, r] = v
        elif code == 2:
            gm.psi[r, c] = v
            gm.psi[c, r] = v
        elif code == 3:
            gm.beta[r, c] = v  # type: ignore[index]
        elif code == 4:
            gm.nu[r] = v  # type: ignore[index]
        else:
            gm.alpha[r] = v  # type: ignore[index]

    # ------------------------------------------------------------------------------------
    def matrices(self, x: np.ndarray) -> list[GroupMatrices]:
        """The model matrices of every group at parameter vector ``x``."""
        out = []
        for g in range(self.ngroups):
            b = self._base[g]
            fr = self._free[g]
            gm = GroupMatrices(
                lam=b.lam.copy(),
                theta=b.theta.copy(),
                psi=b.psi.copy(),
                beta=None if b.beta is None else b.beta.copy(),
                nu=None if b.nu is None else b.nu.copy(),
                alpha=None if b.alpha is None else b.alpha.copy(),
            )
            r, c, i = fr[0]
            gm.lam[r, c] = x[i]
            r, c, i = fr[1]
            gm.theta[r, c] = x[i]
            gm.theta[c, r] = x[i]
            r, c, i = fr[2]
            gm.psi[r, c] = x[i]
            gm.psi[c, r] = x[i]
            if gm.beta is not None:
                r, c, i = fr[3]
                gm.beta[r, c] = x[i]
            if gm.nu is not None:
                r, _, i = fr[4]
                gm.nu[r] = x[i]
                r, _, i = fr[5]
                gm.alpha[r] = x[i]  # type: ignore[index]
            out.append(gm)
        return out

    def x_from_rows(self, values: np.ndarray) -> np.ndarray:
        """Parameter vector from per-row values (the first row of each free index wins)."""
        x = np.zeros(self.npar)
        for k in self.free_rows[::-1]:
            x[self.row_free[k] - 1] = values[k]
        return x

    def rows_from_x(self, x: np.ndarray) -> np.ndarray:
        """Per-row values: fixed values, or the free parameter the row points to."""
        out = self.row_value.copy()
        fr = self.row_free > 0
        out[fr] = x[self.row_free[fr] - 1]
        return out

    @staticmethod
    def implied_one(gm: GroupMatrices) -> tuple[np.ndarray, np.ndarray | None]:
        a = gm.ib_inv()
        la = gm.lam @ a
        sigma = la @ gm.psi @ la.T + gm.theta
        mu = None
        if gm.nu is not None:
            mu = gm.nu + la @ gm.alpha
        return sigma, mu

    def implied(self, x: np.ndarray) -> list[tuple[np.ndarray, np.ndarray | None]]:
        """(Sigma, mu) per group; mu is None without a mean structure."""
        return [self.implied_one(gm) for gm in self.matrices(x)]

    def lv_cov(self, x: np.ndarray) -> list[np.ndarray]:
        """Model-implied (total) covariance matrix of the latent variables, A Psi A'."""
        out = []
        for gm in self.matrices(x):
            a = gm.ib_inv()
            out.append(a @ gm.psi @ a.T)
        return out

    # ------------------------------------------------------------------------------------
    def derivatives(
        self, x: np.ndarray, mats: list[GroupMatrices] | None = None
    ) -> list[tuple[np.ndarray, np.ndarray | None]]:
        """Matrix-form Jacobian per group: dSigma/dx_j (npar x p x p) and dmu/dx_j (npar x p)."""
        if mats is None:
            mats = self.matrices(x)
        p = self.p
        out = []
        for g, gm in enumerate(mats):
            fr = self._free[g]
            a = gm.ib_inv()
            la = gm.lam @ a  # p x m
            big_l = la @ gm.psi @ a.T  # Lambda A Psi A'  (p x m)
            aal = a @ gm.alpha if self.meanstructure else None
            ds_parts: list[np.ndarray] = []
            dm_parts: list[np.ndarray | None] = []
            idx_parts: list[np.ndarray] = []

            def push(ds, dm, i, _s=ds_parts, _m=dm_parts, _i=idx_parts):
                _s.append(ds)
                _m.append(dm)
                _i.append(i)

            r, c, i = fr[0]  # loadings
            if r.size:
                k = np.arange(r.size)
                ds = np.zeros((r.size, p, p))
                lc = big_l[:, c].T  # k x p
                ds[k, r, :] = lc
                ds[k, :, r] += lc
                dm = None
                if self.meanstructure:
                    dm = np.zeros((r.size, p))
                    dm[k, r] = aal[c]
                push(ds, dm, i)
            r, c, i = fr[1]  # residual (co)variances
            if r.size:
                k = np.arange(r.size)
                ds = np.zeros((r.size, p, p))
                ds[k, r, c] = 1.0
                ds[k, c, r] = 1.0
                push(ds, np.zeros((r.size, p)) if self.meanstructure else None, i)
            r, c, i = fr[2]  # latent (co)variances
            if r.size:
                ak, al = la[:, r].T, la[:, c].T  # k x p
                ds = ak[:, :, None] * al[:, None, :]
                ds = ds + ds.transpose(0, 2, 1)
                ds[r == c] *= 0.5
                push(ds, np.zeros((r.size, p)) if self.meanstructure else None, i)
            if gm.beta is not None:
                r, c, i = fr[3]  # higher-order loadings
                if r.size:
                    ak, lc = la[:, r].T, big_l[:, c].T
                    ds = ak[:, :, None] * lc[:, None, :]
                    ds = ds + ds.transpose(0, 2, 1)
                    dm = ak * aal[c][:, None] if self.meanstructure else None
                    push(ds, dm, i)
            if self.meanstructure:
                r, _, i = fr[4]  # intercepts
                if r.size:
                    dm = np.zeros((r.size, p))
                    dm[np.arange(r.size), r] = 1.0
                    push(np.zeros((r.size, p, p)), dm, i)
                r, _, i = fr[5]  # latent means
                if r.size:
                    push(np.zeros((r.size, p, p)), la[:, r].T.copy(), i)
            d_s = np.zeros((self.npar, p, p))
            d_m = np.zeros((self.npar, p)) if self.meanstructure else None
            if idx_parts:
                alli = np.concatenate(idx_parts)
                all_s = np.concatenate(ds_parts)
                all_m = np.concatenate(dm_parts) if d_m is not None else None
                if len(np.unique(alli)) == len(alli):
                    d_s[alli] = all_s
                    if d_m is not None:
                        d_m[alli] = all_m
                else:
                    # Rows that share a parameter (equality constraints) add up.
                    np.add.at(d_s, alli, all_s)
                    if d_m is not None:
                        np.add.at(d_m, alli, all_m)
            out.append((d_s, d_m))
        return out

    def lowrank(
        self, x: np.ndarray, mats: list[GroupMatrices] | None = None
    ) -> list[tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]]:
        """Per group, each free table row's dSigma = u v' + v u' and dmu = m, as (U, V, M, idx):
        U, V, M are K x p (one row per free table row), idx the rows' parameter indices.
        See :mod:`.lowrank` for the vectors of each parameter type."""
        if mats is None:
            mats = self.matrices(x)
        p = self.p
        eye = np.eye(p)
        out = []
        for g, gm in enumerate(mats):
            fr = self._free[g]
            a = gm.ib_inv()
            la = gm.lam @ a
            big_l = la @ gm.psi @ a.T
            aal = a @ gm.alpha if self.meanstructure else None
            us, vs, ms, ids = [], [], [], []
            r, c, i = fr[0]  # loadings
            if r.size:
                us.append(eye[r])
                vs.append(big_l[:, c].T)
                ms.append(eye[r] * aal[c][:, None] if aal is not None else None)
                ids.append(i)
            r, c, i = fr[1]  # residual (co)variances
            if r.size:
                us.append(eye[r])
                vs.append(eye[c] * np.where(r == c, 0.5, 1.0)[:, None])
                ms.append(np.zeros((r.size, p)) if aal is not None else None)
                ids.append(i)
            r, c, i = fr[2]  # latent (co)variances
            if r.size:
                us.append(la[:, r].T)
                vs.append(la[:, c].T * np.where(r == c, 0.5, 1.0)[:, None])
                ms.append(np.zeros((r.size, p)) if aal is not None else None)
                ids.append(i)
            if gm.beta is not None:
                r, c, i = fr[3]  # higher-order loadings
                if r.size:
                    us.append(la[:, r].T)
                    vs.append(big_l[:, c].T)
                    ms.append(la[:, r].T * aal[c][:, None] if aal is not None else None)
                    ids.append(i)
            if self.meanstructure:
                r, _, i = fr[4]  # intercepts
                if r.size:
                    us.append(np.zeros((r.size, p)))
                    vs.append(np.zeros((r.size, p)))
                    ms.append(eye[r])
                    ids.append(i)
                r, _, i = fr[5]  # latent means
                if r.size:
                    us.append(np.zeros((r.size, p)))
                    vs.append(np.zeros((r.size, p)))
                    ms.append(la[:, r].T.copy())
                    ids.append(i)
            if ids:
                u_all, v_all = np.vstack(us), np.vstack(vs)
                m_all = np.vstack(ms) if self.meanstructure else None
                idx = np.concatenate(ids)
            else:
                u_all = v_all = np.zeros((0, p))
                m_all = np.zeros((0, p)) if self.meanstructure else None
                idx = np.zeros(0, dtype=int)
            out.append((u_all, v_all, m_all, idx))
        return out

    def jacobian(self, x: np.ndarray, mats: list[GroupMatrices] | None = None) -> list[np.ndarray]:
        """Delta_g = d(mu_g, vech Sigma_g) / d x for every group (nmom x npar)."""
        out = []
        for d_s, d_m in self.derivatives(x, mats):
            delta = d_s[:, self.vech_r, self.vech_c].T
            if d_m is not None:
                delta = np.vstack([d_m.T, delta])
            out.append(delta)
        return out

    def second_order_contraction(
        self, x: np.ndarray, weights: np.ndarray, grads: list
    ) -> np.ndarray | None:
        """sum_g w_g [ <G_g, d2 Sigma_g / dx dx'> + g_mu,g' d2 mu_g / dx dx' ] analytically.

        Only for models without higher-order factors (B = 0), where Sigma = Lambda Psi Lambda' + Theta
        and mu = nu + Lambda alpha are bilinear: with G symmetric,
        d2/dlambda_ij dlambda_kl -> 2 G_ik Psi_jl;  d2/dlambda_ij dpsi_kl -> 2 [(S_kl Lambda' G)]_ji
        (S_kl = E_kl + E_lk, or E_kk); d2/dlambda_ij dalpha_k -> g_mu,i [j = k]. Returns None when
        B is present (the caller then differentiates numerically).
        """
        if self.has_beta:
            return None
        npar = self.npar
        out = np.zeros((npar, npar))
        for g, gm in enumerate(self.matrices(x)):
            big_g, gmu = grads[g]
            w = weights[g]
            fr = self._free[g]
            li, lj, lx = fr[0]
            if li.size == 0:
                continue
            blk = 2.0 * big_g[np.ix_(li, li)] * gm.psi[np.ix_(lj, lj)]
            np.add.at(out, (lx[:, None], lx[None, :]), w * blk)
            pk, pl, px = fr[2]
            if pk.size:
                lg = gm.lam.T @ big_g  # m x p
                blk = (lj[:, None] == pk[None, :]) * lg[pl][:, li].T
                blk = blk + (lj[:, None] == pl[None, :]) * lg[pk][:, li].T
                blk = np.where((pk == pl)[None, :], blk, 2.0 * blk)
                np.add.at(out, (lx[:, None], px[None, :]), w * blk)
                np.add.at(out, (px[:, None], lx[None, :]), w * blk.T)
            if self.meanstructure and gmu is not None:
                ak, _, ax = fr[5]
                if ak.size:
                    blk = (lj[:, None] == ak[None, :]) * gmu[li][:, None]
                    np.add.at(out, (lx[:, None], ax[None, :]), w * blk)
                    np.add.at(out, (ax[:, None], lx[None, :]), w * blk.T)
        return out
