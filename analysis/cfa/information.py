"""Standard errors: the covariance matrix of the estimates from an information matrix.

* ``standard``: Var(x) = I^-1 / N with I the unit expected information (lavaan's default for
  complete data) or the observed information (the Hessian of F; lavaan's default with missing data).
* ``robust.huber.white`` (MLR): the sandwich Var(x) = A^-1 B A^-1 / N, A the observed information,
  B the first-order (outer product of case-wise scores) information evaluated at the model
  (Huber, 1967; White, 1982; Yuan & Bentler, 2000).

Equality constraints are built into the parameter vector (rows sharing a label share one
parameter), which gives the same standard errors as lavaan's augmented information matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from moscale.errors import ModelError

__all__ = ["VcovResult", "compute_vcov", "singular_directions"]


@dataclass
class VcovResult:
    vcov: np.ndarray  # covariance matrix of the free parameters
    information: np.ndarray  # the (bread) information used, unit scale
    information_inv: np.ndarray
    first_order: np.ndarray | None  # the meat, unit scale (robust only)
    kind: str  # "expected" / "observed"
    se_type: str  # "standard" / "robust.huber.white"


def singular_directions(info: np.ndarray, names: list[str], tol: float = 1e-9) -> list[str] | None:
    """Parameters involved in a (near) singular information matrix, or None if it is fine."""
    if info.size == 0:
        return None
    w, v = np.linalg.eigh((info + info.T) / 2)
    scale = max(abs(w[-1]), 1e-300)
    if w[0] > tol * scale:
        return None
    vec = np.abs(v[:, 0])
    order = np.argsort(-vec)
    return [names[k] for k in order if vec[k] > 0.15][:8]


def compute_vcov(
    est, x: np.ndarray, *, se_type: str, information: str, names: list[str]
) -> VcovResult:
    """Covariance matrix of the estimates (see module docstring).

    Raises
    ------
    ModelError
        When the information matrix is singular: the model is not identified (empirically) at the
        solution; the message names the parameters involved.
    """
    info = est.information(x, information)
    bad = singular_directions(info, names)
    if bad is not None:
        raise ModelError(
            "the model is not identified: the information matrix is singular at the solution; "
            "the parameters involved are " + ", ".join(bad),
            hint="Fix the scale of every factor (a marker loading or std_lv=True), give each factor "
            "at least three indicators (or two plus a correlation with another factor), and avoid "
            "freeing parameters that the data cannot separate.",
        )
    inv = np.linalg.inv(info)
    inv = (inv + inv.T) / 2
    n = est.ntotal
    if se_type == "robust.huber.white":
        b = est.information(x, "first.order")
        v = inv @ b @ inv / n
        return VcovResult((v + v.T) / 2, info, inv, b, information, se_type)
    return VcovResult(inv / n, info, inv, None, information, se_type)
