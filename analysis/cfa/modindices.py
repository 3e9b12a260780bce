"""Modification indices (Sorbom, 1989) as lavaan's ``modindices()`` computes them.

Candidates are every fixed parameter of the model and every loading (factor -> item) and residual
covariance (item ~~ item) that the model leaves out. For candidate j, with the model's free
parameters as block 2 and I the unit expected information of the extended model at the estimates
(candidates at their fixed values):

    V_j  = I_jj - I_j2 I_22^-1 I_2j
    MI_j = N g_j^2 / V_j           (g = dF/dx, F = -logL/N up to a constant)
    EPC_j = -g_j / V_j

``sepc.lv``/``sepc.all`` standardize the EPC with the model's latent and item variances. Candidates
with V_j below eps^(1/3) (e.g. freeing a marker loading, which would leave the model unidentified)
get no index, as in lavaan.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .estimators import MLEstimator
from .matrices import ModelMatrices
from .partable import ParTable
from .standardize import standardize

__all__ = ["modification_indices"]


def _candidates(pt: ParTable) -> pd.DataFrame:
    f = pt.frame
    present = set()
    for lhs, op, rhs, g in zip(f["lhs"], f["op"], f["rhs"], f["group"], strict=True):
        present.add((lhs, op, rhs, g))
        if op == "~~":
            present.add((rhs, op, lhs, g))
    rows = []
    for g in range(1, pt.ngroups + 1):
        for lv in pt.lv_names:
            for ov in pt.ov_names:
                if (lv, "=~", ov, g) not in present:
                    rows.append((lv, "=~", ov, g))
        ovs = pt.ov_names
        for i in range(len(ovs)):
            for j in range(i + 1, len(ovs)):
                if (ovs[i], "~~", ovs[j], g) not in present:
                    rows.append((ovs[i], "~~", ovs[j], g))
    return pd.DataFrame(rows, columns=["lhs", "op", "rhs", "group"])


def modification_indices(pt: ParTable, est: MLEstimator, x: np.ndarray) -> pd.DataFrame:
    """Modification indices, expected parameter changes and their standardized versions."""
    f = pt.frame
    fixed = f[f["free"] == 0][["lhs", "op", "rhs", "group", "value"]]
    new = _candidates(pt)
    new["value"] = 0.0
    cand = pd.concat([fixed, new], ignore_index=True)
    if cand.empty:
        return pd.DataFrame(
            columns=["lhs", "op", "rhs", "group", "mi", "epc", "sepc.lv", "sepc.all"]
        )
    npar = pt.npar
    ext_frame = f.copy()
    ext_rows = cand.copy()
    ext_rows["id"] = np.arange(len(f) + 1, len(f) + len(cand) + 1)
    ext_rows["user"] = 10
    ext_rows["free"] = np.arange(npar + 1, npar + len(cand) + 1)
    ext_rows["ustart"] = np.nan
    ext_rows["label"] = ""
    ext_rows["plabel"] = ""
    # Fixed rows become candidates: drop them from the base so each entry appears once.
    keep = ext_frame["free"] > 0
    ext = pd.concat([ext_frame[keep], ext_rows[ext_frame.columns]], ignore_index=True)
    ext["value"] = np.where(ext["free"] > 0, np.nan, ext["value"])
    ext_pt = ParTable(ext, pt.ov_names, pt.lv_names, pt.ngroups, pt.meanstructure)
    mm_ext = ModelMatrices(ext_pt)
    x_ext = np.concatenate([x, cand["value"].to_numpy(dtype=float)])
    est_ext = MLEstimator(mm_ext, est.stats)
    _, grad = est_ext.objective_gradient(x_ext)
    # Delta' W Delta with the moment-level expected information W (shared by all candidates)
    info = np.zeros((len(x_ext), len(x_ext)))
    ws = est.expected_moment_information(x)
    for g, delta in enumerate(mm_ext.jacobian(x_ext)):
        info += est.fg[g] * (delta.T @ ws[g] @ delta)
    m = np.arange(npar)
    e = np.arange(npar, npar + len(cand))
    i22_inv = np.linalg.inv(info[np.ix_(m, m)])
    v = np.diag(info[np.ix_(e, e)]) - np.einsum(
        "ij,jk,ik->i", info[np.ix_(e, m)], i22_inv, info[np.ix_(e, m)]
    )
    v = np.where(v < np.finfo(float).eps ** (1 / 3), np.nan, v)
    g = grad[e]
    n = est.ntotal
    mi = n * g**2 / v
    epc = -g / v
    out = cand[["lhs", "op", "rhs", "group"]].copy()
    out["mi"] = mi
    out["epc"] = epc
    mm = est.model
    lhs, op, rhs, grp = (
        list(out["lhs"]),
        list(out["op"]),
        list(out["rhs"]),
        out["group"].to_numpy(),
    )
    sign = np.sign(epc)
    out["sepc.lv"] = sign * standardize(mm, x, lhs, op, rhs, grp, np.abs(epc), "std.lv")
    out["sepc.all"] = sign * standardize(mm, x, lhs, op, rhs, grp, np.abs(epc), "std.all")
    out = out[np.isfinite(out["mi"])]
    return out.sort_values("mi", ascending=False, kind="stable").reset_index(drop=True)
