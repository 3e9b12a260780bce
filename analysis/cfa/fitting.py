"""Fit one parameter table to sample statistics: the shared core for the model and its baseline."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .estimators import MLEstimator
from .matrices import ModelMatrices
from .optimize import OptimResult, minimize
from .partable import ParTable, independence_partable
from .samplestats import GroupStats
from .start import start_values

__all__ = ["FitCore", "fit_baseline", "fit_partable"]


@dataclass
class FitCore:
    """A fitted parameter table: model matrices, estimator (objective + data) and the solution."""

    pt: ParTable
    model: ModelMatrices
    est: MLEstimator
    x: np.ndarray
    opt: OptimResult
    x0: np.ndarray | None = None


def fit_partable(pt: ParTable, stats: list[GroupStats], x0: np.ndarray | None = None) -> FitCore:
    """Estimate the free parameters of ``pt`` by (FI)ML."""
    mm = ModelMatrices(pt)
    est = MLEstimator(mm, stats)
    if x0 is None:
        x0 = start_values(mm, stats)
    opt = minimize(est, x0)
    return FitCore(pt, mm, est, opt.x, opt, np.asarray(x0, dtype=float))


def fit_baseline(ov_names: list[str], stats: list[GroupStats], meanstructure: bool) -> FitCore:
    """The independence model; starts at the saturated variances and means (its complete-data
    solution, so only FIML needs iterations)."""
    pt = independence_partable(ov_names, len(stats), meanstructure)
    mm = ModelMatrices(pt)
    rows = np.zeros(len(pt.frame))
    f = pt.frame
    for k, (lhs, op, grp) in enumerate(zip(f["lhs"], f["op"], f["group"], strict=True)):
        st = stats[grp - 1]
        j = ov_names.index(lhs)
        rows[k] = st.cov[j, j] if op == "~~" else st.mean[j]
    if any(st.missing for st in stats):
        # observed (available-case) moments are a better start than the EM ones
        for k, (lhs, op, grp) in enumerate(zip(f["lhs"], f["op"], f["group"], strict=True)):
            y = stats[grp - 1].data[:, ov_names.index(lhs)]
            y = y[~np.isnan(y)]
            rows[k] = y.var() if op == "~~" else y.mean()
    x0 = mm.x_from_rows(rows)
    return fit_partable(pt, stats, x0)
