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


def _records(pt: ParTable) -> list[dict]:
    f = pt.frame
    return [
        dict(lhs=a, op=b, rhs=c, group=int(g), free=int(fr), value=v)
        for a, b, c, g, fr, v in zip(
            f["lhs"], f["op"], f["rhs"], f["group"], f["free"], f["value"], strict=True
        )
    ]


def check_identification(pt: ParTable, n_moments: int) -> None:
    """Raise :class:`ModelError` for models that cannot be identified (see module docstring)."""
    recs = _records(pt)
    lv_set = set(pt.lv_names)
    first_free = {
        fac: {
            r["free"]
            for r in recs
            if r["group"] == 1 and r["op"] == "=~" and r["lhs"] == fac and r["free"] > 0
        }
        for fac in pt.lv_names
    }
    for g in range(1, pt.ngroups + 1):
        rg = [r for r in recs if r["group"] == g]
        var = {r["lhs"]: r for r in rg if r["op"] == "~~" and r["lhs"] == r["rhs"]}
        where = f" in group {g}" if pt.ngroups > 1 else ""
        for fac in pt.lv_names:
            rows = [r for r in rg if r["op"] == "=~" and r["lhs"] == fac]
            var_row = var.get(fac)
            fixed_load = any(r["free"] == 0 and r["value"] != 0 for r in rows)
            fixed_var = var_row is not None and var_row["free"] == 0
            # loadings equal to those of group 1 carry the scale over (group_equal="loadings")
            tied = g > 1 and bool({r["free"] for r in rows if r["free"] > 0} & first_free[fac])
            if not fixed_load and not fixed_var and not tied:
                raise ModelError(
                    f"factor {fac} has no scale{where}: all its loadings and its variance are free",
                    hint=f"Fix one loading (`{fac} =~ 1*{rows[0]['rhs']} + ...`), fix its variance "
                    f"(`{fac} ~~ 1*{fac}`), or fit with std_lv=True.",
                )
            k = len(rows)
            indicators = [r["rhs"] for r in rows]
            # Free parameters of the factor's own measurement part: its distinct free loadings, its
            # variance and its indicators' residual variances. An isolated factor with k indicators
            # offers k (k + 1) / 2 moments for them.
            free_idx = {r["free"] for r in rows if r["free"] > 0}
            if var_row is not None and var_row["free"] > 0:
                free_idx.add(var_row["free"])
            for ind in indicators:
                rr = var.get(ind)
                if rr is not None and rr["free"] > 0:
                    free_idx.add(rr["free"])
            if k == 1 and len(free_idx) > 1:
                ind = indicators[0]
                raise ModelError(
                    f"factor {fac} has a single indicator ({ind}){where}, so its variance and "
                    f"{ind}'s residual variance cannot both be estimated",
                    hint=f"Add indicators to {fac}, or fix the residual variance of {ind} "
                    f"(e.g. `{ind} ~~ 0*{ind}` to treat {ind} as measured without error).",
                )
            if k == 2 and len(free_idx) > 3 and not _correlated(rg, lv_set, fac):
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


def _correlated(rg: list[dict], lv_set: set[str], fac: str) -> bool:
    """Does the factor covary with another factor (a free or non-zero covariance, or as one of
    several indicators of a higher-order factor)?"""
    for r in rg:
        if r["op"] == "~~" and r["lhs"] != r["rhs"] and fac in (r["lhs"], r["rhs"]):
            if (
                r["lhs"] in lv_set
                and r["rhs"] in lv_set
                and (r["free"] > 0 or (r["value"] or 0) != 0)
            ):
                return True
    load = [r for r in rg if r["op"] == "=~"]
    for higher in {r["lhs"] for r in load if r["rhs"] == fac and r["lhs"] in lv_set}:
        if sum(1 for r in load if r["lhs"] == higher) > 1:
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
