"""Modification indices (Sorbom, 1989) as lavaan's ``modindices()`` computes them.

Candidates are every fixed parameter of the model and every loading (factor -> item), residual
covariance (item ~~ item) and factor covariance that the model leaves out (lavaan's
``lav_partable_full()`` rows). Each candidate is freed at its fixed value (0 for an omitted one) in
an extended model; with the model's free parameters as block 2, g the gradient of the fit function F
of the extended model and I its unit expected information, both at the estimates,

    V_j   = I_jj - I_j2 I_22^-1 I_2j
    MI_j  = N g_j^2 / V_j
    EPC_j = -g_j / V_j

The fit function and the information depend on the estimator, the formula does not:

* ML: F = -logL/N up to a constant and I = sum_g f_g Delta_g' W_g Delta_g with W_g the normal-theory
  information of the moments (f_g = N_g/N);
* DWLS/ULS/WLS on ordinal data: F = sum_g (N_g - 1)/(2N) (s_g - sigma_g)' W_g (s_g - sigma_g), so
  g = -sum_g (N_g - 1)/N Delta_g' W_g (s_g - sigma_g), and I = sum_g f_g Delta_g' W_g Delta_g with the
  estimator's weight matrix W_g (lavaan's ``WLS.V``: diag(Gamma)^-1 for DWLS/WLSMV) -- the robust
  correction of WLSMV does not enter (lavaan's ``lav_model_gradient()`` and
  ``lav_model_information_expected()``, lavaan 0.6.14).

Equality constraints are part of the parameterisation (rows with the same label share a free
index), so I_22^-1 is lavaan's constrained inverse. Candidates with V_j below eps^(1/3) -- those the
model cannot identify, e.g. a marker loading, an ordinal item's intercept next to its thresholds or
the residual variance under the delta parameterisation -- get no index and are left out, as lavaan's
``na.remove = TRUE`` does.

``sepc.lv`` and ``sepc.all`` standardize |EPC| (with the EPC's sign) by the model's scales at the
estimates: loadings by the factor's (and item's) standard deviation, covariances by the square roots
of the two variance parameters (lavaan's ``cov.std = TRUE``). ``sepc.nox`` equals ``sepc.all``: a CFA
has no exogenous observed covariates.

References
----------
Sorbom, D. (1989). Model modification. *Psychometrika*, 54, 371-384.
Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. *Journal of Statistical
Software*, 48(2), 1-36.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .estimators import MLEstimator
from .matrices import ModelMatrices
from .partable import ParTable
from .standardize import standardize

__all__ = [
    "MI_COLUMNS",
    "candidate_rows",
    "extended_frame",
    "mi_table",
    "modification_indices",
    "score_test",
]

MI_COLUMNS = ["lhs", "op", "rhs", "group", "mi", "epc", "sepc.lv", "sepc.all", "sepc.nox"]
#: operators of parameters (not constraints) that a fixed row can carry
_PARAM_OPS = ("=~", "~~", "~1", "|", "~*~")


def candidate_rows(
    frame: pd.DataFrame, ov_names: list[str], lv_names: list[str], ngroups: int
) -> pd.DataFrame:
    """The parameters to test: fixed rows, then the omitted loadings and covariances per group.

    Returns ``lhs``, ``op``, ``rhs``, ``group`` and ``value`` (the fixed value; 0 when omitted).
    """
    f = frame
    present = set()
    for lhs, op, rhs, g in zip(f["lhs"], f["op"], f["rhs"], f["group"], strict=True):
        present.add((lhs, op, rhs, g))
        if op == "~~":
            present.add((rhs, op, lhs, g))
    rows = []
    for g in range(1, ngroups + 1):
        for lv in lv_names:
            for ov in ov_names:
                if (lv, "=~", ov, g) not in present:
                    rows.append((lv, "=~", ov, g))
        for names in (ov_names, lv_names):
            for i in range(len(names)):
                for j in range(i + 1, len(names)):
                    if (names[i], "~~", names[j], g) not in present:
                        rows.append((names[i], "~~", names[j], g))
    fixed = f[(f["free"] == 0) & f["op"].isin(_PARAM_OPS)][["lhs", "op", "rhs", "group", "value"]]
    new = pd.DataFrame(rows, columns=["lhs", "op", "rhs", "group"])
    new["value"] = 0.0
    return pd.concat([fixed, new], ignore_index=True)


def extended_frame(frame: pd.DataFrame, cand: pd.DataFrame, npar: int) -> pd.DataFrame:
    """The parameter table with every candidate free, numbered ``npar + 1, npar + 2, ...``.

    The fixed rows that are candidates leave the base table (each entry appears once); columns the
    base table has beyond lavaan's (e.g. ``derived``) are False for the candidates. Candidate labels
    are cleared so that freeing, e.g., a marker loading in one group does not free it in another.
    """
    rows = cand.copy()
    rows["id"] = np.arange(len(frame) + 1, len(frame) + len(cand) + 1)
    rows["user"] = 10  # lavaan's mark for the added rows
    rows["free"] = np.arange(npar + 1, npar + len(cand) + 1)
    rows["ustart"] = np.nan
    rows["label"] = ""
    rows["plabel"] = ""
    for col in frame.columns:
        if col not in rows:
            rows[col] = False
    base = frame[frame["free"] > 0]
    ext = pd.concat([base, rows[frame.columns]], ignore_index=True)
    ext["value"] = np.where(ext["free"] > 0, np.nan, ext["value"])
    return ext


def score_test(
    grad: np.ndarray, info: np.ndarray, npar: int, n: float
) -> tuple[np.ndarray, np.ndarray]:
    """Univariate score tests of the extended model's parameters ``npar, npar + 1, ...``.

    Parameters
    ----------
    grad
        Gradient of the fit function F of the extended model (model parameters first).
    info
        Unit expected information of the extended model (the expected Hessian of F / 2 for ML
        and ``sum_g f_g Delta_g' W_g Delta_g`` for the least-squares estimators).
    npar
        Number of free parameters of the model.
    n
        Total sample size N.

    Returns
    -------
    mi, epc
        ``MI = N g^2 / V`` and ``EPC = -g / V`` with ``V = I_11 - I_12 I_22^-1 I_21`` per candidate
        (Sorbom, 1989; lavaan's ``modindices()``); NaN where V < eps^(1/3).
    """
    k = len(grad)
    m = np.arange(npar)
    e = np.arange(npar, k)
    i22_inv = np.linalg.inv(info[np.ix_(m, m)])
    i12 = info[np.ix_(e, m)]
    v = np.diag(info[np.ix_(e, e)]) - np.einsum("ij,jk,ik->i", i12, i22_inv, i12)
    # lavaan's cut-off for candidates the model cannot identify
    v = np.where(v < np.finfo(float).eps ** (1 / 3), np.nan, v)
    g = grad[e]
    return n * g**2 / v, -g / v


def mi_table(
    cand: pd.DataFrame,
    mi: np.ndarray,
    epc: np.ndarray,
    sepc_lv: np.ndarray,
    sepc_all: np.ndarray,
) -> pd.DataFrame:
    """lavaan's ``modindices(sort. = TRUE)`` table: rows with an index, largest first."""
    out = cand[["lhs", "op", "rhs", "group"]].copy()
    out["mi"] = mi
    out["epc"] = epc
    out["sepc.lv"] = sepc_lv
    out["sepc.all"] = sepc_all
    out["sepc.nox"] = sepc_all  # no exogenous observed covariates in a CFA
    out = out[np.isfinite(out["mi"])]
    return out.sort_values("mi", ascending=False, kind="stable").reset_index(drop=True)


def modification_indices(pt: ParTable, est: MLEstimator, x: np.ndarray) -> pd.DataFrame:
    """Modification indices, expected parameter changes and their standardized versions of a
    continuous (ML) CFA; see the module docstring for the formula."""
    f = pt.frame
    cand = candidate_rows(f, pt.ov_names, pt.lv_names, pt.ngroups)
    if cand.empty:
        return pd.DataFrame(columns=MI_COLUMNS)
    npar = pt.npar
    ext = extended_frame(f, cand, npar)
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
    mi, epc = score_test(grad, info, npar, est.ntotal)
    mm = est.model
    lhs, op, rhs = list(cand["lhs"]), list(cand["op"]), list(cand["rhs"])
    grp = cand["group"].to_numpy()
    sign = np.sign(epc)
    sepc_lv = sign * standardize(mm, x, lhs, op, rhs, grp, np.abs(epc), "std.lv")
    sepc_all = sign * standardize(mm, x, lhs, op, rhs, grp, np.abs(epc), "std.all")
    return mi_table(cand, mi, epc, sepc_lv, sepc_all)
