"""Test statistics: the likelihood-ratio chi-square, the Yuan-Bentler (Mplus variant) scaled
chi-square, and the FIML-corrected statistics behind lavaan's robust CFI/RMSEA with missing data.

* Standard: T = 2 (logL_H1 - logL_H0) = N F_ML (N, not N - 1: lavaan's ``likelihood = "normal"``).
* Yuan-Bentler, Mplus variant (Yuan & Bentler, 2000; Muthen & Muthen): c = tr(U Gamma) / df with
  tr(U Gamma) = sum_g tr(A1_g^-1 B1_g) - sum_g f_g tr(B0_g E^-1), where A1/B1 are the observed and
  first-order information of the saturated model at its estimates, B0_g = Delta_g' B1s_g Delta_g the
  first-order information of the model and E the (observed) information of the model.
  T_scaled = T / c.
* FIML-corrected (Zhang & Savalei, 2023, "FIML-C"): the model evaluated at its FIML estimates on the
  EM moments as if they were complete data gives T3; its scaling factor uses W_m (observed, missing
  data), J_m (first-order, missing data) and W_c (complete data) information of the saturated model:
  U = W_m - W_m Delta E^-1 Delta' W_m with E = Delta' W_m Delta;
  version V3 (robust, with MLR): k = tr(U W_m^-1 W_c W_m^-1 U Gamma), Gamma = W_m^-1 J_m W_m^-1;
  version V6 (ML): k = tr(W_c W_m^-1 U W_m^-1); c3 = k / df.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats as sstats

from .objective import _expected_from_inv

__all__ = [
    "FimlCorrected",
    "ScaledTest",
    "Test",
    "fiml_corrected",
    "standard_test",
    "yuan_bentler_mplus",
]


@dataclass
class Test:
    chisq: float
    df: int
    pvalue: float
    chisq_group: np.ndarray


@dataclass
class ScaledTest:
    chisq: float
    df: int
    pvalue: float
    scaling_factor: float
    trace_ugamma: float


@dataclass
class FimlCorrected:
    xx3: float
    df3: int
    c_hat3: float
    xx3_scaled: float


def degrees_of_freedom(est) -> int:
    p = est.model.p
    per = p * (p + 1) // 2 + (p if est.model.meanstructure else 0)
    return int(per * len(est.stats) - est.model.npar)


def standard_test(est, x: np.ndarray) -> Test:
    chisq, per = est.chisq(x)
    df = degrees_of_freedom(est)
    pval = float(sstats.chi2.sf(chisq, df)) if df > 0 else float("nan")
    return Test(chisq, df, pval, per)


def yuan_bentler_mplus(est, x: np.ndarray, test: Test, e_inv: np.ndarray) -> ScaledTest:
    """Yuan-Bentler scaled chi-square, Mplus variant (lavaan ``test = "yuan.bentler.mplus"``)."""
    if test.df <= 0:
        return ScaledTest(test.chisq, test.df, float("nan"), float("nan"), float("nan"))
    a1 = est.h1_information("observed")
    b1 = est.h1_information("first.order")
    deltas = est.model.jacobian(x)
    b1s = est.first_order_moments(x, structured=True)
    trace_h1 = 0.0
    trace_h0 = 0.0
    for g in range(len(est.stats)):
        trace_h1 += float(np.sum(b1[g] * np.linalg.inv(a1[g]).T))
        b0 = deltas[g].T @ b1s[g] @ deltas[g]
        trace_h0 += est.fg[g] * float(np.sum(b0 * e_inv.T))
    tr = trace_h1 - trace_h0
    c = tr / test.df
    if c < 0:
        c = float("nan")
    scaled = test.chisq / c
    return ScaledTest(scaled, test.df, float(sstats.chi2.sf(scaled, test.df)), c, tr)


def _complete_chisq_at(est, x: np.ndarray) -> float:
    """T of the model at ``x`` on the EM moments treated as complete data (N F_ML with means)."""
    total = 0.0
    for g, (sigma, mu) in enumerate(est.model.implied(x)):
        st = est.stats[g]
        a = np.linalg.inv(sigma)
        d = st.mean - mu
        w = st.cov + np.outer(d, d)
        f = np.linalg.slogdet(sigma)[1] + np.sum(a * w) - np.linalg.slogdet(st.cov)[1] - st.p
        total += st.n * f
    return float(total)


def fiml_corrected(
    est, x: np.ndarray, est_b, x_b: np.ndarray, version: str
) -> tuple[FimlCorrected, FimlCorrected]:
    """FIML-corrected statistics for the model and the baseline (see module docstring)."""
    wm = est.h1_information("observed")
    jm = est.h1_information("first.order")
    wc = [_expected_from_inv(np.linalg.inv(st.cov), True) for st in est.stats]
    fg = est.fg
    wmi = [np.linalg.inv(w) for w in wm]

    def block(mats):
        sizes = [m.shape[0] for m in mats]
        out = np.zeros((sum(sizes), sum(sizes)))
        o = 0
        for m, s in zip(mats, sizes, strict=True):
            out[o : o + s, o : o + s] = m
            o += s
        return out

    wc_all = block([fg[g] * wc[g] for g in range(len(wc))])
    wm_all = block([fg[g] * wm[g] for g in range(len(wm))])
    wmi_all = block([wmi[g] / fg[g] for g in range(len(wmi))])
    gamma_all = block([wmi[g] @ jm[g] @ wmi[g] / fg[g] for g in range(len(wm))])
    # shared by the model and the baseline: M = Wm^-1 Wc Wm^-1 (V3) or Wc Wm^-1
    wcwmi = wc_all @ wmi_all
    mid = wmi_all @ wcwmi if version == "V3" else wcwmi

    def one(e, xx) -> FimlCorrected:
        delta = np.vstack(e.model.jacobian(xx))
        wd = wm_all @ delta
        e_inv = np.linalg.inv(delta.T @ wd)
        u = wm_all - wd @ e_inv @ wd.T
        if version == "V3":
            # tr(U M U Gamma) = sum((U M) o (U Gamma)')
            k = float(np.sum((u @ mid) * (u @ gamma_all).T))
        else:
            k = float(np.sum(mid * (u @ wmi_all).T))
        df = degrees_of_freedom(e)
        xx3 = _complete_chisq_at(e, xx)
        c3 = k / df if df > 0 else float("nan")
        return FimlCorrected(xx3, df, c3, xx3 / c3 if df > 0 else float("nan"))

    return one(est, x), one(est_b, x_b)
