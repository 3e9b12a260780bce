"""Plain-text summary of a fitted CFA (in the spirit of lavaan's ``summary()``)."""

from __future__ import annotations

import numpy as np

__all__ = ["summary_text"]


def _f(v: float, d: int = 3) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "NA"
    return f"{v:.{d}f}"


def summary_text(res) -> str:
    lines = []
    est = res.estimator + (" (FIML)" if res.missing == "ml" else "")
    lines.append(
        f"moscale CFA  -  estimator {est}, "
        f"{'converged' if res.converged else 'NOT converged'} after {res.iterations} iterations"
    )
    if res.ngroups > 1:
        lines.append(
            "  groups: "
            + ", ".join(f"{g} (N = {n})" for g, n in zip(res.group_labels, res.nobs, strict=True))
        )
    else:
        lines.append(f"  N = {res.ntotal}")
    lines.append(
        f"  free parameters: {res.npar}; standard errors: {res.se} ({res.information} information)"
    )
    lines.append("")
    if res.converged:
        fm = res.fit_measures()
        lines.append("Model test")
        lines.append(
            f"  chi-square = {_f(fm['chisq'])}, df = {int(fm['df'])}, p = {_f(fm['pvalue'])}"
        )
        if "chisq.scaled" in fm:
            lines.append(
                f"  scaled (Yuan-Bentler) chi-square = {_f(fm['chisq.scaled'])}, "
                f"p = {_f(fm['pvalue.scaled'])}, scaling factor = {_f(fm['chisq.scaling.factor'])}"
            )
        lines.append("")
        lines.append("Fit")
        lines.append(f"  CFI = {_f(fm['cfi'])}   TLI = {_f(fm['tli'])}   SRMR = {_f(fm['srmr'])}")
        lines.append(
            f"  RMSEA = {_f(fm['rmsea'])} [90% CI {_f(fm['rmsea.ci.lower'])}, {_f(fm['rmsea.ci.upper'])}]"
        )
        if "cfi.robust" in fm:
            lines.append(
                f"  robust: CFI = {_f(fm['cfi.robust'])}   TLI = {_f(fm['tli.robust'])}   "
                f"RMSEA = {_f(fm.get('rmsea.robust', float('nan')))}"
            )
        lines.append(
            f"  AIC = {_f(fm['aic'], 1)}   BIC = {_f(fm['bic'], 1)}   logL = {_f(fm['logl'], 1)}"
        )
        lines.append("")
    pe = res.parameter_estimates()
    std = res.standardized()
    lines.append(f"{'parameter':<28}{'est':>9}{'se':>9}{'z':>9}{'p':>8}{'std.all':>9}")
    for k in range(len(pe)):
        r = pe.iloc[k]
        name = f"{r['lhs']} {r['op']} {r['rhs']}".strip()
        if res.ngroups > 1:
            name = f"[{res.group_labels[int(r['group']) - 1]}] " + name
        lines.append(
            f"{name[:28]:<28}{_f(r['est']):>9}{_f(r['se']):>9}{_f(r['z'], 2):>9}"
            f"{_f(r['pvalue']):>8}{_f(std['est.std'].iloc[k]):>9}"
        )
    if res.warnings:
        lines.append("")
        lines.append("Warnings")
        for w in res.warnings:
            lines.append("  - " + w)
    return "\n".join(lines)
