"""Starting values.

First-order factors: a one-factor principal-axis solution on each factor's indicators (two
iterations of communalities from the squared multiple correlations), rescaled to the factor's
identification (marker loading or unit variance). Factor covariances: the correlation of unit-weighted
composites times the factor standard deviations. Higher-order factors: the same principal-axis step on
the starting covariance matrix of their first-order factors. Residual variances: the observed
variance minus the common part, at least 5% of the observed variance (lavaan starts at 50%).
Intercepts: the sample means. Values the user gave with ``start()`` win; fixed values stay fixed.
If anything is degenerate, lavaan's "simple" values are used (loadings 1, latent variances 0.05,
residual variances half the observed variance).
"""

from __future__ import annotations

import numpy as np

from .matrices import ModelMatrices
from .samplestats import GroupStats

__all__ = ["start_values"]


def _one_factor(s: np.ndarray) -> np.ndarray:
    """Principal-axis loadings of a single factor for covariance matrix ``s``."""
    k = s.shape[0]
    if k == 1:
        return np.array([np.sqrt(max(s[0, 0], 1e-8)) * 0.9])
    sd = np.sqrt(np.diag(s))
    r = s / np.outer(sd, sd)
    try:
        h = 1.0 - 1.0 / np.diag(np.linalg.inv(r))
    except np.linalg.LinAlgError:
        h = np.full(k, 0.5)
    h = np.clip(h, 0.05, 0.95)
    if k == 2:
        rr = abs(r[0, 1])
        lam = np.sqrt(max(rr, 0.05)) * np.array([1.0, np.sign(r[0, 1]) or 1.0])
        return lam * sd
    lam = None
    for _ in range(3):
        rh = r.copy()
        np.fill_diagonal(rh, h)
        w, v = np.linalg.eigh(rh)
        lam = v[:, -1] * np.sqrt(max(w[-1], 1e-6))
        h = np.clip(lam**2, 0.05, 0.95)
    if lam.sum() < 0:  # type: ignore[union-attr]
        lam = -lam
    return lam * sd  # type: ignore[operator]


def start_values(mm: ModelMatrices, stats: list[GroupStats]) -> np.ndarray:
    """Starting parameter vector for the model ``mm`` on sample statistics ``stats``."""
    rows = np.full(len(mm.row_mat), np.nan)
    pt = mm.pt.frame
    ustart = pt["ustart"].to_numpy(dtype=float)
    lv_index = {n: i for i, n in enumerate(mm.lv_names)}
    for g, st in enumerate(stats):
        sel = mm.row_group == g
        s = st.cov
        try:
            _group_start(mm, g, s, st.mean, rows, sel, lv_index)
        except (np.linalg.LinAlgError, ValueError, FloatingPointError):
            _simple(mm, s, st.mean, rows, sel)
    rows = np.where(np.isnan(ustart), rows, ustart)
    rows = np.where(np.isnan(rows), 0.0, rows)
    fixed = mm.row_free == 0
    rows[fixed] = mm.row_value[fixed]
    return mm.x_from_rows(rows)


def _simple(mm: ModelMatrices, s, mean, rows, sel) -> None:
    for k in np.flatnonzero(sel):
        code, r, c = mm.row_mat[k], mm.row_r[k], mm.row_c[k]
        if code in (0, 3):
            rows[k] = 1.0
        elif code == 1:
            rows[k] = 0.5 * s[r, r] if r == c else 0.0
        elif code == 2:
            rows[k] = 0.05 if r == c else 0.0
        elif code == 4:
            rows[k] = mean[r]
        else:
            rows[k] = 0.0


def _group_start(
    mm: ModelMatrices,
    g: int,
    s: np.ndarray,
    mean: np.ndarray,
    rows: np.ndarray,
    sel: np.ndarray,
    lv_index: dict[str, int],
) -> None:
    m = mm.m
    lam = np.zeros((mm.p, m))
    beta = np.zeros((m, m))
    psi_var = np.ones(m)
    # indicators per factor (observed and latent), with fixed values where present
    obs_ind: dict[int, list[int]] = {f: [] for f in range(m)}
    lat_ind: dict[int, list[int]] = {f: [] for f in range(m)}
    fixed_at: dict[int, dict[int, float]] = {f: {} for f in range(m)}
    fixed_var: dict[int, float] = {}
    for k in np.flatnonzero(sel):
        code, r, c = mm.row_mat[k], mm.row_r[k], mm.row_c[k]
        if code == 0:
            obs_ind[c].append(r)
            if mm.row_free[k] == 0 and mm.row_value[k] != 0:
                fixed_at[c].setdefault(r, mm.row_value[k])
        elif code == 3:
            lat_ind[c].append(r)
            if mm.row_free[k] == 0 and mm.row_value[k] != 0:
                fixed_at[c].setdefault(-1 - r, mm.row_value[k])
        elif code == 2 and r == c and mm.row_free[k] == 0:
            fixed_var[r] = mm.row_value[k]

    def scale(f: int, ind: list[int], load: np.ndarray, key) -> np.ndarray:
        """Rescale one-factor loadings to the factor's identification; set psi_var[f]."""
        fx = fixed_at[f]
        for pos, i in enumerate(ind):
            kk = key(i)
            if kk in fx and abs(load[pos]) > 1e-8:
                factor = fx[kk] / load[pos]
                psi_var[f] = 1.0 / factor**2
                return load * factor
        if f in fixed_var and fixed_var[f] > 0:
            psi_var[f] = fixed_var[f]
            return load / np.sqrt(fixed_var[f])
        psi_var[f] = 1.0
        return load

    for f in range(m):
        ind = obs_ind[f]
        if ind:
            load = _one_factor(s[np.ix_(ind, ind)])
            sd = np.sqrt(np.diag(s)[ind])
            std_load = load / sd
            marker = [pos for pos, i in enumerate(ind) if i in fixed_at[f]]
            weak = std_load.max() < 0.2 or (marker and abs(std_load[marker[0]]) < 0.3)
            if weak:
                # No usable common variance (or a weak marker): lavaan's simple values, which
                # keep the optimiser away from the ridge of huge loadings and tiny variances.
                for pos, i in enumerate(ind):
                    lam[i, f] = fixed_at[f].get(i, 1.0) if f not in fixed_var else 0.5 * sd[pos]
                psi_var[f] = fixed_var.get(f, 0.05)
                continue
            lam[ind, f] = scale(f, ind, load, lambda i: i)
    # covariance among first-order factors from unit-weighted composites
    first = [f for f in range(m) if obs_ind[f]]
    phi = np.zeros((m, m))
    wts = np.zeros((mm.p, m))
    for f in first:
        wts[obs_ind[f], f] = np.sign(lam[obs_ind[f], f]) + (lam[obs_ind[f], f] == 0)
    cc = wts.T @ s @ wts
    dd = np.sqrt(np.clip(np.diag(cc), 1e-12, None))
    cr = cc / np.outer(dd, dd)
    sdv = np.sqrt(psi_var)
    for a in first:
        for b in first:
            phi[a, b] = psi_var[a] if a == b else cr[a, b] * sdv[a] * sdv[b]
    # higher-order factors
    tot_var = psi_var.copy()
    for f in range(m):
        ind = lat_ind[f]
        if ind:
            load = _one_factor(phi[np.ix_(ind, ind)] + 1e-9 * np.eye(len(ind)))
            beta[ind, f] = scale(f, ind, load, lambda i: -1 - i)
            for i in ind:
                tot_var[i] = phi[i, i]
    for k in np.flatnonzero(sel):
        code, r, c = mm.row_mat[k], mm.row_r[k], mm.row_c[k]
        if code == 0:
            rows[k] = lam[r, c]
        elif code == 3:
            rows[k] = beta[r, c]
        elif code == 1:
            if r == c:
                common = float(lam[r] @ np.diag(tot_var) @ lam[r])
                rows[k] = max(s[r, r] - common, 0.05 * s[r, r])
            else:
                rows[k] = 0.0
        elif code == 2:
            if r == c:
                if lat_ind[r] or not any(r in lat_ind[h] for h in range(m)):
                    rows[k] = psi_var[r] if not lat_ind[r] else psi_var[r]
                else:  # first-order factor of a higher-order factor: residual variance
                    expl = sum(beta[r, h] ** 2 * psi_var[h] for h in range(m) if r in lat_ind[h])
                    rows[k] = max(tot_var[r] - expl, 0.05 * tot_var[r])
            else:
                rows[k] = phi[r, c] if (obs_ind[r] and obs_ind[c]) else 0.0
        elif code == 4:
            rows[k] = mean[r]
        else:
            rows[k] = 0.0
