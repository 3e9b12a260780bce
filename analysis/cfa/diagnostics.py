"""Plain-language failure messages and warnings.

Errors (raised as :class:`~moscale.errors.ModelError` before estimation) are for what cannot be
estimated: a factor without a scale, a factor with one indicator, a factor with two indicators that
is correlated with nothing else and has no equality constraint, more free parameters than
sample moments. Warnings (kept on the result) are for what was estimated but is suspect:
non-convergence, negative variances (Heywood cases), a latent covariance matrix that is not
positive definite, standardized loadings beyond 1, small samples.

The identification rules are the classic sufficient conditions for congeneric factor models
(Bollen, 1989, ch. 7: the three-indicator and two-indicator rules).
"""

from __future__ import annotations

import numpy as np

from moscale.errors import ModelError

from .matrices import ModelMatrices
from .partable import ParTable

__all__ = [
    "check_identification",
    "convergence_message",
    "heywood_warnings",
    "sample_size_warnings",
]


def _rows(pt: ParTable, g: int = 1):
    f = pt.frame
    return f[f["group"] == g]


def check_identification(pt: ParTable, n_moments: int) -> None:
    """Raise :class:`ModelError` for models that cannot be identified (see module docstring)."""
    for g in range(1, pt.ngroups + 1):
        f = _rows(pt, g)
        lv = pt.lv_names
        lv_set = set(lv)
        load = f[f["op"] == "=~"]
        cov = f[(f["op"] == "~~") & f["lhs"].isin(lv_set)]
        where = f" in group {g}" if pt.ngroups > 1 else ""
        for fac in lv:
            rows = load[load["lhs"] == fac]
            var_row = cov[(cov["lhs"] == fac) & (cov["rhs"] == fac)]
            fixed_load = ((rows["free"] == 0) & (rows["value"] != 0)).any()
            fixed_var = bool((var_row["free"] == 0).any()) if len(var_row) else False
            tied = False
            if g > 1:
                # loadings equal to those of group 1 carry the scale over (group_equal="loadings")
                first = pt.frame[
                    (pt.frame["group"] == 1) & (pt.frame["op"] == "=~") & (pt.frame["lhs"] == fac)
                ]
                tied = bool(
                    set(rows.loc[rows["free"] > 0, "free"])
                    & set(first.loc[first["free"] > 0, "free"])
                )
            if not fixed_load and not fixed_var and not tied:
                raise ModelError(
                    f"factor {fac} has no scale{where}: all its loadings and its variance are free",
                    hint=f"Fix one loading (`{fac} =~ 1*{rows['rhs'].iloc[0]} + ...`), fix its variance "
                    f"(`{fac} ~~ 1*{fac}`), or fit with std_lv=True.",
                )
            k = len(rows)
            indicators = list(rows["rhs"])
            # Free parameters of the factor's own measurement part: its distinct free loadings, its
            # variance and its indicators' residual variances. An isolated factor with k indicators
            # offers k (k + 1) / 2 moments for them.
            resid = []
            for ind in indicators:
                if ind in lv_set:
                    resid.append(cov[(cov["lhs"] == ind) & (cov["rhs"] == ind)])
                else:
                    resid.append(f[(f["op"] == "~~") & (f["lhs"] == ind) & (f["rhs"] == ind)])
            free_idx = set(rows.loc[rows["free"] > 0, "free"])
            free_idx |= set(var_row.loc[var_row["free"] > 0, "free"])
            for r in resid:
                free_idx |= set(r.loc[r["free"] > 0, "free"])
            if k == 1 and len(free_idx) > 1:
                ind = indicators[0]
                raise ModelError(
                    f"factor {fac} has a single indicator ({ind}){where}, so its variance and "
                    f"{ind}'s residual variance cannot both be estimated",
                    hint=f"Add indicators to {fac}, or fix the residual variance of {ind} "
                    f"(e.g. `{ind} ~~ 0*{ind}` to treat {ind} as measured without error).",
                )
            if k == 2 and len(free_idx) > 3 and not _correlated(pt, g, fac):
                raise ModelError(
                    f"factor {fac} has only two indicators ({', '.join(indicators)}) and is not "
                    f"correlated with any other factor{where}, so it is not identified",
                    hint=f"Add a third indicator to {fac}, let it correlate with another factor, or "
                    f"constrain its two loadings to be equal (`{fac} =~ a*{indicators[0]} + "
                    f"a*{indicators[1]}`).",
                )
    npar = pt.npar
    if npar > n_moments:
        raise ModelError(
            f"the model has more free parameters ({npar}) than sample moments ({n_moments}); "
            "it cannot be identified",
            hint="Remove residual covariances or cross-loadings, or add indicators.",
        )


def _correlated(pt: ParTable, g: int, fac: str) -> bool:
    """Does the factor covary with another factor (a free or non-zero covariance, or through a
    higher-order factor / as a higher-order factor)?"""
    f = _rows(pt, g)
    lv_set = set(pt.lv_names)
    c = f[(f["op"] == "~~") & (f["lhs"] != f["rhs"]) & ((f["lhs"] == fac) | (f["rhs"] == fac))]
    c = c[c["lhs"].isin(lv_set) & c["rhs"].isin(lv_set)]
    if ((c["free"] > 0) | (c["value"].fillna(0) != 0)).any():
        return True
    load = f[f["op"] == "=~"]
    # an indicator of a higher-order factor covaries with that factor's other indicators
    for higher in load.loc[(load["rhs"] == fac) & load["lhs"].isin(lv_set), "lhs"]:
        if (load["lhs"] == higher).sum() > 1:
            return True
    return False


def convergence_message(iterations: int) -> str:
    return (
        f"The estimation did not converge (stopped after {iterations} iterations); the estimates "
        "below are not a solution and no standard errors or fit measures are reported. Try "
        "std_lv=True (factor variances fixed to 1 often converge better), simplify the model "
        "(drop residual covariances or cross-loadings, merge or split factors), and check the data "
        "(reverse-keyed items not recoded, outliers, items with almost no variance)."
    )


def heywood_warnings(mm: ModelMatrices, x: np.ndarray, group_labels: list[str]) -> list[str]:
    """Negative variances, non-positive-definite latent covariances, standardized loadings > 1."""
    out = []
    for g, gm in enumerate(mm.matrices(x)):
        where = f" in group {group_labels[g]}" if len(group_labels) > 1 else ""
        for i, name in enumerate(mm.ov_names):
            if gm.theta[i, i] < 0:
                out.append(
                    f"Heywood case: the residual variance of {name} is negative ({gm.theta[i, i]:.3f})"
                    f"{where}. The model says {name} is more than fully explained by its factor, "
                    "which is impossible. Common causes: a factor with too few indicators, a "
                    "misspecified model (a missing cross-loading or residual covariance), a small "
                    "sample or outliers. Treat this solution with caution."
                )
        for i, name in enumerate(mm.lv_names):
            if gm.psi[i, i] < 0:
                out.append(
                    f"Heywood case: the (residual) variance of factor {name} is negative "
                    f"({gm.psi[i, i]:.3f}){where}. The model is probably misspecified (e.g. a "
                    "higher-order factor with too few first-order factors) or the sample too small."
                )
        a = gm.ib_inv()
        veta = a @ gm.psi @ a.T
        if veta.shape[0] > 1:
            w = np.linalg.eigvalsh(veta)
            if w[0] < -1e-10 * max(1.0, abs(w[-1])):
                d = np.sqrt(np.abs(np.diag(veta)))
                r = veta / np.outer(d, d)
                bad = [
                    f"{mm.lv_names[i]}-{mm.lv_names[j]} (r = {r[i, j]:.3f})"
                    for i in range(len(d))
                    for j in range(i)
                    if abs(r[i, j]) > 1
                ]
                msg = (
                    f"The covariance matrix of the factors is not positive definite{where}"
                    + (": correlations beyond 1 between " + ", ".join(bad) if bad else "")
                    + ". Factors that correlate this highly are not distinct; consider merging them."
                )
                out.append(msg)
        la = gm.lam @ a
        vy = np.diag(la @ gm.psi @ la.T + gm.theta)
        sd_eta = np.sqrt(np.clip(np.diag(veta), 0, None))
        for i, name in enumerate(mm.ov_names):
            for j, fac in enumerate(mm.lv_names):
                if gm.lam[i, j] != 0 and vy[i] > 0:
                    s = gm.lam[i, j] * sd_eta[j] / np.sqrt(vy[i])
                    if abs(s) > 1:
                        out.append(
                            f"The standardized loading of {name} on {fac} is {s:.3f}{where}, beyond 1 "
                            "in absolute value (see the Heywood-case note)."
                        )
    return out


def sample_size_warnings(ntotal: int, npar: int) -> list[str]:
    out = []
    if ntotal < 100 or ntotal < 5 * npar:
        out.append(
            f"Small sample: {ntotal} cases for {npar} free parameters. ML estimates, standard errors "
            "and chi-square-based fit measures rely on large samples; common advice is at least "
            "100-200 cases and 5-10 cases per parameter. Interpret the fit measures with care."
        )
    return out
