"""The result of :func:`~moscale.analysis.cfa.cfa`: estimates, standard errors, fit and more.

Derived pieces (baseline model, fit measures, standardized solution, modification indices) are
computed on first access and cached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._blas import single_blas_method
from .fit import compute_fit_measures, srmr_bentler
from .fitting import FitCore, fit_baseline
from .information import VcovResult, compute_vcov
from .modindices import modification_indices
from .standardize import cov2cor, r_squared, standardize, standardized_se
from .tests_stats import ScaledTest, Test, fiml_corrected, standard_test, yuan_bentler_mplus
from .wald import estimate_table

__all__ = ["CFAResult"]

_NAN = float("nan")


@dataclass
class CFAResult:
    """A fitted confirmatory factor analysis.

    Attributes
    ----------
    model : str
        The lavaan model syntax that was fitted.
    estimator : str
        ``"ML"`` or ``"MLR"``.
    missing : str
        ``"listwise"`` or ``"ml"`` (full-information ML).
    se : str
        ``"standard"`` or ``"robust.huber.white"`` (``"none"`` when not converged).
    information : str
        Information matrix used for the standard errors: ``"expected"`` or ``"observed"``.
    test : str
        ``"standard"`` or ``"yuan.bentler.mplus"``.
    ov_names, lv_names : list of str
        Items and factors in model order.
    group : str or None
        The grouping column; ``group_labels`` lists its values in order of appearance.
    nobs : list of int
        Cases used per group; ``ntotal`` their sum.
    converged : bool
        Whether the optimiser reached a solution.
    warnings : list of str
        Plain-language notes about anything suspect (Heywood cases, non-convergence, small N,
        dropped cases).

    Accessors for validity code (CR, AVE, HTMT, Fornell-Larcker)
    -------------------------------------------------------------
    ``indicators`` -> dict factor -> list of its observed items (first-order factors only);
    ``item_factor_map()`` -> dict item -> list of factors it loads on;
    ``loadings(standardized=True, group=None)`` -> DataFrame items x first-order factors, 0 where an
    item does not load (``standardized=True``: lavaan std.all; False: raw lambda);
    ``factor_correlations(group=None)`` -> DataFrame factors x factors (lavaan ``cor.lv``, from
    the implied latent covariance A Psi A');
    ``factor_covariances(group=None)`` -> DataFrame (lavaan ``cov.lv``);
    ``residual_variances(standardized=False, group=None)`` -> Series over items (theta_ii, or
    theta_ii / implied variance, i.e. 1 - R^2);
    ``residual_covariances(standardized=False, group=None)`` -> DataFrame Theta;
    ``implied_cov(group=None)`` and ``sample_cov(group=None)`` -> DataFrame items x items.
    With several groups, ``group=None`` returns a dict keyed by group label.
    """

    model: str
    estimator: str
    missing: str
    se: str
    information: str
    test: str
    ov_names: list[str]
    lv_names: list[str]
    group: str | None
    group_labels: list[str]
    nobs: list[int]
    converged: bool
    iterations: int
    warnings: list[str] = field(default_factory=list)
    _core: FitCore | None = field(default=None, repr=False)
    _vcov: VcovResult | None = field(default=None, repr=False)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ basics
    @property
    def ntotal(self) -> int:
        return int(sum(self.nobs))

    @property
    def npar(self) -> int:
        return self._core.pt.npar  # type: ignore[union-attr]

    @property
    def x(self) -> np.ndarray:
        """The free parameters at the solution (in the table's ``free`` order)."""
        return self._core.x  # type: ignore[union-attr]

    @property
    def ngroups(self) -> int:
        return len(self.group_labels)

    def _groups(self, group) -> list[int]:
        """Group positions for ``group``: a label (as in the data) or, failing that, a position."""
        if group is None:
            return list(range(self.ngroups))
        if str(group) in self.group_labels:
            return [self.group_labels.index(str(group))]
        if (
            isinstance(group, int | np.integer)
            and not isinstance(group, bool)
            and 0 <= group < self.ngroups
        ):
            return [int(group)]
        raise KeyError(f"no group {group!r}; the groups are {', '.join(self.group_labels)}")

    def _per_group(self, group, fn):
        gs = self._groups(group)
        if group is None and self.ngroups == 1:
            return fn(0)
        if group is not None:
            return fn(gs[0])
        return {self.group_labels[g]: fn(g) for g in gs}

    @property
    def vcov(self) -> pd.DataFrame | None:
        """Covariance matrix of the free parameters (None when not converged)."""
        if self._vcov is None:
            return None
        names = self._free_names()
        return pd.DataFrame(self._vcov.vcov, index=names, columns=names)

    def _free_names(self) -> list[str]:
        f = self._core.pt.frame  # type: ignore[union-attr]
        names = [""] * self.npar
        for lhs, op, rhs, g, fr, lab in zip(
            f["lhs"], f["op"], f["rhs"], f["group"], f["free"], f["label"], strict=True
        ):
            if fr > 0 and not names[fr - 1]:
                nm = lab or f"{lhs}{op}{rhs}"
                names[fr - 1] = nm + (f".g{g}" if self.ngroups > 1 and not lab else "")
        return names

    # ------------------------------------------------------------------ estimates
    @property
    def partable(self) -> pd.DataFrame:
        """The parameter table (lavaan ``parTable()``): id, lhs, op, rhs, user, group, free (0 fixed,
        else the parameter's index; equal labels share one), value (fixed value), ustart (user start
        value), label, plabel, start (starting value used), est, se."""
        if "partable" not in self._cache:
            core = self._core
            f = core.pt.frame.copy()  # type: ignore[union-attr]
            if core.x0 is not None:  # type: ignore[union-attr]
                f["start"] = core.model.rows_from_x(core.x0)  # type: ignore[union-attr]
            f["est"] = core.model.rows_from_x(core.x)  # type: ignore[union-attr]
            se = np.zeros(len(f))
            if self._vcov is not None:
                sd = np.sqrt(np.clip(np.diag(self._vcov.vcov), 0, None))
                fr = f["free"].to_numpy()
                se = np.where(fr > 0, sd[np.maximum(fr - 1, 0)], 0.0)
            else:
                se[:] = np.nan
            f["se"] = se
            self._cache["partable"] = f
        return self._cache["partable"]

    def parameter_estimates(self, level: float = 0.95) -> pd.DataFrame:
        """Estimates with standard errors, z, p-values and confidence intervals (lavaan
        ``parameterEstimates()``); fixed parameters have se 0 and no z."""
        f = self.partable
        est, se = f["est"].to_numpy(dtype=float), f["se"].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(f["free"] > 0, est / se, np.nan)
        keys = f[["lhs", "op", "rhs", "group", "label"]]
        return estimate_table(keys, est, se, level=level, ngroups=self.ngroups, z=z)

    @single_blas_method
    def standardized(self, type: str = "std.all", level: float = 0.95) -> pd.DataFrame:
        """Standardized solution (lavaan ``standardizedSolution()``): est.std with delta-method se,
        z, p-value and CI. ``type`` is ``"std.all"`` (items and factors standardized) or
        ``"std.lv"`` (factors only)."""
        key = f"std:{type}:{level}"
        if key not in self._cache:
            core = self._core
            f = core.pt.frame  # type: ignore[union-attr]
            args = (list(f["lhs"]), list(f["op"]), list(f["rhs"]), f["group"].to_numpy())
            if self._vcov is not None:
                est, se = standardized_se(core.model, core.x, self._vcov.vcov, *args, kind=type)  # type: ignore[union-attr]
            else:
                est = standardize(core.model, core.x, *args, core.model.rows_from_x(core.x), type)  # type: ignore[union-attr]
                se = np.full(len(est), np.nan)
            keys = f[["lhs", "op", "rhs", "group", "label"]]
            self._cache[key] = estimate_table(
                keys, est, se, level=level, ngroups=self.ngroups, est_name="est.std"
            )
        return self._cache[key]

    standardized_solution = standardized

    def r_squared(self, group=None):
        """R-squared per item (and per factor with a higher-order factor); a Series."""
        r2 = r_squared(self._core.model, self._core.x)  # type: ignore[union-attr]
        return self._per_group(group, lambda g: pd.Series(r2[g], name="r2"))

    # ------------------------------------------------------------------ matrices
    def _mats(self, g: int):
        return self._core.model.matrices(self._core.x)[g]  # type: ignore[union-attr]

    def implied_cov(self, group=None):
        """Model-implied covariance matrix of the items."""
        imp = self._core.model.implied(self._core.x)  # type: ignore[union-attr]
        return self._per_group(
            group, lambda g: pd.DataFrame(imp[g][0], index=self.ov_names, columns=self.ov_names)
        )

    def implied_mean(self, group=None):
        imp = self._core.model.implied(self._core.x)  # type: ignore[union-attr]
        return self._per_group(
            group,
            lambda g: None if imp[g][1] is None else pd.Series(imp[g][1], index=self.ov_names),
        )

    def sample_cov(self, group=None):
        """Sample covariance matrix (divisor N; EM estimate under FIML) of the items."""
        st = self._core.est.stats  # type: ignore[union-attr]
        return self._per_group(
            group, lambda g: pd.DataFrame(st[g].cov, index=self.ov_names, columns=self.ov_names)
        )

    @property
    def indicators(self) -> dict[str, list[str]]:
        """First-order factor -> its observed items."""
        ov = set(self.ov_names)
        out = {}
        for fac, ind in self._core.pt.lv_indicators.items():  # type: ignore[union-attr]
            items = [i for i in ind if i in ov]
            if items:
                out[fac] = items
        return out

    def item_factor_map(self) -> dict[str, list[str]]:
        """Item -> the factors it loads on."""
        out: dict[str, list[str]] = {i: [] for i in self.ov_names}
        for fac, items in self.indicators.items():
            for i in items:
                out[i].append(fac)
        return out

    def _first_order(self) -> list[str]:
        return list(self.indicators)

    def loadings(self, standardized: bool = True, group=None):
        """Items x first-order factors; lavaan std.all loadings (or raw lambda), 0 elsewhere."""

        def one(g: int) -> pd.DataFrame:
            gm = self._mats(g)
            lam = gm.lam.copy()
            if standardized:
                a = gm.ib_inv()
                veta = a @ gm.psi @ a.T
                la = gm.lam @ a
                vy = np.diag(la @ gm.psi @ la.T + gm.theta)
                lam = lam * np.sqrt(np.clip(np.diag(veta), 0, None))[None, :] / np.sqrt(vy)[:, None]
            cols = [self.lv_names.index(f) for f in self._first_order()]
            return pd.DataFrame(lam[:, cols], index=self.ov_names, columns=self._first_order())

        return self._per_group(group, one)

    def factor_covariances(self, group=None):
        """Model-implied covariance matrix of the factors (lavaan ``cov.lv``)."""

        def one(g: int) -> pd.DataFrame:
            gm = self._mats(g)
            a = gm.ib_inv()
            return pd.DataFrame(a @ gm.psi @ a.T, index=self.lv_names, columns=self.lv_names)

        return self._per_group(group, one)

    def factor_correlations(self, group=None):
        """Model-implied correlation matrix of the factors (lavaan ``cor.lv``)."""

        def one(g: int) -> pd.DataFrame:
            c = self.factor_covariances(self.group_labels[g] if self.ngroups > 1 else None)
            with np.errstate(invalid="ignore", divide="ignore"):
                return pd.DataFrame(
                    cov2cor(c.to_numpy()), index=self.lv_names, columns=self.lv_names
                )

        return self._per_group(group, one)

    def residual_variances(self, standardized: bool = False, group=None):
        """Residual variance of every item: theta_ii, or theta_ii / implied variance."""

        def one(g: int) -> pd.Series:
            gm = self._mats(g)
            th = np.diag(gm.theta).copy()
            if standardized:
                a = gm.ib_inv()
                la = gm.lam @ a
                th = th / np.diag(la @ gm.psi @ la.T + gm.theta)
            return pd.Series(th, index=self.ov_names, name="residual variance")

        return self._per_group(group, one)

    def residual_covariances(self, standardized: bool = False, group=None):
        """Theta (item residual covariance matrix); standardized divides by sqrt(theta_ii theta_jj)
        off the diagonal and by the implied variance on it (lavaan std.all)."""

        def one(g: int) -> pd.DataFrame:
            gm = self._mats(g)
            th = gm.theta.copy()
            if standardized:
                d = np.sqrt(np.abs(np.diag(gm.theta)))
                off = th / np.outer(d, d)
                a = gm.ib_inv()
                la = gm.lam @ a
                vy = np.diag(la @ gm.psi @ la.T + gm.theta)
                np.fill_diagonal(off, np.diag(gm.theta) / vy)
                th = off
            return pd.DataFrame(th, index=self.ov_names, columns=self.ov_names)

        return self._per_group(group, one)

    def residuals(self, type: str = "cor", group=None):
        """Residual matrix: ``"cor"``/``"cor.bollen"`` cor(S) - cor(Sigma) (lavaan
        ``resid(type = "cor")``), ``"raw"`` S - Sigma, ``"cor.bentler"`` (S - Sigma)/sd_S sd_S'."""
        if type not in {"cor", "cor.bollen", "raw", "cor.bentler"}:
            raise ValueError("type must be 'cor', 'cor.bollen', 'raw' or 'cor.bentler'")
        imp = self._core.model.implied(self._core.x)  # type: ignore[union-attr]
        st = self._core.est.stats  # type: ignore[union-attr]

        def one(g: int) -> pd.DataFrame:
            s, sig = st[g].cov, imp[g][0]
            if type in {"cor", "cor.bollen"}:
                r = cov2cor(s) - cov2cor(sig)
            elif type == "raw":
                r = s - sig
            else:
                sd = np.sqrt(np.diag(s))
                r = (s - sig) / np.outer(sd, sd)
            return pd.DataFrame(r, index=self.ov_names, columns=self.ov_names)

        return self._per_group(group, one)

    def residual_means(self, type: str = "cor", group=None):
        """Mean residuals when the model has a mean structure (None otherwise): ``"cor"``
        (m - mu) / sd_S as lavaan ``resid(type = "cor")$mean``, or ``"raw"`` m - mu."""
        imp = self._core.model.implied(self._core.x)  # type: ignore[union-attr]
        st = self._core.est.stats  # type: ignore[union-attr]

        def one(g: int) -> pd.Series | None:
            mu = imp[g][1]
            if mu is None:
                return None
            r = st[g].mean - mu
            if type != "raw":
                r = r / np.sqrt(np.diag(st[g].cov))
            return pd.Series(r, index=self.ov_names)

        return self._per_group(group, one)

    # ------------------------------------------------------------------ tests and fit
    def _tests(self) -> dict[str, Any]:
        if "tests" in self._cache:
            return self._cache["tests"]
        core = self._core
        out: dict[str, Any] = {}
        if not self.converged:
            self._cache["tests"] = out
            return out
        test = standard_test(core.est, core.x)  # type: ignore[union-attr]
        out["test"] = test
        if self.test == "yuan.bentler.mplus":
            out["scaled"] = yuan_bentler_mplus(core.est, core.x, test, self._vcov.information_inv)  # type: ignore[union-attr]
        self._cache["tests"] = out
        return out

    @single_blas_method
    def chisq_test(self) -> Test | None:
        return self._tests().get("test")

    @single_blas_method
    def scaled_test(self) -> ScaledTest | None:
        return self._tests().get("scaled")

    def _baseline(self) -> dict[str, Any]:
        if "baseline" in self._cache:
            return self._cache["baseline"]
        core = self._core
        est = core.est  # type: ignore[union-attr]
        meanstructure = core.model.meanstructure  # type: ignore[union-attr]
        # The baseline depends on the data alone: models fitted to the same (cached) statistics
        # share it (see samplestats.group_stats_cached).
        keys = tuple(st.cache.get("key") for st in est.stats)
        shared = None
        if all(k is not None for k in keys):
            shared = est.stats[0].cache.setdefault("baseline", {})
            bkey = (keys, tuple(self.ov_names), meanstructure, self.test, self.information)
            if bkey in shared:
                self._cache["baseline"] = shared[bkey]
                return shared[bkey]
        base = fit_baseline(self.ov_names, est.stats, meanstructure)
        out: dict[str, Any] = {"core": base, "test": standard_test(base.est, base.x)}
        if self.test == "yuan.bentler.mplus":
            se_type = "robust.huber.white"
            v = compute_vcov(
                base.est,
                base.x,
                se_type=se_type,
                information=self.information,
                names=[str(i) for i in range(base.pt.npar)],
            )
            out["scaled"] = yuan_bentler_mplus(base.est, base.x, out["test"], v.information_inv)
        self._cache["baseline"] = out
        if shared is not None:
            shared[bkey] = out
        return out

    @single_blas_method
    def fit_measures(self, names: list[str] | str | None = None) -> dict[str, float]:
        """Fit measures with lavaan's ``fitMeasures()`` names (npar, chisq, df, pvalue, cfi, tli,
        rmsea, rmsea.ci.lower/upper, srmr, aic, bic, ... and the .scaled/.robust variants for MLR
        and FIML). NaN when the model did not converge."""
        if "fit" not in self._cache:
            self._cache["fit"] = self._compute_fit()
        out = self._cache["fit"]
        if names is None:
            return dict(out)
        if isinstance(names, str):
            names = [names]
        return {k: out.get(k, _NAN) for k in names}

    def _compute_fit(self) -> dict[str, float]:
        if not self.converged:
            keys = ["npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic"]
            out = dict.fromkeys(keys, _NAN)
            out["npar"] = float(self.npar)
            return out
        core = self._core
        est = core.est  # type: ignore[union-attr]
        t = self._tests()
        b = self._baseline()
        robust = None
        scaled = t.get("scaled")
        bscaled = b.get("scaled")
        if est.missing:
            version = "V3" if scaled is not None else "V6"
            try:
                m3, b3 = fiml_corrected(est, core.x, b["core"].est, b["core"].x, version)  # type: ignore[union-attr]
                robust = (m3.xx3, m3.df3, m3.c_hat3, m3.xx3_scaled, b3.xx3, b3.df3, b3.c_hat3)
            except np.linalg.LinAlgError:
                robust = None
        elif scaled is not None and bscaled is not None:
            robust = (
                t["test"].chisq,
                t["test"].df,
                scaled.scaling_factor,
                scaled.chisq,
                b["test"].chisq,
                b["test"].df,
                bscaled.scaling_factor,
            )
        imp = core.model.implied(core.x)  # type: ignore[union-attr]
        samples = [(st.cov, st.mean) for st in est.stats]
        srmr = srmr_bentler(samples, imp, self.nobs, core.model.meanstructure)  # type: ignore[union-attr]
        fmin = float(core.opt.fx)  # type: ignore[union-attr]
        if est.missing:
            fmin = t["test"].chisq / (2 * self.ntotal)
        return compute_fit_measures(
            npar=self.npar,
            n=self.ntotal,
            ngroups=self.ngroups,
            test=t["test"],
            base_test=b["test"],
            logl=est.loglik(core.x),
            logl_h1=est.loglik_h1(),
            srmr=srmr,
            fmin=fmin,
            scaled=scaled,
            base_scaled=bscaled,
            robust=robust,
        )

    @single_blas_method
    def modification_indices(self, minimum: float = 0.0) -> pd.DataFrame:
        """Modification indices for omitted loadings and residual covariances (and fixed
        parameters), sorted by size (lavaan ``modindices(sort. = TRUE)``): mi, epc, sepc.lv,
        sepc.all, sepc.nox."""
        if "mi" not in self._cache:
            core = self._core
            self._cache["mi"] = modification_indices(core.pt, core.est, core.x)  # type: ignore[union-attr]
        out = self._cache["mi"]
        out = out[out["mi"] >= minimum].reset_index(drop=True)
        if self.ngroups == 1:
            out = out.drop(columns="group")
        return out

    # ------------------------------------------------------------------ text
    def summary(self) -> str:
        """A text summary: estimation, test, key fit measures and the (standardized) estimates."""
        from .summary import summary_text

        return summary_text(self)

    def __str__(self) -> str:  # pragma: no cover - convenience
        return self.summary()
