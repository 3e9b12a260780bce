"""Fit measures with lavaan's ``fitMeasures()`` names and definitions (lavaan 0.6.14).

With T, df the model chi-square, T_b, df_b the baseline (independence) chi-square, N the number of
cases and G the number of groups:

* CFI = 1 - max(T - df, 0) / max(T - df, T_b - df_b, 0)  (Bentler, 1990)
* TLI = NNFI = 1 - ((T - df) df_b) / ((T_b - df_b) df)  (Tucker & Lewis, 1973)
* NFI = (T_b - T) / T_b; RFI = (T_b/df_b - T/df) / (T_b/df_b); IFI = (T_b - T) / (T_b - df);
  RNI = 1 - (T - df) / (T_b - df_b)
* RMSEA = sqrt(max(T/(N df) - 1/N, 0)) sqrt(G) (Steiger, 1990), 90% CI by inverting the noncentral
  chi-square, close-fit p-value P(chi2(df, N df .05^2 / G) > T)
* SRMR (Bentler): root mean square of (s_ij - sigma_ij)/sqrt(s_ii s_jj) over the p(p+1)/2 covariance
  elements, plus (m_i - mu_i)/sqrt(s_ii) for the p means when there is a mean structure; weighted
  by N_g/N over groups.
* AIC = -2 logL + 2 q; BIC = -2 logL + q log N; BIC2 (sample-size adjusted) = -2 logL + q log((N+2)/24).
* ``.scaled``: the same formulas on the scaled statistics (Yuan-Bentler); RMSEA.scaled uses
  df * c in place of df.
* ``.robust`` (Brosseau-Liard, Savalei & Li, 2012; Brosseau-Liard & Savalei, 2014): CFI/TLI/RNI with
  T - c df and T_b - c_b df_b; RMSEA = sqrt(max(T/(N df) - c/N, 0)), its CI from the scaled T with
  the bounds multiplied by c. With missing data the statistics of the FIML-corrected approach
  (Zhang & Savalei) replace T and c.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize as sopt
from scipy import special as sspecial
from scipy import stats as sstats

__all__ = ["cfi", "rmsea", "rmsea_ci", "rmsea_pvalue", "tli"]


def _close(a: float, b: float) -> bool:
    return bool(abs(a - b) <= 1.5e-8 * max(1.0, abs(b)))


def cfi(x2: float, df: float, x2b: float, dfb: float, c: float = 1.0, cb: float = 1.0) -> float:
    if np.any(np.isnan([x2, df, x2b, dfb, c, cb])):
        return float("nan")
    if df > 0 and c != 1 and cb != 1:
        t1 = max(x2 - c * df, 0.0)
        t2 = max(x2 - c * df, x2b - cb * dfb, 0.0)
    else:
        t1 = max(x2 - df, 0.0)
        t2 = max(x2 - df, x2b - dfb, 0.0)
    if _close(t1, 0) and _close(t2, 0):
        return 1.0
    return 1.0 - t1 / t2


def tli(x2: float, df: float, x2b: float, dfb: float, c: float = 1.0, cb: float = 1.0) -> float:
    if np.any(np.isnan([x2, df, x2b, dfb, c, cb])):
        return float("nan")
    if df > 0 and c != 1 and cb != 1:
        t1 = (x2 - c * df) * dfb
        t2 = (x2b - cb * dfb) * df
    else:
        t1 = (x2 - df) * dfb
        t2 = (x2b - dfb) * df
    if df > 0 and abs(t2) > 0:
        return 1.0 - t1 / t2
    return 1.0


def rni(x2: float, df: float, x2b: float, dfb: float, c: float = 1.0, cb: float = 1.0) -> float:
    if np.any(np.isnan([x2, df, x2b, dfb, c, cb])):
        return float("nan")
    if df > 0 and c != 1 and cb != 1:
        t1, t2 = x2 - c * df, x2b - cb * dfb
    else:
        t1, t2 = x2 - df, x2b - dfb
    if _close(t2, 0):
        return float("nan")
    return 1.0 - t1 / t2


def nfi(x2: float, df: float, x2b: float, dfb: float) -> float:
    if df > dfb or _close(x2b, 0):
        return float("nan")
    if df > 0:
        return (x2b - x2) / x2b
    return 1.0


def rfi(x2: float, df: float, x2b: float, dfb: float) -> float:
    if df > dfb:
        return float("nan")
    if df > 0 and dfb > 0:
        t1 = x2b / dfb - x2 / df
        t2 = x2b / dfb
        if t1 < 0 or t2 < 0:
            return 1.0
        return t1 / t2
    return 1.0


def ifi(x2: float, df: float, x2b: float, dfb: float) -> float:
    t1 = x2b - x2
    t2 = x2b - df
    if t2 < 0:
        return 1.0
    if _close(t2, 0):
        return float("nan")
    return t1 / t2


def rmsea(x2: float, df: float, n: float, g: int = 1, c: float = 1.0) -> float:
    if np.isnan(x2) or np.isnan(df):
        return float("nan")
    if df > 0:
        return float(np.sqrt(max(x2 / n / df - c / n, 0.0)) * np.sqrt(g))
    return 0.0


def rmsea_ci(
    x2: float, df: float, n: float, g: int = 1, c: float = 1.0, level: float = 0.90
) -> tuple[float, float]:
    """Confidence interval for RMSEA from the noncentral chi-square (lavaan's root finding)."""
    if not (np.isfinite(x2) and np.isfinite(df) and np.isfinite(n)):
        return float("nan"), float("nan")
    upper_p = 1 - (1 - level) / 2
    lower_p = (1 - level) / 2

    def cdf(lam: float) -> float:
        # the special functions behind chi2/ncx2.cdf, without the distribution objects' overhead
        if lam <= 0:
            return float(sspecial.chdtr(df, x2))
        return float(sspecial.chndtr(x2, df, lam))

    if df < 1 or cdf(0) - upper_p < 0:
        lo = 0.0
    else:
        try:
            lam = sopt.brentq(lambda t: cdf(t) - upper_p, 0, x2, xtol=1e-12, rtol=1e-12)
            lo = float(np.sqrt(c * lam / (n * df)) * np.sqrt(g))
        except ValueError:
            lo = float("nan")
    n_rmsea = max(n, x2 * 4)
    if df < 1 or cdf(n_rmsea) - lower_p > 0 or cdf(0) - lower_p < 0:
        hi = 0.0
    else:
        try:
            lam = sopt.brentq(lambda t: cdf(t) - lower_p, 0, n_rmsea, xtol=1e-12, rtol=1e-12)
            hi = float(np.sqrt(c * lam / (n * df)) * np.sqrt(g))
        except ValueError:
            hi = float("nan")
    return lo, hi


def rmsea_pvalue(
    x2: float, df: float, n: float, g: int = 1, c: float = 1.0, h0: float = 0.05, close: bool = True
) -> float:
    if not (np.isfinite(x2) and np.isfinite(df)) or df <= 0:
        return float("nan")
    ncp = (n * df / c * h0**2) / g
    cdf = float(sstats.ncx2.cdf(x2, df, ncp)) if ncp > 0 else float(sstats.chi2.cdf(x2, df))
    return 1.0 - cdf if close else cdf


def srmr_bentler(
    samples: list[tuple[np.ndarray, np.ndarray]],
    implied: list[tuple[np.ndarray, np.ndarray | None]],
    nobs: list[int],
    meanstructure: bool,
) -> tuple[float, float]:
    """SRMR (Bentler) with and without the mean residuals, weighted over groups by N_g / N."""
    tot = sum(nobs)
    with_mean = 0.0
    no_mean = 0.0
    for (s, m), (sig, mu), n in zip(samples, implied, nobs, strict=True):
        p = s.shape[0]
        sd = np.sqrt(np.diag(s))
        r = (s - sig) / np.outer(sd, sd)
        il = np.tril_indices(p)
        ss = float(np.sum(r[il] ** 2))
        nm = np.sqrt(ss / (p * (p + 1) / 2))
        if meanstructure and mu is not None:
            rm = (m - mu) / sd
            wm = np.sqrt((ss + float(np.sum(rm**2))) / (p * (p + 1) / 2 + p))
        else:
            wm = nm
        with_mean += n / tot * wm
        no_mean += n / tot * nm
    return with_mean, no_mean


def compute_fit_measures(
    *,
    npar: int,
    n: int,
    ngroups: int,
    test,
    base_test,
    logl: float,
    logl_h1: float,
    srmr: tuple[float, float],
    fmin: float,
    scaled=None,
    base_scaled=None,
    robust=None,
) -> dict[str, float]:
    """Assemble the fit measures (see the module docstring); ``robust`` = (T3, df3, c3, T3_scaled,
    T3_b, df3_b, c3_b) for the robust indices."""
    x2, df = test.chisq, test.df
    x2b, dfb = base_test.chisq, base_test.df
    g = ngroups
    out: dict[str, float] = {
        "npar": float(npar),
        "fmin": fmin,
        "chisq": x2,
        "df": float(df),
        "pvalue": test.pvalue,
    }
    if scaled is not None:
        out.update(
            {
                "chisq.scaled": scaled.chisq,
                "df.scaled": float(scaled.df),
                "pvalue.scaled": scaled.pvalue,
                "chisq.scaling.factor": scaled.scaling_factor,
            }
        )
    out.update(
        {"baseline.chisq": x2b, "baseline.df": float(dfb), "baseline.pvalue": base_test.pvalue}
    )
    if scaled is not None and base_scaled is not None:
        out.update(
            {
                "baseline.chisq.scaled": base_scaled.chisq,
                "baseline.df.scaled": float(base_scaled.df),
                "baseline.pvalue.scaled": base_scaled.pvalue,
                "baseline.chisq.scaling.factor": base_scaled.scaling_factor,
            }
        )
    out["cfi"] = cfi(x2, df, x2b, dfb)
    out["tli"] = tli(x2, df, x2b, dfb)
    if scaled is not None and base_scaled is not None:
        out["cfi.scaled"] = cfi(scaled.chisq, df, base_scaled.chisq, dfb)
        out["tli.scaled"] = tli(scaled.chisq, df, base_scaled.chisq, dfb)
    if robust is not None:
        t3, df3, c3, _t3s, t3b, df3b, c3b = robust
        out["cfi.robust"] = cfi(t3, df3, t3b, df3b, c3, c3b)
        out["tli.robust"] = tli(t3, df3, t3b, df3b, c3, c3b)
    out["nnfi"] = tli(x2, df, x2b, dfb)
    out["rfi"] = rfi(x2, df, x2b, dfb)
    out["nfi"] = nfi(x2, df, x2b, dfb)
    out["ifi"] = ifi(x2, df, x2b, dfb)
    out["rni"] = rni(x2, df, x2b, dfb)
    if scaled is not None and base_scaled is not None:
        xs, xbs = scaled.chisq, base_scaled.chisq
        out["nnfi.scaled"] = tli(xs, df, xbs, dfb)
        out["rfi.scaled"] = rfi(xs, df, xbs, dfb)
        out["nfi.scaled"] = nfi(xs, df, xbs, dfb)
        out["ifi.scaled"] = ifi(xs, df, xbs, dfb)
        out["rni.scaled"] = rni(xs, df, xbs, dfb)
    if robust is not None:
        t3, df3, c3, _t3s, t3b, df3b, c3b = robust
        out["nnfi.robust"] = tli(t3, df3, t3b, df3b, c3, c3b)
        out["rni.robust"] = rni(t3, df3, t3b, df3b, c3, c3b)
    out["logl"] = logl
    out["unrestricted.logl"] = logl_h1
    out["aic"] = -2 * logl + 2 * npar
    out["bic"] = -2 * logl + npar * np.log(n)
    out["ntotal"] = float(n)
    out["bic2"] = -2 * logl + npar * np.log((n + 2) / 24)
    out["rmsea"] = rmsea(x2, df, n, g)
    lo, hi = rmsea_ci(x2, df, n, g)
    out["rmsea.ci.lower"], out["rmsea.ci.upper"] = lo, hi
    out["rmsea.ci.level"] = 0.90
    out["rmsea.pvalue"] = rmsea_pvalue(x2, df, n, g, h0=0.05, close=True)
    out["rmsea.close.h0"] = 0.05
    out["rmsea.notclose.pvalue"] = rmsea_pvalue(x2, df, n, g, h0=0.08, close=False)
    out["rmsea.notclose.h0"] = 0.08
    if scaled is not None:
        df2 = (
            scaled.trace_ugamma
            if np.isfinite(scaled.trace_ugamma) and scaled.trace_ugamma != 0
            else float("nan")
        )
        out["rmsea.scaled"] = rmsea(x2, df2, n, g)
        lo, hi = rmsea_ci(x2, df2, n, g)
        out["rmsea.ci.lower.scaled"], out["rmsea.ci.upper.scaled"] = lo, hi
        out["rmsea.pvalue.scaled"] = rmsea_pvalue(x2, df2, n, g, h0=0.05, close=True)
        out["rmsea.notclose.pvalue.scaled"] = rmsea_pvalue(x2, df2, n, g, h0=0.08, close=False)
    if robust is not None:
        t3, df3, c3, t3s, *_ = robust
        out["rmsea.robust"] = rmsea(t3, df3, n, g, c=c3)
        lo, hi = rmsea_ci(t3s, df3, n, g, c=c3)
        out["rmsea.ci.lower.robust"], out["rmsea.ci.upper.robust"] = lo, hi
        out["rmsea.pvalue.robust"] = rmsea_pvalue(t3s, df3, n, g, c=c3, h0=0.05, close=True)
        out["rmsea.notclose.pvalue.robust"] = rmsea_pvalue(
            t3s, df3, n, g, c=c3, h0=0.08, close=False
        )
    out["srmr"] = srmr[0]
    out["srmr_bentler"] = srmr[0]
    out["srmr_bentler_nomean"] = srmr[1]
    return out
