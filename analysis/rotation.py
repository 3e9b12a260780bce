"""Factor rotations as psych ``fa()`` applies them.

* ``varimax``: Kaiser's (1958) varimax with Kaiser normalisation, the SVD algorithm of R's
  ``stats::varimax`` (``eps = 1e-5``).
* ``promax``: psych's ``promax``: rows Kaiser-normalised, varimax, target ``x |x|^(m-1)`` with
  ``m = 4``, least-squares transformation rescaled to unit factor variances (Hendrickson & White
  1964), rows de-normalised.
* ``oblimin`` (gamma = 0, i.e. quartimin), ``quartimin``, ``geominQ`` (delta = 0.01): oblique
  gradient projection (Jennrich 2002) as GPArotation's ``GPFoblq``; ``geominT`` and ``quartimax``:
  orthogonal gradient projection (Jennrich 2001) as ``GPForth``; no row normalisation, start at the
  identity, convergence when the projected gradient's norm is below 1e-5, at most 1000 iterations
  (GPArotation's defaults, which psych uses).

The loadings ``A`` (p x k) are rotated to ``L = A T`` (orthogonal) or ``L = A (T')^-1`` with factor
correlations ``Phi = T'T`` (oblique).

References
----------
Kaiser, H. F. (1958). The varimax criterion for analytic rotation in factor analysis.
Psychometrika, 23, 187-200.
Hendrickson, A. E., & White, P. O. (1964). Promax: a quick method for rotation to oblique simple
structure. British Journal of Statistical Psychology, 17, 65-70.
Jennrich, R. I. (2001). A simple general procedure for orthogonal rotation. Psychometrika, 66, 289-306.
Jennrich, R. I. (2002). A simple general method for oblique rotation. Psychometrika, 67, 7-19.
Yates, A. (1987). Multivariate exploratory data analysis. SUNY Press (geomin).
Bernaards, C. A., & Jennrich, R. I. (2005). Gradient projection algorithms and software for
arbitrary rotation criteria in factor analysis. Educational and Psychological Measurement, 65,
676-696.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from moscale.errors import UserError

ORTHOGONAL = ("varimax", "quartimax", "geominT")
OBLIQUE = ("promax", "oblimin", "quartimin", "geominQ")
ROTATIONS = ("none", *ORTHOGONAL, *OBLIQUE)
_ALIASES = {r.lower(): r for r in ROTATIONS}
_ALIASES.update({"geomin_obl": "geominQ", "geomin_ort": "geominT", "geomin": "geominQ"})


@dataclass(frozen=True)
class Rotated:
    """Rotated loadings (pattern matrix), factor correlations and the rotation matrix.

    ``rotmat`` maps the unrotated loadings to the rotated ones: ``loadings = unrotated @ rotmat``.
    """

    loadings: np.ndarray
    phi: np.ndarray | None
    rotmat: np.ndarray
    converged: bool
    iterations: int
    criterion: float
    orthogonal: bool


def canonical_rotation(name: str) -> str:
    """The canonical spelling of a rotation name (case-insensitive, factor_analyzer aliases)."""
    key = str(name).lower()
    if key not in _ALIASES:
        raise UserError(
            f"Unknown rotation '{name}'.",
            hint="Use one of: " + ", ".join(ROTATIONS) + ".",
        )
    return _ALIASES[key]


# --- criteria: value f and gradient dQ/dL ------------------------------------------------------


def quartimin_criterion(L: np.ndarray) -> tuple[float, np.ndarray]:
    L2 = L * L
    X = L2.sum(axis=1, keepdims=True) - L2  # row sums over the other factors
    return float(np.sum(L2 * X) / 4.0), L * X


def geomin_criterion(L: np.ndarray, delta: float = 0.01) -> tuple[float, np.ndarray]:
    k = L.shape[1]
    L2 = L * L + delta
    pro = np.exp(np.log(L2).sum(axis=1) / k)
    return float(pro.sum()), (2.0 / k) * (L / L2) * pro[:, None]


def quartimax_criterion(L: np.ndarray) -> tuple[float, np.ndarray]:
    return float(-np.sum(L**4) / 4.0), -(L**3)


def gpf_oblique(
    A: np.ndarray,
    criterion: Callable[[np.ndarray], tuple[float, np.ndarray]],
    eps: float = 1e-5,
    max_iter: int = 1000,
) -> Rotated:
    """Oblique gradient projection rotation (Jennrich 2002; GPArotation ``GPFoblq``)."""
    k = A.shape[1]
    T = np.eye(k)
    al = 1.0
    L = A @ np.linalg.inv(T).T
    f, Gq = criterion(L)
    G = -(L.T @ Gq @ np.linalg.inv(T)).T
    s = np.inf
    iterations = 0
    for it in range(max_iter + 1):
        iterations = it
        Gp = G - T * np.sum(T * G, axis=0)[None, :]
        s = float(np.sqrt(np.sum(Gp * Gp)))
        if s < eps:
            break
        al *= 2.0
        for _ in range(11):
            X = T - al * Gp
            Tt = X / np.sqrt(np.sum(X * X, axis=0))[None, :]
            Tt_inv = np.linalg.inv(Tt)
            L = A @ Tt_inv.T
            ft, Gqt = criterion(L)
            if f - ft > 0.5 * s * s * al:
                break
            al /= 2.0
        T = Tt
        f = ft
        G = -(L.T @ Gqt @ Tt_inv).T
    return Rotated(
        loadings=L,
        phi=T.T @ T,
        rotmat=np.linalg.inv(T).T,
        converged=bool(s < eps),
        iterations=iterations,
        criterion=f,
        orthogonal=False,
    )


def gpf_orthogonal(
    A: np.ndarray,
    criterion: Callable[[np.ndarray], tuple[float, np.ndarray]],
    eps: float = 1e-5,
    max_iter: int = 1000,
) -> Rotated:
    """Orthogonal gradient projection rotation (Jennrich 2001; GPArotation ``GPForth``)."""
    k = A.shape[1]
    T = np.eye(k)
    al = 1.0
    L = A @ T
    f, Gq = criterion(L)
    G = A.T @ Gq
    s = np.inf
    iterations = 0
    for it in range(max_iter + 1):
        iterations = it
        M = T.T @ G
        S = (M + M.T) / 2.0
        Gp = G - T @ S
        s = float(np.sqrt(np.sum(Gp * Gp)))
        if s < eps:
            break
        al *= 2.0
        for _ in range(11):
            X = T - al * Gp
            u, _, vt = np.linalg.svd(X)
            Tt = u @ vt
            L = A @ Tt
            ft, Gqt = criterion(L)
            if ft < f - 0.5 * s * s * al:
                break
            al /= 2.0
        T = Tt
        f = ft
        G = A.T @ Gqt
    return Rotated(
        loadings=L,
        phi=None,
        rotmat=T,
        converged=bool(s < eps),
        iterations=iterations,
        criterion=f,
        orthogonal=True,
    )


def varimax(A: np.ndarray, normalize: bool = True, eps: float = 1e-5) -> Rotated:
    """Varimax rotation, the algorithm of R's ``stats::varimax`` (Kaiser 1958).

    Each iteration takes the SVD of ``B = A'(Z^3 - Z diag(1'Z^2)/p)`` with ``Z = A T`` and sets
    ``T = U V'``; it stops when the sum of singular values grows by less than a factor ``1 + eps``.
    """
    x = np.asarray(A, dtype=float)
    p, k = x.shape
    if k < 2:
        return Rotated(x.copy(), None, np.eye(k), True, 0, np.nan, True)
    sc = np.sqrt(np.sum(x * x, axis=1)) if normalize else np.ones(p)
    x = x / sc[:, None]
    T = np.eye(k)
    d = 0.0
    iterations = 0
    converged = False
    for it in range(1, 1001):
        iterations = it
        z = x @ T
        B = x.T @ (z**3 - z * (np.sum(z * z, axis=0) / p)[None, :])
        u, sv, vt = np.linalg.svd(B)
        T = u @ vt
        d_past = d
        d = float(sv.sum())
        if d < d_past * (1 + eps):
            converged = True
            break
    z = (x @ T) * sc[:, None]
    crit = float(np.sum(np.var(z * z, axis=0)))
    return Rotated(z, None, T, converged, iterations, crit, True)


def promax(A: np.ndarray, m: float = 4.0) -> Rotated:
    """psych's ``promax`` for ``fa()``: Kaiser-normalised rows, then psych's ``Promax``.

    ``Promax``: varimax ``X = A_n T_v``; target ``Q = X |X|^(m-1)``; ``U = (X'X)^-1 X'Q`` rescaled
    by ``sqrt(diag((U'U)^-1))`` so that the factors have unit variance; pattern ``X U``; factor
    correlations ``Phi = U^-1 U^-T`` with ``U`` the full transformation ``T_v U``.
    """
    A = np.asarray(A, dtype=float)
    k = A.shape[1]
    if k < 2:
        return Rotated(A.copy(), None, np.eye(k), True, 0, np.nan, True)
    h = np.sqrt(np.sum(A * A, axis=1))
    w = A / h[:, None]
    vm = varimax(w, normalize=True)
    x = vm.loadings
    Q = x * np.abs(x) ** (m - 1)
    U, *_ = np.linalg.lstsq(x, Q, rcond=None)
    UtU = U.T @ U
    try:
        d = np.diag(np.linalg.inv(UtU))
    except np.linalg.LinAlgError:
        ev, evec = np.linalg.eigh(UtU)
        ev = np.where(ev < np.finfo(float).eps, 100 * np.finfo(float).eps, ev)
        UU = (evec * ev) @ evec.T
        np.fill_diagonal(UU, 1.0)
        d = np.diag(np.linalg.inv(UU))
    U = U * np.sqrt(d)[None, :]
    z = x @ U
    Ufull = vm.rotmat @ U
    ui = np.linalg.inv(Ufull)
    phi = ui @ ui.T
    return Rotated(z * h[:, None], phi, Ufull, vm.converged, vm.iterations, np.nan, False)


def rotate(A: np.ndarray, method: str = "oblimin") -> Rotated:
    """Rotate the loadings ``A`` (p x k) with ``method`` (see the module docstring).

    With one factor, or ``method="none"``, the loadings are returned unchanged.
    """
    method = canonical_rotation(method)
    A = np.asarray(A, dtype=float)
    k = A.shape[1]
    if method == "none" or k < 2:
        return Rotated(A.copy(), None, np.eye(k), True, 0, np.nan, True)
    if method == "varimax":
        return varimax(A)
    if method == "promax":
        return promax(A)
    if method in ("oblimin", "quartimin"):
        return gpf_oblique(A, quartimin_criterion)
    if method == "geominQ":
        return gpf_oblique(A, geomin_criterion)
    if method == "geominT":
        return gpf_orthogonal(A, geomin_criterion)
    if method == "quartimax":
        return gpf_orthogonal(A, quartimax_criterion)
    raise AssertionError(method)  # pragma: no cover - canonical_rotation guards the names


__all__ = [
    "OBLIQUE",
    "ORTHOGONAL",
    "ROTATIONS",
    "Rotated",
    "canonical_rotation",
    "gpf_oblique",
    "gpf_orthogonal",
    "promax",
    "rotate",
    "varimax",
]
