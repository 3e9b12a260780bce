"""Normal-theory (Wald) columns of lavaan's estimate tables: z, p-value and confidence interval.

For an estimate ``est`` with standard error ``se``: ``z = est / se``, ``p = 2 (1 - Phi(|z|))`` and
the ``level`` interval ``est -/+ q se`` with ``q = Phi^-1(1 - (1 - level) / 2)``, as lavaan's
``parameterEstimates()`` and ``standardizedSolution()`` print them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sstats

__all__ = ["estimate_table"]


def estimate_table(
    keys: pd.DataFrame,
    est: np.ndarray,
    se: np.ndarray,
    *,
    level: float = 0.95,
    ngroups: int = 1,
    est_name: str = "est",
    z: np.ndarray | None = None,
) -> pd.DataFrame:
    """``keys`` (lhs, op, rhs, group, label) with ``est_name``, se, z, pvalue, ci.lower, ci.upper.

    Parameters
    ----------
    keys
        The identifying columns, one row per estimate (``group`` is dropped with one group).
    est, se
        Estimates and standard errors.
    level
        Confidence level of the interval.
    ngroups
        Number of groups.
    est_name
        Name of the estimate column (``"est"``, or ``"est.std"`` for standardised solutions).
    z
        The z statistics when the caller decides where they are undefined (lavaan leaves fixed
        parameters without z); by default ``est / se`` where ``se > 0``, else NaN.
    """
    est = np.asarray(est, dtype=float)
    se = np.asarray(se, dtype=float)
    out = keys.copy()
    out[est_name] = est
    out["se"] = se
    if z is None:
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(se > 0, est / se, np.nan)
    z = np.asarray(z, dtype=float)
    out["z"] = z
    out["pvalue"] = 2 * sstats.norm.sf(np.abs(z))
    q = sstats.norm.ppf(1 - (1 - level) / 2)
    out["ci.lower"] = est - q * se
    out["ci.upper"] = est + q * se
    if ngroups == 1:
        out = out.drop(columns="group")
    return out.reset_index(drop=True)
