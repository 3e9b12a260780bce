"""Ordinal CFA by (diagonally) weighted least squares: WLSMV, WLSM, ULSMV, ULSM, DWLS, ULS, WLS.

The model is fitted to the sample thresholds and polychoric correlations ``s`` of
:mod:`.wls_samplestats` (lavaan's ``WLS.obs``), per group g, by minimising

    F(x) = sum_g (N_g - 1)/(2N) (s_g - sigma_g(x))' W_g (s_g - sigma_g(x))      (lavaan's ``fmin``)

with ``W = diag(Gamma)^-1`` (DWLS; WLSMV, WLSM), ``W = I`` (ULS; ULSMV, ULSM) or ``W = Gamma^-1``
(WLS). The model-implied moments are, with the LISREL all-y matrices of :mod:`.matrices`
(``Sigma = Lambda A Psi A' Lambda' + Theta``, ``mu = nu + Lambda A alpha``) and the scale factors
``Delta_i`` of the latent responses y*:

    tau*_ik = Delta_i (tau_ik - mu_i),        rho*_ij = Delta_i Delta_j Sigma_ij.

Continuous indicators may be mixed in (``ordered=`` a subset, as lavaan): each contributes ``-mu_i``
to the threshold block, its variance ``Sigma_ii`` to a variance block, and covariances
``Delta_j Sigma_ij`` (its own scale factor is 1); its intercept and residual variance are free.

*Delta parameterisation* (lavaan's default): ``Delta_i`` is a parameter (``y ~*~ y``, fixed at 1 in
the first group) and the residual variances are not: ``theta_ii = 1/Delta_i^2 - (Lambda A Psi A'
Lambda')_ii``. *Theta parameterisation*: ``theta_ii`` is a parameter (fixed at 1 in the first group)
and ``Delta_i = 1/sqrt(Sigma_ii)``. (Muthen & Asparouhov, 2002.)

The Jacobian ``D = d sigma / d x`` is analytic (chain rule through the model matrices and the scale
factors), and the minimum is found by Gauss-Newton steps ``x <- x + (D'WD)^-1 D'W (s - sigma)`` with a
backtracking line search (BFGS as a fallback).

Inference (lavaan 0.6.14, ``se = "robust.sem"``), with ``f_g = N_g/N``, ``E = sum_g f_g D_g' W_g D_g``:

    Var(x) = E^-1 (sum_g f_g D_g' W_g Gamma_g W_g D_g) E^-1 / (N - G)

(``se = "standard"``: ``E^-1 / (N - G)``). Test statistics: ``T = sum_g (N_g - 1) (s-sigma)'W(s-sigma)``
on ``df = sum_g q_g - npar``; with ``U = V - V D E^-1 D' V`` (``V = blockdiag(f_g W_g)``,
``Gamma_f = blockdiag(Gamma_g / f_g)``) and ``t1 = tr(U Gamma_f)``, ``t2 = tr((U Gamma_f)^2)``:

* mean-adjusted (Satorra & Bentler, 1994; "WLSM"): ``T / c`` with ``c = t1/df``;
* scaled and shifted (Asparouhov & Muthen, 2010; "WLSMV"): ``a T + b`` with ``a = sqrt(df/t2)``,
  ``b = df - a t1``; lavaan reports ``chisq.scaling.factor = 1/a`` and ``shift = b``;
* mean-and-variance adjusted (Satterthwaite): ``T / c`` on ``df* = t1^2/t2``, ``c = t1/df*``.

The baseline model has free thresholds and zero correlations in every group. ``cfi.scaled``,
``tli.scaled`` and ``rmsea.scaled`` apply the usual formulas to the scaled statistics (the "scaled"
approach lavaan reports); RMSEA uses ``N - G`` cases. The ``.robust`` indices follow lavaan 0.6.14
(Savalei, 2021): the model is evaluated by normal-theory ML on the polychoric correlation matrix at the
DWLS estimates ("catML"), ``T_ML = sum_g N_g [log|Sigma| + tr(S Sigma^-1) - log|S| - p]``, with the
correction ``c = tr(M' V_ML M Gamma) / df``, ``M = I - D E^-1 D' W`` (correlation block only,
``V_ML[(ij),(kl)] = s^ik s^jl + s^il s^jk`` at the implied Sigma), and for the baseline
``T_b = -sum_g N_g log|S_g|``, ``c_b = tr(Gamma_cor) / df_b``. lavaan leaves them NA -- and so do
we, with the reason in ``notes`` -- when a polychoric matrix is not positive definite.

Modification indices (:func:`ordinal_modification_indices`) are the score tests of
:mod:`.modindices` with this fit function: ``MI = N g^2 / V``, g the gradient of F and V from the
information ``E`` of the model extended by the candidates (lavaan's ``modindices()``).

SRMR is lavaan's for categorical data: the root mean square of the correlation residuals over
``p(p-1)/2 + p`` elements (the diagonal residuals are zero).

References
----------
Asparouhov, T., & Muthen, B. (2010). Simple second order chi-square correction. Mplus technical
appendix.
Muthen, B. (1984). A general structural equation model with dichotomous, ordered categorical, and
continuous latent variable indicators. Psychometrika, 49, 115-132.
Muthen, B., du Toit, S. H. C., & Spisic, D. (1997). Robust inference using weighted least squares and
quadratic estimating equations in latent variable modeling with categorical and continuous outcomes.
Unpublished manuscript.
Muthen, B., & Asparouhov, T. (2002). Latent variable analysis with categorical outcomes: Multiple-group
and growth modeling in Mplus. Mplus Web Notes, 4.
Satorra, A., & Bentler, P. M. (1994). Corrections to test statistics and standard errors in covariance
structure analysis. In A. von Eye & C. C. Clogg (Eds.), Latent variables analysis (pp. 399-419).
Savalei, V. (2021). Improving fit indices in structural equation modeling with categorical data.
Multivariate Behavioral Research, 56, 390-407.
Green, S. B., & Yang, Y. (2009). Reliability of summed item scores using structural equation modeling:
An alternative to coefficient alpha. Psychometrika, 74, 155-167.
Wu, H., & Estabrook, R. (2016). Identification of confirmatory factor analysis models of different
levels of invariance for ordered categorical outcomes. Psychometrika, 81, 1014-1045.
Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. Journal of Statistical
Software, 48(2), 1-36.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special
from scipy import stats as sstats

from moscale.errors import DataError, ModelError, UserError

from . import fit as fitfun
from .matrices import ModelMatrices
from .modindices import MI_COLUMNS, candidate_rows, extended_frame, mi_table, score_test
from .partable import (
    GROUP_EQUAL_KINDS,
    PT_COLUMNS,
    ParTable,
    build_partable,
    count_free,
    equality_classes,
    fix_classes,
)
from .syntax import Modifier, ParsedModel, Statement, parse_model
from .wald import estimate_table
from .wls_samplestats import OrdinalGroupStats, ordinal_sample_stats

__all__ = [
    "ORDINAL_GROUP_EQUAL_KINDS",
    "WLS_ESTIMATORS",
    "EstimatorSpec",
    "OrdinalCFAResult",
    "OrdinalParTable",
    "build_ordinal_partable",
    "cfa_ordinal",
    "estimator_spec",
    "maybe_cfa_ordinal",
    "ordinal_composite_reliability",
    "ordinal_modification_indices",
    "parse_ordinal_model",
]

#: Estimators for ordered-categorical indicators (lavaan names).
WLS_ESTIMATORS = ("WLSMV", "WLSM", "ULSMV", "ULSM", "DWLS", "ULS", "WLS")
ORDINAL_GROUP_EQUAL_KINDS = (*GROUP_EQUAL_KINDS, "thresholds")
_TESTS = ("standard", "satorra.bentler", "scaled.shifted", "mean.var.adjusted")


# ---------------------------------------------------------------------------------------------
# Estimator choice
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EstimatorSpec:
    """What an estimator name means (lavaan 0.6.14).

    ``weight``: "DWLS", "ULS" or "WLS"; ``se``: "robust.sem" or "standard"; ``test``: one of
    "standard", "satorra.bentler" (mean-adjusted), "scaled.shifted", "mean.var.adjusted".
    """

    name: str
    weight: str
    se: str
    test: str


_SPECS = {
    "WLSMV": ("DWLS", "robust.sem", "scaled.shifted"),
    "WLSM": ("DWLS", "robust.sem", "satorra.bentler"),
    "ULSMV": ("ULS", "robust.sem", "scaled.shifted"),
    "ULSM": ("ULS", "robust.sem", "satorra.bentler"),
    "DWLS": ("DWLS", "standard", "standard"),
    "ULS": ("ULS", "standard", "standard"),
    "WLS": ("WLS", "standard", "standard"),
}


def estimator_spec(name: str, se: str | None = None, test: str | None = None) -> EstimatorSpec:
    """Resolve an estimator name (case-insensitive) and optional ``se=``/``test=`` overrides."""
    key = str(name).upper()
    if key not in _SPECS:
        raise ModelError(
            f"estimator {name!r} is not available for ordered items",
            hint="Use WLSMV (the usual choice), ULSMV, WLSM, ULSM, DWLS, ULS or WLS.",
        )
    w, s, t = _SPECS[key]
    if se is not None:
        if se not in ("robust.sem", "standard", "robust"):
            raise ModelError(
                f"se={se!r} is not available with {key}", hint="Use se='robust.sem' or 'standard'."
            )
        s = "robust.sem" if se == "robust" else se
    if test is not None:
        if test not in _TESTS:
            raise ModelError(
                f"test={test!r} is not available with {key}",
                hint="Use one of: " + ", ".join(_TESTS),
            )
        t = test
    return EstimatorSpec(key, w, s, t)


# ---------------------------------------------------------------------------------------------
# Syntax: thresholds (|) and scale factors (~*~)
# ---------------------------------------------------------------------------------------------
_NAME = r"[A-Za-z_.][A-Za-z0-9_.]*"
_TH_RE = re.compile(rf"(^|;)([ \t]*)({_NAME})([ \t]*)\|", re.M)
_SC_RE = re.compile(rf"(^|;)([ \t]*)({_NAME})([ \t]*)~\*~", re.M)
_TH_TAG = "__th__"
_SC_TAG = "__sc__"


@dataclass(frozen=True)
class OrdinalParsedModel:
    """Parsed syntax split into the CFA core, threshold statements and scale-factor statements."""

    core: ParsedModel
    thresholds: tuple[Statement, ...]
    scales: tuple[Statement, ...]


def parse_ordinal_model(text: str) -> OrdinalParsedModel:
    """Parse lavaan syntax that may contain thresholds (``x1 | t1 + t2``) and scale factors
    (``x1 ~*~ x1``).

    The two operators are rewritten to ``=~`` under a tagged left-hand side, parsed by
    :func:`~.syntax.parse_model` (so modifiers, labels and ``c(...)`` work the same), and separated
    again.
    """
    if not isinstance(text, str):
        raise ModelError(
            "the model syntax must be text", hint="Pass lavaan model syntax as a string."
        )
    tagged = _TH_RE.sub(lambda m: f"{m[1]}{m[2]}{_TH_TAG}{m[3]}{m[4]}=~", text)
    tagged = _SC_RE.sub(lambda m: f"{m[1]}{m[2]}{_SC_TAG}{m[3]}{m[4]}=~", tagged)
    parsed = parse_model(tagged)
    core, th, sc = [], [], []
    for st in parsed.statements:
        if st.op == "=~" and st.lhs.startswith(_TH_TAG):
            lhs = st.lhs[len(_TH_TAG) :]
            if not re.fullmatch(r"t[1-9][0-9]*", st.rhs):
                raise ModelError(
                    f"threshold {lhs} | {st.rhs}: thresholds are named t1, t2, ...",
                    location=f"model syntax, line {st.line}",
                    hint=f"Write e.g. `{lhs} | t1 + t2 + t3` (one term per threshold).",
                )
            th.append(Statement(lhs, "|", st.rhs, st.modifier, st.line, st.column))
        elif st.op == "=~" and st.lhs.startswith(_SC_TAG):
            lhs = st.lhs[len(_SC_TAG) :]
            if st.rhs != lhs:
                raise ModelError(
                    f"scale factor {lhs} ~*~ {st.rhs}: both sides must be the same item",
                    location=f"model syntax, line {st.line}",
                    hint=f"Write `{lhs} ~*~ {lhs}` (with a modifier such as 1*).",
                )
            sc.append(Statement(lhs, "~*~", lhs, st.modifier, st.line, st.column))
        else:
            core.append(st)
    return OrdinalParsedModel(
        ParsedModel(tuple(_merge_repeated(core)), text),
        tuple(_merge_repeated(th)),
        tuple(_merge_repeated(sc)),
    )


def _merge_repeated(statements: list[Statement]) -> list[Statement]:
    """Merge repeated terms of one parameter, as lavaan does: ``c(NA, NA)*x1 + c(a, a)*x1`` is one
    free loading labelled ``a`` (semTools' ``measEq.syntax`` writes models this way)."""
    out: list[Statement] = []
    where: dict[tuple[str, str, str], int] = {}
    for st in statements:
        if st.op == "==":
            out.append(st)
            continue
        key = (st.lhs, st.op, st.rhs)
        if st.op == "~~" and st.rhs < st.lhs:
            key = (st.rhs, st.op, st.lhs)
        if key not in where:
            where[key] = len(out)
            out.append(st)
            continue
        prev = out[where[key]]
        merged = {}
        for attr in ("fixed", "label", "start"):
            a, b = getattr(prev.modifier, attr), getattr(st.modifier, attr)
            if a is not None and b is not None and a != b:
                raise ModelError(
                    f"{st.lhs} {st.op} {st.rhs} is given two different {attr} modifiers "
                    f"(lines {prev.line} and {st.line})",
                    location=f"model syntax, line {st.line}",
                    hint="Keep one modifier of each kind per parameter.",
                )
            merged[attr] = a if a is not None else b
        out[where[key]] = Statement(
            prev.lhs, prev.op, prev.rhs, Modifier(**merged), prev.line, prev.column
        )
    return out


# ---------------------------------------------------------------------------------------------
# Parameter table
# ---------------------------------------------------------------------------------------------
_OP_RANK = {"=~": 0, "|": 1, "~~": 2, "~*~": 3, "~1": 4}


@dataclass
class OrdinalParTable:
    """Parameter table of an ordinal CFA (lavaan's columns plus ``derived``).

    ``frame`` holds ``=~``, ``|`` (thresholds), ``~~``, ``~*~`` (scale factors) and ``~1`` rows.
    ``derived`` marks fixed rows whose reported value is computed from the others (residual
    variances under the delta parameterisation, scale factors under the theta parameterisation).
    """

    frame: pd.DataFrame
    ov_names: list[str]
    lv_names: list[str]
    ngroups: int
    parameterization: str
    warnings: list[str] = field(default_factory=list)

    @property
    def npar(self) -> int:
        return count_free(self.frame)

    def core(self) -> ParTable:
        """The ``=~``, ``~~`` and ``~1`` rows as a :class:`~.partable.ParTable` (global free indices)."""
        f = self.frame
        sel = f["op"].isin(["=~", "~~", "~1"]).to_numpy()
        cols = list(PT_COLUMNS)
        return ParTable(
            f.loc[sel, cols].reset_index(drop=True),
            list(self.ov_names),
            list(self.lv_names),
            self.ngroups,
            True,
            list(self.warnings),
        )


def _stmt_labels(statements: Sequence[Statement]) -> set[str]:
    out: set[str] = set()
    for st in statements:
        if st.modifier.label:
            out.update(lab for lab in st.modifier.label if lab)
    return out


def _per_group(values: tuple | None, g: int, ngroups: int, st: Statement, what: str):
    if values is None:
        return None
    if len(values) == 1:
        return values[0]
    if len(values) != ngroups:
        raise ModelError(
            f"{what} c(...) for {st.lhs} {st.op} {st.rhs} has {len(values)} entries but the model has "
            f"{ngroups} group(s)",
            hint="Give one entry per group, in the order of the groups.",
            location=f"model syntax, line {st.line}",
        )
    return values[g]


def build_ordinal_partable(
    parsed: OrdinalParsedModel,
    n_thresholds: dict[str, int],
    *,
    ngroups: int = 1,
    std_lv: bool = False,
    group_equal: Sequence[str] = (),
    parameterization: str = "delta",
) -> OrdinalParTable:
    """Parameter table with lavaan's ``cfa(ordered=)`` defaults.

    On top of :func:`~.partable.build_partable` (loadings, variances, covariances, with a mean
    structure): every ordinal item gets its thresholds ``x | t1, ..., t(K-1)`` (free), its intercept
    fixed at 0 and a scale factor ``x ~*~ x``; under the delta parameterisation the scale factor is
    fixed at 1 and the residual variance is derived, under the theta parameterisation the residual
    variance is fixed at 1 and the scale factor is derived. With ``"thresholds"`` in ``group_equal``
    each threshold is equal across groups and, in every group but the first, the scale factors
    (delta) or residual variances (theta) and the latent means are freed (lavaan 0.6.14; Millsap &
    Yun-Tein, 2004; see Wu & Estabrook, 2016, for when this identifies the model).

    Parameters
    ----------
    parsed
        From :func:`parse_ordinal_model`.
    n_thresholds
        Number of thresholds (categories - 1) of every ordinal item in the model.
    """
    if parameterization not in ("delta", "theta"):
        raise ModelError(
            f"parameterization={parameterization!r} is not known",
            hint="Use parameterization='delta' (lavaan's default) or 'theta'.",
        )
    bad = [k for k in group_equal if k not in ORDINAL_GROUP_EQUAL_KINDS]
    if bad:
        raise ModelError(
            f"unknown group_equal entry {bad[0]!r}",
            hint="Use any of: " + ", ".join(ORDINAL_GROUP_EQUAL_KINDS) + ".",
        )
    core_st = list(parsed.core.statements)
    core_nonlv = [s for s in core_st if s.op != "=="]
    lv = set(parsed.core.latent_names)
    ov_model = [v for v in parsed.core.variable_names if v not in lv]
    ordinal = [v for v in ov_model if v in n_thresholds]
    for st in parsed.thresholds + parsed.scales:
        if st.lhs not in ov_model:
            raise ModelError(
                f"{st.lhs} {st.op} {st.rhs}: {st.lhs} is not an indicator in the model",
                location=f"model syntax, line {st.line}",
                hint=f"Add {st.lhs} to a factor (`F =~ ... + {st.lhs}`) or remove the line.",
            )
        if st.lhs not in n_thresholds:
            raise ModelError(
                f"{st.lhs} {st.op} {st.rhs}: {st.lhs} is not an ordered item of the model",
                location=f"model syntax, line {st.line}",
                hint="Thresholds and scale factors belong to ordered indicators; add the item to "
                "ordered= or remove the line.",
            )
    # Defaults for the ordinal items, as explicit statements.
    user_keys = {(s.lhs, s.op, s.rhs) for s in core_nonlv}
    added: set[tuple[str, str, str]] = set()
    extra: list[Statement] = []
    for v in ordinal:
        if (v, "~1", "") not in user_keys:
            extra.append(Statement(v, "~1", "", Modifier(fixed=(0.0,))))
            added.add((v, "~1", ""))
        if (v, "~~", v) in user_keys:
            if parameterization == "delta":
                raise ModelError(
                    f"{v} ~~ {v}: under the delta parameterisation the residual variance of an "
                    "ordered item is not a parameter (it is 1 minus the explained variance)",
                    hint="Remove the line, or use parameterization='theta' to model residual variances.",
                )
        else:
            extra.append(Statement(v, "~~", v, Modifier(fixed=(1.0,))))
            added.add((v, "~~", v))
    known = _stmt_labels(core_nonlv)
    core_eq = [s for s in core_st if s.op == "==" and s.lhs in known and s.rhs in known]
    own_eq = [s for s in core_st if s.op == "==" and not (s.lhs in known and s.rhs in known)]
    core_parsed = ParsedModel(tuple(core_nonlv + extra + core_eq), parsed.core.text)
    ge_core = tuple(k for k in group_equal if k != "thresholds")
    pt = build_partable(
        core_parsed, ngroups=ngroups, std_lv=std_lv, meanstructure=True, group_equal=ge_core
    )
    f = pt.frame.copy()
    f["user"] = [
        0 if (lhs, op, rhs) in added else u
        for lhs, op, rhs, u in zip(f["lhs"], f["op"], f["rhs"], f["user"], strict=True)
    ]
    f["derived"] = False
    ord_set = set(ordinal)
    is_ordvar = (f["op"] == "~~") & f["lhs"].isin(ord_set) & (f["lhs"] == f["rhs"])
    if parameterization == "delta":
        f.loc[is_ordvar, "derived"] = True
    f["_key"] = [("h6", int(v)) if v > 0 else None for v in f["free"]]

    # Thresholds and scale factors.
    th_user = {(s.lhs, s.rhs): s for s in parsed.thresholds}
    sc_user = {s.lhs: s for s in parsed.scales}
    for (lhs, rhs), st in th_user.items():
        k = int(rhs[1:])
        if k > n_thresholds[lhs]:
            raise ModelError(
                f"{lhs} | {rhs}: {lhs} has only {n_thresholds[lhs]} threshold(s) "
                f"({n_thresholds[lhs] + 1} categories in the data)",
                location=f"model syntax, line {st.line}",
                hint=f"Use t1 ... t{n_thresholds[lhs]} for {lhs}.",
            )
    rows: list[dict] = []
    th_equal = "thresholds" in group_equal
    for g in range(ngroups):
        for v in ordinal:
            for k in range(1, n_thresholds[v] + 1):
                st = th_user.get((v, f"t{k}"))
                fixed = label = start = None
                if st is not None:
                    fixed = _per_group(st.modifier.fixed, g, ngroups, st, "fixed values")
                    label = _per_group(st.modifier.label, g, ngroups, st, "labels")
                    start = _per_group(st.modifier.start, g, ngroups, st, "start values")
                rows.append(
                    dict(
                        lhs=v,
                        op="|",
                        rhs=f"t{k}",
                        user=int(st is not None),
                        group=g + 1,
                        value=np.nan if fixed is None else float(fixed),
                        ustart=np.nan if start is None else float(start),
                        label=label or "",
                        derived=False,
                        _eqkind="thresholds",
                    )
                )
        for v in ordinal:
            st = sc_user.get(v)
            fixed = label = start = None
            if st is not None:
                fixed = _per_group(st.modifier.fixed, g, ngroups, st, "fixed values")
                label = _per_group(st.modifier.label, g, ngroups, st, "labels")
                start = _per_group(st.modifier.start, g, ngroups, st, "start values")
            specified = st is not None and st.modifier.fixed is not None
            if parameterization == "theta":
                if st is not None:
                    raise ModelError(
                        f"{v} ~*~ {v}: under the theta parameterisation scale factors are not "
                        "parameters",
                        location=f"model syntax, line {st.line}",
                        hint="Remove the line, or use parameterization='delta'.",
                    )
                value, derived = 1.0, True
            elif specified:
                value, derived = (np.nan if fixed is None else float(fixed)), False
            elif g > 0 and th_equal:
                value, derived = np.nan, False
            else:
                value, derived = 1.0, False
            rows.append(
                dict(
                    lhs=v,
                    op="~*~",
                    rhs=v,
                    user=int(st is not None),
                    group=g + 1,
                    value=value,
                    ustart=np.nan if start is None else float(start),
                    label=label or "",
                    derived=derived,
                    _eqkind="",
                )
            )
    add = pd.DataFrame(rows)
    if len(add):
        if th_equal and ngroups > 1:
            # one label per threshold across groups (unless the user labelled it)
            first = {}
            start_id = int(f["id"].max())
            add["id"] = np.arange(start_id + 1, start_id + 1 + len(add))
            add["plabel"] = [f".p{i}." for i in add["id"]]
            for idx in add.index[add["_eqkind"] == "thresholds"]:
                key = (add.at[idx, "lhs"], add.at[idx, "rhs"])
                if add.at[idx, "label"]:
                    continue
                if key not in first:
                    first[key] = add.at[idx, "plabel"]
                add.at[idx, "label"] = first[key]
        else:
            start_id = int(f["id"].max())
            add["id"] = np.arange(start_id + 1, start_id + 1 + len(add))
            add["plabel"] = [f".p{i}." for i in add["id"]]
        add["free"] = 0
        add["_key"] = None
        add = add.drop(columns=["_eqkind"])
        f = pd.concat([f, add], ignore_index=True)

    # lavaan frees, in groups 2.. with equal thresholds, the residual variances (theta) and the
    # latent means (the scale factors under delta were handled above).
    if th_equal and ngroups > 1:
        later = f["group"] > 1
        if parameterization == "theta" and "residuals" not in group_equal:
            m = is_ordvar.reindex(f.index, fill_value=False) & later & (f["user"] == 0)
            f.loc[m, "value"] = np.nan
            f.loc[m, "_key"] = None
        if "means" not in group_equal:
            m = (f["op"] == "~1") & f["lhs"].isin(lv) & later & (f["user"] == 0)
            m &= ~f["value"].isna()
            f.loc[m, "value"] = np.nan
            f.loc[m, "_key"] = None
    f = _renumber(f, own_eq)
    f["_rank"] = f["op"].map(_OP_RANK)
    f = f.sort_values(["group", "_rank"], kind="stable").drop(columns=["_rank", "_key"])
    f = f.reset_index(drop=True)
    f = _renumber_in_order(f)
    cols = [*PT_COLUMNS, "derived"]
    return OrdinalParTable(
        f[cols], list(pt.ov_names), list(pt.lv_names), ngroups, parameterization, list(pt.warnings)
    )


def _renumber(f: pd.DataFrame, eq: Sequence[Statement]) -> pd.DataFrame:
    """Free indices over the whole table: H6's classes, shared labels and ``==`` on other labels."""
    keys = f["_key"].tolist()
    labels = f["label"].tolist()
    row_keys = [
        ([k] if k is not None else []) + ([("lab", lab)] if lab else [])
        for k, lab in zip(keys, labels, strict=True)
    ]
    used = {lab for lab in labels if lab}
    for st in eq:
        for lab in (st.lhs, st.rhs):
            if lab not in used:
                raise ModelError(
                    f"the label {lab!r} in `{st.lhs} == {st.rhs}` is not used in the model",
                    location=f"model syntax, line {st.line}",
                    hint="Label a parameter first, e.g. `x1 | a*t1`, then write `a == b`.",
                )
    roots = equality_classes(row_keys, [(("lab", st.lhs), ("lab", st.rhs)) for st in eq])
    value = fix_classes(f, roots)
    f = f.copy()
    f["value"] = value
    f["_root"] = roots
    return f


def _renumber_in_order(f: pd.DataFrame) -> pd.DataFrame:
    free = np.zeros(len(f), dtype=int)
    idx: dict[int, int] = {}
    value = f["value"].to_numpy(dtype=float)
    for i, r in enumerate(f["_root"].to_numpy()):
        if not np.isnan(value[i]):
            continue
        if r not in idx:
            idx[r] = len(idx) + 1
        free[i] = idx[r]
    f = f.drop(columns=["_root"])
    f["free"] = free
    f["id"] = np.arange(1, len(f) + 1)
    return f


# ---------------------------------------------------------------------------------------------
# The model: parameters -> (thresholds, correlations) and the Jacobian
# ---------------------------------------------------------------------------------------------
class OrdinalModel:
    """Implied thresholds and correlations of every group, and their Jacobian.

    Parameters
    ----------
    opt
        The ordinal parameter table.
    stats
        One :class:`~.wls_samplestats.OrdinalGroupStats` per group, items in ``opt.ov_names`` order.
    """

    def __init__(self, opt: OrdinalParTable, stats: list[OrdinalGroupStats]):
        self.pt = opt
        self.stats = stats
        self.ngroups = opt.ngroups
        self.npar = opt.npar
        self.delta = opt.parameterization == "delta"
        self.mm = ModelMatrices(opt.core())
        self.mm.npar = self.npar  # the core shares the global parameter vector
        self.p = self.mm.p
        f = opt.frame
        ov_idx = {n: i for i, n in enumerate(opt.ov_names)}
        self._th: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._sc: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for g, st in enumerate(stats):
            rows = f[(f["op"] == "|") & (f["group"] == g + 1)]
            pos = {
                (int(v), int(k)): j
                for j, (v, k) in enumerate(zip(st.th_var, st.th_num, strict=True))
            }
            base = np.zeros(st.nth)
            fidx = np.full(st.nth, -1)
            for lhs, rhs, fr, val in zip(
                rows["lhs"], rows["rhs"], rows["free"], rows["value"], strict=True
            ):
                k = pos[(ov_idx[lhs], int(rhs[1:]))]
                if fr > 0:
                    fidx[k] = fr - 1
                else:
                    base[k] = val
            sel = fidx >= 0
            self._th.append((base, np.flatnonzero(sel), fidx[sel]))
            rows = f[(f["op"] == "~*~") & (f["group"] == g + 1)]
            sbase = np.ones(self.p)
            sidx = np.full(self.p, -1)
            for lhs, fr, val in zip(rows["lhs"], rows["free"], rows["value"], strict=True):
                if fr > 0:
                    sidx[ov_idx[lhs]] = fr - 1
                else:
                    sbase[ov_idx[lhs]] = val
            sel = sidx >= 0
            self._sc.append((sbase, np.flatnonzero(sel), sidx[sel]))

    # parts shared by moments() and jacobian()
    def _parts(self, x: np.ndarray, g: int, gm) -> dict:
        st = self.stats[g]
        sigma, mu = self.mm.implied_one(gm)
        base, rows, idx = self._th[g]
        tau = base.copy()
        tau[rows] = x[idx]
        if self.delta:
            sbase, srows, sidx = self._sc[g]
            sc = sbase.copy()
            sc[srows] = x[sidx]
        else:
            d = np.diag(sigma)
            sc = 1.0 / np.sqrt(np.where(d > 0, d, np.nan))
            sc[st.numeric] = 1.0  # continuous items are not rescaled
        tv = st.th_var
        # a continuous item's entry in the threshold block is -mu (tau = 0, scale 1)
        return dict(
            sigma=sigma,
            mu=mu,
            tau=tau,
            sc=sc,
            tau_star=sc[tv] * (tau - mu[tv]),
            var=sigma[st.num_idx, st.num_idx],
            rho=sc[st.pair_i] * sc[st.pair_j] * sigma[st.pair_i, st.pair_j],
        )

    def moments(self, x: np.ndarray) -> list[np.ndarray]:
        """sigma_g(x) = (tau*, variances of continuous items, rho*) per group, in the order of the
        sample statistics."""
        mats = self.mm.matrices(x)
        out = []
        for g, gm in enumerate(mats):
            pr = self._parts(x, g, gm)
            out.append(np.concatenate([pr["tau_star"], pr["var"], pr["rho"]]))
        return out

    def moments_jacobian(self, x: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """(sigma_g(x), d sigma_g / dx) per group."""
        mats = self.mm.matrices(x)
        derivs = self.mm.derivatives(x, mats)
        sig, jac = [], []
        for g, gm in enumerate(mats):
            st = self.stats[g]
            pr = self._parts(x, g, gm)
            d_s, d_m = derivs[g]
            tv, pi, pj = st.th_var, st.pair_i, st.pair_j
            sc, sigma = pr["sc"], pr["sigma"]
            dtau = np.zeros((st.nth, self.npar))
            _, rows, idx = self._th[g]
            np.add.at(dtau, (rows, idx), 1.0)
            if self.delta:
                dsc = np.zeros((self.p, self.npar))
                _, srows, sidx = self._sc[g]
                np.add.at(dsc, (srows, sidx), 1.0)
            else:
                dd = d_s[:, np.arange(self.p), np.arange(self.p)].T  # p x npar
                dsc = -0.5 * (sc**3)[:, None] * dd
                dsc[st.numeric] = 0.0
            dmu = d_m[:, tv].T if d_m is not None else 0.0
            centred = pr["tau"] - pr["mu"][tv]
            j_th = sc[tv][:, None] * (dtau - dmu) + centred[:, None] * dsc[tv]
            j_cor = (sc[pi] * sc[pj])[:, None] * d_s[:, pi, pj].T + sigma[pi, pj][:, None] * (
                sc[pj][:, None] * dsc[pi] + sc[pi][:, None] * dsc[pj]
            )
            if not self.delta and self._sc[g][1].size:
                # A free scale factor under the theta parameterisation exists only in the extended
                # model of the modification indices. As lavaan's Jacobian, it rescales the
                # thresholds alone (the correlations stay those of Sigma).
                free_sc = np.zeros((self.p, self.npar))
                np.add.at(free_sc, (self._sc[g][1], self._sc[g][2]), 1.0)
                j_th = j_th + centred[:, None] * free_sc[tv]
            ni = st.num_idx
            j_var = d_s[:, ni, ni].T
            sig.append(np.concatenate([pr["tau_star"], pr["var"], pr["rho"]]))
            jac.append(np.vstack([j_th, j_var, j_cor]))
        return sig, jac

    def details(self, x: np.ndarray) -> list[dict]:
        """Per group: Sigma, mu, thresholds, scale factors, derived residual variances, latent covariance."""
        mats = self.mm.matrices(x)
        out = []
        for g, gm in enumerate(mats):
            pr = self._parts(x, g, gm)
            a = gm.ib_inv()
            la = gm.lam @ a
            lvcov = a @ gm.psi @ a.T
            common = np.diag(la @ gm.psi @ la.T)
            num = self.stats[g].numeric
            theta = np.diag(gm.theta).copy()
            if self.delta:
                theta = np.where(num, theta, 1.0 / pr["sc"] ** 2 - common)
            # standard deviation of each latent response y* (or continuous item)
            sd_ov = np.where(num, np.sqrt(np.clip(np.diag(pr["sigma"]), 0, None)), 1.0 / pr["sc"])
            pr.update(lvcov=lvcov, common=common, theta_diag=theta, mats=gm, sd_ov=sd_ov)
            out.append(pr)
        return out


# ---------------------------------------------------------------------------------------------
# Estimation
# ---------------------------------------------------------------------------------------------
class WLSEstimator:
    """Weighted least squares on the ordinal sample statistics (the estimator "strategy").

    ``objective(x)`` is lavaan's ``fmin``; ``objective_gradient``, ``scoring_information`` (the
    Gauss-Newton matrix ``sum_g f_g D'WD``), ``information()`` and ``weights`` serve the optimiser,
    the standard errors and the tests.
    """

    def __init__(
        self,
        model: OrdinalModel,
        stats: list[OrdinalGroupStats],
        spec: EstimatorSpec,
        weights: list[np.ndarray] | None = None,
    ):
        self.model = model
        self.stats = stats
        self.spec = spec
        self.nobs = np.array([s.n for s in stats], dtype=float)
        self.ntotal = float(self.nobs.sum())
        self.fg = self.nobs / self.ntotal
        # objective weights: fmin = sum_g (N_g - 1)/(2N) r'Wr
        self.cg = (self.nobs - 1.0) / (2.0 * self.ntotal)
        self.full = spec.weight == "WLS"
        # a fitted estimator's weights can be passed on (a full WLS weight is an inverse of Gamma)
        self.weights = list(weights) if weights is not None else [self._weight(st) for st in stats]

    def _weight(self, st: OrdinalGroupStats) -> np.ndarray:
        if not self.full:
            return st.weight_diagonal(self.spec.weight)
        try:
            return np.linalg.inv(st.gamma)
        except np.linalg.LinAlgError as exc:
            raise DataError(
                "the asymptotic covariance matrix of the thresholds and polychoric "
                f"correlations is singular{' in group ' + st.label if st.label else ''}, so full WLS is not possible",
                hint="Use estimator='WLSMV' (diagonal weights), which needs no inverse.",
            ) from exc

    def _wr(self, g: int, r: np.ndarray) -> np.ndarray:
        w = self.weights[g]
        return w @ r if self.full else w * r

    def objective(self, x: np.ndarray) -> float:
        tot = 0.0
        for g, sig in enumerate(self.model.moments(x)):
            r = self.stats[g].wls_obs - sig
            if not np.all(np.isfinite(r)):
                return np.inf
            tot += self.cg[g] * float(r @ self._wr(g, r))
        return tot

    def objective_gradient(self, x: np.ndarray) -> tuple[float, np.ndarray | None]:
        sig, jac = self.model.moments_jacobian(x)
        tot = 0.0
        grad = np.zeros(self.model.npar)
        for g in range(len(sig)):
            r = self.stats[g].wls_obs - sig[g]
            if not np.all(np.isfinite(r)):
                return np.inf, None
            wr = self._wr(g, r)
            tot += self.cg[g] * float(r @ wr)
            grad -= 2.0 * self.cg[g] * (jac[g].T @ wr)
        return tot, grad

    def _gn(self, x: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, list, list]:
        sig, jac = self.model.moments_jacobian(x)
        tot = 0.0
        grad = np.zeros(self.model.npar)
        h = np.zeros((self.model.npar, self.model.npar))
        for g in range(len(sig)):
            r = self.stats[g].wls_obs - sig[g]
            wr = self._wr(g, r)
            tot += self.cg[g] * float(r @ wr)
            grad -= 2.0 * self.cg[g] * (jac[g].T @ wr)
            wj = self.weights[g] @ jac[g] if self.full else self.weights[g][:, None] * jac[g]
            h += 2.0 * self.cg[g] * (jac[g].T @ wj)
        return tot, grad, h, sig, jac

    def information(self, x: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """Unit information ``E = sum_g f_g D_g' W_g D_g`` and the Jacobians."""
        _, jac = self.model.moments_jacobian(x)
        e = np.zeros((self.model.npar, self.model.npar))
        for g, d in enumerate(jac):
            wd = self.weights[g] @ d if self.full else self.weights[g][:, None] * d
            e += self.fg[g] * (d.T @ wd)
        return e, jac

    def scoring_information(self, x: np.ndarray) -> np.ndarray:
        return self.information(x)[0]


@dataclass
class _Optim:
    x: np.ndarray
    fx: float
    converged: bool
    iterations: int
    message: str


def _solve_pd(h: np.ndarray, g: np.ndarray) -> np.ndarray:
    try:
        c = np.linalg.cholesky(h)
        return np.linalg.solve(c.T, np.linalg.solve(c, g))
    except np.linalg.LinAlgError:
        w, v = np.linalg.eigh(h)
        w = np.maximum(w, 1e-10 * max(w.max(), 1e-12))
        return v @ ((v.T @ g) / w)


def _minimize(
    est: WLSEstimator, x0: np.ndarray, *, max_iter: int = 500, gtol: float = 1e-9
) -> _Optim:
    """Gauss-Newton with a backtracking line search; scipy's BFGS if it stalls.

    Gauss-Newton (the scoring metric ``D'WD``) converges linearly at a rate set by the misfit; for
    CFA models that is fast (about 15 iterations to a gradient of 1e-9 on the 25-item Big Five).
    """
    x = x0.astype(float).copy()
    if x.size == 0:
        return _Optim(x, est.objective(x), True, 0, "no free parameters")
    f, g, h, _, _ = est._gn(x)
    if not np.isfinite(f):
        return _Optim(x, f, False, 0, "the starting values give undefined implied correlations")
    it = 0
    for it in range(1, max_iter + 1):
        if np.max(np.abs(g)) < gtol:
            return _Optim(x, f, True, it, "converged")
        step = -_solve_pd(h, g)
        dec = float(-g @ step)
        t = 1.0
        accepted = False
        while t > 1e-12:
            xn = x + t * step
            fn = est.objective(xn)
            if np.isfinite(fn) and fn <= f - 1e-4 * t * dec + 1e-13 * abs(f):
                accepted = True
                break
            t *= 0.5
        if not accepted:
            if np.max(np.abs(g)) < 1e-7:  # rounding noise at the optimum
                return _Optim(x, f, True, it, "converged")
            break
        x = xn
        f, g, h, _, _ = est._gn(x)
    return _bfgs(est, x, it)


def _bfgs(est: WLSEstimator, x: np.ndarray, it0: int) -> _Optim:
    from scipy import optimize as sopt

    def fun(z):
        fz, gz = est.objective_gradient(z)
        if gz is None or not np.isfinite(fz):
            return 1e10, np.zeros_like(z)
        return fz, gz

    res = sopt.minimize(fun, x, jac=True, method="BFGS", options={"gtol": 1e-9, "maxiter": 5000})
    f, g = est.objective_gradient(res.x)
    conv = g is not None and bool(np.max(np.abs(g)) < 1e-6)
    msg = "converged" if conv else "neither Gauss-Newton nor BFGS converged"
    return _Optim(res.x, f, conv, it0 + int(res.nit), msg)


def _pa_one_factor(r: np.ndarray) -> np.ndarray:
    """Standardized one-factor principal-axis loadings of a correlation matrix (3 iterations of the
    communalities from the squared multiple correlations), oriented to a positive sum."""
    k = r.shape[0]
    if k == 1:
        return np.array([0.7])
    if k == 2:
        rr = float(r[0, 1])
        a = np.sqrt(min(max(abs(rr), 0.05), 0.95))
        return np.array([a, a * (np.sign(rr) or 1.0)])
    try:
        h = 1.0 - 1.0 / np.diag(np.linalg.inv(r))
    except np.linalg.LinAlgError:
        h = np.full(k, 0.5)
    h = np.clip(h, 0.05, 0.95)
    lam = np.full(k, 0.5)
    for _ in range(3):
        rh = r.copy()
        np.fill_diagonal(rh, h)
        w, v = np.linalg.eigh(rh)
        lam = v[:, -1] * np.sqrt(max(w[-1], 1e-6))
        h = np.clip(lam**2, 0.05, 0.95)
    lam = np.clip(lam, -0.95, 0.95)
    return -lam if lam.sum() < 0 else lam


def _start(model: OrdinalModel, stats: list[OrdinalGroupStats]) -> np.ndarray:
    """Starting values from the polychoric correlations, per group.

    First-order factors: standardized principal-axis loadings ``l`` of their indicators, oriented so
    that the marker (or first) loading is positive, then put on the model's scale (marker loading or
    fixed factor variance; under theta ``l / sqrt(1 - l^2)``). Factor correlations: the least-squares
    ``phi = sum r_ij l_i l_j / sum l_i^2 l_j^2`` over the indicator pairs, clipped to +-0.9.
    Second-order factors: the same steps on the first-order factor correlations. Thresholds: the
    sample thresholds (times the implied y* standard deviation under theta). Scale factors and free
    residual variances: 1; intercepts, latent means and residual covariances: 0.
    """
    f = model.pt.frame
    lv = list(model.pt.lv_names)
    ov = list(model.pt.ov_names)
    lvi = {n: i for i, n in enumerate(lv)}
    ovi = {n: i for i, n in enumerate(ov)}
    npar = model.npar
    x = np.zeros(npar)
    setx = np.zeros(npar, dtype=bool)

    def put(row_mask, values_by_row):
        for k in np.flatnonzero(row_mask):
            fr = int(f.at[k, "free"])
            if fr > 0 and not setx[fr - 1]:
                x[fr - 1] = values_by_row(k)
                setx[fr - 1] = True

    for g, st in enumerate(stats):
        fg = f[f["group"] == g + 1]
        r = st.cor
        load = fg[fg["op"] == "=~"]
        m = len(lv)
        lam_std = np.zeros((len(ov), m))
        comm = np.zeros(len(ov))  # standardized communalities of the start
        lam_s = np.zeros((len(ov), m))  # standardized (correlation-scale) start loadings
        scale_f = np.ones(m)  # unstandardized = standardized * scale_f (per factor), marker-based
        var_f = np.ones(m)
        higher = {}
        for fac in lv:
            rows = load[load["lhs"] == fac]
            ind = [ovi[v] for v in rows["rhs"] if v in ovi]
            if not ind:
                higher[fac] = [v for v in rows["rhs"] if v in lvi]
                continue
            ls = _pa_one_factor(r[np.ix_(ind, ind)])
            fixed = rows[(rows["free"] == 0) & (rows["value"] != 0) & rows["rhs"].isin(ov)]
            anchor = ind.index(ovi[fixed.iloc[0]["rhs"]]) if len(fixed) else 0
            if ls[anchor] < 0:
                ls = -ls
            ls_std = ls.copy()
            if not model.delta:
                ls = ls / np.sqrt(1.0 - np.minimum(ls**2, 0.9))
            # continuous indicators: loadings on their own scale
            ls = ls * np.where(st.numeric[ind], np.sqrt(st.variances[ind]), 1.0)
            lam_std[ind, lvi[fac]] = ls
            lam_s[ind, lvi[fac]] = ls_std
            comm[ind] = np.maximum(comm[ind], ls_std**2)
            fv = fg[
                (fg["op"] == "~~") & (fg["lhs"] == fac) & (fg["rhs"] == fac) & (fg["free"] == 0)
            ]
            if len(fixed):
                v = float(fixed.iloc[0]["value"])
                a = max(abs(ls[anchor]), 0.1) * np.sign(ls[anchor] or 1.0)
                scale_f[lvi[fac]] = v / a
                var_f[lvi[fac]] = (a / v) ** 2
            elif len(fv) and fv.iloc[0]["value"] > 0:
                var_f[lvi[fac]] = float(fv.iloc[0]["value"])
                scale_f[lvi[fac]] = 1.0 / np.sqrt(var_f[lvi[fac]])
        # factor correlations among first-order factors
        phi = np.eye(m)
        first = [lvi[a] for a in lv if a not in higher]
        for a in first:
            for b in first:
                if a < b:
                    ia = np.flatnonzero(lam_s[:, a])
                    ib = np.flatnonzero(lam_s[:, b])
                    la, lb = lam_s[ia, a], lam_s[ib, b]
                    rab = r[np.ix_(ia, ib)]
                    den = float(np.sum(np.outer(la**2, lb**2)))
                    val = float(np.sum(rab * np.outer(la, lb)) / den) if den > 0 else 0.0
                    if not model.delta:
                        pass
                    phi[a, b] = phi[b, a] = float(np.clip(val, -0.9, 0.9))
        # second-order factors
        beta = np.zeros((m, m))
        res_var = var_f.copy()
        for h, subs in higher.items():
            hi = lvi[h]
            si = [lvi[s_] for s_ in subs]
            bl = _pa_one_factor(phi[np.ix_(si, si)] + 1e-9 * np.eye(len(si)))
            rows = load[load["lhs"] == h]
            fixed = rows[(rows["free"] == 0) & (rows["value"] != 0)]
            anchor = subs.index(fixed.iloc[0]["rhs"]) if len(fixed) else 0
            if bl[anchor] < 0:
                bl = -bl
            sd_sub = np.sqrt(var_f[si])
            if len(fixed):
                v = float(fixed.iloc[0]["value"])
                var_h = (bl[anchor] * sd_sub[anchor] / v) ** 2
            else:
                var_h = 1.0
            for pos, s_ in enumerate(si):
                beta[s_, hi] = bl[pos] * sd_sub[pos] / np.sqrt(var_h)
                res_var[s_] = var_f[s_] * max(1.0 - bl[pos] ** 2, 0.05)
            var_f[hi] = var_h
        sdf = np.sqrt(var_f)
        for k in fg.index:
            op, lhs, rhs = f.at[k, "op"], f.at[k, "lhs"], f.at[k, "rhs"]
            if op == "=~":
                if rhs in ovi:
                    val = lam_std[ovi[rhs], lvi[lhs]] * scale_f[lvi[lhs]]
                else:
                    val = beta[lvi[rhs], lvi[lhs]]
            elif op == "~~" and lhs in lvi:
                a, b = lvi[lhs], lvi[rhs]
                if a == b:
                    val = res_var[a] if any(lhs in v for v in higher.values()) else var_f[a]
                elif lhs in higher or rhs in higher:
                    val = 0.0
                else:
                    val = phi[a, b] * sdf[a] * sdf[b]
            elif op == "~~":
                if lhs != rhs:
                    val = 0.0
                elif st.numeric[ovi[lhs]]:
                    val = st.variances[ovi[lhs]] * max(1.0 - comm[ovi[lhs]], 0.1)
                else:
                    val = 1.0
            elif op == "~*~":
                val = 1.0
            elif op == "~1" and lhs in ovi:
                val = float(st.means[ovi[lhs]])
            else:  # thresholds are set below; latent means start at 0
                val = 0.0
            put(np.array(f.index == k), lambda _k, v=val: v)
    # thresholds on the model's scale
    mats = model.mm.matrices(x)
    for g, st in enumerate(stats):
        sigma, _ = model.mm.implied_one(mats[g])
        scale = np.ones(st.p) if model.delta else np.sqrt(np.clip(np.diag(sigma), 1e-6, None))
        _, rows, idx = model._th[g]
        tau0 = st.wls_obs[: st.nth] * scale[st.th_var]
        x[idx] = tau0[rows]
    us = f["ustart"].to_numpy(dtype=float)
    free = f["free"].to_numpy(dtype=int)
    sel = (free > 0) & ~np.isnan(us)
    x[free[sel] - 1] = us[sel]
    return x


# ---------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------
@dataclass
class TestStat:
    """One test statistic (lavaan's ``fit@test`` entry)."""

    test: str
    stat: float
    df: float
    pvalue: float
    scaling_factor: float = float("nan")
    shift_parameter: float = float("nan")
    trace_ugamma: float = float("nan")
    trace_ugamma2: float = float("nan")
    stat_group: list[float] = field(default_factory=list)

    @property
    def chisq(self) -> float:
        """Alias of ``stat`` (the name the continuous CFA uses)."""
        return self.stat

    def to_dict(self) -> dict:
        return {
            "test": self.test,
            "stat": self.stat,
            "df": self.df,
            "pvalue": self.pvalue,
            "scaling_factor": self.scaling_factor,
            "shift_parameter": self.shift_parameter,
            "trace_UGamma": self.trace_ugamma,
            "trace_UGamma2": self.trace_ugamma2,
            "stat_group": list(self.stat_group),
        }


def _pchisq_upper(x: float, df: float) -> float:
    if not (np.isfinite(x) and np.isfinite(df)) or df <= 0:
        return float("nan")
    return float(sstats.chi2.sf(x, df))


def _ugamma_traces(
    weights: list[np.ndarray],
    full: bool,
    gammas: list[np.ndarray],
    jac: list[np.ndarray],
    e_inv: np.ndarray,
    fg: np.ndarray,
    need2: bool,
) -> tuple[float, float]:
    """tr(U Gamma) and tr((U Gamma)^2) with U = V - V D E^-1 D' V over all groups stacked."""
    vd = []  # V_g D_g
    for g, d in enumerate(jac):
        vd.append(fg[g] * (weights[g] @ d if full else weights[g][:, None] * d))
    # U Gamma_f = V Gamma_f - V D E^-1 (D' V Gamma_f); blocks (g, h) with Gamma_f block-diagonal
    ng = len(jac)
    vg = []  # V_g Gamma_f,g
    for g in range(ng):
        gam = gammas[g] / fg[g]
        vg.append(fg[g] * (weights[g] @ gam if full else weights[g][:, None] * gam))
    dvg = [vd[g].T @ (gammas[g] / fg[g]) for g in range(ng)]  # (D' V Gamma_f)_g : npar x q_g
    blocks = [[None] * ng for _ in range(ng)]
    for g in range(ng):
        left = vd[g] @ e_inv  # q_g x npar
        for h in range(ng):
            b = -left @ dvg[h]
            if g == h:
                b = b + vg[g]
            blocks[g][h] = b
    t1 = float(sum(np.trace(blocks[g][g]) for g in range(ng)))
    if not need2:
        return t1, float("nan")
    t2 = 0.0
    for g in range(ng):
        for h in range(ng):
            t2 += float(np.sum(blocks[g][h] * blocks[h][g].T))
    return t1, t2


def _scaled_tests(kind: str, standard: TestStat, t1: float, t2: float, fg: np.ndarray) -> TestStat:
    df = standard.df
    if kind == "satorra.bentler":
        c = t1 / df
        c = c if c >= 0 else float("nan")
        stat = standard.stat / c
        return TestStat(
            kind,
            stat,
            df,
            _pchisq_upper(stat, df),
            scaling_factor=c,
            trace_ugamma=t1,
            stat_group=[s / c for s in standard.stat_group],
        )
    if kind == "mean.var.adjusted":
        dfs = t1 * t1 / t2
        c = t1 / dfs
        stat = standard.stat / c
        return TestStat(
            kind,
            stat,
            dfs,
            _pchisq_upper(stat, dfs),
            scaling_factor=c,
            trace_ugamma=t1,
            trace_ugamma2=t2,
            stat_group=[s / c for s in standard.stat_group],
        )
    # scaled.shifted
    a = np.sqrt(df / t2)
    shift = df - a * t1
    stat = standard.stat * a + shift
    return TestStat(
        kind,
        stat,
        df,
        _pchisq_upper(stat, df),
        scaling_factor=1.0 / a,
        shift_parameter=shift,
        trace_ugamma=t1,
        trace_ugamma2=t2,
        stat_group=[s * a + fg[i] * shift for i, s in enumerate(standard.stat_group)],
    )


# ---------------------------------------------------------------------------------------------
# Result
# ---------------------------------------------------------------------------------------------
@dataclass
class OrdinalCFAResult:
    """An ordinal CFA fitted by WLSMV (or another least-squares estimator).

    The accessors mirror :class:`~moscale.analysis.cfa.result.CFAResult` (``fit_measures()``,
    ``parameter_estimates()``, ``standardized()``, ``loadings()``, ``factor_correlations()``,
    ``sample_cov()``, ``implied_cov()``, ``residuals()``, ``r_squared()``, ``indicators``, ...), so
    code written for continuous CFA results reads ordinal ones too. For ordered items the "covariance"
    matrices are correlation matrices of the latent responses y*: ``sample_cov()`` is the polychoric
    matrix and ``implied_cov()`` the model-implied one. With several groups, ``group=None`` returns a
    dict keyed by group label.

    Attributes
    ----------
    estimates : DataFrame
        One row per parameter: ``lhs``, ``op``, ``rhs``, ``group``, ``label``, ``free``, ``est``,
        ``se``, ``z``, ``pvalue``, ``ci.lower``, ``ci.upper``, ``std.lv``, ``std.lv.se``,
        ``std.all``, ``std.all.se`` (lavaan's ``parameterEstimates(standardized = TRUE)`` plus the
        delta-method standard errors of ``standardizedSolution()``). Thresholds are ``|`` rows, scale
        factors ``~*~`` rows.
    tests, baseline_tests : dict of str to TestStat
        ``"standard"`` and the scaled test (``"scaled.shifted"`` for WLSMV) with their traces,
        scaling factor and shift, for the model and for the baseline model.
    sample : list of OrdinalGroupStats
        Per group: thresholds, polychoric correlations and Gamma.
    notes : list of str
        Plain-language remarks: deleted cases, empty cells, why a robust index is NA.
    warnings : list of str
        Problems with the solution (non-convergence, Heywood cases).
    """

    model: str
    estimator: str
    spec: EstimatorSpec
    parameterization: str
    ov_names: list[str]
    lv_names: list[str]
    group: str | None
    group_labels: list[str]
    nobs: list[int]
    converged: bool
    iterations: int
    estimates: pd.DataFrame
    tests: dict[str, TestStat]
    baseline_tests: dict[str, TestStat]
    sample: list[OrdinalGroupStats]
    x: np.ndarray
    vcov: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    missing: str = "listwise"
    information: str = "expected"
    _fit: dict[str, float] = field(default_factory=dict, repr=False)
    _pt: OrdinalParTable | None = field(default=None, repr=False)
    _model: OrdinalModel | None = field(default=None, repr=False)
    _est: WLSEstimator | None = field(default=None, repr=False)
    _cache: dict = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ basics
    @property
    def se(self) -> str:
        return self.spec.se

    @property
    def test(self) -> str:
        return self.spec.test

    @property
    def ntotal(self) -> int:
        return int(sum(self.nobs))

    @property
    def npar(self) -> int:
        return self._pt.npar if self._pt is not None else 0

    @property
    def ngroups(self) -> int:
        return len(self.nobs)

    @property
    def fit(self) -> dict[str, float]:
        """All fit measures (lavaan names); see :meth:`fit_measures`."""
        return dict(self._fit)

    def _groups(self, group) -> list[int]:
        if group is None:
            return list(range(self.ngroups))
        if (
            isinstance(group, int | np.integer)
            and not isinstance(group, bool)
            and (str(group) not in self.group_labels)
        ):
            return [int(group)]
        if str(group) not in self.group_labels:
            raise UserError(
                f"there is no group {group!r}",
                hint="Use one of: " + ", ".join(self.group_labels or ["(a single group)"]),
            )
        return [self.group_labels.index(str(group))]

    def _per_group(self, group, fn):
        if group is None and self.ngroups == 1:
            return fn(0)
        if group is not None:
            return fn(self._groups(group)[0])
        return {self.group_labels[g]: fn(g) for g in range(self.ngroups)}

    def _details(self) -> list[dict]:
        if "details" not in self._cache:
            self._cache["details"] = self._model.details(self.x)  # type: ignore[union-attr]
        return self._cache["details"]

    # ------------------------------------------------------------------ estimates
    @property
    def partable(self) -> pd.DataFrame:
        """The parameter table (lavaan ``parTable()`` columns) with ``est`` and ``se``."""
        f = self._pt.frame.copy()  # type: ignore[union-attr]
        f["est"] = self.estimates["est"].to_numpy()
        f["se"] = self.estimates["se"].to_numpy()
        return f

    def parameter_estimates(self, level: float = 0.95) -> pd.DataFrame:
        """lavaan ``parameterEstimates()``: est, se, z, pvalue and the ``level`` confidence interval."""
        e = self.estimates
        keys = e[["lhs", "op", "rhs", "group", "label"]]
        return estimate_table(
            keys, e["est"], e["se"], level=level, ngroups=self.ngroups, z=e["z"].to_numpy()
        )

    def standardized(self, type: str = "std.all", level: float = 0.95) -> pd.DataFrame:
        """lavaan ``standardizedSolution()``: est.std with delta-method se (robust vcov), z, p, CI.
        ``type`` is ``"std.all"`` or ``"std.lv"``."""
        if type not in ("std.all", "std.lv"):
            raise UserError(f"type={type!r} is not known", hint="Use 'std.all' or 'std.lv'.")
        e = self.estimates
        keys = e[["lhs", "op", "rhs", "group", "label"]]
        return estimate_table(
            keys, e[type], e[f"{type}.se"], level=level, ngroups=self.ngroups, est_name="est.std"
        )

    standardized_solution = standardized

    def thresholds(self, standardized: bool = False) -> pd.DataFrame:
        """Thresholds (``|`` rows): item, threshold, group, estimate (or std.all), se."""
        e = self.estimates[self.estimates["op"] == "|"]
        col = "std.all" if standardized else "est"
        out = e[["lhs", "rhs", "group", col, "se" if not standardized else "std.all.se"]]
        out = out.rename(columns={"lhs": "item", "rhs": "threshold", col: "est"})
        if standardized:
            out = out.rename(columns={"std.all.se": "se"})
        return out.reset_index(drop=True)

    def r_squared(self, group=None):
        """R-squared of the latent responses y*: ``1 - theta_ii / var(y*_i)``."""

        def one(g: int) -> pd.Series:
            d = self._details()[g]
            return pd.Series(1 - d["theta_diag"] / d["sd_ov"] ** 2, index=self.ov_names, name="r2")

        return self._per_group(group, one)

    # ------------------------------------------------------------------ matrices
    def _mats(self, g: int):
        return self._details()[g]["mats"]

    @property
    def indicators(self) -> dict[str, list[str]]:
        """First-order factor -> its observed items."""
        f = self._pt.frame  # type: ignore[union-attr]
        ov = set(self.ov_names)
        out: dict[str, list[str]] = {}
        rows = f[(f["op"] == "=~") & (f["group"] == 1) & f["rhs"].isin(ov)]
        for lhs, rhs in zip(rows["lhs"], rows["rhs"], strict=True):
            out.setdefault(lhs, []).append(rhs)
        return {k: out[k] for k in self.lv_names if k in out}

    def item_factor_map(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {i: [] for i in self.ov_names}
        for fac, items in self.indicators.items():
            for i in items:
                out[i].append(fac)
        return out

    def loadings(self, standardized: bool = True, group=None):
        """Items x first-order factors: lavaan std.all loadings (or raw lambda), 0 elsewhere."""
        first = list(self.indicators)
        cols = [self.lv_names.index(f) for f in first]

        def one(g: int) -> pd.DataFrame:
            d = self._details()[g]
            lam = d["mats"].lam.copy()
            if standardized:
                sd_lv = np.sqrt(np.clip(np.diag(d["lvcov"]), 0, None))
                lam = lam * sd_lv[None, :] / d["sd_ov"][:, None]
            return pd.DataFrame(lam[:, cols], index=self.ov_names, columns=first)

        return self._per_group(group, one)

    def factor_covariances(self, group=None):
        """Model-implied covariance matrix of the factors (lavaan ``cov.lv``)."""
        return self._per_group(
            group,
            lambda g: pd.DataFrame(
                self._details()[g]["lvcov"], index=self.lv_names, columns=self.lv_names
            ),
        )

    def factor_correlations(self, group=None):
        """Model-implied correlation matrix of the factors (lavaan ``cor.lv``)."""

        def one(g: int) -> pd.DataFrame:
            c = self._details()[g]["lvcov"]
            sd = np.sqrt(np.clip(np.diag(c), 1e-300, None))
            return pd.DataFrame(c / np.outer(sd, sd), index=self.lv_names, columns=self.lv_names)

        return self._per_group(group, one)

    def residual_variances(self, standardized: bool = False, group=None):
        """Residual variance of every y*: theta_ii (derived under delta), or theta_ii / var(y*)."""

        def one(g: int) -> pd.Series:
            d = self._details()[g]
            th = d["theta_diag"] / (d["sd_ov"] ** 2 if standardized else 1.0)
            return pd.Series(th, index=self.ov_names, name="residual variance")

        return self._per_group(group, one)

    def residual_covariances(self, standardized: bool = False, group=None):
        """Theta of the latent responses (diagonal as :meth:`residual_variances`); standardized
        divides off-diagonal entries by sqrt(theta_ii theta_jj) (lavaan std.all)."""

        def one(g: int) -> pd.DataFrame:
            d = self._details()[g]
            th = d["mats"].theta.copy()
            np.fill_diagonal(th, d["theta_diag"])
            if standardized:
                sd = np.sqrt(np.abs(d["theta_diag"]))
                with np.errstate(divide="ignore", invalid="ignore"):
                    th = th / np.outer(sd, sd)
                np.fill_diagonal(th, d["theta_diag"] / d["sd_ov"] ** 2)
            return pd.DataFrame(th, index=self.ov_names, columns=self.ov_names)

        return self._per_group(group, one)

    def _implied_group(self, g: int) -> tuple[np.ndarray, np.ndarray]:
        key = f"implied{g}"
        if key not in self._cache:
            st = self.sample[g]
            sig = self._model.moments(self.x)[g]  # type: ignore[union-attr]
            c = np.eye(st.p)
            c[st.num_idx, st.num_idx] = sig[st.nth : st.cov_offset]
            c[st.pair_i, st.pair_j] = sig[st.cov_offset :]
            c[st.pair_j, st.pair_i] = sig[st.cov_offset :]
            self._cache[key] = (sig[: st.nth], c)
        return self._cache[key]

    def implied_cov(self, group=None):
        """Model-implied correlation matrix of the latent responses (lavaan ``fitted()$cov``)."""
        return self._per_group(
            group,
            lambda g: pd.DataFrame(
                self._implied_group(g)[1], index=self.ov_names, columns=self.ov_names
            ),
        )

    def implied_thresholds(self, group=None):
        """Model-implied standardized thresholds (lavaan ``fitted()$th``)."""
        return self._per_group(
            group,
            lambda g: pd.Series(self._implied_group(g)[0], index=self.sample[g].threshold_names),
        )

    def implied_mean(self, group=None):
        """Latent-response means are not part of the ordinal moment structure: None."""
        return self._per_group(group, lambda g: None)

    def sample_cov(self, group=None):
        """Polychoric correlation matrix (lavaan ``lavInspect(fit, "sampstat")$cov``)."""
        return self._per_group(
            group,
            lambda g: pd.DataFrame(self.sample[g].cov, index=self.ov_names, columns=self.ov_names),
        )

    def sample_thresholds(self, group=None):
        """Sample thresholds (step one)."""
        return self._per_group(
            group,
            lambda g: pd.Series(
                self.sample[g].wls_obs[: self.sample[g].nth], index=self.sample[g].threshold_names
            ),
        )

    def residuals(self, type: str = "cor", group=None):
        """Residual matrix: ``"raw"`` S - Sigma, ``"cor"``/``"cor.bollen"`` cor(S) - cor(Sigma),
        ``"cor.bentler"`` (S - Sigma)/(sd_S sd_S'). With only ordered items all four are the
        polychoric minus the implied correlations."""
        if type not in {"cor", "cor.bollen", "raw", "cor.bentler"}:
            raise UserError(
                f"type={type!r} is not known",
                hint="Use 'cor', 'cor.bollen', 'raw' or 'cor.bentler'.",
            )

        def one(g: int) -> pd.DataFrame:
            s_mat, sig = self.sample[g].cov, self._implied_group(g)[1]
            if type == "raw":
                r = s_mat - sig
            elif type == "cor.bentler":
                sd = np.sqrt(np.diag(s_mat))
                r = (s_mat - sig) / np.outer(sd, sd)
            else:
                sd, sds = np.sqrt(np.diag(s_mat)), np.sqrt(np.diag(sig))
                r = s_mat / np.outer(sd, sd) - sig / np.outer(sds, sds)
            return pd.DataFrame(r, index=self.ov_names, columns=self.ov_names)

        return self._per_group(group, one)

    def residual_thresholds(self, group=None):
        """Sample minus implied thresholds (lavaan ``resid()$th``)."""
        return self._per_group(
            group,
            lambda g: pd.Series(
                self.sample[g].wls_obs[: self.sample[g].nth] - self._implied_group(g)[0],
                index=self.sample[g].threshold_names,
            ),
        )

    def residual_means(self, type: str = "cor", group=None):
        """No mean structure for ordered items: None (see :meth:`residual_thresholds`)."""
        return self._per_group(group, lambda g: None)

    # ------------------------------------------------------------------ tests and fit
    def chisq_test(self) -> TestStat:
        return self.tests["standard"]

    def scaled_test(self) -> TestStat | None:
        return self.tests.get(self.spec.test) if self.spec.test != "standard" else None

    def fit_measures(self, names: list[str] | str | None = None) -> dict[str, float]:
        """Fit measures under lavaan's ``fitMeasures()`` names (chisq, df, pvalue, chisq.scaled,
        chisq.scaling.factor, chisq.shift.parameter, cfi.scaled, tli.scaled, rmsea.scaled, cfi.robust,
        rmsea.robust, srmr, wrmr, ...). NaN where lavaan gives NA; :attr:`notes` says why."""
        if names is None:
            return dict(self._fit)
        if isinstance(names, str):
            names = [names]
        return {k: self._fit.get(k, float("nan")) for k in names}

    def wls_parts(self) -> dict:
        """The pieces of the robust corrections, for scaled difference tests between nested models
        (Satorra, 2000; lavaan's ``lavTestLRT``): per group the Jacobian ``delta`` (moments x free
        parameters) at the estimates, the ``weight`` (vector for DWLS/ULS, matrix for WLS),
        ``gamma`` (NACOV), the residuals ``s - sigma``, and overall the unit information
        ``E = sum_g f_g D'WD``, its inverse, the group fractions ``fg`` and sizes ``nobs``."""
        if "wls_parts" not in self._cache:
            est = self._est
            e, jac = est.information(self.x)  # type: ignore[union-attr]
            sig = self._model.moments(self.x)  # type: ignore[union-attr]
            try:
                e_inv = np.linalg.inv(e)
            except np.linalg.LinAlgError:
                e_inv = np.full_like(e, np.nan)
            self._cache["wls_parts"] = {
                "delta": jac,
                "weight": list(est.weights),  # type: ignore[union-attr]
                "full_weight": bool(est.full),  # type: ignore[union-attr]
                "gamma": [st.gamma for st in self.sample],
                "residuals": [st.wls_obs - sg for st, sg in zip(self.sample, sig, strict=True)],
                "information": e,
                "information_inv": e_inv,
                "fg": np.array(est.fg),  # type: ignore[union-attr]
                "nobs": list(self.nobs),
                "free_names": list(self.vcov.index),
            }
        return self._cache["wls_parts"]

    def modification_indices(self, minimum: float = 0.0) -> pd.DataFrame:
        """Modification indices of the omitted loadings and residual covariances (and of the fixed
        parameters the model can identify), sorted by size, as lavaan's ``modindices(sort. =
        TRUE)`` for a DWLS/WLSMV fit: ``lhs``, ``op``, ``rhs``, (``group``,) ``mi``, ``epc``,
        ``sepc.lv``, ``sepc.all``, ``sepc.nox``. See :func:`ordinal_modification_indices`."""
        if "mi" not in self._cache:
            with _single_thread_blas():
                self._cache["mi"] = ordinal_modification_indices(
                    self._pt,  # type: ignore[arg-type]
                    self.sample,
                    self.spec,
                    self.x,
                    weights=self._est.weights if self._est is not None else None,
                    details=self._details(),
                )
        out = self._cache["mi"]
        out = out[out["mi"] >= minimum].reset_index(drop=True)
        if self.ngroups == 1:
            out = out.drop(columns="group")
        return out

    def composite_reliability(self, ord_scale: bool = True) -> pd.DataFrame:
        """Composite reliability per factor (and group); see :func:`ordinal_composite_reliability`."""
        return ordinal_composite_reliability(self, ord_scale=ord_scale)

    # ------------------------------------------------------------------ output
    def summary(self) -> str:
        """A text summary in the spirit of lavaan's ``summary()``."""

        def fmt(v, d=3):
            return "NA" if v is None or not np.isfinite(v) else f"{v:.{d}f}"

        fm = self._fit
        lines = [
            f"moscale ordinal CFA  -  estimator {self.estimator} ({self.parameterization} "
            f"parameterization), {'converged' if self.converged else 'NOT converged'} after "
            f"{self.iterations} iterations",
            "  groups: "
            + ", ".join(f"{g} (N = {n})" for g, n in zip(self.group_labels, self.nobs, strict=True))
            if self.ngroups > 1
            else f"  N = {self.ntotal}",
            f"  free parameters: {self.npar}; standard errors: {self.se}; test: {self.test}",
            "",
            f"  chi-square = {fmt(fm.get('chisq'))}, df = {fmt(fm.get('df'), 0)}, "
            f"p = {fmt(fm.get('pvalue'))}",
        ]
        if "chisq.scaled" in fm:
            lines.append(
                f"  scaled chi-square = {fmt(fm['chisq.scaled'])}, df = {fmt(fm['df.scaled'], 2)}, "
                f"p = {fmt(fm['pvalue.scaled'])}, scaling factor = "
                f"{fmt(fm['chisq.scaling.factor'])}"
                + (
                    f", shift = {fmt(fm['chisq.shift.parameter'])}"
                    if "chisq.shift.parameter" in fm
                    else ""
                )
            )
            lines.append(
                f"  scaled: CFI = {fmt(fm.get('cfi.scaled'))}   TLI = {fmt(fm.get('tli.scaled'))}   "
                f"RMSEA = {fmt(fm.get('rmsea.scaled'))}"
            )
        if "cfi.robust" in fm:
            lines.append(
                f"  robust: CFI = {fmt(fm['cfi.robust'])}   TLI = {fmt(fm['tli.robust'])}   "
                f"RMSEA = {fmt(fm.get('rmsea.robust'))}"
            )
        lines.append(f"  SRMR = {fmt(fm.get('srmr'))}   WRMR = {fmt(fm.get('wrmr'))}")
        lines.append("")
        e = self.estimates
        lines.append(f"{'parameter':<28}{'est':>9}{'se':>9}{'z':>9}{'p':>8}{'std.all':>9}")
        cols = ["lhs", "op", "rhs", "group", "est", "se", "z", "pvalue", "std.all"]
        for lhs, op, rhs, grp, est, se, z, pv, sa in zip(*(e[c] for c in cols), strict=True):
            name = f"{lhs} {op} {rhs}".strip()
            if self.ngroups > 1:
                name = f"[{self.group_labels[int(grp) - 1]}] " + name
            lines.append(
                f"{name[:28]:<28}{fmt(est):>9}{fmt(se):>9}{fmt(z, 2):>9}{fmt(pv):>8}{fmt(sa):>9}"
            )
        for title, items in (("Notes", self.notes), ("Warnings", self.warnings)):
            if items:
                lines += ["", title] + [f"  - {n}" for n in items]
        return "\n".join(lines)

    def __str__(self) -> str:  # pragma: no cover - convenience
        return self.summary()

    def to_dict(self) -> dict:
        """JSON-ready dictionary of the results (NaN as None)."""

        def clean(v):
            if isinstance(v, float | np.floating):
                return None if not np.isfinite(v) else float(v)
            if isinstance(v, np.integer):
                return int(v)
            return v

        est = [
            {k: clean(v) for k, v in row.items()}
            for row in self.estimates.to_dict(orient="records")
        ]
        rel = [
            {k: clean(v) for k, v in row.items()}
            for row in ordinal_composite_reliability(self).to_dict(orient="records")
        ]
        return {
            "estimator": self.estimator,
            "se": self.se,
            "test": self.test,
            "parameterization": self.parameterization,
            "model": self.model,
            "ov_names": list(self.ov_names),
            "lv_names": list(self.lv_names),
            "group": self.group,
            "groups": list(self.group_labels),
            "nobs": list(self.nobs),
            "ntotal": self.ntotal,
            "npar": self.npar,
            "converged": self.converged,
            "iterations": self.iterations,
            "fit": {k: clean(v) for k, v in self._fit.items()},
            "tests": {
                k: {kk: clean(vv) for kk, vv in t.to_dict().items()} for k, t in self.tests.items()
            },
            "estimates": est,
            "reliability": rel,
            "notes": list(self.notes),
            "warnings": list(self.warnings),
        }


# ---------------------------------------------------------------------------------------------
# The public function
# ---------------------------------------------------------------------------------------------
def _resolve_ordered(
    ordered: bool | Sequence[str] | None, ov_model: list[str], estimator: str
) -> list[str]:
    """The model's ordered indicators; the other indicators are continuous (as lavaan)."""
    if ordered is None or ordered is False:
        raise ModelError(
            f"estimator {estimator} is meant for ordered-categorical items, but no item was declared "
            "ordered",
            hint="Pass ordered=True (all items) or ordered=[...]; for continuous items use "
            "estimator='MLR'.",
        )
    if ordered is True:
        return list(ov_model)
    if isinstance(ordered, str):
        ordered = [ordered]
    ordset = {str(o) for o in ordered}
    out = [v for v in ov_model if v in ordset]
    if not out:
        raise ModelError(
            f"none of the model's items is in ordered= ({', '.join(sorted(ordset)) or 'empty'})",
            hint="Name the ordered items of the model, or pass ordered=True for all of them.",
        )
    return out


def cfa_ordinal(
    model: str,
    data: pd.DataFrame,
    *,
    ordered: bool | Sequence[str] | None = True,
    estimator: str = "WLSMV",
    parameterization: str = "delta",
    group: str | None = None,
    group_equal: Sequence[str] = (),
    std_lv: bool = False,
    se: str | None = None,
    test: str | None = None,
    missing: str = "listwise",
    ci_level: float = 0.95,
) -> OrdinalCFAResult:
    """Confirmatory factor analysis of ordered-categorical items (lavaan's ``cfa(ordered=)``).

    Thresholds and polychoric correlations are estimated first (two-step ML), the model is fitted
    to them by diagonally weighted least squares, and the standard errors and the test statistic
    are corrected for the weighting with the asymptotic covariance matrix of the sample statistics
    (Muthen, du Toit & Spisic, 1997). See the module docstring for every formula.

    Parameters
    ----------
    model
        lavaan model syntax; ``x | t1 + t2`` threshold statements and ``x ~*~ x`` scale factors are
        understood, and are added automatically for ordered items.
    data
        One row per respondent, one column per item (numeric category codes), plus the group column.
    ordered
        True (all indicators) or the list of ordered items (every indicator must be in it).
    estimator
        "WLSMV" (default; DWLS, robust SEs, scaled-and-shifted test), "WLSM" (mean-adjusted test),
        "ULSMV", "ULSM", "DWLS", "ULS" or "WLS".
    parameterization
        "delta" (default; latent-response variances fixed at 1) or "theta" (residual variances 1).
    group, group_equal
        Multiple-group model; ``group_equal`` takes lavaan's kinds plus "thresholds".
    std_lv
        Identify factors by unit variances instead of marker loadings.
    se, test
        Override the estimator's standard errors ("robust.sem", "standard") and test ("standard",
        "satorra.bentler", "scaled.shifted", "mean.var.adjusted").
    missing
        Only "listwise" (lavaan's default for ordered data).
    ci_level
        Confidence level of ``ci.lower``/``ci.upper``.

    Returns
    -------
    OrdinalCFAResult

    Examples
    --------
    >>> res = cfa_ordinal("A =~ A1 + A2 + A3 + A4 + A5", bfi, ordered=True)  # doctest: +SKIP
    >>> res.fit["cfi.scaled"], res.fit["rmsea.scaled"]  # doctest: +SKIP
    """
    with _single_thread_blas():
        return _cfa_ordinal(
            model,
            data,
            ordered=ordered,
            estimator=estimator,
            parameterization=parameterization,
            group=group,
            group_equal=group_equal,
            std_lv=std_lv,
            se=se,
            test=test,
            missing=missing,
            ci_level=ci_level,
        )


def maybe_cfa_ordinal(
    model: str,
    data: pd.DataFrame,
    *,
    estimator: str = "ML",
    ordered: bool | Sequence[str] | None = None,
    group: str | None = None,
    group_equal: Sequence[str] = (),
    missing: str = "listwise",
    std_lv: bool = False,
    se: str = "default",
    information: str = "default",
    parameterization: str = "delta",
) -> OrdinalCFAResult | None:
    """Dispatch for :func:`moscale.analysis.cfa.cfa`: the ordinal fit, or None for a continuous one.

    * ``ordered`` given (True or a non-empty list): the model is fitted by :func:`cfa_ordinal`;
      ``estimator="ML"`` (the continuous default) becomes ``"WLSMV"``, as lavaan switches its
      default estimator for ordered data; ``"MLR"`` is refused (it treats items as continuous).
    * no ``ordered`` but a least-squares estimator (WLSMV, ULSMV, ...): refused with a hint, since
      these estimators are for ordered items here.
    * otherwise: None (fit by ML/MLR).

    ``se="default"`` keeps the estimator's choice; ``"robust"``/``"robust.sem"`` and ``"standard"``
    override it. ``information`` must be "default" or "expected" (lavaan's WLSMV uses the expected
    information).
    """
    if ordered is None or isinstance(ordered, bool):
        is_ordered = bool(ordered)
    else:
        is_ordered = len([ordered] if isinstance(ordered, str) else list(ordered)) > 0
    est = str(estimator).strip().upper()
    if not is_ordered:
        if est in WLS_ESTIMATORS:
            raise ModelError(
                f"estimator {estimator!r} is for ordered-categorical items, but ordered= was not "
                "given",
                hint="Pass ordered=True (or the list of ordered items); for continuous items use "
                "estimator='ML' or 'MLR'.",
            )
        return None
    if est in ("ML", "DEFAULT"):
        est = "WLSMV"
    elif est == "MLR":
        raise ModelError(
            "estimator 'MLR' treats the items as continuous, but ordered= declares them ordered",
            hint="Use estimator='WLSMV' for ordered items, or drop ordered= to use MLR.",
        )
    if str(information).lower() not in ("default", "expected"):
        raise ModelError(
            f"information={information!r} is not available for ordered items",
            hint="WLSMV uses the expected information (lavaan's default); leave information= out.",
        )
    se_map = {
        "default": None,
        "robust": "robust.sem",
        "robust.sem": "robust.sem",
        "standard": "standard",
    }
    key = str(se).lower()
    if key not in se_map:
        raise ModelError(
            f"se={se!r} is not available for ordered items",
            hint="Use se='default' (robust for WLSMV), 'robust' or 'standard'.",
        )
    miss = str(missing).lower()
    return cfa_ordinal(
        model,
        data,
        ordered=ordered,
        estimator=est,
        parameterization=parameterization,
        group=group,
        group_equal=tuple(group_equal),
        std_lv=std_lv,
        se=se_map[key],
        missing="listwise" if miss in ("listwise", "default") else miss,
    )


def _single_thread_blas():
    """Run the small dense linear algebra single-threaded: on a busy machine multi-threaded BLAS
    turns a 160 x 160 Cholesky into a scheduling wait of a tenth of a second."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        import contextlib

        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _cfa_ordinal(
    model,
    data,
    *,
    ordered,
    estimator,
    parameterization,
    group,
    group_equal,
    std_lv,
    se,
    test,
    missing,
    ci_level,
) -> OrdinalCFAResult:
    spec = estimator_spec(estimator, se, test)
    if missing not in ("listwise", "default"):
        raise ModelError(
            f"missing={missing!r} is not available for ordered items",
            hint="Ordered items are analysed with listwise deletion (lavaan's default); "
            "full-information ML does not exist for WLSMV.",
        )
    if not isinstance(data, pd.DataFrame):
        raise DataError(
            "data must be a pandas DataFrame", hint="Pass a DataFrame with one column per item."
        )
    parsed = parse_ordinal_model(model)
    lv = set(parsed.core.latent_names)
    ov_model = [v for v in parsed.core.variable_names if v not in lv]
    if not lv:
        raise ModelError(
            "the model defines no factor (no `=~` statement)",
            hint="A CFA needs at least one factor, e.g. `customer =~ co1 + co2 + co3`.",
        )
    ord_items = _resolve_ordered(ordered, ov_model, spec.name)
    notes: list[str] = []
    stats, labels, dropped = ordinal_sample_stats(data, ov_model, ordered=ord_items, group=group)
    if len(ord_items) < len(ov_model):
        notes.append(
            "Continuous indicators ("
            + ", ".join(v for v in ov_model if v not in ord_items)
            + ") enter with their means, variances and covariances, and polyserial correlations "
            "with the ordered items (lavaan's approach)."
        )
    if dropped:
        notes.append(
            f"{dropped} case(s) with a missing answer on a model item were left out (listwise "
            "deletion, as lavaan does for ordered items)."
        )
    for st in stats:
        notes.extend(st.notes)
    nth = {
        nm: int(t.size)
        for nm, t, num in zip(stats[0].names, stats[0].thresholds, stats[0].numeric, strict=True)
        if not num
    }
    opt = build_ordinal_partable(
        parsed,
        nth,
        ngroups=len(stats),
        std_lv=std_lv,
        group_equal=tuple(group_equal),
        parameterization=parameterization,
    )
    order = [stats[0].names.index(v) for v in opt.ov_names]
    if order != list(range(len(order))):
        stats, labels2, _ = ordinal_sample_stats(data, opt.ov_names, ordered=ord_items, group=group)
        labels = labels2
    mdl = OrdinalModel(opt, stats)
    est = WLSEstimator(mdl, stats, spec)
    x0 = _start(mdl, stats)
    res = _minimize(est, x0)
    if not res.converged:
        # a second chance from the same start with a quasi-Newton method
        alt = _bfgs(est, x0, 0)
        if alt.converged or alt.fx < res.fx:
            alt.iterations += res.iterations
            res = alt
    res.x = _reflect(opt, res.x)
    return _finish(model, opt, mdl, est, res, stats, labels, group, spec, notes, ci_level)


def _reflect(opt: OrdinalParTable, x: np.ndarray) -> np.ndarray:
    """Give every factor identified by its variance a positive first loading (lavaan's solutions
    start from marker-scaled values, so they come out that way). Reflecting a factor -- negating its
    loadings, covariances and mean -- leaves the fit unchanged."""
    f = opt.frame
    free = f["free"].to_numpy()
    x = x.copy()
    for lv in opt.lv_names:
        first = f[(f["op"] == "=~") & (f["lhs"] == lv) & (f["group"] == 1)]
        if first.empty or first.iloc[0]["free"] == 0:
            continue  # marker-identified: the sign is fixed
        if x[first.iloc[0]["free"] - 1] >= 0:
            continue
        flip = (
            ((f["op"] == "=~") & ((f["lhs"] == lv) | (f["rhs"] == lv)))
            | ((f["op"] == "~~") & ((f["lhs"] == lv) != (f["rhs"] == lv)))
            | ((f["op"] == "~1") & (f["lhs"] == lv))
        ).to_numpy()
        idx = set(free[flip & (free > 0)])
        keep = set(free[~flip & (free > 0)])
        if idx & keep or (flip & (free == 0) & (f["value"].to_numpy() != 0)).any():
            continue  # tied to parameters that do not flip, or fixed non-zero values
        for i in idx:
            x[i - 1] = -x[i - 1]
    return x


# ---------------------------------------------------------------------------------------------
# Everything after the optimum
# ---------------------------------------------------------------------------------------------
def _param_names(opt: OrdinalParTable) -> list[str]:
    f = opt.frame
    names = [""] * opt.npar
    for lhs, op, rhs, g, fr in zip(f["lhs"], f["op"], f["rhs"], f["group"], f["free"], strict=True):
        if fr > 0 and not names[fr - 1]:
            nm = f"{lhs}{op}{rhs}" if op != "~1" else f"{lhs}~1"
            if opt.ngroups > 1:
                nm += f".g{g}"
            names[fr - 1] = nm
    return names


def _finish(
    model_text, opt, mdl, est, res, stats, labels, group, spec, notes, ci_level
) -> OrdinalCFAResult:
    x = res.x
    ngroups = len(stats)
    nobs = np.array([s.n for s in stats])
    ntotal = int(nobs.sum())
    fg = est.fg
    warnings: list[str] = list(opt.warnings)
    e, jac = est.information(x)
    try:
        ev = np.linalg.eigvalsh(e)
        if ev.size and (ev.min() <= ev.max() * 1e-13):
            raise np.linalg.LinAlgError
        e_inv = np.linalg.inv(e)
    except np.linalg.LinAlgError:
        e_inv = np.full_like(e, np.nan)
        notes.append(
            "The information matrix is singular: the model is probably not identified, so no standard "
            "errors or robust tests could be computed."
        )
    gammas = [s.gamma for s in stats]
    # --- standard errors
    if spec.se == "robust.sem":
        meat = np.zeros_like(e)
        for g, d in enumerate(jac):
            wd = est.weights[g] @ d if est.full else est.weights[g][:, None] * d
            meat += fg[g] * (wd.T @ gammas[g] @ wd)
        vcov = e_inv @ meat @ e_inv / (ntotal - ngroups)
    else:
        vcov = e_inv / (ntotal - ngroups)
    names = _param_names(opt)
    # --- tests
    sig = mdl.moments(x)
    q = [
        float((s.wls_obs - sg) @ est._wr(g, s.wls_obs - sg))
        for g, (s, sg) in enumerate(zip(stats, sig, strict=True))
    ]
    stat_group = [(nobs[g] - 1) * q[g] for g in range(ngroups)]
    ndat = sum(s.wls_obs.size for s in stats)
    df = ndat - opt.npar
    chisq = float(sum(stat_group))
    pv = float("nan") if spec.weight == "ULS" or df == 0 else _pchisq_upper(chisq, df)
    standard = TestStat("standard", chisq, float(df), pv, stat_group=stat_group)
    tests = {"standard": standard}
    scaled = None
    if spec.test != "standard":
        if df > 0 and np.all(np.isfinite(e_inv)):
            t1, t2 = _ugamma_traces(
                est.weights, est.full, gammas, jac, e_inv, fg, spec.test != "satorra.bentler"
            )
            scaled = _scaled_tests(spec.test, standard, t1, t2, fg)
        else:
            scaled = TestStat(spec.test, float("nan"), float(df), float("nan"))
        tests[spec.test] = scaled
    # --- baseline
    base_tests, base_q = _baseline(est, stats, spec)
    # --- fit measures
    fitm = _fit_measures(
        est, stats, mdl, x, standard, scaled, base_tests, spec, notes, e_inv, jac, opt, fx=res.fx
    )
    # --- estimates table
    estimates = _estimates_table(opt, mdl, x, vcov, ci_level)
    vdf = pd.DataFrame(vcov, index=names, columns=names)
    # --- warnings about the solution
    if not res.converged:
        warnings.append(
            f"The estimation did not converge ({res.message}); the estimates are not reliable."
        )
    for g, dd in enumerate(mdl.details(x)):
        where = f" in group {labels[g]}" if labels else ""
        neg = [opt.ov_names[i] for i in range(mdl.p) if dd["theta_diag"][i] < 0]
        if neg:
            warnings.append(
                f"Negative residual variance (Heywood case){where} for {', '.join(neg)}: a "
                "standardized loading above 1. Check these items (too few categories, "
                "near-duplicate items)."
            )
        w = np.linalg.eigvalsh(dd["lvcov"])
        if w.size and w.min() < 0:
            warnings.append(
                f"The latent covariance matrix{where} is not positive definite (a factor correlation "
                "beyond +-1?); the factors may not be distinct."
            )
    return OrdinalCFAResult(
        model=model_text,
        estimator=spec.name,
        spec=spec,
        parameterization=opt.parameterization,
        ov_names=list(opt.ov_names),
        lv_names=list(opt.lv_names),
        group=group,
        group_labels=list(labels),
        nobs=[int(n) for n in nobs],
        converged=res.converged,
        iterations=res.iterations,
        estimates=estimates,
        tests=tests,
        baseline_tests=base_tests,
        sample=stats,
        x=x,
        vcov=vdf,
        notes=notes,
        warnings=warnings,
        _fit=fitm,
        _pt=opt,
        _model=mdl,
        _est=est,
    )


def _baseline(
    est: WLSEstimator, stats: list[OrdinalGroupStats], spec: EstimatorSpec
) -> tuple[dict[str, TestStat], list[float]]:
    """Independence model: free thresholds (and means and variances of continuous items), zero
    correlations, in every group; its minimum is a linear least-squares problem (closed form)."""
    ng = len(stats)
    nobs = est.nobs
    q, jac = [], []
    ncol = sum(s.cov_offset for s in stats)
    col0 = 0
    for g, st in enumerate(stats):
        w = est.weights[g]
        k = st.cov_offset
        s = st.wls_obs
        if est.full:
            wtt = w[:k, :k]
            tau = np.linalg.solve(wtt, wtt @ s[:k] + w[:k, k:] @ s[k:])
        else:
            tau = s[:k]
        r = s.copy()
        r[:k] -= tau
        q.append(float(r @ (w @ r if est.full else w * r)))
        d = np.zeros((s.size, ncol))
        d[np.arange(k), col0 + np.arange(k)] = 1.0
        col0 += k
        jac.append(d)
    stat_group = [(nobs[g] - 1) * q[g] for g in range(ng)]
    df = float(sum(s.npairs for s in stats))
    chisq = float(sum(stat_group))
    pv = float("nan") if spec.weight == "ULS" else _pchisq_upper(chisq, df)
    out = {"standard": TestStat("standard", chisq, df, pv, stat_group=stat_group)}
    if spec.test != "standard":
        e = np.zeros((ncol, ncol))
        for g, d in enumerate(jac):
            wd = est.weights[g] @ d if est.full else est.weights[g][:, None] * d
            e += est.fg[g] * (d.T @ wd)
        t1, t2 = _ugamma_traces(
            est.weights,
            est.full,
            [s.gamma for s in stats],
            jac,
            np.linalg.inv(e),
            est.fg,
            spec.test != "satorra.bentler",
        )
        out[spec.test] = _scaled_tests(spec.test, out["standard"], t1, t2, est.fg)
    return out, q


def _catml_robust(
    est: WLSEstimator,
    stats: list[OrdinalGroupStats],
    mdl: OrdinalModel,
    x: np.ndarray,
    e_inv: np.ndarray,
    jac: list[np.ndarray],
    opt: OrdinalParTable,
) -> tuple[dict | None, str | None]:
    """lavaan 0.6.14's robust-index ingredients for categorical data (Savalei, 2021)."""
    eps = np.sqrt(np.finfo(float).eps)
    f = opt.frame
    shared = (
        f[f["free"] > 0]
        .groupby("free")["op"]
        .agg(lambda o: len(o) > 1 and o.isin(["|", "~1"]).any())
    )
    if shared.any():
        return None, (
            "Thresholds (or intercepts) are constrained to be equal, and lavaan 0.6.14 cannot compute "
            "the robust CFI/TLI/RMSEA then (its ML refit to the polychoric correlations drops the "
            "thresholds but keeps their equality constraints and fails; lavaan issue #386), so they "
            "are NA here too. Use the scaled indices, or compare models with the scaled chi-square "
            "difference test."
        )
    if any(st.nnum for st in stats):
        return None, (
            "The model mixes ordered and continuous indicators; lavaan 0.6.14 defines its robust "
            "CFI/TLI/RMSEA for categorical data only when every indicator is ordered, so they are NA "
            "here. Use the scaled indices."
        )
    for st in stats:
        ev = np.linalg.eigvalsh(st.cor)
        if ev.min() < eps:
            where = f" in group {st.label}" if st.label else ""
            return None, (
                f"The polychoric correlation matrix{where} is not positive definite (smallest "
                f"eigenvalue {ev.min():.2g}), so the robust CFI/TLI/RMSEA (which refit the model by "
                "ML to that matrix) are not defined; lavaan reports them as NA too. Use the scaled "
                "indices."
            )
    if not np.all(np.isfinite(e_inv)):
        return None, "The information matrix could not be inverted, so the robust indices are NA."
    fg = est.fg
    xx3 = 0.0
    xx3_null = 0.0
    ks = 0.0
    kbs = 0.0
    # WiU = I - D_c E^-1 D_c' W_c over the stacked correlation blocks
    dc_list, wc_list, vml_list, gam_list = [], [], [], []
    for g, st in enumerate(stats):
        nth = st.nth
        s_mat = st.cor
        implied = mdl.moments(x)[g][nth:]
        sig = np.eye(st.p)
        sig[st.pair_i, st.pair_j] = implied
        sig[st.pair_j, st.pair_i] = implied
        sign, logdet = np.linalg.slogdet(sig)
        if sign <= 0:
            return None, (
                "The model-implied correlation matrix is not positive definite, so the robust "
                "(catML-based) indices are not defined."
            )
        sinv = np.linalg.inv(sig)
        _, logdet_s = np.linalg.slogdet(s_mat)
        xx3 += st.n * (logdet + np.sum(s_mat * sinv) - logdet_s - st.p)
        xx3_null += -st.n * logdet_s
        pi, pj = st.pair_i, st.pair_j
        vml = (
            sinv[np.ix_(pi, pi)] * sinv[np.ix_(pj, pj)]
            + sinv[np.ix_(pi, pj)] * sinv[np.ix_(pj, pi)]
        )
        dc_list.append(jac[g][nth:])
        w = est.weights[g]
        wc = w[nth:, nth:] if est.full else np.diag(w[nth:])
        wc_list.append(fg[g] * wc)
        vml_list.append(fg[g] * vml)
        gam_list.append(st.gamma[nth:, nth:] / fg[g])
        kbs += float(np.trace(gam_list[-1]))
    # block matrices
    dall = np.vstack(dc_list)
    from scipy.linalg import block_diag

    wall = block_diag(*wc_list)
    vall = block_diag(*vml_list)
    gall = block_diag(*gam_list)
    wiu = np.eye(dall.shape[0]) - dall @ e_inv @ dall.T @ wall
    ks = float(np.sum((wiu.T @ vall @ wiu) * gall.T))
    nth_free = len(
        set(opt.frame.loc[(opt.frame["op"].isin(["|", "~1"])) & (opt.frame["free"] > 0), "free"])
    )
    df3 = float(sum(s.npairs for s in stats) - (opt.npar - nth_free))
    df3_null = float(sum(s.npairs for s in stats))
    return {
        "XX3": xx3,
        "df3": df3,
        "c.hat3": ks / df3,
        "XX3.scaled": xx3 / (ks / df3),
        "XX3.null": xx3_null,
        "df3.null": df3_null,
        "c.hat3.null": kbs / df3_null,
    }, None


def _fit_measures(
    est, stats, mdl, x, standard, scaled, base_tests, spec, notes, e_inv, jac, opt, fx
) -> dict[str, float]:
    nan = float("nan")
    ng = len(stats)
    ntotal = est.ntotal
    n_rmsea = ntotal - ng
    fm: dict[str, float] = {}
    fm["npar"] = float(opt.npar)
    fm["fmin"] = float(fx)
    x2, df = standard.stat, standard.df
    fm["chisq"] = x2
    fm["df"] = df
    fm["pvalue"] = standard.pvalue
    b = base_tests["standard"]
    x2b, dfb = b.stat, b.df
    has_scaled = scaled is not None
    if has_scaled:
        fm["chisq.scaled"] = scaled.stat
        fm["df.scaled"] = scaled.df
        fm["pvalue.scaled"] = scaled.pvalue
        fm["chisq.scaling.factor"] = scaled.scaling_factor
        if spec.test == "scaled.shifted":
            fm["chisq.shift.parameter"] = scaled.shift_parameter
    fm["baseline.chisq"] = x2b
    fm["baseline.df"] = dfb
    fm["baseline.pvalue"] = b.pvalue
    if has_scaled:
        bs = base_tests[spec.test]
        fm["baseline.chisq.scaled"] = bs.stat
        fm["baseline.df.scaled"] = bs.df
        fm["baseline.pvalue.scaled"] = bs.pvalue
        fm["baseline.chisq.scaling.factor"] = bs.scaling_factor
    fm["cfi"] = fitfun.cfi(x2, df, x2b, dfb)
    fm["tli"] = fitfun.tli(x2, df, x2b, dfb)
    if has_scaled:
        xs, dfs = scaled.stat, scaled.df
        xbs, dfbs = base_tests[spec.test].stat, base_tests[spec.test].df
        fm["cfi.scaled"] = fitfun.cfi(xs, dfs, xbs, dfbs)
        fm["tli.scaled"] = fitfun.tli(xs, dfs, xbs, dfbs)
    robust = None
    robust_flag = has_scaled and spec.test in ("satorra.bentler", "scaled.shifted")
    if robust_flag:
        robust, why = _catml_robust(est, stats, mdl, x, e_inv, jac, opt)
        if robust is None:
            notes.append(why)
            robust = dict.fromkeys(
                ["XX3", "df3", "c.hat3", "XX3.scaled", "XX3.null", "df3.null", "c.hat3.null"], nan
            )
        c, cb = robust["c.hat3"], robust["c.hat3.null"]
        fm["cfi.robust"] = fitfun.cfi(robust["XX3"], df, robust["XX3.null"], dfb, c, cb)
        fm["tli.robust"] = fitfun.tli(robust["XX3"], df, robust["XX3.null"], dfb, c, cb)
    elif has_scaled:
        notes.append(
            f"lavaan reports no robust CFI/TLI/RMSEA with test='{spec.test}'; use the scaled indices."
        )
    fm["nnfi"] = fitfun.tli(x2, df, x2b, dfb)
    fm["rfi"] = fitfun.rfi(x2, df, x2b, dfb)
    fm["nfi"] = fitfun.nfi(x2, df, x2b, dfb)
    fm["pnfi"] = (df / dfb) * ((x2b - x2) / x2b) if dfb > 0 and x2b > 0 else nan
    fm["ifi"] = fitfun.ifi(x2, df, x2b, dfb)
    fm["rni"] = fitfun.rni(x2, df, x2b, dfb)
    if has_scaled:
        xs, dfs = scaled.stat, scaled.df
        xbs, dfbs = base_tests[spec.test].stat, base_tests[spec.test].df
        fm["nnfi.scaled"] = fitfun.tli(xs, dfs, xbs, dfbs)
        fm["rfi.scaled"] = fitfun.rfi(xs, dfs, xbs, dfbs)
        fm["nfi.scaled"] = fitfun.nfi(xs, dfs, xbs, dfbs)
        fm["pnfi.scaled"] = (dfs / dfbs) * ((xbs - xs) / xbs) if dfbs > 0 and xbs > 0 else nan
        fm["ifi.scaled"] = fitfun.ifi(xs, dfs, xbs, dfbs)
        fm["rni.scaled"] = fitfun.rni(xs, dfs, xbs, dfbs)
    if robust_flag:
        c, cb = robust["c.hat3"], robust["c.hat3.null"]
        fm["nnfi.robust"] = fitfun.tli(robust["XX3"], df, robust["XX3.null"], dfb, c, cb)
        fm["rni.robust"] = fitfun.rni(robust["XX3"], df, robust["XX3.null"], dfb, c, cb)
    # RMSEA
    fm["rmsea"] = fitfun.rmsea(x2, df, n_rmsea, ng)
    lo, hi = fitfun.rmsea_ci(x2, df, n_rmsea, ng)
    fm["rmsea.ci.lower"], fm["rmsea.ci.upper"] = lo, hi
    fm["rmsea.ci.level"] = 0.90
    fm["rmsea.pvalue"] = fitfun.rmsea_pvalue(x2, df, n_rmsea, ng, h0=0.05, close=True)
    fm["rmsea.close.h0"] = 0.05
    fm["rmsea.notclose.pvalue"] = fitfun.rmsea_pvalue(x2, df, n_rmsea, ng, h0=0.08, close=False)
    fm["rmsea.notclose.h0"] = 0.08
    if has_scaled:
        if spec.test == "scaled.shifted":
            xx2, df2 = scaled.stat, df
        else:
            xx2, df2 = x2, scaled.trace_ugamma
        fm["rmsea.scaled"] = fitfun.rmsea(xx2, df2, n_rmsea, ng)
        lo, hi = fitfun.rmsea_ci(xx2, df2, n_rmsea, ng)
        fm["rmsea.ci.lower.scaled"], fm["rmsea.ci.upper.scaled"] = lo, hi
        fm["rmsea.pvalue.scaled"] = fitfun.rmsea_pvalue(xx2, df2, n_rmsea, ng, h0=0.05, close=True)
        fm["rmsea.notclose.pvalue.scaled"] = fitfun.rmsea_pvalue(
            xx2, df2, n_rmsea, ng, h0=0.08, close=False
        )
    if robust_flag:
        xx3, df3, c3 = robust["XX3"], robust["df3"], robust["c.hat3"]
        if np.isfinite(xx3):
            fm["rmsea.robust"] = fitfun.rmsea(xx3, df3, n_rmsea, ng, c3)
            lo, hi = fitfun.rmsea_ci(robust["XX3.scaled"], df3, n_rmsea, ng, c3)
            fm["rmsea.ci.lower.robust"], fm["rmsea.ci.upper.robust"] = lo, hi
            fm["rmsea.pvalue.robust"] = fitfun.rmsea_pvalue(
                robust["XX3.scaled"], df3, n_rmsea, ng, c3, h0=0.05, close=True
            )
            fm["rmsea.notclose.pvalue.robust"] = fitfun.rmsea_pvalue(
                robust["XX3.scaled"], df3, n_rmsea, ng, c3, h0=0.08, close=False
            )
        else:
            for k in (
                "rmsea.robust",
                "rmsea.ci.lower.robust",
                "rmsea.ci.upper.robust",
                "rmsea.pvalue.robust",
                "rmsea.notclose.pvalue.robust",
            ):
                fm[k] = nan
    # residual-based (lavaan's residual summaries for categorical models: the off-diagonal
    # residuals over p(p-1)/2 + p elements; "total" adds the threshold residuals)
    acc = dict.fromkeys(("rmr", "rmr_nomean", "srmr", "srmr_nomean", "crmr", "crmr_nomean"), 0.0)
    sig = mdl.moments(x)
    for g, st in enumerate(stats):
        w = est.fg[g]
        sm = st.cov
        im = np.eye(st.p)
        im[st.num_idx, st.num_idx] = sig[g][st.nth : st.cov_offset]
        im[st.pair_i, st.pair_j] = im[st.pair_j, st.pair_i] = sig[g][st.cov_offset :]
        sd, sdi = np.sqrt(np.diag(sm)), np.sqrt(np.diag(im))
        pi, pj = st.pair_i, st.pair_j
        # lavaan's "th" residuals are those of the ordinal thresholds only
        is_th = st.th_num > 0
        rth = (st.wls_obs[: st.nth] - sig[g][: st.nth])[is_th]
        nth_ord = int(is_th.sum())
        kinds = {
            "rmr": ((sm - im)[pi, pj], rth, st.npairs + st.p),
            "srmr": (((sm - im) / np.outer(sd, sd))[pi, pj], rth, st.npairs + st.p),
            "crmr": ((sm / np.outer(sd, sd) - im / np.outer(sdi, sdi))[pi, pj], rth, st.npairs),
        }
        for key, (rc, rt, den) in kinds.items():
            sc, stt = float(rc @ rc), float(rt @ rt)
            acc[f"{key}_nomean"] += w * (np.sqrt(sc / den) if den else 0.0)
            acc[key] += w * np.sqrt((sc + stt) / (den + nth_ord)) if den + nth_ord else 0.0
    srmr = acc["srmr_nomean"]
    srmr_tot = acc["srmr"]
    fm["rmr"] = acc["rmr"]
    fm["rmr_nomean"] = acc["rmr_nomean"]
    fm["srmr"] = srmr
    fm["srmr_bentler"] = srmr_tot
    fm["srmr_bentler_nomean"] = srmr
    fm["crmr"] = acc["crmr"]
    fm["crmr_nomean"] = acc["crmr_nomean"]
    fm["srmr_mplus"] = nan
    fm["srmr_mplus_nomean"] = nan
    nel = sum(s.wls_obs.size for s in stats)
    nel1 = stats[0].wls_obs.size  # lavaan 0.6.14 divides by the first group's count only
    fm["wrmr"] = float(np.sqrt(x2 / nel1)) if nel1 > 0 else nan
    # GFI family on the WLS moments
    gfi_g = []
    for g, st in enumerate(stats):
        r = st.wls_obs - sig[g]
        w = est.weights[g]
        s = st.wls_obs
        t1 = float(r @ (w @ r if est.full else w * r))
        t2 = float(s @ (w @ s if est.full else w * s))
        gfi_g.append(1 - t1 / t2)
    gfi = float(np.dot(est.nobs, gfi_g) / ntotal)
    fm["gfi"] = gfi
    fm["agfi"] = 1 - (nel / df) * (1 - gfi) if df > 0 else 1.0
    fm["pgfi"] = (df / nel) * gfi if nel > 0 else nan
    # Hoelter's critical N and McDonald's fit index, with lavaan's N - G cases
    for key, alpha in (("cn_05", 0.05), ("cn_01", 0.01)):
        fm[key] = (
            nan
            if df == 0 and x2 < np.finfo(float).eps
            else float(sstats.chi2.ppf(1 - alpha, df) / (x2 / n_rmsea) + 1)
        )
    fm["mfi"] = float(np.exp(-0.5 * (x2 - df) / n_rmsea))
    fm["ntotal"] = float(ntotal)
    return fm


def _estimates_table(opt, mdl: OrdinalModel, x, vcov, ci_level) -> pd.DataFrame:
    """lavaan's parameterEstimates(standardized = TRUE) plus delta-method SEs of std.lv/std.all."""
    f = opt.frame
    det = mdl.details(x)
    rm = _RowMap(opt)
    vals, std_lv, std_all = rm.standardize(x, det)
    dv = np.diag(vcov) if vcov.size else np.zeros(0)
    se_free = np.where(np.isfinite(dv), np.sqrt(np.clip(dv, 0, None)), np.nan)
    free = f["free"].to_numpy()
    se = np.where(free > 0, se_free[np.maximum(free, 1) - 1] if se_free.size else np.nan, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(free > 0, vals / se, np.nan)
    pval = np.where(free > 0, 2 * special.ndtr(-np.abs(z)), np.nan)
    crit = float(sstats.norm.ppf(0.5 + ci_level / 2))
    lo = np.where(free > 0, vals - crit * se, vals)
    hi = np.where(free > 0, vals + crit * se, vals)
    # delta-method SEs of the standardized values (central differences, the estimator's vcov)
    se_lv = np.full(len(f), np.nan)
    se_all = np.full(len(f), np.nan)
    if vcov.size and np.all(np.isfinite(vcov)):
        k = x.size
        j_lv = np.empty((len(f), k))
        j_all = np.empty((len(f), k))
        for j in range(k):
            h = 1e-6 * max(1.0, abs(x[j]))
            e = np.zeros(k)
            e[j] = h
            _, plv, pall = rm.standardize(x + e, mdl.details(x + e))
            _, mlv, mall = rm.standardize(x - e, mdl.details(x - e))
            j_lv[:, j] = (plv - mlv) / (2 * h)
            j_all[:, j] = (pall - mall) / (2 * h)
        for jac, out in ((j_lv, se_lv), (j_all, se_all)):
            var = np.einsum("ij,jk,ik->i", jac, vcov, jac)
            out[:] = np.sqrt(np.clip(var, 0, None))
            out[np.abs(jac).sum(axis=1) == 0] = 0.0
    return pd.DataFrame(
        {
            "lhs": f["lhs"],
            "op": f["op"],
            "rhs": f["rhs"],
            "group": f["group"],
            "label": f["label"],
            "free": f["free"],
            "est": vals,
            "se": se,
            "z": z,
            "pvalue": pval,
            "ci.lower": lo,
            "ci.upper": hi,
            "std.lv": std_lv,
            "std.lv.se": se_lv,
            "std.all": std_all,
            "std.all.se": se_all,
        }
    )


class _RowMap:
    """Index arrays over the rows of the parameter table, for vectorised values and standardisation."""

    def __init__(self, opt: OrdinalParTable):
        f = opt.frame
        ov = {n: i for i, n in enumerate(opt.ov_names)}
        lv = {n: i for i, n in enumerate(opt.lv_names)}
        self.g = f["group"].to_numpy(dtype=int) - 1
        self.op = f["op"].to_numpy()
        self.free = f["free"].to_numpy(dtype=int)
        self.value = f["value"].to_numpy(dtype=float)
        self.derived = f["derived"].to_numpy(dtype=bool)
        self.lhs_lv = f["lhs"].isin(list(lv)).to_numpy()
        self.rhs_lv = f["rhs"].isin(list(lv)).to_numpy()
        self.lhs_i = np.array([lv.get(n, ov.get(n, 0)) for n in f["lhs"]], dtype=int)
        self.rhs_i = np.array([lv.get(n, ov.get(n, 0)) for n in f["rhs"]], dtype=int)
        self.is_free = self.free > 0
        self.d_var = np.flatnonzero(self.derived & (self.op == "~~"))
        self.d_sc = np.flatnonzero(self.derived & (self.op == "~*~"))

    def values(self, x: np.ndarray, det: list[dict]) -> np.ndarray:
        vals = self.value.copy()
        vals[self.is_free] = x[self.free[self.is_free] - 1]
        if self.d_var.size or self.d_sc.size:
            theta = np.stack([d["theta_diag"] for d in det])
            sc = np.stack([d["sc"] for d in det])
            k = self.d_var
            vals[k] = theta[self.g[k], self.lhs_i[k]]
            k = self.d_sc
            vals[k] = sc[self.g[k], self.lhs_i[k]]
        return vals

    def standardize(
        self, x: np.ndarray, det: list[dict]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Row values, lavaan's std.lv and std.all (y* standard deviations 1/Delta)."""
        vals = self.values(x, det)
        sd_lv = np.stack([np.sqrt(np.clip(np.diag(d["lvcov"]), 0, None)) for d in det])
        sd_ov = np.stack([d["sd_ov"] for d in det])
        g = self.g

        def pick(arr: np.ndarray, idx: np.ndarray) -> np.ndarray:
            return arr[g, np.minimum(idx, arr.shape[1] - 1)]

        sd_l = np.where(self.lhs_lv, pick(sd_lv, self.lhs_i), pick(sd_ov, self.lhs_i))
        sd_r = np.where(self.rhs_lv, pick(sd_lv, self.rhs_i), pick(sd_ov, self.rhs_i))
        op = self.op
        std_lv = vals.copy()
        std_all = vals.copy()
        with np.errstate(divide="ignore", invalid="ignore"):
            m = op == "=~"
            std_lv[m] = vals[m] * sd_l[m] / np.where(self.rhs_lv[m], sd_r[m], 1.0)
            std_all[m] = vals[m] * sd_l[m] / sd_r[m]
            # variances by the total variances; covariances by the square roots of the two
            # variance *parameters* (lavaan's cov.std = TRUE: residual covariances become
            # residual correlations)
            var = op == "~~"
            same = self.lhs_i == self.rhs_i
            m = var & self.lhs_lv & same
            std_lv[m] = std_all[m] = vals[m] / (sd_l[m] * sd_r[m])
            m = var & ~self.lhs_lv & same
            std_all[m] = vals[m] / (sd_l[m] * sd_r[m])
            rv_lv = np.stack([np.sqrt(np.abs(np.diag(d["mats"].psi))) for d in det])
            rv_ov = np.stack([np.sqrt(np.abs(d["theta_diag"])) for d in det])
            rv_l = np.where(self.lhs_lv, pick(rv_lv, self.lhs_i), pick(rv_ov, self.lhs_i))
            rv_r = np.where(self.rhs_lv, pick(rv_lv, self.rhs_i), pick(rv_ov, self.rhs_i))
            m = var & self.lhs_lv & ~same
            std_lv[m] = std_all[m] = vals[m] / (rv_l[m] * rv_r[m])
            m = var & ~self.lhs_lv & ~same
            std_all[m] = vals[m] / (rv_l[m] * rv_r[m])
            m = op == "|"
            std_all[m] = vals[m] / sd_l[m]
            m = (op == "~1") & self.lhs_lv
            std_lv[m] = std_all[m] = vals[m] / sd_l[m]
            m = (op == "~1") & ~self.lhs_lv
            std_all[m] = vals[m] / sd_l[m]
            std_all[op == "~*~"] = 1.0  # lavaan: a scale factor is 1 on the standardized scale
        return vals, std_lv, std_all


# ---------------------------------------------------------------------------------------------
# Modification indices
# ---------------------------------------------------------------------------------------------
def ordinal_modification_indices(
    opt: OrdinalParTable,
    stats: list[OrdinalGroupStats],
    spec: EstimatorSpec,
    x: np.ndarray,
    weights: list[np.ndarray] | None = None,
    details: list[dict] | None = None,
) -> pd.DataFrame:
    """Modification indices of an ordinal CFA fitted by DWLS/WLSMV (or ULS, WLS): lavaan's
    ``modindices()``.

    The score test of :mod:`.modindices` with the least-squares fit function: for the model
    extended by the candidates (fixed rows, omitted loadings and residual covariances), at the
    estimates,

        g = -sum_g (N_g - 1)/N  Delta_g' W_g (s_g - sigma_g)
        I = sum_g  N_g/N        Delta_g' W_g Delta_g
        V_j = I_jj - I_j2 I_22^-1 I_2j,   MI_j = N g_j^2 / V_j,   EPC_j = -g_j / V_j

    with Delta_g the Jacobian of the thresholds and polychoric correlations and W_g the estimator's
    weight matrix (diag(Gamma_g)^-1 for DWLS/WLSMV); the scaled-and-shifted correction of WLSMV does
    not enter (lavaan 0.6.14, ``lav_model_gradient()`` and ``lav_model_information_expected()``).
    Thresholds, intercepts and scale factors the model cannot identify (V_j ~ 0: an item's
    intercept next to its free thresholds, a first-group scale factor, a residual variance under
    the delta parameterisation) get no index, as in lavaan. sepc.lv / sepc.all standardize |EPC|
    with the model's scales at the estimates (latent response y* standard deviations 1/Delta, the
    residual variances for residual covariances: lavaan's ``cov.std = TRUE``).

    Parameters
    ----------
    opt, stats, spec, x
        The fitted parameter table, sample statistics, estimator and estimates.
    weights, details
        The fitted estimator's weight matrices and the fitted model's ``details(x)`` (recomputed
        when not given).

    Returns
    -------
    DataFrame
        ``lhs``, ``op``, ``rhs``, ``group``, ``mi``, ``epc``, ``sepc.lv``, ``sepc.all``,
        ``sepc.nox``, largest mi first.

    References
    ----------
    Sorbom, D. (1989). Model modification. *Psychometrika*, 54, 371-384.
    Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. *Journal of
    Statistical Software*, 48(2), 1-36.
    """
    f = opt.frame
    cand = candidate_rows(f, opt.ov_names, opt.lv_names, opt.ngroups)
    if cand.empty:
        return pd.DataFrame(columns=MI_COLUMNS)
    npar = opt.npar
    ext = extended_frame(f, cand, npar)
    opt_ext = OrdinalParTable(
        ext, list(opt.ov_names), list(opt.lv_names), opt.ngroups, opt.parameterization
    )
    est_ext = WLSEstimator(OrdinalModel(opt_ext, stats), stats, spec, weights=weights)
    x_ext = np.concatenate([x, cand["value"].to_numpy(dtype=float)])
    _, grad = est_ext.objective_gradient(x_ext)
    info, _ = est_ext.information(x_ext)
    mi, epc = score_test(grad, info, npar, est_ext.ntotal)
    # standardize |EPC| as if it were the candidate's value, with the fitted model's scales
    rows = cand.assign(
        value=np.abs(epc), free=0, derived=False, id=0, user=10, ustart=np.nan, label="", plabel=""
    )
    cand_pt = OrdinalParTable(
        rows, list(opt.ov_names), list(opt.lv_names), opt.ngroups, opt.parameterization
    )
    if details is None:
        details = OrdinalModel(opt, stats).details(x)
    _, std_lv, std_all = _RowMap(cand_pt).standardize(x, details)
    sign = np.sign(epc)
    return mi_table(cand, mi, epc, sign * std_lv, sign * std_all)


# ---------------------------------------------------------------------------------------------
# Ordinal reliability
# ---------------------------------------------------------------------------------------------
def _bvn_sum(t1: np.ndarray, t2: np.ndarray, r: float) -> float:
    """sum_{c,c'} Phi2(t1_c, t2_c'; r), with Phi2(a, b; 1) = Phi(min(a, b))."""
    from ..polychoric import bvn_cdf

    a = t1[:, None]
    b = t2[None, :]
    if r >= 1.0 - 1e-12:
        return float(np.sum(special.ndtr(np.minimum(a, b))))
    if r <= -1.0 + 1e-12:
        return float(np.sum(np.maximum(special.ndtr(a) + special.ndtr(b) - 1.0, 0.0)))
    return float(
        np.sum(
            bvn_cdf(np.broadcast_to(a, (a.size, b.size)), np.broadcast_to(b, (a.size, b.size)), r)
        )
    )


def _omega_cat(common: np.ndarray, total: np.ndarray, thresholds: list[np.ndarray]) -> float:
    num = den = 0.0
    k = len(thresholds)
    for j in range(k):
        for jp in range(k):
            s1 = float(np.sum(special.ndtr(thresholds[j])))
            s2 = float(np.sum(special.ndtr(thresholds[jp])))
            num += _bvn_sum(thresholds[j], thresholds[jp], common[j, jp]) - s1 * s2
            den += _bvn_sum(thresholds[j], thresholds[jp], total[j, jp]) - s1 * s2
    return num / den


def ordinal_composite_reliability(result: OrdinalCFAResult, ord_scale: bool = True) -> pd.DataFrame:
    """Composite reliability of each factor from an ordinal CFA (semTools ``compRelSEM``).

    With ``ord_scale=True`` (semTools' default) this is the reliability of the *summed observed item
    scores* (Green & Yang, 2009):

        omega = sum_{j,j'} sum_{c,c'} [Phi2(tau_jc, tau_j'c'; l_j l_j' psi) - Phi(tau_jc) Phi(tau_j'c')]
                / sum_{j,j'} sum_{c,c'} [Phi2(tau_jc, tau_j'c'; rho_jj') - Phi(tau_jc) Phi(tau_j'c')]

    with the model's standardized thresholds ``tau`` and loadings ``l`` (y* scale), the factor
    variance ``psi`` and the sample polychoric correlations ``rho`` (``rho_jj = 1``). With
    ``ord_scale=False`` it is omega on the latent-response scale,
    ``sum(l l' psi) / sum(polychoric correlations)``. Factors with a single indicator are left out
    (semTools' ``dropSingle``).

    In groups whose scale factors ``Delta`` differ from 1 (the theta parameterisation, or multiple
    groups with equal thresholds), semTools standardizes the thresholds as ``tau Delta`` without
    subtracting the latent mean, and computes the latent-scale omega as
    ``sum(L psi L') / sum(Delta^-1 S Delta^-1)``; this function does the same so that the figures
    agree.

    A factor measured by continuous items only gets ``sum(L psi L') / sum(S)`` (S their covariance
    matrix); a factor with both kinds of indicators gets NaN (semTools does not define it).

    Returns
    -------
    DataFrame
        One row per factor and group: ``factor``, ``group``, ``omega``, ``indicators``, ``note``.
    """
    mdl = result._model
    if mdl is None:
        raise UserError(
            "this result has no model attached", hint="Fit the model with cfa_ordinal()."
        )
    det = mdl.details(result.x)
    rows = []
    ov = result.ov_names
    for g, d in enumerate(det):
        lam = d["mats"].lam  # p x m (first-order loadings of observed indicators)
        sc = d["sc"]
        st = result.sample[g]
        for f_idx, fac in enumerate(result.lv_names):
            ind = np.flatnonzero(lam[:, f_idx] != 0)
            if ind.size < 2:
                continue
            lf = lam[ind, f_idx][:, None]
            raw = lf @ lf.T * d["lvcov"][f_idx, f_idx]
            common = raw * np.outer(sc[ind], sc[ind])  # to the y* correlation scale
            total = st.cor[np.ix_(ind, ind)]
            num = st.numeric[ind]
            note = ""
            if num.any() and not num.all():
                # semTools leaves a factor with both kinds of indicators out (NA, with a warning)
                omega = float("nan")
                note = "ordered and continuous indicators: no composite reliability (as semTools)"
            elif ord_scale and not num.any():
                # semTools uses the raw thresholds times the scale factors (ignoring latent means)
                taus = [d["tau"][st.th_var == i] * sc[i] for i in ind]
                omega = _omega_cat(common, total, taus)
            else:
                # semTools: sum(L psi L') / sum(D^-1 S D^-1), both on the y* scale (D = scale
                # factors; continuous items: S is their covariance matrix and D = 1)
                tot = st.cov[np.ix_(ind, ind)] / np.outer(sc[ind], sc[ind])
                omega = float(raw.sum() / tot.sum())
            rows.append(
                {
                    "factor": fac,
                    "group": result.group_labels[g] if result.group_labels else "",
                    "omega": omega,
                    "indicators": ", ".join(ov[i] for i in ind),
                    "note": note,
                }
            )
    return pd.DataFrame(rows, columns=["factor", "group", "omega", "indicators", "note"])
