"""``cfa()``: confirmatory factor analysis from lavaan model syntax and a DataFrame."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from moscale.errors import DataError, ModelError

from ._blas import single_blas
from .diagnostics import (
    check_identification,
    convergence_message,
    heywood_warnings,
    sample_size_warnings,
)
from .fitting import fit_partable
from .information import compute_vcov
from .partable import GROUP_EQUAL_KINDS, build_partable
from .result import CFAResult

if TYPE_CHECKING:
    from .wls import OrdinalCFAResult
from .samplestats import group_stats_cached
from .syntax import parse_model

__all__ = ["cfa"]


def _choice(value: str, allowed: dict[str, str], what: str, hint: str) -> str:
    key = str(value).strip().lower()
    if key not in allowed:
        raise ModelError(f"unknown {what} {value!r}", hint=hint)
    return allowed[key]


def _close_matches(name: str, columns: Sequence[str]) -> list[str]:
    lower = {str(c).lower(): str(c) for c in columns}
    out = []
    if name.lower() in lower and lower[name.lower()] != name:
        out.append(lower[name.lower()])
    out += [
        c
        for c in difflib.get_close_matches(name, [str(c) for c in columns], n=3, cutoff=0.6)
        if c not in out
    ]
    return out


def cfa(
    model: str,
    data: pd.DataFrame,
    estimator: str = "ML",
    ordered: Iterable[str] | bool | None = None,
    group: str | None = None,
    group_equal: Sequence[str] = (),
    missing: str = "listwise",
    std_lv: bool = False,
    se: str = "default",
    information: str = "default",
    parameterization: str = "delta",
) -> CFAResult | OrdinalCFAResult:
    """Confirmatory factor analysis, matching lavaan's ``cfa()``.

    Continuous items are fitted by ML or MLR (this module); with ``ordered=`` (True or a list of
    items) or a least-squares estimator (``"WLSMV"``, ``"ULSMV"``, ``"DWLS"``, ...) the model is
    fitted to thresholds and polychoric correlations by :func:`moscale.analysis.cfa.wls.cfa_ordinal`
    (delta parameterisation by default, ``parameterization="theta"`` as an option).

    Parameters
    ----------
    model
        lavaan model syntax, e.g. ``"customer =~ co1 + co2 + co3\\ncompetitor =~ cp1 + cp2 + cp3"``.
        Supports ``=~`` (a second-order factor is ``g =~ F1 + F2 + F3``), ``~~``, ``~ 1``, fixed
        values (``1*x1``), ``NA*`` (free), labels (``a*x1``; equal labels are equality
        constraints), ``start()``, ``c()`` per group, ``==`` between labels.
    data
        One row per respondent; the model's items must be numeric columns.
    estimator
        ``"ML"`` (normal theory; chi-square N F_ML) or ``"MLR"`` (ML estimates, Huber-White
        sandwich standard errors, Yuan-Bentler scaled chi-square, robust CFI/TLI/RMSEA).
    ordered
        Ordinal items; not yet supported (WLSMV arrives in a later version).
    group
        Column that splits the sample into groups for a multi-group model.
    group_equal
        With ``group``: any of "loadings", "intercepts", "means", "residuals",
        "residual.covariances", "lv.variances", "lv.covariances" (equal across groups).
    missing
        ``"listwise"`` (complete cases) or ``"fiml"`` / ``"ml"`` (full-information ML on every case
        that answered at least one item; missing at random assumed).
    std_lv
        Identify factors by unit variances (all loadings free) instead of marker loadings.
    se
        ``"default"`` (``"standard"`` for ML, ``"robust.huber.white"`` for MLR), ``"standard"``,
        ``"robust"``, or ``"none"``.
    information
        ``"default"`` (expected for complete-data ML; observed for FIML and for robust standard
        errors, as lavaan 0.6.14),
        ``"expected"`` or ``"observed"``.

    Returns
    -------
    CFAResult

    Raises
    ------
    ModelError
        Syntax errors (with line and token), variables missing from the data (with close matches),
        unidentified models, unsupported options.
    DataError
        Non-numeric items, too few cases, items without variance, a covariance matrix that is not
        positive definite (naming the collinear items).

    Notes
    -----
    The estimator minimises F_ML = log|Sigma| + tr(S Sigma^-1) - log|S| - p (Joreskog, 1969) by
    Fisher scoring and Newton steps with analytic derivatives. References: Rosseel (2012) lavaan,
    J. Stat. Softw. 48(2); Yuan & Bentler (2000); Brosseau-Liard & Savalei (2014);
    Zhang & Savalei (2023).

    Examples
    --------
    >>> import pandas as pd
    >>> hs = pd.read_csv("tests/data/holzinger_swineford_1939.csv")  # doctest: +SKIP
    >>> fit = cfa("visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6", hs)  # doctest: +SKIP
    >>> fit.fit_measures(["chisq", "df", "cfi", "rmsea"])  # doctest: +SKIP
    """
    from .wls import maybe_cfa_ordinal  # the ordinal engine; None for a continuous fit

    ordinal = maybe_cfa_ordinal(
        model,
        data,
        estimator=estimator,
        ordered=ordered,
        group=group,
        group_equal=group_equal,
        missing=missing,
        std_lv=std_lv,
        se=se,
        information=information,
        parameterization=parameterization,
    )
    if ordinal is not None:
        return ordinal
    with single_blas():
        return _cfa(
            model,
            data,
            estimator,
            ordered,
            group,
            tuple(group_equal),
            missing,
            std_lv,
            se,
            information,
        )


def _cfa(
    model, data, estimator, ordered, group, group_equal, missing, std_lv, se, information
) -> CFAResult:
    est_name = str(estimator).strip().upper()
    if est_name not in {"ML", "MLR"}:
        raise ModelError(f"unknown estimator {estimator!r}", hint="Use estimator='ML' or 'MLR'.")
    miss = _choice(
        missing,
        {"listwise": "listwise", "fiml": "ml", "ml": "ml", "direct": "ml"},
        "missing-data method",
        "Use missing='listwise' or missing='fiml'.",
    )
    se_type = _choice(
        se,
        {
            "default": "default",
            "standard": "standard",
            "robust": "robust.huber.white",
            "robust.huber.white": "robust.huber.white",
            "none": "none",
        },
        "se type",
        "Use se='default', 'standard', 'robust' or 'none'.",
    )
    if se_type == "default":
        se_type = "robust.huber.white" if est_name == "MLR" else "standard"
    info = _choice(
        information,
        {"default": "default", "expected": "expected", "observed": "observed"},
        "information matrix",
        "Use information='default', 'expected' or 'observed'.",
    )
    if info == "default":
        # lavaan 0.6.14: observed information with missing data and with robust (sandwich) SEs
        info = "observed" if (miss == "ml" or se_type == "robust.huber.white") else "expected"
    test_type = "yuan.bentler.mplus" if est_name == "MLR" else "standard"
    if not isinstance(data, pd.DataFrame):
        raise DataError(
            "data must be a pandas DataFrame with one column per item",
            hint="Read the responses with moscale.read_responses() or pandas.read_csv().",
        )
    bad_eq = [k for k in group_equal if k not in GROUP_EQUAL_KINDS]
    if bad_eq:
        raise ModelError(
            f"unknown group_equal entry {bad_eq[0]!r}",
            hint="Use any of: " + ", ".join(GROUP_EQUAL_KINDS) + ".",
        )
    if group_equal and group is None:
        raise ModelError(
            "group_equal needs group=", hint="Name the grouping column with group='...'."
        )

    parsed = parse_model(model)
    # groups
    warnings: list[str] = []
    if group is not None:
        if group not in data.columns:
            close = _close_matches(str(group), list(data.columns))
            raise ModelError(
                f"the grouping column {group!r} is not in the data",
                hint=("Did you mean " + " or ".join(repr(c) for c in close) + "?")
                if close
                else "Check the column name.",
            )
        gcol = data[group]
        keep = gcol.notna()
        if (~keep).any():
            warnings.append(f"{int((~keep).sum())} case(s) with no value of {group} were left out.")
        data = data[keep]
        labels = [str(v) for v in pd.unique(data[group])]
        if len(labels) < 2:
            raise DataError(
                f"the grouping column {group!r} has only one value",
                hint="A multi-group model needs at least two groups.",
            )
        gvals = data[group].astype(str).to_numpy()
    else:
        labels = ["1"]
        gvals = np.array(["1"] * len(data))
    ngroups = len(labels)
    pt = build_partable(
        parsed,
        ngroups=ngroups,
        std_lv=std_lv,
        meanstructure=(miss == "ml"),
        group_equal=group_equal,
    )
    warnings.extend(pt.warnings)
    ov = pt.ov_names
    absent = [v for v in ov if v not in data.columns]
    if absent:
        parts = []
        for v in absent:
            close = _close_matches(v, list(data.columns))
            parts.append(f"{v} (close: {', '.join(close)})" if close else v)
        raise ModelError(
            "variable(s) in the model are not in the data: " + "; ".join(parts),
            hint="Check the spelling in the model syntax; a name that is meant as a factor must "
            "appear on the left of =~.",
        )
    y = _numeric(data[ov])
    p = len(ov)
    n_moments = ngroups * (p * (p + 1) // 2 + (p if pt.meanstructure else 0))
    check_identification(pt, n_moments)
    stats = []
    nobs = []
    for lab in labels:
        yg = y[gvals == lab]
        if miss == "listwise":
            ok = ~np.isnan(yg).any(axis=1)
            dropped = int((~ok).sum())
            if dropped:
                where = f" in group {lab}" if ngroups > 1 else ""
                warnings.append(
                    f"{dropped} of {len(yg)} case(s){where} had missing answers and were left out "
                    "(listwise deletion); missing='fiml' uses them."
                )
            yg = yg[ok]
        st = group_stats_cached(
            yg, ov, missing=(miss == "ml"), group_label=lab if ngroups > 1 else ""
        )
        warnings.extend(st.notes)
        stats.append(st)
        nobs.append(st.n)
    core = fit_partable(pt, stats)
    converged = core.opt.converged
    vc = None
    if not converged:
        warnings.insert(0, convergence_message(core.opt.iterations))
        se_out = "none"
    else:
        warnings.extend(heywood_warnings(core.model, core.x, labels))
        if se_type != "none":
            names = _param_names(pt)
            vc = compute_vcov(core.est, core.x, se_type=se_type, information=info, names=names)
        se_out = se_type
    warnings.extend(sample_size_warnings(int(sum(nobs)), pt.npar))
    return CFAResult(
        model=model,
        estimator=est_name,
        missing=miss,
        se=se_out,
        information=info,
        test=test_type if converged else "none",
        ov_names=list(ov),
        lv_names=list(pt.lv_names),
        group=group,
        group_labels=labels,
        nobs=nobs,
        converged=converged,
        iterations=core.opt.iterations,
        warnings=warnings,
        _core=core,
        _vcov=vc,
    )


def _param_names(pt) -> list[str]:
    f = pt.frame
    names = [""] * pt.npar
    for lhs, op, rhs, fr in zip(f["lhs"], f["op"], f["rhs"], f["free"], strict=True):
        if fr > 0 and not names[fr - 1]:
            names[fr - 1] = f"{lhs} {op} {rhs}".strip()
    return names


def _numeric(frame: pd.DataFrame) -> np.ndarray:
    if all(
        pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t) for t in frame.dtypes
    ):
        return frame.to_numpy(dtype=float, na_value=np.nan)
    out = np.empty(frame.shape, dtype=float)
    for j, col in enumerate(frame.columns):
        s = frame[col]
        if pd.api.types.is_bool_dtype(s):
            s = s.astype(float)
        num = pd.to_numeric(s, errors="coerce")
        bad = num.isna() & s.notna()
        if bad.any():
            example = s[bad].iloc[0]
            raise DataError(
                f"item {col} has non-numeric values (e.g. {example!r})",
                hint=f"Recode {col} to numbers; declare missing-value codes so they become empty.",
            )
        out[:, j] = num.to_numpy(dtype=float)
    return out
