"""Common-method variance: Harman's single-factor test, a common method factor, marker variables.

Reviewers ask for evidence that a single-source, single-method survey is not explained by the
method itself (Podsakoff et al., 2003). This module gives the three checks in use, in increasing order
of what they can show:

1. :func:`harman_single_factor` — the share of all items' variance taken by the first unrotated
   factor. Widely reported, but it can only detect method variance so large that it swamps every
   trait; it says little about the moderate method effects that bias correlations.
2. :func:`method_factor_test` — the unmeasured latent method construct: the trait CFA against the same
   model with one extra factor, uncorrelated with the traits, on which every item loads.
3. :func:`marker_variable` — a marker scale, theoretically unrelated to the constructs but measured
   the same way: Lindell & Whitney's (2001) partial-correlation adjustment and the CFA marker
   technique of Williams, Hartman & Cavazotte (2010) (baseline, method-C, method-U, method-R models).

The CFA-based checks fit their models with moscale's CFA engine (``moscale.analysis.cfa.api.cfa``)
with every factor's variance fixed at 1 (``std_lv=True``).

References
----------
Harman, H. H. (1976). Modern factor analysis (3rd ed.). University of Chicago Press.
Podsakoff, P. M., & Organ, D. W. (1986). Self-reports in organizational research: problems and
prospects. Journal of Management, 12, 531-544.
Podsakoff, P. M., MacKenzie, S. B., Lee, J.-Y., & Podsakoff, N. P. (2003). Common method biases in
behavioral research: a critical review of the literature and recommended remedies. Journal of Applied
Psychology, 88, 879-903.
Lindell, M. K., & Whitney, D. J. (2001). Accounting for common method variance in cross-sectional
research designs. Journal of Applied Psychology, 86, 114-121.
Williams, L. J., Hartman, N., & Cavazotte, F. (2010). Method variance and marker variables: a review
and comprehensive CFA marker technique. Organizational Research Methods, 13, 477-514.
Fuller, C. M., Simmering, M. J., Atinc, G., Atinc, Y., & Babin, B. J. (2016). Common methods variance
detection in business research. Journal of Business Research, 69, 3192-3198.
Howard, M. C., Boudreaux, M., & Oglesby, M. (2024). Can Harman's single-factor test reliably
distinguish between research designs? Not in published management studies. European Journal of Work
and Organizational Psychology, 33, 790-804.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from moscale.analysis.validity import _records, indicator_map
from moscale.errors import DataError, ModelError, UserError

HARMAN_CAVEAT = (
    "Harman's single-factor test is a weak diagnostic: the first factor's share depends mostly on "
    "the number of items and constructs, and it flags method variance only when it dominates every "
    "trait, so a share below 50 % does not show that common-method bias is absent "
    "(Podsakoff et al., 2003; Fuller et al., 2016; Howard et al., 2024)."
)

FIT_NAMES = ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr")
#: Reported in addition with a robust estimator (MLR): lavaan's names.
ROBUST_NAMES = ("chisq.scaled", "chisq.scaling.factor", "cfi.robust", "tli.robust", "rmsea.robust")

# --------------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------------


def _numeric_items(items: pd.DataFrame, what: str) -> pd.DataFrame:
    if not isinstance(items, pd.DataFrame):
        items = pd.DataFrame(items)
    bad = [
        str(c)
        for c in items.columns
        if not (pd.api.types.is_numeric_dtype(items[c]) or pd.api.types.is_bool_dtype(items[c]))
    ]
    if bad:
        raise DataError(
            f"non-numeric columns for {what}: {', '.join(bad)}",
            hint="pass only the numerically coded item (or score) columns",
        )
    return items.astype(float)


def _correlations(x: pd.DataFrame, missing: str) -> tuple[np.ndarray, int]:
    if missing == "listwise":
        x = x.dropna()
        n = len(x)
        if n < 3:
            raise DataError(
                f"only {n} complete cases", hint="use missing='pairwise' or check the data"
            )
        sd = x.std(ddof=1).to_numpy()
        if (sd == 0).any():
            const = [str(c) for c, s in zip(x.columns, sd, strict=True) if s == 0]
            raise DataError(
                f"columns without variance: {', '.join(const)}",
                hint="drop constant items; their correlations are undefined",
            )
        return np.corrcoef(x.to_numpy(), rowvar=False), n
    if missing == "pairwise":
        r = x.corr(method="pearson", min_periods=3).to_numpy()
        if np.isnan(r).any():
            i, j = np.argwhere(np.isnan(r))[0]
            raise DataError(
                f"no correlation for {x.columns[i]} and {x.columns[j]} (too few joint answers or no "
                "variance)",
                hint="drop one of these columns",
            )
        return r, int(x.notna().all(axis=1).sum())
    raise UserError(f"missing='{missing}' is not known", hint="use 'listwise' or 'pairwise'")


def _smc(r: np.ndarray) -> np.ndarray:
    """Squared multiple correlations ``1 − 1/diag(R⁻¹)`` (pseudo-inverse, as psych::smc)."""
    return 1.0 - 1.0 / np.diag(np.linalg.pinv(r))


def _first_principal_axis(
    r: np.ndarray, min_err: float = 0.001, max_iter: int = 50
) -> tuple[np.ndarray, int]:
    """One principal-axis factor, iterated as psych::fa(fm = "pa") does.

    Communalities start at the SMCs; each pass takes the first eigenpair of R with the current
    communalities on its diagonal, and stops when the sum of communalities changes by no more than
    ``min_err`` (psych's default .001) or after ``max_iter`` passes.
    """
    rm = r.copy()
    np.fill_diagonal(rm, _smc(r))
    comm = float(np.trace(rm))
    err = comm
    it = 0
    loadings = np.zeros(r.shape[0])
    while err > min_err:
        vals, vecs = np.linalg.eigh(rm)
        loadings = vecs[:, -1] * np.sqrt(vals[-1])
        new = loadings**2
        comm1 = float(new.sum())
        np.fill_diagonal(rm, new)
        err = abs(comm - comm1)
        comm = comm1
        it += 1
        if it >= max_iter:
            break
    return loadings, it


# --------------------------------------------------------------------------------------------------
# Harman
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HarmanResult:
    """Result of :func:`harman_single_factor`.

    Attributes
    ----------
    share : float
        Proportion of the items' total (standardised) variance taken by the first unrotated
        component/factor: λ₁/p for principal components, Σλᵢ²/p for one principal-axis factor.
    exceeds_threshold : bool
        ``share > threshold`` (the conventional .50).
    eigenvalues : ndarray
        Eigenvalues of the item correlation matrix (descending).
    n_eigen_gt1 : int
        Components with eigenvalue above 1 (Podsakoff & Organ's "does a single factor emerge?").
    loadings : Series
        First unrotated component/factor loadings (sign chosen so that they sum to a positive value).
    n : int
        Cases with every item answered (with ``missing="pairwise"`` each correlation may rest on
        more cases than this).
    notes : list of str
        The result in words and the test's known weakness.
    """

    method: str
    share: float
    threshold: float
    exceeds_threshold: bool
    eigenvalues: np.ndarray
    n_eigen_gt1: int
    loadings: pd.Series
    n: int
    n_items: int
    iterations: int | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "method": self.method,
            "share": self.share,
            "threshold": self.threshold,
            "exceeds_threshold": self.exceeds_threshold,
            "eigenvalues": [float(v) for v in self.eigenvalues],
            "n_eigen_gt1": self.n_eigen_gt1,
            "loadings": {str(k): float(v) for k, v in self.loadings.items()},
            "n": self.n,
            "n_items": self.n_items,
            "notes": list(self.notes),
        }


def harman_single_factor(
    items: pd.DataFrame,
    *,
    method: Literal["pca", "paf"] = "pca",
    missing: Literal["listwise", "pairwise"] = "listwise",
    threshold: float = 0.50,
) -> HarmanResult:
    """Harman's single-factor test: the first unrotated factor's share of all items' variance.

    All items of all constructs enter one unrotated analysis of their correlation matrix
    (Podsakoff & Organ, 1986; Podsakoff et al., 2003). Two definitions are in use, and the report
    says which one was computed:

    * ``method="pca"`` (default; the SPSS "principal components, unrotated" figure most papers
      report, = ``psych::principal(nfactors = 1, rotate = "none")``): share = λ₁ / p, the first
      eigenvalue of R over the number of items.
    * ``method="paf"`` (one principal-axis factor, = ``psych::fa(nfactors = 1, fm = "pa")``):
      share = Σᵢ λᵢ² / p, the common variance of one factor, iterated from SMC communalities with
      psych's stopping rule (change in total communality ≤ .001, at most 50 passes).

    Common-method bias is conventionally called "serious" when the share exceeds 50 %. The test is
    insensitive (see :data:`HARMAN_CAVEAT`): report it only beside stronger checks.

    Parameters
    ----------
    items : DataFrame
        All substantive items (responses), one column per item.
    method : {"pca", "paf"}
    missing : {"listwise", "pairwise"}
        Complete cases, or pairwise-complete correlations (psych's default).
    threshold : float
        The cut-off for ``exceeds_threshold``.

    Returns
    -------
    HarmanResult
    """
    x = _numeric_items(items, "Harman's test")
    if x.shape[1] < 3:
        raise DataError(
            "Harman's test needs the items of all constructs (at least 3 columns)",
            hint="pass every substantive item of the study",
        )
    r, n = _correlations(x, missing)
    p = r.shape[0]
    ev = np.linalg.eigvalsh(r)[::-1]
    iterations = None
    if method == "pca":
        vals, vecs = np.linalg.eigh(r)
        load = vecs[:, -1] * np.sqrt(vals[-1])
        share = float(vals[-1] / p)
    elif method == "paf":
        load, iterations = _first_principal_axis(r)
        share = float((load**2).sum() / p)
    else:
        raise UserError(f"method='{method}' is not known", hint="use 'pca' or 'paf'")
    if load.sum() < 0:
        load = -load
    exceeds = bool(share > threshold)
    label = (
        "first unrotated principal component" if method == "pca" else "single principal-axis factor"
    )
    notes = [
        f"The {label} accounts for {100 * share:.1f} % of the variance of the {p} items "
        + (
            f"(more than {100 * threshold:.0f} %): a single method factor may dominate the data."
            if exceeds
            else f"(not more than {100 * threshold:.0f} %); {int((ev > 1).sum())} components have "
            "an eigenvalue above 1."
        ),
        HARMAN_CAVEAT,
    ]
    return HarmanResult(
        method=method,
        share=share,
        threshold=threshold,
        exceeds_threshold=exceeds,
        eigenvalues=ev,
        n_eigen_gt1=int((ev > 1).sum()),
        loadings=pd.Series(load, index=[str(c) for c in x.columns], name="loading"),
        n=n,
        n_items=p,
        iterations=iterations,
        notes=notes,
    )


# --------------------------------------------------------------------------------------------------
# The CFA engine, behind one small adapter
# --------------------------------------------------------------------------------------------------


def _cfa(model: str, data: pd.DataFrame, **kwargs: Any) -> Any:
    try:
        from moscale.analysis.cfa.api import cfa  # noqa: PLC0415
    except ImportError as exc:  # pragma: no cover - depends on the engine being installed
        raise ModelError(
            "the CFA engine is not available",
            hint="the method-factor and CFA marker checks need moscale.analysis.cfa",
        ) from exc
    kwargs.setdefault("std_lv", True)
    return cfa(model, data, **kwargs)


def _fit_measures(res: Any) -> dict[str, float]:
    fm = res.fit_measures() if callable(getattr(res, "fit_measures", None)) else res.fit_measures
    out = {}
    for k in FIT_NAMES + ROBUST_NAMES:
        try:
            out[k] = float(fm[k])
        except (KeyError, TypeError, IndexError, ValueError):
            out[k] = np.nan
    if not np.isfinite(out["chisq.scaling.factor"]):
        for k in ROBUST_NAMES:
            out.pop(k)
    return out


def _partable(res: Any) -> pd.DataFrame:
    for name in ("parameter_table", "partable", "parameters", "estimates"):
        val = getattr(res, name, None)
        if val is None:
            continue
        val = val() if callable(val) else val
        return pd.DataFrame(val)
    raise ModelError("the CFA result has no parameter table", hint="update moscale")


def _std_table(res: Any) -> pd.DataFrame:
    """Standardised loadings (std.all) as a long table: factor, item, std."""
    lam = res.loadings(standardized=True)
    rows = [
        {"factor": str(f), "item": str(i), "std": float(lam.loc[i, f])}
        for f in lam.columns
        for i in lam.index
        if lam.loc[i, f] != 0
    ]
    return pd.DataFrame(rows)


def _est(pt: pd.DataFrame, lhs: str, op: str, rhs: str) -> float:
    col = "est" if "est" in pt.columns else "estimate"
    sel = pt[(pt["lhs"] == lhs) & (pt["op"] == op) & (pt["rhs"] == rhs)]
    if sel.empty and op == "~~":
        sel = pt[(pt["lhs"] == rhs) & (pt["op"] == op) & (pt["rhs"] == lhs)]
    if sel.empty:
        raise ModelError(
            f"no parameter {lhs} {op} {rhs} in the fitted model", hint="update moscale"
        )
    return float(sel[col].iloc[0])


def _improper(res: Any) -> list[str]:
    """Heywood cases: negative residual variances or a non-positive-definite factor covariance."""
    out = []
    try:
        pt = _partable(res)
        col = "est" if "est" in pt.columns else "estimate"
        ov = set(res.loadings(standardized=False).index)
        neg = pt[(pt["op"] == "~~") & (pt["lhs"] == pt["rhs"]) & pt["lhs"].isin(ov) & (pt[col] < 0)]
        if len(neg):
            out.append("negative residual variance for " + ", ".join(map(str, neg["lhs"])))
        corr = res.factor_correlations()
        corr = corr() if callable(corr) else corr
        if np.linalg.eigvalsh(np.asarray(corr, dtype=float)).min() <= 0:
            out.append("factor correlation matrix not positive definite")
    except Exception:  # noqa: BLE001 - the check is advisory
        return out
    return out


def _lrt(small: dict[str, float], big: dict[str, float]) -> dict[str, Any]:
    """χ² difference test of nested models; ``small`` is the restricted one.

    With a scaled (robust) test statistic the plain difference of scaled χ² is not χ²-distributed;
    the Satorra–Bentler (2001) scaled difference is used instead, as lavaan's ``lavTestLRT()``:
    ``c_d = (df₀ c₀ − df₁ c₁) / (df₀ − df₁)``, ``T_d = (T₀ − T₁) / c_d`` with the unscaled
    statistics T and scaling factors c.
    """
    d = small["chisq"] - big["chisq"]
    ddf = small["df"] - big["df"]
    method = "standard"
    c0, c1 = small.get("chisq.scaling.factor"), big.get("chisq.scaling.factor")
    if c0 is not None and c1 is not None and np.isfinite(c0) and np.isfinite(c1) and ddf > 0:
        cd = (small["df"] * c0 - big["df"] * c1) / ddf
        d = d / cd
        method = "satorra.bentler.2001"
    p = float(stats.chi2.sf(d, ddf)) if ddf > 0 else np.nan
    return {"delta_chisq": d, "delta_df": ddf, "p": p, "method": method}


def _fmt(x: float) -> str:
    """A number for lavaan syntax, exactly (shortest repr that round-trips)."""
    return repr(float(x))


# --------------------------------------------------------------------------------------------------
# Unmeasured latent method construct
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MethodFactorResult:
    """Result of :func:`method_factor_test`.

    Attributes
    ----------
    fits : DataFrame
        Rows ``trait`` and ``method``: χ², df, p, CFI, TLI, RMSEA, SRMR.
    comparison : dict
        ``delta_chisq``, ``delta_df``, ``p`` (χ² difference test; Satorra–Bentler scaled with a
        robust estimator, ``method`` says which), ``delta_cfi`` (method − trait), ``delta_rmsea``,
        and with a robust estimator ``delta_cfi_robust`` and ``delta_rmsea_robust``.
    loadings : DataFrame
        One row per trait loading: factor, item, ``trait`` (standardised loading in the trait model),
        ``with_method`` (same loading with the method factor), ``change`` (with_method − trait), and
        ``method`` (the item's standardised method loading).
    method_variance : float
        Mean squared standardised method loading: the average share of item variance due to the
        method factor (Williams et al., 1989).
    improper : list of str
        Heywood cases in the method model (common with few items per construct).
    """

    fits: pd.DataFrame
    comparison: dict
    loadings: pd.DataFrame
    method_variance: float
    model: str
    method_model: str
    equal_loadings: bool
    improper: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "fits": _records(self.fits.reset_index(names="model")),
            "comparison": {k: _num(v) for k, v in self.comparison.items()},
            "loadings": _records(self.loadings),
            "method_variance": _num(self.method_variance),
            "method_model": self.method_model,
            "equal_loadings": self.equal_loadings,
            "improper": list(self.improper),
            "notes": list(self.notes),
        }


def _num(v: Any) -> Any:
    if isinstance(v, float | np.floating):
        return float(v) if np.isfinite(v) else None
    return v


def method_factor_test(
    model: str,
    data: pd.DataFrame,
    *,
    items: Sequence[str] | None = None,
    equal_loadings: bool = False,
    method_factor: str = "CMV",
    estimator: str = "ML",
    **cfa_kwargs: Any,
) -> MethodFactorResult:
    """Single common method factor (unmeasured latent method construct) against the trait model.

    The trait CFA (``model``) is compared with the same model plus one factor on which every item
    loads and which is uncorrelated with the traits (Podsakoff et al., 2003; Williams et al., 1989)::

        CMV =~ item1 + item2 + ...      # all substantive items
        CMV ~~ 0*F1 ; CMV ~~ 0*F2 ...   # orthogonal to every trait

    Both are fitted with all factor variances fixed at 1. Reported: the χ² difference test (df =
    number of method loadings), ΔCFI and ΔRMSEA, the change in every standardised trait loading
    (a drop above about .20 is often read as method contamination — a rule of thumb, not a test),
    and the mean squared method loading (share of item variance due to the method). With
    ``equal_loadings=True`` the method loadings are constrained equal (one parameter), which is
    better identified with few items per construct.

    Parameters
    ----------
    model : str
        lavaan syntax of the trait (measurement) model.
    data : DataFrame
        Item responses.
    items : sequence of str, optional
        Items loading on the method factor (default: every indicator in ``model``).
    equal_loadings : bool
        One common method loading for all items.
    method_factor : str
        Name of the method factor (must not clash with the model's factors).
    estimator : str
        Passed to the CFA engine. With a robust estimator (MLR) the χ² difference test is the
        Satorra–Bentler (2001) scaled difference, as lavaan's ``lavTestLRT()``.
    **cfa_kwargs
        Further arguments for ``cfa()`` (``missing=``, ``ordered=``...).

    Returns
    -------
    MethodFactorResult
    """
    fmap = indicator_map(model)
    if method_factor in fmap:
        raise ModelError(
            f"the model already has a factor called '{method_factor}'",
            hint="choose another name with method_factor=",
        )
    all_items = list(dict.fromkeys(i for its in fmap.values() for i in its))
    items = list(items) if items is not None else all_items
    unknown = [i for i in items if i not in data.columns]
    if unknown:
        raise DataError(
            f"method-factor items not in the data: {', '.join(unknown)}",
            hint="check the item names",
        )
    if equal_loadings:
        load = " + ".join(f"cmv_l*{i}" for i in items)
    else:
        load = " + ".join(items)
    lines = [model.rstrip(), f"{method_factor} =~ {load}"]
    lines += [f"{method_factor} ~~ 0*{f}" for f in fmap]
    method_model = "\n".join(lines)

    trait = _cfa(model, data, estimator=estimator, **cfa_kwargs)
    meth = _cfa(method_model, data, estimator=estimator, **cfa_kwargs)
    ft, fm = _fit_measures(trait), _fit_measures(meth)
    fits = pd.DataFrame([ft, fm], index=["trait", "method"])
    comp = _lrt(ft, fm)
    comp["delta_cfi"] = fm["cfi"] - ft["cfi"]
    comp["delta_rmsea"] = fm["rmsea"] - ft["rmsea"]
    if "cfi.robust" in fm and "cfi.robust" in ft:
        comp["delta_cfi_robust"] = fm["cfi.robust"] - ft["cfi.robust"]
        comp["delta_rmsea_robust"] = fm["rmsea.robust"] - ft["rmsea.robust"]

    st, sm = _std_table(trait), _std_table(meth)
    tr = st.rename(columns={"std": "trait"})
    wm = sm[sm["factor"] != method_factor].rename(columns={"std": "with_method"})
    ml = sm[sm["factor"] == method_factor][["item", "std"]].rename(columns={"std": "method"})
    loadings = tr.merge(wm, on=["factor", "item"], how="left").merge(ml, on="item", how="left")
    loadings["change"] = loadings["with_method"] - loadings["trait"]
    loadings = loadings[["factor", "item", "trait", "with_method", "change", "method"]]
    mv = float((ml["method"] ** 2).mean())

    improper = _improper(meth)
    notes = [
        f"Adding a common method factor changes χ² by {comp['delta_chisq']:.2f} "
        f"(Δdf = {comp['delta_df']:.0f}, p {_p_text(comp['p'])}) and CFI by "
        f"{comp['delta_cfi']:+.3f}; the method factor explains on average "
        f"{100 * mv:.1f} % of the items' variance."
    ]
    big = loadings[loadings["change"].abs() > 0.20]
    if len(big):
        notes.append(
            "Standardised loadings changing by more than .20 with the method factor: "
            + ", ".join(f"{r.item} ({r.change:+.2f})" for r in big.itertuples())
            + "."
        )
    if improper:
        notes.append(
            "The method-factor model has an improper solution ("
            + "; ".join(improper)
            + "): a common method factor is often empirically under-identified with few items "
            "per construct; interpret its comparison with caution (try equal_loadings=True)."
        )
    if comp["method"] != "standard":
        notes.append(
            f"With estimator {estimator} the χ² difference is the Satorra–Bentler (2001) scaled "
            "difference of the two models' statistics."
        )
    notes.append(
        "A better fit with a method factor is expected whenever the model is not perfect; the "
        "method factor may also absorb trait variance (Podsakoff et al., 2003), so judge the size "
        "of the method loadings and of the loading changes, not only the test."
    )
    return MethodFactorResult(
        fits=fits,
        comparison=comp,
        loadings=loadings,
        method_variance=mv,
        model=model,
        method_model=method_model,
        equal_loadings=equal_loadings,
        improper=improper,
        notes=notes,
    )


def _p_text(p: float) -> str:
    if not np.isfinite(p):
        return "n/a"
    return "< .001" if p < 0.001 else f"= {p:.3f}".replace("0.", ".", 1)


# --------------------------------------------------------------------------------------------------
# Marker variable: Lindell & Whitney (2001)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LindellWhitneyResult:
    """Result of :func:`lindell_whitney`.

    Attributes
    ----------
    r_m : float
        The correlation taken as the common-method estimate.
    r_marker : Series
        The marker's correlation with every substantive variable.
    pairs : DataFrame
        One row per pair of substantive variables: x, y, r, r_adj, t, df, p, and the p of the
        unadjusted r (``p_unadjusted``).
    adjusted : DataFrame
        The CMV-adjusted correlation matrix of the substantive variables.
    """

    r_m: float
    r_m_rule: str
    r_marker: pd.Series
    pairs: pd.DataFrame
    adjusted: pd.DataFrame
    n: int
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "r_m": self.r_m,
            "r_m_rule": self.r_m_rule,
            "r_marker": {str(k): float(v) for k, v in self.r_marker.items()},
            "pairs": _records(self.pairs),
            "n": self.n,
            "notes": list(self.notes),
        }


def lindell_whitney(
    scores: pd.DataFrame,
    marker: str,
    *,
    variables: Sequence[str] | None = None,
    r_m: Literal["smallest", "second"] | float = "smallest",
) -> LindellWhitneyResult:
    """Lindell & Whitney's (2001) marker-variable adjustment of correlations.

    With :math:`r_M` the common-method estimate, every correlation between substantive variables is
    adjusted as a partial correlation

    .. math:: r_A = \\frac{r_U - r_M}{1 - r_M}, \\qquad
              t = \\frac{r_A}{\\sqrt{(1 - r_A^2)/(N - 3)}} \\;(df = N - 3).

    ``r_M`` is the smallest positive correlation of the marker with the substantive variables
    (Lindell & Whitney's recommendation), the second smallest (``"second"``, their more
    conservative variant guarding against a chance low value), or a number. A correlation that stays
    significant after the adjustment is unlikely to be an artefact of the shared method.

    Parameters
    ----------
    scores : DataFrame
        Scale scores (or items) of the substantive variables and the marker; complete cases are used.
    marker : str
        Column of the marker variable.
    variables : sequence of str, optional
        Substantive columns (default: every other column).
    r_m : {"smallest", "second"} or float

    Returns
    -------
    LindellWhitneyResult
    """
    if marker not in scores.columns:
        raise DataError(f"marker column '{marker}' not in the data", hint="check the column name")
    variables = [c for c in scores.columns if c != marker] if variables is None else list(variables)
    absent = [v for v in variables if v not in scores.columns]
    if absent:
        raise DataError(f"columns not in the data: {', '.join(absent)}", hint="check the names")
    if len(variables) < 2:
        raise DataError(
            "the marker adjustment needs at least two substantive variables",
            hint="pass the scores of the constructs whose correlations are to be adjusted",
        )
    x = _numeric_items(scores[[*variables, marker]], "the marker adjustment")
    r, n = _correlations(x, "listwise")
    rmk = pd.Series(r[-1, :-1], index=variables, name="r_marker")
    notes: list[str] = []
    if isinstance(r_m, str):
        pos = np.sort(rmk[rmk > 0].to_numpy())
        k = {"smallest": 0, "second": 1}.get(r_m)
        if k is None:
            raise UserError(
                f"r_m='{r_m}' is not known", hint="use 'smallest', 'second' or a number"
            )
        if len(pos) > k:
            rm = float(pos[k])
        else:
            rm = 0.0
            notes.append(
                "The marker has too few positive correlations with the substantive variables; "
                "r_M = 0 (no adjustment)."
            )
        rule = f"{r_m} positive marker correlation"
    else:
        rm = float(r_m)
        rule = "given"
    if not -1.0 < rm < 1.0:
        raise UserError(f"r_M = {rm} is not a correlation below 1", hint="give -1 < r_m < 1")
    df = n - 3
    rows = []
    adj = pd.DataFrame(np.eye(len(variables)), index=variables, columns=variables)
    for i, a in enumerate(variables):
        for j in range(i + 1, len(variables)):
            b = variables[j]
            ru = float(r[i, j])
            ra = (ru - rm) / (1.0 - rm)
            t = ra / np.sqrt((1.0 - ra**2) / df)
            tu = ru / np.sqrt((1.0 - ru**2) / (n - 2))
            rows.append(
                {
                    "x": a,
                    "y": b,
                    "r": ru,
                    "r_adj": ra,
                    "t": t,
                    "df": df,
                    "p": float(2.0 * stats.t.sf(abs(t), df)),
                    "p_unadjusted": float(2.0 * stats.t.sf(abs(tu), n - 2)),
                }
            )
            adj.loc[a, b] = adj.loc[b, a] = ra
    pairs = pd.DataFrame(rows)
    lost = pairs[(pairs["p_unadjusted"] < 0.05) & (pairs["p"] >= 0.05)]
    notes.append(
        f"Marker correlations range {rmk.min():.2f} to {rmk.max():.2f}; r_M = {rm:.3f} ({rule})."
    )
    if len(lost):
        notes.append(
            "Correlations no longer significant after the marker adjustment: "
            + ", ".join(f"{r.x}–{r.y}" for r in lost.itertuples())
            + "."
        )
    else:
        notes.append("Every significant correlation stays significant after the adjustment.")
    return LindellWhitneyResult(
        r_m=rm, r_m_rule=rule, r_marker=rmk, pairs=pairs, adjusted=adj, n=n, notes=notes
    )


# --------------------------------------------------------------------------------------------------
# Marker variable: the CFA marker technique (Williams, Hartman & Cavazotte, 2010)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MarkerCFAResult:
    """Result of :func:`marker_cfa`.

    Attributes
    ----------
    fits : DataFrame
        Rows ``cfa``, ``baseline``, ``method_c``, ``method_u``, ``method_r``: χ², df, p, CFI, TLI,
        RMSEA, SRMR.
    tests : DataFrame
        χ² difference tests: ``baseline_vs_method_c`` (is there method variance, equal effects?),
        ``method_c_vs_method_u`` (are the effects unequal?), ``method_vs_method_r`` (does method
        variance bias the factor correlations?).
    correlations : DataFrame
        Substantive factor correlations in the baseline and in the chosen method model, and the
        difference.
    method_loadings : DataFrame
        Standardised marker-factor loadings of the substantive items in the chosen method model
        (their squares are the method-variance share of each item).
    chosen : str
        ``"method_c"`` or ``"method_u"``: the method model retained for the method-R test.
    """

    fits: pd.DataFrame
    tests: pd.DataFrame
    correlations: pd.DataFrame
    method_loadings: pd.DataFrame
    chosen: str
    syntax: dict[str, str]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "fits": _records(self.fits.reset_index(names="model")),
            "tests": _records(self.tests.reset_index(names="comparison")),
            "correlations": _records(self.correlations),
            "method_loadings": _records(self.method_loadings),
            "chosen": self.chosen,
            "syntax": dict(self.syntax),
            "notes": list(self.notes),
        }


def marker_cfa(
    model: str,
    data: pd.DataFrame,
    marker: str,
    *,
    alpha: float = 0.05,
    estimator: str = "ML",
    **cfa_kwargs: Any,
) -> MarkerCFAResult:
    """The CFA marker technique of Williams, Hartman & Cavazotte (2010).

    ``model`` defines the substantive factors and the marker factor ``marker`` (its items are the
    marker scale). Every factor variance is fixed at 1. The sequence:

    1. **CFA**: all factors correlated; gives the marker items' loadings and residual variances.
    2. **Baseline**: the marker factor uncorrelated with the substantive factors, its items'
       loadings and residual variances fixed at their CFA values.
    3. **Method-C**: baseline + the marker factor loading on every substantive item, one common
       (equal) loading.
    4. **Method-U**: the same loadings free (unequal).
    5. **Method-R**: the better of method-C and method-U (method-U when the C-vs-U test is
       significant at ``alpha``), with the substantive factor correlations fixed at their baseline
       values.

    Baseline vs method-C tests for method variance; method-C vs method-U whether its effect differs
    across items; method-C/U vs method-R whether it biases the factor correlations.

    Returns
    -------
    MarkerCFAResult
    """
    fmap = indicator_map(model)
    if marker not in fmap:
        raise ModelError(
            f"the marker factor '{marker}' is not in the model",
            hint=f"add a line '{marker} =~ marker_item1 + marker_item2 + ...' or name one of "
            + ", ".join(fmap),
        )
    subst = {f: its for f, its in fmap.items() if f != marker}
    if not subst:
        raise ModelError("the model has no substantive factor besides the marker", hint="add them")
    m_items = fmap[marker]
    s_items = list(dict.fromkeys(i for its in subst.values() for i in its))
    overlap = [i for i in m_items if i in s_items]
    if overlap:
        raise ModelError(
            f"marker items also measure a substantive factor: {', '.join(overlap)}",
            hint="the marker scale must have items of its own",
        )
    sub_lines = [f"{f} =~ {' + '.join(its)}" for f, its in subst.items()]
    cfa_model = "\n".join([*sub_lines, f"{marker} =~ {' + '.join(m_items)}"])

    kw = dict(estimator=estimator, **cfa_kwargs)
    f0 = _cfa(cfa_model, data, **kw)
    pt0 = _partable(f0)
    lam = [_est(pt0, marker, "=~", i) for i in m_items]
    th = [_est(pt0, i, "~~", i) for i in m_items]
    fixed = [
        f"{marker} =~ " + " + ".join(f"{_fmt(v)}*{i}" for v, i in zip(lam, m_items, strict=True)),
        *[f"{i} ~~ {_fmt(v)}*{i}" for v, i in zip(th, m_items, strict=True)],
        *[f"{marker} ~~ 0*{f}" for f in subst],
    ]
    base_model = "\n".join([*sub_lines, *fixed])
    c_model = base_model + f"\n{marker} =~ " + " + ".join(f"mk_c*{i}" for i in s_items)
    u_model = base_model + f"\n{marker} =~ " + " + ".join(s_items)
    base = _cfa(base_model, data, **kw)
    mc = _cfa(c_model, data, **kw)
    mu = _cfa(u_model, data, **kw)
    fb, fc, fu = _fit_measures(base), _fit_measures(mc), _fit_measures(mu)
    t_bc = _lrt(fb, fc)
    t_cu = _lrt(fc, fu)
    chosen = "method_u" if (np.isfinite(t_cu["p"]) and t_cu["p"] < alpha) else "method_c"
    pairs = [(a, b) for k, a in enumerate(subst) for b in list(subst)[k + 1 :]]
    ptb = _partable(base)
    base_r = {p: _est(ptb, p[0], "~~", p[1]) for p in pairs}
    r_model = (u_model if chosen == "method_u" else c_model) + "".join(
        f"\n{a} ~~ {_fmt(base_r[(a, b)])}*{b}" for a, b in pairs
    )
    mr = _cfa(r_model, data, **kw)
    fr = _fit_measures(mr)
    chosen_fit, chosen_res = (fu, mu) if chosen == "method_u" else (fc, mc)
    t_r = (
        _lrt(fr, chosen_fit)
        if pairs
        else {"delta_chisq": np.nan, "delta_df": 0, "p": np.nan, "method": "standard"}
    )

    fits = pd.DataFrame(
        [_fit_measures(f0), fb, fc, fu, fr],
        index=["cfa", "baseline", "method_c", "method_u", "method_r"],
    )
    tests = pd.DataFrame(
        [t_bc, t_cu, t_r],
        index=["baseline_vs_method_c", "method_c_vs_method_u", f"{chosen}_vs_method_r"],
    )
    ptc = _partable(chosen_res)
    corr = pd.DataFrame(
        [
            {
                "factor1": a,
                "factor2": b,
                "baseline": base_r[(a, b)],
                chosen: _est(ptc, a, "~~", b),
            }
            for a, b in pairs
        ]
    )
    if len(corr):
        corr["difference"] = corr[chosen] - corr["baseline"]
    std = _std_table(chosen_res)
    ml = std[(std["factor"] == marker) & std["item"].isin(s_items)][["item", "std"]]
    ml = ml.rename(columns={"std": "method_loading"}).reset_index(drop=True)
    ml["method_variance"] = ml["method_loading"] ** 2

    notes = []
    present = np.isfinite(t_bc["p"]) and t_bc["p"] < alpha
    notes.append(
        f"Baseline vs method-C: Δχ² = {t_bc['delta_chisq']:.2f}, Δdf = {t_bc['delta_df']:.0f}, "
        f"p {_p_text(t_bc['p'])}: "
        + (
            "the marker shares variance with the substantive items (method variance present)."
            if present
            else "no evidence of method variance shared with the marker."
        )
    )
    notes.append(
        f"Method-C vs method-U: p {_p_text(t_cu['p'])}; "
        + (
            "method effects differ across items (method-U retained)."
            if chosen == "method_u"
            else "equal method effects are adequate (method-C retained)."
        )
    )
    if pairs:
        biased = np.isfinite(t_r["p"]) and t_r["p"] < alpha
        notes.append(
            f"{'Method-U' if chosen == 'method_u' else 'Method-C'} vs method-R: Δχ² = "
            f"{t_r['delta_chisq']:.2f}, Δdf = {t_r['delta_df']:.0f}, p {_p_text(t_r['p'])}: "
            + (
                "method variance significantly biases the factor correlations; report the "
                "method-adjusted correlations."
                if biased
                else "the factor correlations are not significantly biased by method variance."
            )
        )
    notes.append(
        f"Average method-variance share of the substantive items: "
        f"{100 * ml['method_variance'].mean():.1f} %."
    )
    for res, name in ((base, "baseline"), (mc, "method-C"), (mu, "method-U"), (mr, "method-R")):
        bad = _improper(res)
        if bad:
            notes.append(f"The {name} model has an improper solution: {'; '.join(bad)}.")
    return MarkerCFAResult(
        fits=fits,
        tests=tests,
        correlations=corr,
        method_loadings=ml,
        chosen=chosen,
        syntax={
            "cfa": cfa_model,
            "baseline": base_model,
            "method_c": c_model,
            "method_u": u_model,
            "method_r": r_model,
        },
        notes=notes,
    )


# --------------------------------------------------------------------------------------------------
# Marker variable: both techniques from one study
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MarkerVariableResult:
    """Result of :func:`marker_variable`: the correlational and (optionally) the CFA technique."""

    lindell_whitney: LindellWhitneyResult
    cfa: MarkerCFAResult | None
    scores: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "lindell_whitney": self.lindell_whitney.to_dict(),
            "cfa": None if self.cfa is None else self.cfa.to_dict(),
            "notes": list(self.notes),
        }


def marker_variable(
    model: str,
    data: pd.DataFrame,
    marker: str,
    *,
    r_m: Literal["smallest", "second"] | float = "smallest",
    cfa_technique: bool = True,
    alpha: float = 0.05,
    estimator: str = "ML",
    **cfa_kwargs: Any,
) -> MarkerVariableResult:
    """Marker-variable checks for a study that included a marker scale.

    Lindell & Whitney's (2001) adjustment (:func:`lindell_whitney`) on unit-weighted scale means
    (the mean of each factor's items, listwise complete; reverse-keyed items must already be
    recoded), and, when ``cfa_technique`` is true, the CFA marker technique (:func:`marker_cfa`).

    Parameters
    ----------
    model : str
        lavaan syntax with the substantive factors and the marker factor ``marker``.
    data : DataFrame
        Item responses.
    marker : str
        Name of the marker factor in ``model``.
    """
    fmap = indicator_map(model)
    if marker not in fmap:
        raise ModelError(
            f"the marker factor '{marker}' is not in the model",
            hint="name the factor measured by the marker scale, one of " + ", ".join(fmap),
        )
    items = list(dict.fromkeys(i for its in fmap.values() for i in its))
    absent = [i for i in items if i not in data.columns]
    if absent:
        raise DataError(f"items not in the data: {', '.join(absent)}", hint="check the item names")
    x = _numeric_items(data[items], "the marker scores").dropna()
    scores = pd.DataFrame({f: x[its].mean(axis=1) for f, its in fmap.items()})
    lw = lindell_whitney(scores, marker, r_m=r_m)
    mc = (
        marker_cfa(model, data, marker, alpha=alpha, estimator=estimator, **cfa_kwargs)
        if cfa_technique
        else None
    )
    notes = list(lw.notes) + ([] if mc is None else list(mc.notes))
    return MarkerVariableResult(lindell_whitney=lw, cfa=mc, scores=scores, notes=notes)


__all__ = [
    "HARMAN_CAVEAT",
    "HarmanResult",
    "LindellWhitneyResult",
    "MarkerCFAResult",
    "MarkerVariableResult",
    "MethodFactorResult",
    "harman_single_factor",
    "lindell_whitney",
    "marker_cfa",
    "marker_variable",
    "method_factor_test",
]
