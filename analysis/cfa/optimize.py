"""Minimise the discrepancy: Fisher scoring with a backtracking line search, then a quasi-Newton
fallback (scipy's BFGS with the analytic gradient) if scoring stalls.

Fisher scoring (Lee & Jennrich, 1979) takes x <- x - t I(x)^-1 g(x), with I the expected information;
for CFA it converges in a handful of iterations from reasonable starting values. Convergence is
declared when the scaled step g' I^-1 g (the Newton decrement) falls below ``tol`` and the largest
absolute gradient below ``gtol``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize as sopt

__all__ = ["OptimResult", "minimize"]


@dataclass
class OptimResult:
    x: np.ndarray
    fx: float
    converged: bool
    iterations: int
    method: str
    message: str
    gradient: np.ndarray


def _solve(info: np.ndarray, g: np.ndarray) -> np.ndarray:
    try:
        c = np.linalg.cholesky(info)
        return np.linalg.solve(c.T, np.linalg.solve(c, g))
    except np.linalg.LinAlgError:
        w, v = np.linalg.eigh(info)
        w = np.maximum(w, 1e-8 * max(w.max(), 1e-12))
        return v @ ((v.T @ g) / w)


def _metric(est, x: np.ndarray, newton: bool) -> tuple[np.ndarray, bool]:
    """The matrix a step solves with, and whether it is the Hessian: Newton steps with the exact
    Hessian converge quadratically near the optimum (scoring is only linear when the model
    misfits); where the Hessian is not positive definite, scoring's expected information."""
    if newton:
        hess = est.information(x, "observed")
        try:
            np.linalg.cholesky(hess)
            return hess, True
        except np.linalg.LinAlgError:
            pass
    return est.scoring_information(x), False


def minimize(
    est, x0: np.ndarray, *, max_iter: int = 500, tol: float = 1e-16, gtol: float = 1e-8
) -> OptimResult:
    """Minimise ``est.objective`` from ``x0`` (see module docstring)."""
    x = np.asarray(x0, dtype=float).copy()
    if x.size == 0:
        f = est.objective(x)
        return OptimResult(x, f, bool(np.isfinite(f)), 0, "none", "no free parameters", np.zeros(0))
    f, g = est.objective_gradient(x)
    if g is None:
        return _fallback(
            est, x, "the starting values give a covariance matrix that is not positive definite"
        )
    it = 0
    newton = False
    for it in range(1, max_iter + 1):
        info, newton = _metric(est, x, newton)
        step = _solve(info, g)
        dec = float(g @ step)
        if dec < tol and np.max(np.abs(g)) < gtol:
            return OptimResult(x, f, True, it, "fisher-scoring+newton", "converged", g)
        if dec < 1e-4 and it > 2 and getattr(est, "newton_ok", True):
            newton = True
        t = 1.0
        accepted = False
        while t > 1e-10:
            xn = x - t * step
            fn, gn = est.objective_gradient(xn)
            if gn is not None and np.isfinite(fn) and fn <= f - 1e-4 * t * dec + 1e-15 * abs(f):
                accepted = True
                break
            t *= 0.5
        if not accepted:
            # Near the optimum rounding noise may block the line search: accept if tiny.
            if dec < 1e-12 and np.max(np.abs(g)) < 1e-6:
                return OptimResult(x, f, True, it, "fisher-scoring+newton", "converged", g)
            if newton:
                newton = False
                continue
            break
        x, f, g = xn, fn, gn
    return _fallback(est, x0, x, f, "Fisher scoring did not converge", it)


def _newton_polish(est, x: np.ndarray, max_steps: int = 100):
    """Scoring/Newton steps from ``x``; returns (x, f, g, converged)."""
    f, g = est.objective_gradient(x)
    if g is None:
        return x, np.inf, None, False
    newton = False
    for _ in range(max_steps):
        info, newton = _metric(est, x, newton)
        step = _solve(info, g)
        dec = float(g @ step)
        if dec < 1e-16 and np.max(np.abs(g)) < 1e-8:
            return x, f, g, True
        if dec < 1e-4 and getattr(est, "newton_ok", True):
            newton = True
        t = 1.0
        ok = False
        while t > 1e-10:
            xn = x - t * step
            fn, gn = est.objective_gradient(xn)
            if gn is not None and np.isfinite(fn) and fn <= f + 1e-15 * abs(f):
                ok = True
                break
            t *= 0.5
        if not ok:
            if newton:
                newton = False
                continue
            break
        x, f, g = xn, fn, gn
    return x, f, g, bool(np.max(np.abs(g)) < 1e-6)


def _fallback(
    est, x0: np.ndarray, x_fail: np.ndarray, f_fail: float, why: str, it0: int = 0
) -> OptimResult:
    """Quasi-Newton from the starting values (not from where scoring stalled), then polish."""

    def fun(z):
        fz, gz = est.objective_gradient(z)
        if gz is None or not np.isfinite(fz):
            return 1e10, np.zeros_like(z)
        return fz, gz

    best = None
    iters = it0
    for method in ("L-BFGS-B", "BFGS"):
        res = sopt.minimize(
            fun,
            x0,
            jac=True,
            method=method,
            options={"maxiter": 5000}
            | ({"gtol": 1e-10} if method == "BFGS" else {"ftol": 1e-15, "gtol": 1e-10}),
        )
        iters += int(res.nit)
        x, f, g, conv = _newton_polish(est, res.x)
        if g is not None and (best is None or f < best[1]):
            best = (x, f, g, conv, method)
        if conv:
            break
    if best is None:
        g = np.zeros_like(x_fail)
        return OptimResult(x_fail, f_fail, False, iters, "none", why, g)
    x, f, g, conv, method = best
    return OptimResult(
        x, f, conv, iters, method.lower() + "+newton", "converged" if conv else why, g
    )
