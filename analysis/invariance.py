"""Measurement invariance across groups: the ladder of nested multi-group CFA models, their
difference tests, the decision at each step, and the search for partial invariance.

The ladder (Meredith, 1993; Vandenberg & Lance, 2000; Putnick & Bornstein, 2016) fits one joint
multi-group model per step, each nested in the one before:

* **configural** -- the same factor structure in every group, all parameters free (judged on its own
  fit);
* **metric** -- equal loadings (``group_equal = ("loadings",)``);
* **scalar** -- equal loadings and intercepts (for ordinal items: thresholds, see below);
* **strict** -- also equal residual variances.

Each step is compared with the last step that held: the chi-square difference test (ML, FIML), the
Satorra-Bentler (2001) scaled difference (MLR) or Satorra's (2000) scaled-and-shifted difference
(WLSMV), and the changes in CFI, RMSEA and SRMR judged by a configurable rule (default Chen, 2007:
the step holds when CFI drops by no more than .010 and RMSEA rises by no more than .015). The ladder
stops at the first step that fails, unless partial invariance is asked for: score tests of the
failing step's equality constraints (lavaan's ``lavTestScore``) rank the parameters, and they can be
released by the user (``group_partial``, lavaan syntax such as ``"F =~ x3"`` or ``"x3 ~ 1"``) or
by an automatic search that frees one parameter at a time, largest score test first, and stops at
the first acceptable model. Once scalar invariance holds, equal latent variances and equal latent
means are tested as well.

Ordinal items (WLSMV) follow Wu & Estabrook (2016): configural, equal thresholds, then loadings, then
intercepts (and, with the theta parameterization, residual variances), with the identification
constraints they give for each step (the same models as
``semTools::measEq.syntax(ID.cat = "Wu.Estabrook.2016")``).

Every model is written out as lavaan syntax with one modifier per group (:func:`measurement_syntax`,
:func:`wu_estabrook_syntax`), so each step can be refitted in R as it was fitted here.

References
----------
Meredith, W. (1993). Measurement invariance, factor analysis and factorial invariance.
*Psychometrika*, 58, 525-543.
Vandenberg, R. J., & Lance, C. E. (2000). A review and synthesis of the measurement invariance
literature. *Organizational Research Methods*, 3, 4-70.
Putnick, D. L., & Bornstein, M. H. (2016). Measurement invariance conventions and reporting: the
state of the art and future directions for psychological research. *Developmental Review*, 41,
71-90.
Chen, F. F. (2007). Sensitivity of goodness of fit indexes to lack of measurement invariance.
*Structural Equation Modeling*, 14, 464-504.
Cheung, G. W., & Rensvold, R. B. (2002). Evaluating goodness-of-fit indexes for testing measurement
invariance. *Structural Equation Modeling*, 9, 233-255.
Byrne, B. M., Shavelson, R. J., & Muthen, B. (1989). Testing for the equivalence of factor covariance
and mean structures: the issue of partial measurement invariance. *Psychological Bulletin*, 105,
456-466.
Steenkamp, J.-B. E. M., & Baumgartner, H. (1998). Assessing measurement invariance in cross-national
consumer research. *Journal of Consumer Research*, 25, 78-90.
Wu, H., & Estabrook, R. (2016). Identification of confirmatory factor analysis models of different
levels of invariance for ordered categorical outcomes. *Psychometrika*, 81, 1014-1045.
MacCallum, R. C., Roznowski, M., & Necowitz, L. B. (1992). Model modifications in covariance
structure analysis: the problem of capitalization on chance. *Psychological Bulletin*, 111, 490-504.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import linalg, stats

from moscale.errors import DataError, ModelError

__all__ = [
    "LEVELS",
    "ORDINAL_STEPS",
    "DifferenceTest",
    "InvarianceResult",
    "InvarianceRule",
    "ScoreTestTables",
    "chisq_difference",
    "invariance",
    "lavaan_syntax",
    "measurement_syntax",
    "parse_partial",
    "satorra_2000",
    "satorra_bentler_2001",
    "score_tests",
    "wu_estabrook_syntax",
]

#: Measurement levels in increasing order (``level_reached`` is one of these or "none").
LEVELS = ("configural", "metric", "scalar", "strict")

_NAN = float("nan")


def _single_blas():
    """One BLAS thread, as the CFA engine runs (small matrices: threads only contend)."""
    try:
        from .cfa._blas import single_blas
    except ImportError:  # pragma: no cover
        import contextlib

        return contextlib.nullcontext()
    return single_blas()


@dataclass(frozen=True)
class DifferenceTest:
    """A test of a restricted model against a less restricted one.

    Attributes
    ----------
    method
        ``"chisq"`` (likelihood ratio), ``"satorra.bentler.2001"`` or ``"satorra.2000"`` (lavaan's
        names in ``lavTestLRT``).
    statistic, df, pvalue
        The (scaled) difference statistic, its degrees of freedom and upper-tail chi-square p-value.
    chisq_diff, df_diff
        The plain differences of the two models' (unscaled) chi-squares and dfs.
    scaling_factor
        The difference scaling factor (``satorra.bentler.2001``: c_d); NaN otherwise.
    scale, shift
        a and b of the scaled-and-shifted statistic (``satorra.2000``); NaN otherwise.
    rmsea
        The RMSEA of the difference (``chisq`` only; lavaan's ``RMSEA`` column in ``lavTestLRT``).
    note
        Anything the reader must know (e.g. a negative scaling factor).
    """

    method: str
    statistic: float
    df: float
    pvalue: float
    chisq_diff: float
    df_diff: float
    scaling_factor: float = float("nan")
    scale: float = float("nan")
    shift: float = float("nan")
    rmsea: float = float("nan")
    note: str = ""

    def to_dict(self) -> dict:
        return {
            k: (None if isinstance(v, float) and math.isnan(v) else v)
            for k, v in asdict(self).items()
        }


def _check_nested(df1: float, df0: float) -> int:
    m = df0 - df1
    if m < 0:
        raise ModelError(
            f"the restricted model has fewer degrees of freedom ({df0}) than the less restricted one ({df1})",
            hint="Pass the less restricted model first (chisq1, df1) and the restricted one second.",
        )
    return int(round(m))


def _pvalue(stat: float, df: float) -> float:
    if not np.isfinite(stat) or not df > 0:
        return float("nan")
    return float(stats.chi2.sf(max(stat, 0.0), df))


def chisq_difference(
    chisq1: float,
    df1: float,
    chisq0: float,
    df0: float,
    *,
    ntotal: int | None = None,
    ngroups: int = 1,
) -> DifferenceTest:
    """Likelihood-ratio (chi-square difference) test of two nested models.

    T_d = T_0 - T_1 with df_d = df_0 - df_1 is chi-square(df_d) under the restriction when both
    statistics are likelihood-ratio statistics under normality (Steiger, Shapiro & Browne, 1985).
    With ``ntotal`` the RMSEA of the difference is added as lavaan's ``lavTestLRT`` reports it:
    RMSEA_d = sqrt(G) * sqrt(max(0, T_d / (N df_d) - 1 / N)) (Savalei, Brace & Fouladi, 2023).

    Parameters
    ----------
    chisq1, df1
        Chi-square and df of the less restricted model (e.g. configural).
    chisq0, df0
        Chi-square and df of the restricted model (e.g. metric).
    ntotal, ngroups
        Total sample size and number of groups, for the RMSEA of the difference.

    Returns
    -------
    DifferenceTest

    Examples
    --------
    >>> round(chisq_difference(115.851, 48, 124.044, 54).pvalue, 3)
    0.224
    """
    m = _check_nested(df1, df0)
    t = float(chisq0) - float(chisq1)
    if m == 0:
        return DifferenceTest(
            "chisq", t, 0, float("nan"), t, 0, note="the models have the same degrees of freedom"
        )
    rmsea = float("nan")
    if ntotal:
        rmsea = math.sqrt(ngroups) * math.sqrt(max(0.0, t / (ntotal * m) - 1.0 / ntotal))
    note = ""
    if t < -(np.finfo(float).eps ** (1 / 3)):
        note = (
            "the restricted model fits better than the less restricted one: the models are not nested "
            "or the less restricted model did not reach its optimum"
        )
    return DifferenceTest("chisq", t, m, _pvalue(t, m), t, m, rmsea=rmsea, note=note)


def satorra_bentler_2001(
    chisq1: float,
    df1: float,
    scaling1: float,
    chisq0: float,
    df0: float,
    scaling0: float,
) -> DifferenceTest:
    """Satorra-Bentler (2001) scaled chi-square difference test.

    With the unscaled statistics T_i, their dfs d_i and the scaling factors c_i of the robust
    statistics (T_i / c_i; lavaan's ``chisq.scaling.factor``, for MLR the Yuan-Bentler factor):

        c_d = (d_0 c_0 - d_1 c_1) / (d_0 - d_1),     T_d = (T_0 - T_1) / c_d  ~  chi-square(d_0 - d_1).

    A saturated less restricted model (d_1 = 0) has c_1 = 1. A negative c_d (possible in small
    samples) makes the test undefined: NaN with a note, as lavaan does.

    Parameters
    ----------
    chisq1, df1, scaling1
        Less restricted model: unscaled chi-square, df, scaling factor.
    chisq0, df0, scaling0
        Restricted model: the same.

    Returns
    -------
    DifferenceTest

    References
    ----------
    Satorra, A., & Bentler, P. M. (2001). A scaled difference chi-square test statistic for moment
    structure analysis. *Psychometrika*, 66, 507-514.
    """
    m = _check_nested(df1, df0)
    t = float(chisq0) - float(chisq1)
    if df1 == 0:
        scaling1 = 1.0
    if m == 0:
        return DifferenceTest(
            "satorra.bentler.2001",
            t,
            0,
            float("nan"),
            t,
            0,
            note="the models have the same degrees of freedom",
        )
    cd = (df0 * scaling0 - df1 * scaling1) / m
    if not cd > 0:
        return DifferenceTest(
            "satorra.bentler.2001",
            float("nan"),
            m,
            float("nan"),
            t,
            m,
            scaling_factor=float("nan"),
            note=(
                f"the difference scaling factor is negative ({cd:.3f}), so the scaled difference test is "
                "undefined; Satorra & Bentler (2010) give a strictly positive version"
            ),
        )
    stat = t / cd
    return DifferenceTest(
        "satorra.bentler.2001", stat, m, _pvalue(stat, m), t, m, scaling_factor=cd
    )


def satorra_2000(
    chisq1: float,
    df1: float,
    chisq0: float,
    df0: float,
    *,
    delta1: list[np.ndarray],
    delta0: list[np.ndarray],
    weights: list[np.ndarray],
    gammas: list[np.ndarray],
    nobs: list[int] | np.ndarray,
    information: np.ndarray | None = None,
    scaled_shifted: bool = True,
) -> DifferenceTest:
    """Satorra's (2000) adjusted difference test, lavaan's default for WLSMV (``method = "satorra.2000"``).

    The restriction H0 is written as constraints A theta = 0 on the parameters of the less restricted
    model M1: A spans the orthogonal complement of H = Delta_1^+ Delta_0 (Delta_i the Jacobian of the
    model-implied sample statistics, stacked over groups, with respect to model i's free parameters).
    With the unit information of M1, P = sum_g f_g Delta_1g' W_g Delta_1g (f_g = N_g / N, W_g the
    estimator's weight matrix),

        M = P^-1 A' (A P^-1 A')^+ A P^-1,     U = V Delta_1 M Delta_1' V,     V = diag(W_g),

    and with Gamma = diag(f_g Gamma_g) (Gamma_g the asymptotic covariance of the group's sample
    statistics) the traces t1 = tr(U Gamma) and t2 = tr((U Gamma)^2) give the mean- and
    variance-adjusted difference statistic. The scaled-and-shifted form (Asparouhov & Muthen, 2010)
    keeps df = m = d_0 - d_1:

        a = sqrt(m / t2),   b = m - a t1,   T_d = a (T_0 - T_1) + b;

    the Satterthwaite form uses T_d = (T_0 - T_1) t1 / t2 with df = t1^2 / t2. (lavaan computes the
    trace t1 group by group, f_g tr(U_gg Gamma_g), which is the same number.)

    Parameters
    ----------
    chisq1, df1, chisq0, df0
        Unscaled chi-squares and dfs of the less restricted (1) and restricted (0) model.
    delta1, delta0
        Per group, the Jacobians (statistics x free parameters) of models 1 and 0 at their estimates.
    weights
        Per group, the weight matrix W_g of model 1 (DWLS: the diagonal matrix; a 1-d array is read
        as the diagonal).
    gammas
        Per group, the asymptotic covariance matrix Gamma_g of the sample statistics.
    nobs
        Group sizes.
    information
        The unit information of model 1 (default: computed from ``delta1`` and ``weights``).
    scaled_shifted
        Scaled-and-shifted (lavaan's default) or Satterthwaite (mean-and-variance adjusted).

    Returns
    -------
    DifferenceTest

    References
    ----------
    Satorra, A. (2000). Scaled and adjusted restricted tests in multi-sample analysis of moment
    structures. In R. D. H. Heijmans, D. S. G. Pollock & A. Satorra (Eds.), *Innovations in
    multivariate statistical analysis* (pp. 233-247). Kluwer.
    Asparouhov, T., & Muthen, B. (2010). Simple second order chi-square correction. Mplus technical
    appendix.
    """
    m = _check_nested(df1, df0)
    t = float(chisq0) - float(chisq1)
    method = "satorra.2000"
    if m == 0:
        return DifferenceTest(
            method, t, 0, float("nan"), t, 0, note="the models have the same degrees of freedom"
        )
    nobs = np.asarray(nobs, dtype=float)
    fg = nobs / nobs.sum()
    ws = [np.diag(w) if np.ndim(w) == 1 else np.asarray(w) for w in weights]
    d1 = [np.asarray(d, dtype=float) for d in delta1]
    d0 = [np.asarray(d, dtype=float) for d in delta0]
    if information is None:
        information = sum(f * d.T @ w @ d for f, d, w in zip(fg, d1, ws, strict=True))
    big1 = np.vstack(d1)
    big0 = np.vstack(d0)
    h = np.linalg.pinv(big1) @ big0
    # A: rows spanning the orthogonal complement of the column space of H.
    q, r, _ = linalg.qr(h, pivoting=True)
    tol = np.abs(r[0, 0]) * max(h.shape) * np.finfo(float).eps if r.size else 0.0
    rank = int(np.sum(np.abs(np.diag(r)) > tol))
    a = q[:, rank:].T
    p_inv = np.linalg.inv(information)
    apa = a @ p_inv @ a.T
    keep = ~(
        (np.abs(apa.sum(axis=0)) < np.sqrt(np.finfo(float).eps))
        & (np.abs(apa.sum(axis=1)) < np.sqrt(np.finfo(float).eps))
    )
    a = a[keep]
    mid = p_inv @ a.T @ np.linalg.pinv(a @ p_inv @ a.T) @ a @ p_inv
    # U Gamma over all groups at once: blocks U_gh = W_g D_g M D_h' W_h, times f_h Gamma_h.
    left = [w @ d for w, d in zip(ws, d1, strict=True)]  # W_g D_g
    lm = [lg @ mid for lg in left]
    ug = [
        [lm[g] @ left[h].T @ (fg[h] * np.asarray(gammas[h])) for h in range(len(d1))]
        for g in range(len(d1))
    ]
    t1 = float(sum(np.trace(ug[g][g]) for g in range(len(d1))))
    t2 = float(sum(np.sum(ug[g][h] * ug[h][g].T) for g in range(len(d1)) for h in range(len(d1))))
    if scaled_shifted:
        aa = math.sqrt(m / t2)
        bb = m - aa * t1
        stat = t * aa + bb
        return DifferenceTest(method, stat, m, _pvalue(stat, m), t, m, scale=aa, shift=bb)
    cd = t2 / t1
    dfd = t1**2 / t2
    stat = t / cd
    return DifferenceTest(method, stat, dfd, _pvalue(stat, dfd), t, m, scaling_factor=cd)


# ----------------------------------------------------------------------------------------------
# Decision rules
# ----------------------------------------------------------------------------------------------

_EPS = 1e-12


@dataclass(frozen=True)
class InvarianceRule:
    """How a step of the ladder is judged.

    A constrained step *holds* when every criterion in ``criteria`` is met (``combine="all"``) or
    at least one is (``combine="any"``):

    * ``"cfi"``   -- delta CFI = CFI(step) - CFI(reference) >= ``delta_cfi`` (a drop of at most .010);
    * ``"rmsea"`` -- delta RMSEA <= ``delta_rmsea``;
    * ``"srmr"``  -- delta SRMR <= ``delta_srmr_metric`` (metric) or ``delta_srmr`` (later steps);
    * ``"chisq"`` -- the (scaled) difference test is not significant at ``alpha``.

    The configural model has no reference; it holds when CFI >= ``configural_cfi`` and
    RMSEA <= ``configural_rmsea``. Equal latent variances and means (tested once scalar invariance
    holds) are judged by the difference test at ``structural_alpha``: they are hypotheses about the
    constructs, not about the measurement.

    The default is Chen's (2007) cut-offs for ΔCFI and ΔRMSEA, each able to reject a step (the
    reading common in applied work). Chen's own wording, a CFI drop "supplemented by" an RMSEA
    rise, makes both necessary (``combine="any"``); that reading accepts scalar invariance in
    Holzinger & Swineford's schools (ΔCFI = -.038 but ΔRMSEA = +.0146, with a χ² difference
    p < .001), so it is not the default. The stricter default costs false alarms in small
    one-factor models, where CFI can move by .01 for χ² differences far from significance: the
    report shows the difference test beside every decision. Her ΔSRMR cut-offs are available;
    ``InvarianceRule.chen2007_small()`` has her values for small, unequal groups (N <= 300),
    ``cheung_rensvold2002()`` uses ΔCFI alone, ``chisq()`` the difference test alone. Any field can
    be changed, e.g. ``InvarianceRule(criteria=("cfi", "rmsea", "srmr"))`` or, in
    :func:`invariance`, ``rule={"delta_cfi": -0.005}``.
    """

    name: str = "Chen (2007)"
    criteria: tuple[str, ...] = ("cfi", "rmsea")
    combine: str = "all"
    delta_cfi: float = -0.010
    delta_rmsea: float = 0.015
    delta_srmr_metric: float = 0.030
    delta_srmr: float = 0.010
    alpha: float = 0.05
    configural_cfi: float = 0.90
    configural_rmsea: float = 0.08
    structural_alpha: float = 0.05

    def __post_init__(self) -> None:
        bad = [c for c in self.criteria if c not in ("cfi", "rmsea", "srmr", "chisq")]
        if bad or not self.criteria:
            raise ModelError(
                f"unknown invariance criterion {bad[0]!r}"
                if bad
                else "the invariance rule has no criterion",
                hint='Use any of "cfi", "rmsea", "srmr", "chisq", e.g. criteria=("cfi", "rmsea").',
            )
        if self.combine not in ("all", "any"):
            raise ModelError(
                f"unknown combine {self.combine!r}", hint='Use combine="all" or combine="any".'
            )

    @classmethod
    def chen2007(cls) -> InvarianceRule:
        """Chen (2007), N > 300: ΔCFI >= -.010 and ΔRMSEA <= .015 (ΔSRMR .030 metric, .010 later)."""
        return cls()

    @classmethod
    def chen2007_small(cls) -> InvarianceRule:
        """Chen (2007) for small (N <= 300) and unequal groups: ΔCFI >= -.005, ΔRMSEA <= .010,
        ΔSRMR .025 (metric) / .005 (later)."""
        return cls(
            name="Chen (2007), small unequal groups",
            delta_cfi=-0.005,
            delta_rmsea=0.010,
            delta_srmr_metric=0.025,
            delta_srmr=0.005,
        )

    @classmethod
    def cheung_rensvold2002(cls) -> InvarianceRule:
        """Cheung & Rensvold (2002): ΔCFI >= -.010 alone."""
        return cls(name="Cheung & Rensvold (2002)", criteria=("cfi",))

    @classmethod
    def chisq(cls, alpha: float = 0.05) -> InvarianceRule:
        """The (scaled) chi-square difference test alone, at ``alpha``."""
        return cls(
            name=f"chi-square difference test (alpha = {alpha:g})", criteria=("chisq",), alpha=alpha
        )

    @classmethod
    def from_spec(cls, spec: InvarianceRule | str | Mapping[str, Any] | None) -> InvarianceRule:
        """A rule from a rule, a preset name ("chen2007", "chen2007_small", "cheung_rensvold2002",
        "chisq") or a dict of fields that change the default."""
        if spec is None:
            return cls()
        if isinstance(spec, InvarianceRule):
            return spec
        if isinstance(spec, str):
            presets = {
                "chen2007": cls.chen2007,
                "chen": cls.chen2007,
                "chen2007_small": cls.chen2007_small,
                "cheung_rensvold2002": cls.cheung_rensvold2002,
                "cheung_rensvold": cls.cheung_rensvold2002,
                "chisq": cls.chisq,
            }
            key = spec.strip().lower().replace("-", "_").replace(" ", "_")
            if key not in presets:
                raise ModelError(
                    f"unknown invariance rule {spec!r}",
                    hint="Use one of: chen2007, chen2007_small, cheung_rensvold2002, chisq, or a dict "
                    'of thresholds such as {"delta_cfi": -0.01, "delta_rmsea": 0.015}.',
                )
            return presets[key]()
        if isinstance(spec, Mapping):
            fields = set(cls.__dataclass_fields__)
            bad = [k for k in spec if k not in fields]
            if bad:
                raise ModelError(
                    f"unknown invariance rule setting {bad[0]!r}",
                    hint="Settings: " + ", ".join(sorted(fields)) + ".",
                )
            kw = dict(spec)
            if "criteria" in kw:
                kw["criteria"] = tuple(kw["criteria"])
            base = cls()
            changed = ", ".join(f"{k} = {v!r}" for k, v in kw.items() if k != "name")
            name = kw.pop("name", f"{base.name} with {changed}" if changed else base.name)
            return replace(base, name=str(name), **kw)
        raise ModelError(
            f"rule must be a preset name, a dict or an InvarianceRule, not {type(spec).__name__}",
            hint='For example rule="chen2007" or rule={"delta_cfi": -0.005}.',
        )

    def srmr_cutoff(self, step: str) -> float:
        return self.delta_srmr_metric if step == "metric" else self.delta_srmr

    def describe(self, step: str) -> str:
        """The rule for ``step`` in words."""
        if step == "configural":
            return f"CFI >= {self.configural_cfi:.3f} and RMSEA <= {self.configural_rmsea:.3f}"
        parts = []
        for c in self.criteria:
            if c == "cfi":
                parts.append(f"ΔCFI >= {self.delta_cfi:.3f}")
            elif c == "rmsea":
                parts.append(f"ΔRMSEA <= {self.delta_rmsea:.3f}")
            elif c == "srmr":
                parts.append(f"ΔSRMR <= {self.srmr_cutoff(step):.3f}")
            else:
                parts.append(f"difference test p >= {self.alpha:g}")
        joint = " and " if self.combine == "all" else " or "
        return joint.join(parts) + f" ({self.name})"

    def check_configural(self, cfi: float, rmsea: float) -> tuple[bool, str]:
        ok_cfi = cfi >= self.configural_cfi - _EPS
        ok_rmsea = rmsea <= self.configural_rmsea + _EPS
        holds = bool(ok_cfi and ok_rmsea)
        text = (
            f"CFI = {_f3(cfi)} {'>=' if ok_cfi else '<'} {self.configural_cfi:.3f}, "
            f"RMSEA = {_f3(rmsea)} {'<=' if ok_rmsea else '>'} {self.configural_rmsea:.3f}"
        )
        return holds, text

    def check(
        self, step: str, deltas: Mapping[str, float], test: DifferenceTest | None
    ) -> tuple[bool, str]:
        """Judge a constrained step from the changes in fit (``cfi``, ``rmsea``, ``srmr``) and the
        difference test; returns (holds, the comparison in words)."""
        results = []
        texts = []
        for c in self.criteria:
            if c == "cfi":
                v = deltas.get("cfi", _NAN)
                ok = bool(v >= self.delta_cfi - _EPS)
                texts.append(f"ΔCFI = {_f3(v)} {'>=' if ok else '<'} {self.delta_cfi:.3f}")
            elif c == "rmsea":
                v = deltas.get("rmsea", _NAN)
                ok = bool(v <= self.delta_rmsea + _EPS)
                texts.append(f"ΔRMSEA = {_f3(v)} {'<=' if ok else '>'} {self.delta_rmsea:.3f}")
            elif c == "srmr":
                v = deltas.get("srmr", _NAN)
                cut = self.srmr_cutoff(step)
                ok = bool(v <= cut + _EPS)
                texts.append(f"ΔSRMR = {_f3(v)} {'<=' if ok else '>'} {cut:.3f}")
            else:
                p = test.pvalue if test is not None else _NAN
                ok = bool(p >= self.alpha)
                texts.append(f"p = {_f3(p)} {'>=' if ok else '<'} {self.alpha:g}")
            results.append(ok)
        holds = all(results) if self.combine == "all" else any(results)
        return holds, ("; " if self.combine == "all" else " or ").join(texts)


def _f3(v: float) -> str:
    if v is None or not np.isfinite(v):
        return "NA"
    s = f"{v:.3f}"
    return "0.000" if s == "-0.000" else s


# ----------------------------------------------------------------------------------------------
# Parameters, kinds and syntax
# ----------------------------------------------------------------------------------------------

Key = tuple[str, str, str]  # (lhs, op, rhs) as in the parameter table; op "~1" has rhs ""

_KIND_TEXT = {
    "loadings": "loadings",
    "intercepts": "intercepts",
    "thresholds": "thresholds",
    "residuals": "residual variances",
    "residual.covariances": "residual covariances",
    "lv.variances": "latent variances",
    "lv.covariances": "latent covariances",
    "means": "latent means",
}


def _key_text(key: Key) -> str:
    lhs, op, rhs = key
    if op == "~1":
        return f"{lhs} ~ 1"
    return f"{lhs} {op} {rhs}"


def _kind_of(key: Key, lv_names: Iterable[str]) -> str:
    lhs, op, rhs = key
    lv = set(lv_names)
    if op == "=~":
        return "loadings"
    if op == "|":
        return "thresholds"
    if op == "~1":
        return "means" if lhs in lv else "intercepts"
    if op == "~~":
        if lhs in lv:
            return "lv.variances" if lhs == rhs else "lv.covariances"
        return "residuals" if lhs == rhs else "residual.covariances"
    raise ModelError(
        f"{_key_text(key)} cannot be released",
        hint="Release loadings, intercepts, thresholds or variances.",
    )


_PARTIAL_RE = re.compile(r"^\s*([A-Za-z_.][A-Za-z0-9_.]*)\s*(=~|~~|~|\|)\s*([A-Za-z0-9_.]+)\s*$")


def parse_partial(spec: str | Iterable[str]) -> list[Key]:
    """Parameters to release from lavaan syntax: ``"F =~ x3"``, ``"x3 ~ 1"``, ``"x3 ~~ x3"``,
    ``"u1 | t2"``; a list, or one string with entries separated by commas, semicolons or lines."""
    if isinstance(spec, str):
        items = [s for s in re.split(r"[,;\n]", spec) if s.strip()]
    else:
        items = [str(s) for s in spec]
    out: list[Key] = []
    for s in items:
        m = _PARTIAL_RE.match(s)
        if not m:
            raise ModelError(
                f"cannot read the parameter {s!r} in group_partial",
                hint='Write one parameter in lavaan syntax: "F =~ x3" (loading), "x3 ~ 1" (intercept), '
                '"x3 ~~ x3" (residual variance), "u1 | t2" (threshold).',
            )
        lhs, op, rhs = m.groups()
        if op == "~":
            if rhs != "1":
                raise ModelError(
                    f"{s!r}: only intercepts (x ~ 1) can be released with '~'",
                    hint='Write the intercept of item x3 as "x3 ~ 1".',
                )
            key: Key = (lhs, "~1", "")
        elif op == "~~":
            key = (min(lhs, rhs), "~~", max(lhs, rhs)) if lhs != rhs else (lhs, "~~", rhs)
        else:
            key = (lhs, op, rhs)
        if key not in out:
            out.append(key)
    return out


def _check_partial(spec, parsed, *, ordinal: bool, theta: bool = False) -> list[Key]:
    """``group_partial`` as parameter keys, checked against the model before anything is fitted."""
    if not spec:
        return []
    keys = parse_partial(spec)
    lv = parsed.latent_names
    names = set(lv) | set(parsed.variable_names)
    for key in keys:
        kind = _kind_of(key, lv)
        text = _key_text(key)
        unknown = [v for v in (key[0], key[2]) if v and v not in names and not (key[1] == "|")]
        if key[0] not in names:
            unknown.insert(0, key[0])
        if unknown:
            raise ModelError(
                f"group_partial names {text}, but {unknown[0]!r} is not in the model",
                hint="Use the factor and item names of the model syntax, e.g. 'F =~ x3' or 'x3 ~ 1'.",
            )
        if kind == "loadings" and not any(
            s.op == "=~" and s.lhs == key[0] and s.rhs == key[2] for s in parsed.statements
        ):
            raise ModelError(
                f"group_partial names {text}, which is not a loading of the model",
                hint="Release a loading the model has: the factor on the left of =~ and one of its items.",
            )
        if kind == "thresholds" and not ordinal:
            raise ModelError(
                f"group_partial names the threshold {text}, but the items are continuous",
                hint="Thresholds exist for ordered items (estimator='WLSMV', ordered=...); release the "
                "intercept instead, e.g. 'x3 ~ 1'.",
            )
        if ordinal and kind == "residuals" and not theta:
            raise ModelError(
                f"group_partial names the residual variance {text}, which is not a parameter under the "
                "delta parameterization",
                hint="Use parameterization='theta' to test (and release) residual variances of ordinal items.",
            )
    return keys


def _fmt_value(v: float | None) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "NA"
    return repr(float(v))


_NAME_RE = re.compile(r"^[A-Za-z_.][A-Za-z0-9_.]*$")


def _fmt_label(lab: str | None) -> str:
    if lab is None:
        return "NA"
    return lab if _NAME_RE.match(lab) and lab != "NA" else '"' + lab.replace('"', "") + '"'


def _statement_text(lhs: str, op: str, rhs: str, fixed=None, label=None, start=None) -> str:
    mods = []
    if fixed is not None:
        vals = [_fmt_value(v) for v in fixed]
        mods.append(vals[0] if len(vals) == 1 else "c(" + ", ".join(vals) + ")")
    if start is not None:
        mods.append("start(" + ", ".join(_fmt_value(v) for v in start) + ")")
    if label is not None:
        labs = [_fmt_label(v) for v in label]
        mods.append(labs[0] if len(labs) == 1 else "c(" + ", ".join(labs) + ")")
    pre = "".join(m + "*" for m in mods)
    if op == "~1":
        return f"{lhs} ~ {pre}1"
    if op == "==":
        return f"{lhs} == {rhs}"
    return f"{lhs} {op} {pre}{rhs}"


def _split_top(text: str, sep: str) -> list[str]:
    out, depth, cur = [], 0, []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if depth == 0 and text.startswith(sep, i):
            out.append("".join(cur))
            cur = []
            i += len(sep)
            continue
        cur.append(ch)
        i += 1
    out.append("".join(cur))
    return out


def lavaan_syntax(syntax: str) -> str:
    """The same model in the form R's lavaan reads: a term with several modifiers
    (``c(0, NA)*c(a1, a2)*x``) becomes one term per modifier (``c(0, NA)*x + c(a1, a2)*x``), as
    ``semTools::measEq.syntax`` writes it (lavaan keeps only one modifier of a chained term)."""
    out = []
    for line in syntax.splitlines():
        m = re.match(r"^(\s*[A-Za-z_.][A-Za-z0-9_.]*\s*)(=~|~~|~\*~|~|\|)(\s*)(.*)$", line)
        if not m:
            out.append(line)
            continue
        head, op, space, rhs = m.groups()
        terms = []
        split = _split_top if ('"' in rhs or "'" in rhs) else (lambda t, sep: t.split(sep))
        for term in split(rhs, " + "):
            parts = split(term.strip(), "*")
            mods, name = parts[:-1], parts[-1]
            if len(mods) <= 1:
                terms.append(term.strip())
            else:
                terms.extend(f"{mod}*{name}" for mod in mods)
        out.append(f"{head}{op}{space}" + " + ".join(terms))
    return "\n".join(out)


def _canon(lhs: str, op: str, rhs: str) -> Key:
    if op == "~~" and rhs < lhs:
        return rhs, op, lhs
    return lhs, op, rhs


_EQ_LABEL = "eq."


def measurement_syntax(
    model: str,
    *,
    ngroups: int,
    group_equal: Sequence[str] = (),
    released: Sequence[Key] = (),
    std_lv: bool = False,
) -> tuple[str, list[str]]:
    """lavaan syntax of one step of the ladder, every parameter written out per group.

    The model is what lavaan's ``cfa(model, group = , group.equal = group_equal, group.partial =
    released)`` fits (``semTools::measEq.syntax`` writes the same kind of syntax): each parameter of
    a kind in ``group_equal`` carries one label in every group (``c(eq.lam.F.x2, eq.lam.F.x2)*x2``;
    labels the user wrote are kept, and they tie as the user meant); ``released`` parameters stay
    free in every group; with equal intercepts the latent means are free in groups 2..G, and under
    ``std_lv`` with equal loadings so are the latent variances. Fixed values are written per group,
    ``c(1, 1)*x1`` for a marker loading.

    The syntax runs unchanged in R: ``lavaan::cfa(syntax, data, group = "...")``.

    Returns
    -------
    (syntax, notes)
        Notes say when a released parameter is fixed in every group (e.g. a marker loading).
    """
    parsed, lv, keys, rows_of, value, labels, users, ustart = _base_table(model, ngroups, std_lv)
    ge = set(group_equal)
    rel = set(released)
    notes: list[str] = []
    lines: list[str] = []
    for key in keys:
        rows = rows_of[key]
        kind = _kind_of(key, lv)
        vals = [None if np.isnan(value[r]) else float(value[r]) for r in rows]
        auto = all(users[r] == 0 for r in rows)
        if key in rel and all(v is not None for v in vals):
            notes.append(
                f"{_key_text(key)} is fixed in every group (e.g. the marker loading that sets the factor's "
                "scale), so there is nothing to release."
            )
        # identification freed by the constraints (lavaan's group.equal does the same)
        if auto and kind == "means" and "intercepts" in ge and ("means" not in ge or key in rel):
            vals = [vals[0]] + [None] * (len(vals) - 1)
        if auto and kind == "lv.variances" and std_lv and "loadings" in ge:
            if "lv.variances" not in ge or key in rel:
                vals = [vals[0]] + [None] * (len(vals) - 1)
        user_labels = [labels[r] for r in rows]
        if any(user_labels):
            labs = tuple(lab or None for lab in user_labels)
            if key in rel and len(set(user_labels)) == 1 and ngroups > 1:
                raise ModelError(
                    f"{_key_text(key)} carries the label {user_labels[0]!r} in the model, which keeps it "
                    "equal in every group, so it cannot be released",
                    hint="Remove the label from the model syntax (or give one label per group with c(...)).",
                )
        elif kind in ge and key not in rel and any(v is None for v in vals):
            base = f"{_EQ_LABEL}{_label_stem(key, kind)}"
            labs = (base,) * ngroups
        else:
            labs = None
        starts = [None if np.isnan(ustart[r]) else float(ustart[r]) for r in rows]
        start = tuple(starts) if any(v is not None for v in starts) else None
        fixed = tuple(vals)
        if start is not None and any(v is None for v in start):
            start = None  # lavaan's start() takes a number per group; keep the defaults
        lines.append(_statement_text(key[0], key[1], key[2], fixed, labs, start))
    for st in parsed.statements:
        if st.op == "==":
            lines.append(f"{st.lhs} == {st.rhs}")
    return "\n".join(lines), notes


@functools.lru_cache(maxsize=16)
def _base_table(model: str, ngroups: int, std_lv: bool):
    """The configural parameter table of ``model`` (the same for every step of a ladder), as plain
    arrays: rows of each parameter ordered by group."""
    from .cfa.partable import build_partable
    from .cfa.syntax import parse_model

    parsed = parse_model(model)
    f = build_partable(parsed, ngroups=ngroups, std_lv=std_lv, meanstructure=True).frame
    keys = list(dict.fromkeys(zip(f["lhs"], f["op"], f["rhs"], strict=True)))
    group = f["group"].to_numpy()
    rows_of: dict[Key, list[int]] = {}
    for i, key in enumerate(zip(f["lhs"], f["op"], f["rhs"], strict=True)):
        rows_of.setdefault(key, []).append(i)
    rows_of = {k: sorted(v, key=lambda r: group[r]) for k, v in rows_of.items()}
    return (
        parsed,
        tuple(parsed.latent_names),
        keys,
        rows_of,
        f["value"].to_numpy(dtype=float),
        f["label"].astype(str).to_numpy(),
        f["user"].to_numpy(),
        f["ustart"].to_numpy(dtype=float),
    )


def _label_stem(key: Key, kind: str) -> str:
    lhs, op, rhs = key
    stem = {
        "loadings": f"lam.{lhs}.{rhs}",
        "intercepts": f"nu.{lhs}",
        "means": f"alpha.{lhs}",
        "residuals": f"theta.{lhs}",
        "residual.covariances": f"theta.{lhs}.{rhs}",
        "lv.variances": f"psi.{lhs}",
        "lv.covariances": f"psi.{lhs}.{rhs}",
        "thresholds": f"th.{lhs}.{rhs}",
    }[kind]
    return stem


# ----------------------------------------------------------------------------------------------
# Score tests of equality constraints (lavaan lavTestScore)
# ----------------------------------------------------------------------------------------------


def _constraint_classes(frame: pd.DataFrame) -> list[list[int]]:
    """Row groups tied across groups by an equality constraint of the ladder: the labels that
    ``group_equal`` gives (the group-1 row's plabel) or that :func:`wu_estabrook_syntax` writes
    (``we.``...)."""
    plabels = set(frame["plabel"]) if "plabel" in frame else set()
    lab = frame["label"].astype(str)
    tied = frame[
        (frame["free"] > 0)
        & (lab.isin(plabels) | lab.str.startswith(_EQ_PREFIX) | lab.str.startswith(_EQ_LABEL))
    ]
    out = []
    for _, idx in tied.groupby("label", sort=False).groups.items():
        rows = sorted(int(i) for i in idx)
        groups = frame.loc[rows, "group"].to_numpy()
        if len(rows) > 1 and len(set(groups)) == len(rows):
            out.append(sorted(rows, key=lambda r: frame.at[r, "group"]))
    return out


def _fixed_intercepts(fit: Any, frame: pd.DataFrame) -> list[list[int]]:
    """Ordinal fits: per item, the intercept rows of groups 2..G fixed at 0 while at least one of
    the item's thresholds is equal across groups (so freeing them is identified)."""
    if getattr(fit, "_pt", None) is None or "|" not in set(frame["op"]):
        return []
    lv = set(fit.lv_names)
    tied = {
        lhs
        for lhs, lab in zip(frame["lhs"], frame["label"].astype(str), strict=True)
        if lab.startswith(_EQ_PREFIX + "th.")
    }
    out = []
    for item in dict.fromkeys(frame.loc[frame["op"] == "|", "lhs"]):
        if item in lv or item not in tied:
            continue
        rows = frame.index[(frame["lhs"] == item) & (frame["op"] == "~1") & (frame["group"] > 1)]
        rows = [int(r) for r in rows if frame.at[r, "free"] == 0]
        if rows:
            out.append(sorted(rows, key=lambda r: frame.at[r, "group"]))
    return out


def _fit_frame(fit: Any) -> pd.DataFrame:
    core = getattr(fit, "_core", None)
    if core is not None:
        return core.pt.frame
    opt = getattr(fit, "_pt", None)
    if opt is not None:
        return opt.frame
    raise ModelError("not a fitted CFA", hint="Pass the result of cfa().")


def _released_space(fit: Any, frame: pd.DataFrame, new_free: np.ndarray):
    """Gradient and unit expected information in the parameter space without the equality
    constraints, at the constrained estimates."""
    old_free = frame["free"].to_numpy()
    full = frame.copy()
    full["free"] = new_free
    plabels = set(frame["plabel"]) if "plabel" in frame else set()
    lab = full["label"].astype(str)
    ladder = lab.isin(plabels) | lab.str.startswith(_EQ_PREFIX) | lab.str.startswith(_EQ_LABEL)
    full["label"] = np.where(ladder, "", full["label"])
    npar = int(new_free.max())
    x = np.zeros(npar)
    added = (old_free == 0) & (new_free > 0)
    x[new_free[added] - 1] = frame["value"].to_numpy(dtype=float)[added]
    sel = old_free > 0
    core = getattr(fit, "_core", None)
    if core is not None:
        from .cfa.matrices import ModelMatrices
        from .cfa.partable import ParTable

        pt = core.pt
        x[new_free[sel] - 1] = core.x[old_free[sel] - 1]
        pt_full = ParTable(
            full, list(pt.ov_names), list(pt.lv_names), pt.ngroups, pt.meanstructure, []
        )
        est = type(core.est)(ModelMatrices(pt_full), core.est.stats)
        return est.gradient(x), est.information(x, "expected")
    from .cfa.wls import OrdinalModel, OrdinalParTable, WLSEstimator

    opt = fit._pt
    x[new_free[sel] - 1] = np.asarray(fit.x)[old_free[sel] - 1]
    opt_full = OrdinalParTable(
        full, list(opt.ov_names), list(opt.lv_names), opt.ngroups, opt.parameterization, []
    )
    est = WLSEstimator(OrdinalModel(opt_full, fit.sample), fit.sample, fit.spec)
    _, grad = est.objective_gradient(x)
    info, _ = est.information(x)
    return grad, info


def score_tests(fit: Any, kinds: Sequence[str] | None = None) -> pd.DataFrame:
    """Score (Lagrange multiplier) tests of the cross-group equality constraints of a multi-group CFA.

    For each constraint theta_1 - theta_g = 0 (a parameter in the first group equal to the same
    parameter in group g), the univariate test releases that constraint alone while the others stay
    (lavaan's ``lavTestScore()$uni``): with g the gradient of the fit function and J the unit
    expected information, both in the parameter space without equality constraints and evaluated at
    the constrained estimates, and R the Jacobian of the remaining constraints,

        X2 = N g' [ J  R' ; R  0 ]^+_{11} g   ~  chi-square(1)

    (for ML, g is the gradient of F_ML = -2 logL / N + const and J its expected Hessian, so X2 is the
    Lagrange multiplier statistic of the likelihood). With three or more groups each parameter also
    gets the joint test of its G - 1 constraints (df = G - 1), the test of releasing it in every group
    (lavaan's ``group.partial``). The tests use the normal-theory (ML) or the DWLS information
    whatever the robust correction (lavaan does the same for MLR and WLSMV).

    Parameters
    ----------
    fit
        A converged multi-group CFA result with equality constraints across groups (from ``cfa(...,
        group_equal=...)``, or an ordinal fit of :func:`wu_estabrook_syntax`).
    kinds
        Only constraints of these kinds ("loadings", "intercepts", "thresholds", "residuals", ...);
        default all.

    Returns
    -------
    DataFrame
        One row per constraint (and per parameter with three or more groups): ``parameter``
        (lavaan syntax), ``lhs``, ``op``, ``rhs``, ``kind``, ``groups`` ("<g1> vs <g>" or "all"),
        ``X2``, ``df``, ``pvalue``, largest X2 first.

    References
    ----------
    Sorbom, D. (1989). Model modification. *Psychometrika*, 54, 371-384.
    Rosseel, Y. (2012). lavaan: an R package for structural equation modeling. *Journal of
    Statistical Software*, 48(2).
    """
    with _single_blas():
        return _score_tests(fit, kinds)


def _score_tests(fit: Any, kinds: Sequence[str] | None) -> pd.DataFrame:
    cols = ["parameter", "lhs", "op", "rhs", "kind", "groups", "X2", "df", "pvalue"]
    if not getattr(fit, "converged", False):
        raise ModelError(
            "score tests need a converged model",
            hint="Fix the convergence problem first (see the fit's warnings).",
        )
    frame = _fit_frame(fit).reset_index(drop=True)
    classes = _constraint_classes(frame)
    fixed_sets = _fixed_intercepts(fit, frame) if kinds is None or "intercepts" in kinds else []
    if not classes and not fixed_sets:
        return pd.DataFrame(columns=cols)
    free = frame["free"].to_numpy().copy()
    new_free = free.copy()
    nxt = int(free.max())
    pairs: list[tuple[int, int, int]] = []  # (class, row of group 1 or -1, row of group g)
    for c, rows in enumerate(classes):
        for r in rows[1:]:
            nxt += 1
            new_free[r] = nxt
            pairs.append((c, rows[0], r))
    # Intercepts of ordinal items fixed at 0 in groups 2..G (Wu & Estabrook's scalar model): the
    # test of freeing them, one constraint theta = 0 per group.
    for c, rows in enumerate(fixed_sets, start=len(classes)):
        for r in rows:
            nxt += 1
            new_free[r] = nxt
            pairs.append((c, -1, r))
    # consecutive indices in row order, as the engines expect
    uniq = {v: i + 1 for i, v in enumerate(sorted({int(v) for v in new_free if v > 0}))}
    new_free = np.array([uniq[int(v)] if v > 0 else 0 for v in new_free])
    grad, info = _released_space(fit, frame, new_free)
    npar = info.shape[0]
    r_all = np.zeros((len(pairs), npar))
    for k, (_, a, b) in enumerate(pairs):
        if a >= 0:
            r_all[k, new_free[a] - 1] = 1.0
        r_all[k, new_free[b] - 1] = -1.0
    n = float(fit.ntotal)
    # The constrained model is theta = K0 x. Releasing constraint k adds the direction e_b (group g's
    # copy moves alone), so with A = K0' J K0 the statistic is a Schur-complement update instead of
    # a pseudo-inverse of the bordered matrix per constraint (the same number when the models are
    # identified; the bordered form is the fallback).
    old_free = frame["free"].to_numpy()
    k0 = np.zeros((npar, int(old_free.max())))
    sel = np.flatnonzero(old_free > 0)
    k0[new_free[sel] - 1, old_free[sel] - 1] = 1.0
    a_mat = k0.T @ info @ k0
    try:
        a_inv = np.linalg.inv(a_mat)
    except np.linalg.LinAlgError:
        a_inv = None
    s0 = k0.T @ grad

    def bordered(drop: list[int]) -> float:
        r1 = np.delete(r_all, drop, axis=0)
        q = r1.shape[0]
        z = np.zeros((npar + q, npar + q))
        z[:npar, :npar] = info
        z[:npar, npar:] = r1.T
        z[npar:, :npar] = r1
        zi = np.linalg.pinv(z)[:npar, :npar]
        return float(n * grad @ zi @ grad)

    def stat(drop: list[int]) -> float:
        if a_inv is None:
            return bordered(drop)
        idx = [int(new_free[pairs[k][2]]) - 1 for k in drop]
        bm = k0.T @ info[:, idx]
        schur = info[np.ix_(idx, idx)] - bm.T @ a_inv @ bm
        u = grad[idx] - bm.T @ (a_inv @ s0)
        try:
            w = np.linalg.eigvalsh(schur)
            if w.min() <= 1e-10 * max(1.0, w.max()):
                return bordered(drop)
            return float(n * (s0 @ a_inv @ s0 + u @ np.linalg.solve(schur, u)))
        except np.linalg.LinAlgError:
            return bordered(drop)

    labels = list(
        getattr(fit, "group_labels", [str(g + 1) for g in range(int(frame["group"].max()))])
    )
    lv = list(fit.lv_names)
    recs = []
    wanted = None if kinds is None else set(kinds)
    for c, rows in enumerate(classes + fixed_sets):
        key = (frame.at[rows[0], "lhs"], frame.at[rows[0], "op"], frame.at[rows[0], "rhs"])
        kind = _kind_of(key, lv)
        if wanted is not None and kind not in wanted:
            continue
        ks = [k for k, p in enumerate(pairs) if p[0] == c]
        for k in ks:
            g = int(frame.at[pairs[k][2], "group"]) - 1
            x2 = stat([k])
            recs.append(
                [_key_text(key), *key, kind, f"{labels[0]} vs {labels[g]}", x2, 1, _pvalue(x2, 1)]
            )
        if len(ks) > 1:
            x2 = stat(ks)
            recs.append([_key_text(key), *key, kind, "all", x2, len(ks), _pvalue(x2, len(ks))])
    out = pd.DataFrame(recs, columns=cols)
    return out.sort_values("X2", ascending=False, kind="stable").reset_index(drop=True)


# ----------------------------------------------------------------------------------------------
# The result
# ----------------------------------------------------------------------------------------------


def _records(df: pd.DataFrame) -> list[dict]:
    out = []
    for rec in df.to_dict(orient="records"):
        clean = {}
        for k, v in rec.items():
            if isinstance(v, float | np.floating):
                clean[k] = None if not np.isfinite(v) else float(v)
            elif isinstance(v, np.integer):
                clean[k] = int(v)
            elif isinstance(v, np.bool_):
                clean[k] = bool(v)
            else:
                clean[k] = v
        out.append(clean)
    return out


class ScoreTestTables(Mapping):
    """Step -> score tests (:func:`score_tests`) of the constraints a failing step added; tables of
    steps the ladder went past are computed when first read."""

    def __init__(self) -> None:
        self._tables: dict[str, pd.DataFrame] = {}
        self._pending: dict[str, tuple[Any, tuple[str, ...]]] = {}

    def put(self, step: str, table: pd.DataFrame | None) -> None:
        if table is not None:
            self._tables[step] = table

    def defer(self, step: str, fit: Any, kinds: Sequence[str]) -> None:
        self._pending[step] = (fit, tuple(kinds))

    def __getitem__(self, step: str) -> pd.DataFrame:
        if step not in self._tables and step in self._pending:
            fit, kinds = self._pending.pop(step)
            self._tables[step] = score_tests(fit, kinds=kinds)
        return self._tables[step]

    def __iter__(self):
        return iter([*self._tables, *(k for k in self._pending if k not in self._tables)])

    def __len__(self) -> int:
        return len(set(self._tables) | set(self._pending))

    def __repr__(self) -> str:
        return f"ScoreTestTables({list(self)})"


@dataclass
class InvarianceResult:
    """The invariance ladder and what it allows.

    Attributes
    ----------
    steps : DataFrame
        One row per fitted model, in order: ``step`` ("configural", "metric", "scalar", "strict";
        "partial metric" etc. for a model with released parameters; "thresholds" for ordinal items),
        ``level``, ``group_equal``, ``released`` (lavaan syntax, "; "-separated), ``npar``, ``chisq``,
        ``df``, ``pvalue``, ``chisq.scaled``, ``df.scaled``, ``pvalue.scaled`` (robust estimators),
        ``cfi``, ``tli``, ``rmsea``, ``rmsea.ci.lower``, ``rmsea.ci.upper``, ``srmr`` (the versions
        named in ``indices``: "standard", "robust" or "scaled"), ``compared_with``, the difference test
        (``test``, ``diff.stat``, ``diff.df``, ``diff.pvalue``, ``diff.scale``, ``diff.shift``),
        ``delta.cfi``, ``delta.rmsea``, ``delta.srmr``, ``decision`` ("holds", "fails",
        "holds (partial)") and ``rule`` (the criteria with the numbers).
    decisions : dict
        Level -> "holds", "holds (partial)", "fails" or "not tested".
    level_reached : str
        The highest level that holds, partial or not: "configural", "metric", "scalar", "strict",
        or "none" when even the configural model fits badly (what
        :func:`moscale.analysis.groups.compare_groups` takes as ``invariance``).
    full_level_reached : str
        The highest level that holds with no parameter released.
    partial : bool
        Whether ``level_reached`` needed released parameters.
    released : list of str
        Released parameters (lavaan syntax), the user's first, then the search's, in order.
    search : DataFrame
        The automatic search, one row per release: ``step``, ``parameter``, ``X2``, ``df``,
        ``pvalue`` (its score test), the refitted model's fit and changes, ``decision``.
    score_tests : dict
        Step -> the score tests (see :func:`score_tests`) of the equality constraints that step
        added, for every step that failed.
    structural : DataFrame
        With scalar invariance: equal latent variances and equal latent means, each tested against
        the scalar model (difference test at ``rule.structural_alpha``).
    latent_means : DataFrame
        From the scalar model: per factor and group, the latent mean relative to the first group
        (whose means are fixed at 0), its SE, z, p, and ``d`` = mean / pooled latent SD.
    notes : list of str
        Method, caveats and anything the engine warned about.
    rule : InvarianceRule
    fits : dict
        Step name (as in ``steps``) -> the fitted :class:`~moscale.analysis.cfa.CFAResult`.
    syntax : dict
        Step name -> the lavaan syntax of that model, every parameter written per group; it runs
        unchanged in R (``lavaan::cfa(syntax, data, group = "...")``, with ``ordered =`` and
        ``parameterization =`` for ordinal items) to reproduce the step.
    """

    steps: pd.DataFrame
    decisions: dict[str, str]
    level_reached: str
    full_level_reached: str
    partial: bool
    released: list[str]
    search: pd.DataFrame
    score_tests: Mapping[str, pd.DataFrame]
    structural: pd.DataFrame
    latent_means: pd.DataFrame
    notes: list[str]
    rule: InvarianceRule
    estimator: str
    missing: str
    group: str
    group_labels: list[str]
    nobs: list[int]
    model: str
    ordered: list[str] = field(default_factory=list)
    fits: dict[str, Any] = field(default_factory=dict, repr=False)
    syntax: dict[str, str] = field(default_factory=dict, repr=False)

    def score_levels(self) -> dict[str, str]:
        """Factor -> the invariance level that holds for its observed (sum or mean) score.

        A released parameter of one of the factor's items lowers that factor's level to the step
        below the released kind: a loading to configural, an intercept or a threshold to metric, a
        residual variance to scalar (the partial model still allows latent comparisons, but the
        observed score of the items mixes in the group difference of that parameter). Factors
        without released parameters keep ``level_reached``. This is what
        :func:`moscale.analysis.groups.compare_groups` takes as ``invariance=`` for scores named
        after the factors.
        """
        cap = {
            "loadings": "configural",
            "intercepts": "metric",
            "thresholds": "metric",
            "residuals": "scalar",
        }
        order = ("none", *LEVELS)
        fit = self.fits.get("configural")
        indicators = dict(getattr(fit, "indicators", {}) or {}) if fit is not None else {}
        out = {}
        released = parse_partial(self.released) if self.released else []
        for factor, items in indicators.items():
            level = self.level_reached
            for key in released:
                kind = _kind_of(key, indicators)
                item = key[2] if kind == "loadings" else key[0]
                hit = key[0] == factor if kind == "loadings" else item in items
                if hit and kind in cap and order.index(cap[kind]) < order.index(level):
                    level = cap[kind]
            out[factor] = level
        return out

    def to_dict(self) -> dict:
        """JSON-ready results (no NaN: missing numbers are None): estimator, missing, group,
        group_labels, nobs, ordered, model, rule (its settings), steps (one record per fitted model,
        the columns of ``steps``), decisions, level_reached, full_level_reached, partial, released,
        score_levels, search, score_tests (step -> records), structural, latent_means, notes and
        syntax (step -> lavaan syntax)."""
        return {
            "estimator": self.estimator,
            "missing": self.missing,
            "group": self.group,
            "group_labels": list(self.group_labels),
            "nobs": [int(n) for n in self.nobs],
            "ordered": list(self.ordered),
            "model": self.model,
            "rule": asdict(self.rule),
            "steps": _records(self.steps),
            "decisions": dict(self.decisions),
            "level_reached": self.level_reached,
            "full_level_reached": self.full_level_reached,
            "partial": bool(self.partial),
            "released": list(self.released),
            "score_levels": self.score_levels(),
            "search": _records(self.search),
            "score_tests": {k: _records(v) for k, v in self.score_tests.items()},
            "structural": _records(self.structural),
            "latent_means": _records(self.latent_means),
            "notes": list(self.notes),
            "syntax": dict(self.syntax),
        }

    def summary(self) -> str:
        """The ladder as a text table with the decisions."""
        cols = [
            "step",
            "chisq",
            "df",
            "cfi",
            "rmsea",
            "srmr",
            "delta.cfi",
            "delta.rmsea",
            "decision",
        ]
        if self.estimator != "ML":
            cols.insert(3, "chisq.scaled")
        lines = [
            f"Measurement invariance across {self.group} ({', '.join(self.group_labels)}; "
            f"n = {', '.join(str(n) for n in self.nobs)}), estimator {self.estimator}",
            self.steps[cols].to_string(index=False, float_format=lambda v: f"{v:.3f}"),
            f"Level reached: {self.level_reached}" + (" (partial)" if self.partial else ""),
        ]
        if self.released:
            lines.append("Released: " + "; ".join(self.released))
        lines += self.notes
        return "\n".join(lines)

    def __str__(self) -> str:  # pragma: no cover - convenience
        return self.summary()


# ----------------------------------------------------------------------------------------------
# The ladder
# ----------------------------------------------------------------------------------------------

_CONTINUOUS_STEPS = {
    "configural": (),
    "metric": ("loadings",),
    "scalar": ("loadings", "intercepts"),
    "strict": ("loadings", "intercepts", "residuals"),
}
_NEW_KINDS = {
    "metric": ("loadings",),
    "scalar": ("intercepts",),
    "strict": ("residuals",),
    "thresholds": ("thresholds",),
}
# Kinds that need at least ``min_invariant`` invariant indicators per factor after a release.
_MIN_RULE_KINDS = ("loadings", "intercepts", "thresholds")


@dataclass
class _Settings:
    model: str
    data: pd.DataFrame
    group: str
    estimator: str
    ordered: list[str]
    missing: str
    std_lv: bool
    ngroups: int
    n_thresholds: dict[str, int] = field(default_factory=dict)
    parameterization: str = "delta"


def _fit(settings: _Settings, group_equal: tuple[str, ...], released: Sequence[Key]):
    from .cfa.api import cfa

    syntax, notes = measurement_syntax(
        settings.model,
        ngroups=settings.ngroups,
        group_equal=group_equal,
        released=released,
        std_lv=settings.std_lv,
    )
    fit = cfa(
        syntax,
        settings.data,
        estimator=settings.estimator,
        group=settings.group,
        missing=settings.missing,
        std_lv=settings.std_lv,
    )
    return fit, notes, syntax


def _indices(fm: Mapping[str, float], estimator: str) -> tuple[dict[str, float], str]:
    names = ["cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper"]
    variant = "standard"
    if (
        estimator == "MLR"
        and np.isfinite(fm.get("cfi.robust", _NAN))
        and np.isfinite(fm.get("rmsea.robust", _NAN))
    ):
        variant = "robust"
    elif estimator != "ML" and np.isfinite(fm.get("cfi.scaled", _NAN)):
        variant = "scaled"
    out = {n: float(fm.get(n if variant == "standard" else f"{n}.{variant}", _NAN)) for n in names}
    out["srmr"] = float(fm.get("srmr", _NAN))
    return out, variant


def _difference(fit1, fit0, estimator: str) -> DifferenceTest:
    fm1 = fit1.fit_measures()
    fm0 = fit0.fit_measures()
    if estimator == "ML":
        return chisq_difference(
            fm1["chisq"],
            fm1["df"],
            fm0["chisq"],
            fm0["df"],
            ntotal=fit1.ntotal,
            ngroups=fit1.ngroups,
        )
    if estimator == "MLR":
        return satorra_bentler_2001(
            fm1["chisq"],
            fm1["df"],
            fm1.get("chisq.scaling.factor", _NAN),
            fm0["chisq"],
            fm0["df"],
            fm0.get("chisq.scaling.factor", _NAN),
        )
    pieces1 = _wls_pieces(fit1)
    pieces0 = _wls_pieces(fit0)
    return satorra_2000(
        fm1["chisq"],
        fm1["df"],
        fm0["chisq"],
        fm0["df"],
        delta1=pieces1["delta"],
        delta0=pieces0["delta"],
        weights=pieces1["weights"],
        gammas=pieces1["gammas"],
        nobs=fit1.nobs,
    )


def _wls_pieces(fit) -> dict[str, list[np.ndarray]]:
    """Per group: Jacobian of the thresholds and polychoric correlations with respect to the free
    parameters, the DWLS weights (diagonal) and Gamma, at the estimates of an ordinal fit."""
    parts = getattr(fit, "wls_parts", None)
    if callable(parts):
        p = parts()
        return {"delta": p["delta"], "weights": p["weight"], "gammas": p["gamma"]}
    from .cfa.wls import WLSEstimator

    est = WLSEstimator(fit._model, fit.sample, fit.spec)
    _, jac = fit._model.moments_jacobian(np.asarray(fit.x))
    return {"delta": jac, "weights": est.weights, "gammas": [st.gamma for st in fit.sample]}


def _row(
    step: str,
    level: str,
    fit,
    estimator: str,
    group_equal: Sequence[str],
    released: Sequence[Key],
) -> dict[str, Any]:
    fm = fit.fit_measures()
    idx, variant = _indices(fm, estimator)
    return {
        "step": step,
        "level": level,
        "group_equal": ", ".join(group_equal),
        "released": "; ".join(_key_text(k) for k in released),
        "npar": int(fit.npar),
        "chisq": float(fm.get("chisq", _NAN)),
        "df": float(fm.get("df", _NAN)),
        "pvalue": float(fm.get("pvalue", _NAN)),
        "chisq.scaled": float(fm.get("chisq.scaled", _NAN)),
        "df.scaled": float(fm.get("df.scaled", _NAN)),
        "pvalue.scaled": float(fm.get("pvalue.scaled", _NAN)),
        **idx,
        "indices": variant,
        "compared_with": "",
        "test": "",
        "diff.stat": _NAN,
        "diff.df": _NAN,
        "diff.pvalue": _NAN,
        "diff.scale": _NAN,
        "diff.shift": _NAN,
        "delta.cfi": _NAN,
        "delta.rmsea": _NAN,
        "delta.srmr": _NAN,
        "decision": "",
        "rule": "",
    }


def _compare(row: dict, ref_row: dict, test: DifferenceTest) -> dict[str, float]:
    deltas = {k: row[k] - ref_row[k] for k in ("cfi", "rmsea", "srmr")}
    row.update(
        {
            "compared_with": ref_row["step"],
            "test": test.method,
            "diff.stat": test.statistic,
            "diff.df": test.df,
            "diff.pvalue": test.pvalue,
            "diff.scale": test.scale,
            "diff.shift": test.shift,
            "delta.cfi": deltas["cfi"],
            "delta.rmsea": deltas["rmsea"],
            "delta.srmr": deltas["srmr"],
        }
    )
    return deltas


def _invariant_count(
    frame: pd.DataFrame, factor: str, kind: str, released: set[Key], lv: set[str]
) -> int:
    """Indicators of ``factor`` whose parameters of ``kind`` are equal across groups (tied by a label
    or fixed at one value in every group) and not released."""
    items = frame[(frame["op"] == "=~") & (frame["lhs"] == factor) & (frame["group"] == 1)][
        "rhs"
    ].tolist()
    count = 0
    for item in items:
        if item in lv:
            continue
        if kind == "loadings":
            keys = [(factor, "=~", item)]
        elif kind == "intercepts":
            keys = [(item, "~1", "")]
        else:
            keys = [
                (item, "|", t)
                for t in frame[
                    (frame["lhs"] == item) & (frame["op"] == "|") & (frame["group"] == 1)
                ]["rhs"]
            ]
        if not keys:
            continue
        ok = True
        for key in keys:
            if key in released:
                ok = False
                break
            rows = frame[
                (frame["lhs"] == key[0]) & (frame["op"] == key[1]) & (frame["rhs"] == key[2])
            ]
            labels = set(rows["label"])
            tied = len(labels) == 1 and "" not in labels
            fixed_same = bool((rows["free"] == 0).all() and rows["value"].nunique() == 1)
            if not (tied or fixed_same):
                ok = False
                break
        count += ok
    return count


def _eligible(fit, key: Key, kind: str, released: set[Key], min_invariant: int) -> bool:
    frame = _fit_frame(fit)
    if kind == "thresholds":
        # Wu & Estabrook: an item's intercept and scale stay identified with two equal thresholds
        ths = frame[(frame["lhs"] == key[0]) & (frame["op"] == "|") & (frame["group"] == 1)]["rhs"]
        if sum((key[0], "|", t) not in released | {key} for t in ths) < 2:
            return False
    if kind not in _MIN_RULE_KINDS:
        return True
    lv = set(fit.lv_names)
    item = key[2] if kind == "loadings" else key[0]
    factors = frame[(frame["op"] == "=~") & (frame["rhs"] == item) & (frame["group"] == 1)]["lhs"]
    return all(
        _invariant_count(frame, f, kind, released | {key}, lv) >= min_invariant for f in factors
    )


def _check_groups(
    data: pd.DataFrame,
    group: str,
    items: list[str],
    npar_group: int,
    missing: str,
    ordered: list[str],
) -> list[str]:
    notes: list[str] = []
    present = [i for i in items if i in data.columns]
    if len(present) < len(items):
        return notes  # the engine names the missing columns
    gcol = data[group]
    d = data[gcol.notna()]
    y = d[present].apply(pd.to_numeric, errors="coerce")
    if missing == "listwise":
        used = y.notna().all(axis=1)
    else:
        used = y.notna().any(axis=1)
    labels = [str(v) for v in pd.unique(d[group])]
    gvals = d[group].astype(str)
    sizes = {lab: int((used & (gvals == lab)).sum()) for lab in labels}
    small = {lab: n for lab, n in sizes.items() if n < max(npar_group, len(present) + 1)}
    if small:
        desc = ", ".join(f"{lab!r} has {n}" for lab, n in small.items())
        raise DataError(
            f"group(s) too small for a multi-group CFA: {desc} usable case(s), but the model has "
            f"{npar_group} free parameters per group ({len(present)} items)",
            hint=f"Merge small groups of {group} with similar ones (recode the column), leave them out of "
            "the comparison, or collect more responses; a group needs more cases than the model has free "
            "parameters per group (ideally several times more).",
            location=f"column {group}",
        )
    if ordered:
        problems = []
        for item in ordered:
            if item not in y.columns:
                continue
            col = y.loc[used, item]
            cats = sorted(col.dropna().unique())
            for lab in labels:
                here = set(col[gvals[used] == lab].dropna().unique())
                absent = [c for c in cats if c not in here]
                if absent:
                    problems.append(
                        f"{item}: category {', '.join(_fmt_cat(c) for c in absent)} not used in group {lab!r}"
                    )
        if problems:
            raise DataError(
                "ordinal items have categories that some groups never used, so their thresholds cannot be "
                "compared across groups: "
                + "; ".join(problems[:8])
                + ("; ..." if len(problems) > 8 else ""),
                hint="Merge the empty category with its neighbour for that item in every group (e.g. recode the "
                "top two answers into one), or merge the small groups; then rerun.",
                location=f"column {group}",
            )
    return notes


def _fmt_cat(c: float) -> str:
    return str(int(c)) if float(c).is_integer() else f"{c:g}"


def _latent_means(fit) -> pd.DataFrame:
    cols = ["factor", "group", "mean", "se", "z", "pvalue", "d"]
    pe = fit.partable
    lv = list(fit.lv_names)
    labels = list(fit.group_labels)
    recs = []
    for f in lv:
        var_rows = pe[(pe["lhs"] == f) & (pe["op"] == "~~") & (pe["rhs"] == f)].sort_values("group")
        var = var_rows["est"].to_numpy()
        mean_rows = pe[(pe["lhs"] == f) & (pe["op"] == "~1")].sort_values("group")
        for _, r in mean_rows.iterrows():
            g = int(r["group"]) - 1
            if g == 0:
                continue
            n0, ng = fit.nobs[0], fit.nobs[g]
            pooled = (n0 * var[0] + ng * var[g]) / (n0 + ng) if len(var) > g else _NAN
            se = float(r["se"]) if r["free"] > 0 else _NAN
            z = float(r["est"]) / se if se and np.isfinite(se) and se > 0 else _NAN
            p = float(2 * stats.norm.sf(abs(z))) if np.isfinite(z) else _NAN
            d = float(r["est"]) / math.sqrt(pooled) if pooled and pooled > 0 else _NAN
            recs.append([f, labels[g], float(r["est"]), se, z, p, d])
    return pd.DataFrame(recs, columns=cols)


def invariance(
    model: str,
    data: pd.DataFrame,
    group: str,
    estimator: str = "ML",
    ordered: Iterable[str] | bool | None = None,
    *,
    missing: str = "listwise",
    std_lv: bool = False,
    steps: Sequence[str] | None = None,
    group_partial: str | Iterable[str] = (),
    search_partial: bool = False,
    rule: InvarianceRule | str | Mapping[str, Any] | None = None,
    min_invariant: int = 2,
    max_release: int | None = None,
    stop_on_failure: bool = True,
    structural: bool = True,
    parameterization: str = "delta",
) -> InvarianceResult:
    """Test measurement invariance across groups: configural, metric, scalar and strict models in
    one joint multi-group CFA each, their difference tests and fit changes, a decision per step,
    partial invariance on request, and latent variances and means once scalar invariance holds.

    Parameters
    ----------
    model
        lavaan model syntax of the measurement model (``"F =~ x1 + x2 + x3"``).
    data
        One row per respondent, with the items and the ``group`` column.
    group
        Column whose values define the groups (two or more; rows without a value are left out).
    estimator
        ``"ML"`` (chi-square difference), ``"MLR"`` (Satorra-Bentler 2001 scaled difference; robust
        CFI/RMSEA) or ``"WLSMV"`` with ``ordered`` items (Satorra 2000 scaled-and-shifted difference;
        scaled CFI/RMSEA).
    ordered
        Ordinal items (``True`` for all); their ladder follows Wu & Estabrook (2016).
    missing
        ``"listwise"`` or ``"fiml"`` (ML/MLR only).
    std_lv
        Identify factors by unit variances in the first group instead of marker loadings (the fit
        and the tests do not depend on it).
    steps
        The measurement levels to test, in order (default configural, metric, scalar, strict).
    group_partial
        Parameters free in every group despite the step's constraints, in lavaan syntax:
        ``"F =~ x3"``, ``"x3 ~ 1"``, ``"x3 ~~ x3"``.
    search_partial
        When a step fails, release its constraints one at a time, largest score test first, until
        the step holds (at least ``min_invariant`` invariant indicators per factor are kept). The
        result says that the model was found by a search.
    rule
        The decision rule: an :class:`InvarianceRule`, a preset name ("chen2007", "chen2007_small",
        "cheung_rensvold2002", "chisq") or a dict of settings (default Chen, 2007).
    min_invariant
        Indicators per factor whose loadings (intercepts) must stay equal in a partial model.
    max_release
        At most this many parameters released by the search per step (default: no limit other than
        ``min_invariant``).
    stop_on_failure
        Stop at the first step that fails (best practice); ``False`` fits every step.
    structural
        Test equal latent variances and equal latent means when scalar invariance holds.
    parameterization
        Ordinal items: "delta" (default) or "theta" (needed for the strict step).

    Returns
    -------
    InvarianceResult

    Raises
    ------
    DataError
        A group with fewer usable cases than free parameters per group; an ordinal category that a
        group never used.
    ModelError
        Syntax errors, unknown rule settings, a ``group_partial`` entry that is not in the model.

    Examples
    --------
    >>> hs = pd.read_csv("tests/data/holzinger_swineford_1939.csv")  # doctest: +SKIP
    >>> m = "visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\nspeed =~ x7 + x8 + x9"
    >>> res = invariance(m, hs, "school", rule={"configural_rmsea": 0.10})  # doctest: +SKIP
    >>> res.level_reached  # doctest: +SKIP
    'metric'
    """
    with _single_blas():
        return _invariance(
            model,
            data,
            group,
            estimator,
            ordered,
            missing=missing,
            std_lv=std_lv,
            steps=steps,
            group_partial=group_partial,
            search_partial=search_partial,
            rule=rule,
            min_invariant=min_invariant,
            max_release=max_release,
            stop_on_failure=stop_on_failure,
            structural=structural,
            parameterization=parameterization,
        )


def _invariance(
    model,
    data,
    group,
    estimator,
    ordered,
    *,
    missing,
    std_lv,
    steps,
    group_partial,
    search_partial,
    rule,
    min_invariant,
    max_release,
    stop_on_failure,
    structural,
    parameterization,
) -> InvarianceResult:
    from .cfa.partable import build_partable
    from .cfa.syntax import parse_model

    if not isinstance(data, pd.DataFrame):
        raise DataError(
            "data must be a pandas DataFrame with one column per item and the group column",
            hint="Read the responses with moscale.read_responses() or pandas.read_csv().",
        )
    if not isinstance(group, str) or group not in data.columns:
        raise ModelError(
            f"the grouping column {group!r} is not in the data",
            hint="Name the column that holds the groups, e.g. group='industry'.",
        )
    est = str(estimator).strip().upper()
    if est not in ("ML", "MLR", "WLSMV"):
        raise ModelError(
            f"unknown estimator {estimator!r} for invariance", hint="Use 'ML', 'MLR' or 'WLSMV'."
        )
    rule_obj = InvarianceRule.from_spec(rule)
    parsed = parse_model(model)
    items = parsed.variable_names
    if ordered is True:
        ordered_list = list(items)
    elif ordered in (None, False):
        ordered_list = []
    else:
        ordered_list = [str(o) for o in ordered]  # type: ignore[union-attr]
    if est == "WLSMV" and not ordered_list:
        raise ModelError(
            "WLSMV is the estimator for ordinal items, but no item is declared ordered",
            hint="Pass ordered=True (all items) or a list of the ordinal items; for continuous items use 'MLR'.",
        )
    if ordered_list and est != "WLSMV":
        raise ModelError(
            f"ordered items need estimator='WLSMV', not {estimator!r}",
            hint="Use estimator='WLSMV' with ordered items, or drop ordered= to treat them as continuous.",
        )
    if ordered_list and missing != "listwise":
        raise ModelError(
            "missing='fiml' is for continuous items (ML/MLR)",
            hint="WLSMV uses the complete cases; drop missing='fiml'.",
        )
    if min_invariant < 1:
        raise ModelError(
            "min_invariant must be at least 1",
            hint="Keep at least one invariant indicator per factor.",
        )
    miss_key = str(missing).strip().lower()
    if miss_key not in ("listwise", "fiml", "ml", "direct"):
        raise ModelError(
            f"unknown missing-data method {missing!r}",
            hint="Use missing='listwise' (complete cases) or missing='fiml' (ML/MLR).",
        )
    miss = "listwise" if miss_key == "listwise" else "ml"
    labels = [str(v) for v in pd.unique(data.loc[data[group].notna(), group])]
    if len(labels) < 2:
        raise DataError(
            f"the grouping column {group!r} has {len(labels)} value(s)",
            hint="Invariance is tested across two or more groups.",
            location=f"column {group}",
        )
    npar_group = build_partable(parsed, ngroups=1, std_lv=std_lv, meanstructure=True).npar
    if ordered_list:
        # ordinal items: thresholds instead of an intercept and a residual variance
        present = [i for i in ordered_list if i in data.columns and i in items]
        ncat = sum(int(pd.to_numeric(data[i], errors="coerce").nunique()) - 1 for i in present)
        npar_group += ncat - 2 * len(present)
    notes = _check_groups(data, group, items, npar_group, miss, ordered_list)
    n_missing_group = int(data[group].isna().sum())
    if n_missing_group:
        notes.append(f"{n_missing_group} case(s) without a value of {group} were left out.")
    if ordered_list:
        return _ordinal_invariance(
            model=model,
            data=data,
            group=group,
            ordered=ordered_list,
            steps=steps,
            group_partial=group_partial,
            search_partial=search_partial,
            rule=rule_obj,
            min_invariant=min_invariant,
            max_release=max_release,
            stop_on_failure=stop_on_failure,
            structural=structural,
            std_lv=std_lv,
            notes=notes,
            parameterization=parameterization,
            ngroups=len(labels),
        )

    ladder = list(steps) if steps is not None else list(LEVELS)
    unknown = [s for s in ladder if s not in _CONTINUOUS_STEPS]
    if unknown or not ladder or ladder[0] != "configural":
        raise ModelError(
            f"unknown or misplaced invariance step {unknown[0]!r}"
            if unknown
            else "the ladder must start at configural",
            hint="Steps are, in order: configural, metric, scalar, strict.",
        )
    ladder = [s for s in LEVELS if s in ladder]

    user_released = _check_partial(group_partial, parsed, ordinal=False)
    settings = _Settings(model, data, group, est, [], miss, std_lv, len(labels))

    state = _Ladder(settings, rule_obj, min_invariant, max_release, search_partial)
    state.notes.extend(notes)
    return state.run(ladder, user_released, stop_on_failure, structural)


class _Ladder:
    """The sequential fitting, kept in one place so the ordinal ladder can reuse it."""

    def __init__(
        self,
        settings: _Settings,
        rule: InvarianceRule,
        min_invariant: int,
        max_release,
        search: bool,
    ):
        self.s = settings
        self.rule = rule
        self.min_invariant = min_invariant
        self.max_release = max_release
        self.search = search
        self.rows: list[dict] = []
        self.fits: dict[str, Any] = {}
        self.notes: list[str] = []
        self.search_rows: list[dict] = []
        self.score = ScoreTestTables()
        self._first_scores: pd.DataFrame | None = None
        self._baseline: dict | None = None
        self._syntax: dict[int, str] = {}
        self.decisions: dict[str, str] = {}
        self.step_kinds = _CONTINUOUS_STEPS
        self.fitter = _fit

    def fit(self, group_equal: tuple[str, ...], released: Sequence[Key]):
        fit, notes, syntax = self.fitter(self.s, group_equal, released)
        self._syntax[id(fit)] = syntax
        # Every model of the ladder has the same baseline (independence) model: fit it once.
        # (CFAResult caches it in ``_cache["baseline"]``.)
        cache = getattr(fit, "_cache", None)
        if isinstance(cache, dict) and hasattr(fit, "_baseline"):
            if self._baseline is None:
                self._baseline = fit._baseline()
            cache.setdefault("baseline", self._baseline)
        for n in notes + list(fit.warnings):
            if n not in self.notes:
                self.notes.append(n)
        return fit

    def run(
        self, ladder: list[str], user_released: list[Key], stop_on_failure: bool, structural: bool
    ):
        s = self.s
        lv_names = None
        conf = self.fit((), [])
        lv_names = list(conf.lv_names)
        if not conf.converged:
            raise ModelError(
                "the configural model did not converge, so invariance cannot be tested",
                hint="Check the model in each group separately with cfa(); a group may be too small or an item "
                "may not vary in it.",
            )
        row = _row("configural", "configural", conf, s.estimator, (), [])
        holds, text = self.rule.check_configural(row["cfi"], row["rmsea"])
        row["decision"] = "holds" if holds else "fails"
        row["rule"] = f"{text} ({self.rule.describe('configural')})"
        self.rows.append(row)
        self.fits["configural"] = conf
        self.decisions["configural"] = row["decision"]
        level = "configural" if holds else "none"
        full_level = level
        full_chain = holds
        partial = False
        ref_fit, ref_row = conf, row
        released: list[Key] = []
        stopped = not holds and stop_on_failure
        if not holds:
            self.notes.append(
                f"The configural model fits poorly ({text}): the factor structure itself differs between groups "
                "or does not fit, so the equality constraints cannot be judged"
                + (
                    ". The ladder stops here."
                    if stop_on_failure
                    else "; the later steps are shown for information."
                )
            )
        scalar_fit = None
        scalar_released: list[Key] = []
        for step in ladder[1:]:
            if stopped:
                self.decisions[step] = "not tested"
                continue
            kinds = self.step_kinds[step]
            new = _NEW_KINDS.get(step, ())
            rel_user = [k for k in user_released if _kind_of(k, lv_names) in kinds]
            rel = list(dict.fromkeys(released + rel_user))
            fit = self.fit(kinds, rel)
            name = step if not any(_kind_of(k, lv_names) in new for k in rel) else f"partial {step}"
            row = _row(name, step, fit, s.estimator, kinds, rel)
            if not fit.converged:
                row["decision"] = "fails"
                row["rule"] = "the model did not converge"
                self.rows.append(row)
                self.fits[name] = fit
                self.decisions[step] = "fails"
                stopped = stop_on_failure
                continue
            test = _difference(ref_fit, fit, s.estimator)
            deltas = _compare(row, ref_row, test)
            ok, text = self.rule.check(step, deltas, test)
            row["decision"] = (
                ("holds (partial)" if name.startswith("partial") else "holds") if ok else "fails"
            )
            row["rule"] = f"{text} ({self.rule.describe(step)})"
            if test.note:
                self.notes.append(f"{step}: {test.note}")
            self.rows.append(row)
            self.fits[name] = fit
            if not ok:
                found = None
                if self.search:
                    found = self._search(step, kinds, new, rel, fit, ref_fit, ref_row, lv_names)
                if found is not None:
                    self.score.put(step, self._first_scores)
                    fit, row, rel = found
                    ok = True
                    self.rows.append(row)
                    self.fits[row["step"]] = fit
                elif stop_on_failure:
                    st = self.score[step] if step in self.score else score_tests(fit, kinds=new)
                    self.score.put(step, st)
                    top = _candidates(st, fit.ngroups)
                    if not top.empty:
                        show = ", ".join(
                            f"{r.parameter} (X2 = {r.X2:.2f})" for r in top.head(3).itertuples()
                        )
                        self.notes.append(
                            f"{step} invariance does not hold; the constraints the data argue against most are "
                            f"{show}. Partial invariance can be tested with group_partial=[...] or "
                            "search_partial=True."
                        )
                else:
                    # computed when first looked at (the ladder goes on; nothing here needs them)
                    self.score.defer(step, fit, new)
                    self.notes.append(
                        f"{step} invariance does not hold; score_tests[{step!r}] ranks its constraints by how "
                        "much releasing each would improve the fit."
                    )
            if ok:
                self.decisions[step] = row["decision"]
                if step in LEVELS:
                    level = step
                if row["decision"] == "holds" and full_chain:
                    full_level = step if step in LEVELS else full_level
                else:
                    full_chain = False
                partial = partial or row["decision"] == "holds (partial)"
                ref_fit, ref_row = fit, row
                released = rel
                if step == "scalar":
                    scalar_fit, scalar_released = fit, list(rel)
            else:
                self.decisions[step] = "fails"
                full_chain = False
                if stop_on_failure:
                    stopped = True
                else:
                    # shown for information: the next step is compared with this (nested) one
                    ref_fit, ref_row = fit, row
        if not stop_on_failure:
            level, full_level, partial = self._levels_in_order(ladder)
        structural_df = pd.DataFrame(
            columns=[
                "test",
                "compared_with",
                "method",
                "stat",
                "df",
                "pvalue",
                "delta.cfi",
                "delta.rmsea",
                "conclusion",
            ]
        )
        latent = pd.DataFrame(columns=["factor", "group", "mean", "se", "z", "pvalue", "d"])
        if scalar_fit is not None and level in ("scalar", "strict"):
            latent = _latent_means(scalar_fit)
            if structural:
                structural_df = self._structural(scalar_fit, scalar_released)
        result_notes = self._method_notes(partial, released, user_released) + self.notes
        return InvarianceResult(
            steps=pd.DataFrame(self.rows),
            decisions={k: self.decisions.get(k, "not tested") for k in ladder},
            level_reached=level,
            full_level_reached=full_level,
            partial=partial,
            released=[_key_text(k) for k in released],
            search=pd.DataFrame(
                self.search_rows,
                columns=[
                    "step",
                    "parameter",
                    "X2",
                    "df",
                    "pvalue",
                    "chisq",
                    "df.model",
                    "cfi",
                    "rmsea",
                    "delta.cfi",
                    "delta.rmsea",
                    "decision",
                ],
            ),
            score_tests=self.score,
            structural=structural_df,
            latent_means=latent,
            notes=result_notes,
            rule=self.rule,
            estimator=s.estimator,
            missing=s.missing,
            group=s.group,
            group_labels=list(conf.group_labels),
            nobs=list(conf.nobs),
            model=s.model,
            ordered=list(s.ordered),
            fits=self.fits,
            syntax={
                name: lavaan_syntax(self._syntax.get(id(f), "")) for name, f in self.fits.items()
            },
        )

    def _levels_in_order(self, ladder: list[str]) -> tuple[str, str, bool]:
        level = full = "none"
        partial = False
        chain = True
        full_chain = True
        for step in ladder:
            d = self.decisions.get(step, "not tested")
            if chain and d in ("holds", "holds (partial)"):
                level = step if step in LEVELS else level
                partial = partial or d == "holds (partial)"
            else:
                chain = False
            if full_chain and d == "holds":
                full = step if step in LEVELS else full
            else:
                full_chain = False
        return level, full, partial

    def _search(self, step, kinds, new, rel, fit, ref_fit, ref_row, lv_names):
        released = list(rel)
        current = fit
        n_rel = 0
        while True:
            if self.max_release is not None and n_rel >= self.max_release:
                self.notes.append(
                    f"The search for partial {step} invariance stopped after {n_rel} release(s) (max_release)."
                )
                return None
            st = _score_tests(current, new)
            if n_rel == 0:
                self._first_scores = st
                self.score.put(step, st)
            cand = _candidates(st, current.ngroups)
            chosen = None
            for r in cand.itertuples():
                key = (r.lhs, r.op, r.rhs)
                if key in released:
                    continue
                if _eligible(current, key, r.kind, set(released), self.min_invariant):
                    chosen = r
                    break
            if chosen is None:
                self.notes.append(
                    f"Partial {step} invariance was not reached: no constraint can be released while keeping "
                    f"at least {self.min_invariant} invariant indicator(s) per factor."
                )
                return None
            key = (chosen.lhs, chosen.op, chosen.rhs)
            released.append(key)
            n_rel += 1
            current = self.fit(kinds, released)
            name = f"partial {step}"
            if name in self.fits:  # the user's partial model failed; the search goes further
                name += " (search)"
            row = _row(name, step, current, self.s.estimator, kinds, released)
            if not current.converged:
                self.search_rows.append(
                    {
                        "step": step,
                        "parameter": chosen.parameter,
                        "X2": chosen.X2,
                        "df": chosen.df,
                        "pvalue": chosen.pvalue,
                        "decision": "did not converge",
                    }
                )
                return None
            test = _difference(ref_fit, current, self.s.estimator)
            deltas = _compare(row, ref_row, test)
            ok, text = self.rule.check(step, deltas, test)
            row["decision"] = "holds (partial)" if ok else "fails"
            row["rule"] = f"{text} ({self.rule.describe(step)})"
            self.search_rows.append(
                {
                    "step": step,
                    "parameter": chosen.parameter,
                    "X2": float(chosen.X2),
                    "df": int(chosen.df),
                    "pvalue": float(chosen.pvalue),
                    "chisq": row["chisq"],
                    "df.model": row["df"],
                    "cfi": row["cfi"],
                    "rmsea": row["rmsea"],
                    "delta.cfi": row["delta.cfi"],
                    "delta.rmsea": row["delta.rmsea"],
                    "decision": row["decision"],
                }
            )
            if ok:
                return current, row, released

    def _structural(self, scalar_fit, released: list[Key]) -> pd.DataFrame:
        recs = []
        base_kinds = self.step_kinds["scalar"]
        ref_row = _row("scalar", "scalar", scalar_fit, self.s.estimator, base_kinds, released)
        for kind, label in (
            ("lv.variances", "equal latent variances"),
            ("means", "equal latent means"),
        ):
            fit = self.fit(tuple(base_kinds) + (kind,), released)
            name = (
                "partial scalar"
                if any(_kind_of(k, scalar_fit.lv_names) in _NEW_KINDS["scalar"] for k in released)
                else "scalar"
            )
            if not fit.converged:
                recs.append(
                    {"test": label, "compared_with": name, "conclusion": "did not converge"}
                )
                continue
            self.fits[label] = fit
            test = _difference(scalar_fit, fit, self.s.estimator)
            row = _row(
                label, "structural", fit, self.s.estimator, tuple(base_kinds) + (kind,), released
            )
            deltas = _compare(row, ref_row, test)
            equal = bool(test.pvalue >= self.rule.structural_alpha)
            what = "variances" if kind == "lv.variances" else "means"
            recs.append(
                {
                    "test": label,
                    "compared_with": name,
                    "method": test.method,
                    "stat": test.statistic,
                    "df": test.df,
                    "pvalue": test.pvalue,
                    "delta.cfi": deltas["cfi"],
                    "delta.rmsea": deltas["rmsea"],
                    "conclusion": (
                        f"latent {what} do not differ detectably (p = {_f3(test.pvalue)} >= "
                        f"{self.rule.structural_alpha:g})"
                        if equal
                        else f"latent {what} differ between groups (p = {_f3(test.pvalue)} < "
                        f"{self.rule.structural_alpha:g})"
                    ),
                }
            )
        return pd.DataFrame(recs)

    def _method_notes(
        self, partial: bool, released: list[Key], user_released: list[Key]
    ) -> list[str]:
        s = self.s
        notes = []
        if s.estimator == "ML":
            notes.append("Nested models are compared with the chi-square difference test.")
        elif s.estimator == "MLR":
            notes.append(
                "Nested models are compared with the Satorra-Bentler (2001) scaled chi-square difference test; "
                "CFI, TLI and RMSEA are the robust versions (Brosseau-Liard & Savalei, 2014) where available."
            )
        else:
            notes.append(
                "Nested models are compared with Satorra's (2000) scaled-and-shifted difference test "
                "(lavaan's default for WLSMV); CFI, TLI and RMSEA are the scaled versions."
            )
        notes.append("Decision rule: " + self.rule.describe("scalar") + ".")
        auto = [k for k in released if k not in user_released]
        if auto:
            notes.append(
                "Partial invariance was reached by an automatic specification search that released "
                + ", ".join(_key_text(k) for k in auto)
                + " one at a time (largest score test first) and stopped at the first acceptable model. "
                "Such searches capitalise on chance (MacCallum, Roznowski & Necowitz, 1992): report the model as "
                "found by a search and confirm it in new data."
            )
        elif partial:
            notes.append(
                "Partial invariance rests on the parameters released by the user: "
                + ", ".join(_key_text(k) for k in released)
                + "."
            )
        return notes


def _candidates(st: pd.DataFrame, ngroups: int) -> pd.DataFrame:
    """The per-parameter score tests (the joint test with three or more groups)."""
    if st.empty:
        return st
    if ngroups > 2:
        st = st[st["groups"] == "all"]
    return st.sort_values("X2", ascending=False, kind="stable").reset_index(drop=True)


# ----------------------------------------------------------------------------------------------
# Ordinal items: Wu & Estabrook (2016)
# ----------------------------------------------------------------------------------------------

#: The ordinal ladder and the kinds each step constrains (Wu & Estabrook, 2016).
ORDINAL_STEPS = {
    "configural": (),
    "thresholds": ("thresholds",),
    "metric": ("thresholds", "loadings"),
    "scalar": ("thresholds", "loadings", "intercepts"),
    "strict": ("thresholds", "loadings", "intercepts", "residuals"),
}
_EQ_PREFIX = "we."


def wu_estabrook_syntax(
    model: str,
    n_thresholds: Mapping[str, int],
    ngroups: int,
    group_equal: Sequence[str] = (),
    released: Sequence[Key] = (),
    parameterization: str = "delta",
) -> str:
    """lavaan syntax of an ordinal multi-group CFA identified as Wu & Estabrook (2016) propose.

    Every parameter is written out per group (``c(...)``), as ``semTools::measEq.syntax(ID.cat =
    "Wu.Estabrook.2016", ID.fac = "std.lv")`` does. Factors have mean 0 and variance 1 in the first
    group. With ``group_equal`` (any of "thresholds", "loadings", "intercepts", "residuals",
    "lv.variances", "means") and ``released`` (parameters kept free across groups):

    * thresholds equal -> in groups 2..G each item's intercept is free once at least one of its
      thresholds is equal, and its scale factor (delta; the residual variance under theta) once at
      least two are;
    * loadings equal -> the latent variances are free in groups 2..G;
    * intercepts equal -> intercepts are 0 in every group (released ones stay free) and the latent
      means are free in groups 2..G;
    * residuals equal (theta only) -> residual variances 1 in every group;
    * "lv.variances" / "means" -> latent variances 1 / means 0 in every group.

    Equality labels start with ``we.`` (``we.lam.F.x1``), group-specific labels end in ``.g<k>``.
    """
    from .cfa.syntax import parse_model

    ge = set(group_equal)
    rel = set(released)
    parsed = parse_model(model)
    lv = parsed.latent_names
    lvset = set(lv)
    loads = [s for s in parsed.statements if s.op == "=~"]
    if any(s.rhs in lvset for s in loads):
        raise ModelError(
            "invariance of second-order factors with ordinal items is not supported",
            hint="Test the first-order factors' invariance, or treat the items as continuous (MLR).",
        )
    items = []
    for s in loads:
        if s.rhs not in items:
            items.append(s.rhs)
    theta = parameterization == "theta"
    if "residuals" in ge and not theta:
        raise ModelError(
            "equal residual variances of ordinal items can only be tested with parameterization='theta'",
            hint="Under the delta parameterization residual variances are not parameters; leave out the "
            "strict step or use the theta parameterization.",
        )
    G = ngroups

    def fixed(values) -> str:
        return "c(" + ", ".join(_fmt_value(v) for v in values) + ")"

    def labels(base: str, equal: bool) -> str:
        if equal:
            return "c(" + ", ".join([_EQ_PREFIX + base] * G) + ")"
        return "c(" + ", ".join(f"{base}.g{g + 1}" for g in range(G)) + ")"

    def first_fixed(value: float, free_rest: bool) -> list:
        return [value] + [None if free_rest else value] * (G - 1)

    lines: list[str] = []
    for s in loads:
        key = (s.lhs, "=~", s.rhs)
        if s.modifier.fixed is not None and all(v is not None for v in s.modifier.fixed):
            lines.append(_statement_text(s.lhs, "=~", s.rhs, s.modifier.fixed, None, None))
            continue
        eq = "loadings" in ge and key not in rel
        lines.append(f"{s.lhs} =~ {fixed([None] * G)}*{labels(f'lam.{s.lhs}.{s.rhs}', eq)}*{s.rhs}")
    for item in items:
        k = int(n_thresholds[item])
        n_eq = 0
        terms = []
        for t in range(1, k + 1):
            key = (item, "|", f"t{t}")
            eq = "thresholds" in ge and key not in rel
            n_eq += eq
            terms.append(f"{fixed([None] * G)}*{labels(f'th.{item}.t{t}', eq)}*t{t}")
        lines.append(f"{item} | " + " + ".join(terms))
        int_key = (item, "~1", "")
        int_equal = "intercepts" in ge and int_key not in rel
        int_free = n_eq >= 1 and not int_equal
        lines.append(
            f"{item} ~ {fixed(first_fixed(0.0, int_free))}*{labels(f'nu.{item}', False)}*1"
        )
        scale_free = n_eq >= 2 or (n_eq >= 1 and int_equal)
        res_key = (item, "~~", item)
        if theta:
            res_equal = "residuals" in ge and res_key not in rel
            free = scale_free and not res_equal
            lines.append(
                f"{item} ~~ {fixed(first_fixed(1.0, free))}*{labels(f'theta.{item}', False)}*{item}"
            )
        else:
            lines.append(f"{item} ~*~ {fixed(first_fixed(1.0, scale_free))}*{item}")
    metric = "loadings" in ge
    scalar = "intercepts" in ge
    for f in lv:
        mean_free = (
            scalar
            and "means" not in ge
            and (f, "~1", "") not in rel
            or (scalar and (f, "~1", "") in rel)
        )
        lines.append(f"{f} ~ {fixed(first_fixed(0.0, mean_free))}*{labels(f'alpha.{f}', False)}*1")
        var_free = metric and "lv.variances" not in ge or (metric and (f, "~~", f) in rel)
        lines.append(
            f"{f} ~~ {fixed(first_fixed(1.0, var_free))}*{labels(f'psi.{f}.{f}', False)}*{f}"
        )
    for i, a in enumerate(lv):
        for b in lv[i + 1 :]:
            explicit = any(s.op == "~~" and {s.lhs, s.rhs} == {a, b} for s in parsed.statements)
            if not explicit:
                lines.append(f"{a} ~~ {fixed([None] * G)}*{labels(f'psi.{a}.{b}', False)}*{b}")
    for s in parsed.statements:
        if s.op == "=~":
            continue
        if s.op == "~~" and s.lhs == s.rhs and (s.lhs in items or s.lhs in lvset):
            raise ModelError(
                f"{s.lhs} ~~ {s.rhs}: variances are set by the invariance ladder",
                hint="Leave variances out of the model syntax for ordinal invariance testing.",
            )
        if s.op == "~1":
            raise ModelError(
                f"{_key_text((s.lhs, '~1', ''))}: intercepts and means are set by the invariance ladder",
                hint="Leave intercepts out of the model syntax for ordinal invariance testing.",
            )
        lines.append(
            _statement_text(
                s.lhs, s.op, s.rhs, s.modifier.fixed, s.modifier.label, s.modifier.start
            )
        )
    return "\n".join(lines)


def _fit_ordinal(settings: _Settings, group_equal: tuple[str, ...], released: Sequence[Key]):
    from .cfa.wls import cfa_ordinal

    syntax = wu_estabrook_syntax(
        settings.model,
        settings.n_thresholds,
        settings.ngroups,
        group_equal,
        released,
        settings.parameterization,
    )
    fit = cfa_ordinal(
        syntax,
        settings.data,
        ordered=settings.ordered,
        estimator="WLSMV",
        parameterization=settings.parameterization,
        group=settings.group,
    )
    return fit, list(getattr(fit, "notes", [])), syntax


def _ordinal_invariance(
    *,
    model: str,
    data: pd.DataFrame,
    group: str,
    ordered: list[str],
    steps: Sequence[str] | None,
    group_partial,
    search_partial: bool,
    rule: InvarianceRule,
    min_invariant: int,
    max_release: int | None,
    stop_on_failure: bool,
    structural: bool,
    std_lv: bool,
    notes: list[str],
    parameterization: str,
    ngroups: int,
) -> InvarianceResult:
    from .cfa.syntax import parse_model

    if parameterization not in ("delta", "theta"):
        raise ModelError(
            f"unknown parameterization {parameterization!r}",
            hint="Use parameterization='delta' (the default) or 'theta' (needed for the strict step).",
        )
    default = ["configural", "thresholds", "metric", "scalar"] + (
        ["strict"] if parameterization == "theta" else []
    )
    ladder = list(steps) if steps is not None else default
    unknown = [s for s in ladder if s not in ORDINAL_STEPS]
    if unknown or not ladder or ladder[0] != "configural":
        raise ModelError(
            f"unknown or misplaced invariance step {unknown[0]!r}"
            if unknown
            else "the ladder must start at configural",
            hint="Steps for ordinal items are, in order: configural, thresholds, metric, scalar, strict "
            "(strict with parameterization='theta').",
        )
    ladder = [s for s in ORDINAL_STEPS if s in ladder]
    if "strict" in ladder and parameterization != "theta":
        raise ModelError(
            "the strict step (equal residual variances) of ordinal items needs parameterization='theta'",
            hint="Pass parameterization='theta', or leave 'strict' out of steps.",
        )
    parsed = parse_model(model)
    items = [v for v in parsed.variable_names if v not in set(parsed.latent_names)]
    rows = data[data[group].notna()]
    complete = rows[items].apply(pd.to_numeric, errors="coerce").dropna()
    n_thresholds = {i: int(complete[i].nunique()) - 1 for i in items if i in complete}
    settings = _Settings(
        model,
        data,
        group,
        "WLSMV",
        list(ordered),
        "listwise",
        True,
        ngroups,
        n_thresholds,
        parameterization,
    )
    user_released = _check_partial(
        group_partial, parsed, ordinal=True, theta=parameterization == "theta"
    )
    state = _Ladder(settings, rule, min_invariant, max_release, search_partial)
    state.step_kinds = ORDINAL_STEPS
    state.fitter = _fit_ordinal
    state.notes.extend(notes)
    if std_lv is False:
        state.notes.append(
            "Ordinal models are identified as Wu & Estabrook (2016) propose: factor means 0 and variances 1 "
            "in the first group (std_lv does not apply)."
        )
    return state.run(ladder, user_released, stop_on_failure, structural)
