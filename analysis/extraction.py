"""Factor extraction on a correlation matrix: minimum residual (ULS), maximum likelihood, principal axis.

Everything here works on a correlation matrix, Pearson or polychoric, so that the same code serves
``efa``, ``omega`` and parallel analysis. The conventions are those of psych's ``fa()`` (Revelle,
2022; psych 2.2.9), whose figures the tests reproduce:

* starting uniquenesses ``1 - SMC`` (squared multiple correlations, Guttman 1956);
* minres/ULS and ML optimise the uniquenesses ``psi`` within ``[0.005, 1]`` with L-BFGS-B and take
  the loadings from the eigen decomposition of ``R - diag(psi)`` (minres) or of
  ``psi^-1/2 R psi^-1/2`` (ML, Jöreskog 1967);
* principal axis iterates the communalities from the SMCs until the sum of communalities changes by
  less than 0.001 (at most 50 iterations), exactly as psych does, because that loose stopping rule
  decides the figures psych prints.

References
----------
Harman, H. H., & Jones, W. H. (1966). Factor analysis by minimizing residuals (minres).
Psychometrika, 31, 351-368.
Jöreskog, K. G. (1967). Some contributions to maximum likelihood factor analysis. Psychometrika, 32,
443-482.
Guttman, L. (1956). "Best possible" systematic estimates of communalities. Psychometrika, 21, 273-285.
Revelle, W. (2022). psych: Procedures for Psychological, Psychometric, and Personality Research
(version 2.2.9). Northwestern University.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from moscale.errors import DataError, ModelError, UserError

Method = Literal["minres", "uls", "ml", "pa"]
CorKind = Literal["pearson", "polychoric"]

#: Bounds psych puts on the uniquenesses while optimising (``lower = 0.005``, ``upper = 1``).
PSI_LOWER = 0.005
#: psych's principal-axis stopping rule: change in the sum of communalities, and iteration cap.
PA_MIN_ERR = 0.001
PA_MAX_ITER = 50

METHOD_ALIASES = {"minres": "minres", "uls": "minres", "ml": "ml", "mle": "ml", "pa": "pa"}
#: Column prefixes psych gives the factors of each method (MR1, ML1, PA1, ...).
FACTOR_PREFIX = {"minres": "MR", "ml": "ML", "pa": "PA"}


# ---------------------------------------------------------------------------------------------
# Input: items or a correlation matrix
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CorrelationInput:
    """A correlation matrix ready for factoring, with what is known about the sample behind it.

    ``np_obs`` holds the pairwise counts when the matrix was computed from item data (psych passes
    them on to its empirical chi square); it is ``None`` for a matrix given as input.
    """

    R: np.ndarray
    names: tuple[str, ...]
    n_obs: int | None
    np_obs: np.ndarray | None
    data: np.ndarray | None
    cor: str
    from_data: bool
    missing: str


def is_correlation_matrix(x: np.ndarray) -> bool:
    """psych's ``isCorrelation``: square, symmetric, unit diagonal and entries within [-1, 1]."""
    if x.ndim != 2 or x.shape[0] != x.shape[1] or x.shape[0] < 2:
        return False
    if not np.all(np.isfinite(x)):
        return False
    if not np.allclose(x, x.T, rtol=0, atol=100 * np.finfo(float).eps):
        return False
    if not np.allclose(np.diag(x), 1.0, rtol=0, atol=1.5e-8):
        return False
    return bool(x.min() >= -1 - 1e-12 and x.max() <= 1 + 1e-12)


def _is_covariance_matrix(x: np.ndarray) -> bool:
    """Square, symmetric, finite, positive diagonal (psych ``isCovariance``). Item data are
    practically never exactly symmetric, so such a matrix is taken as a covariance matrix."""
    if x.ndim != 2 or x.shape[0] != x.shape[1] or x.shape[0] < 2 or not np.all(np.isfinite(x)):
        return False
    scale = max(float(np.max(np.abs(x))), 1.0)
    if not np.allclose(x, x.T, rtol=0, atol=100 * np.finfo(float).eps * scale):
        return False
    return bool(np.all(np.diag(x) > 0))


def pairwise_correlation(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pearson correlations from pairwise-complete observations, and the pairwise counts.

    Works on a stack of data sets ``(..., n, p)`` at once (parallel analysis resamples many). For
    each pair the means and variances are those of the rows where both items are present, as R's
    ``cor(x, use = "pairwise")``; the data are centred by the column means first so that the
    one-pass sums keep full precision.
    """
    x = np.asarray(x, dtype=float)
    present = ~np.isnan(x)
    m = present.astype(float)
    col_n = m.sum(axis=-2, keepdims=True)
    xz = np.where(present, x, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        col_mean = xz.sum(axis=-2, keepdims=True) / col_n
    x0 = xz - col_mean * m
    return pairwise_correlation_centered(x0, m)


def pairwise_correlation_centered(x0: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`pairwise_correlation` from roughly centred data with zeros in the missing cells
    (``x0``) and the 0/1 matrix of present cells (``m``), both ``(..., n, p)``."""
    mt = np.swapaxes(m, -1, -2)
    counts = mt @ m
    xt = np.swapaxes(x0, -1, -2)
    sxy = xt @ x0
    sx = xt @ m  # sx[i, j]: sum of item i over the rows where i and j are both present
    sxx = np.swapaxes(x0 * x0, -1, -2) @ m
    with np.errstate(invalid="ignore", divide="ignore"):
        sx_t = np.swapaxes(sx, -1, -2)
        cov = sxy - sx * sx_t / counts
        var_i = sxx - sx * sx / counts
        var_j = np.swapaxes(var_i, -1, -2)
        r = cov / np.sqrt(var_i * var_j)
    p = x0.shape[-1]
    idx = np.arange(p)
    r[..., idx, idx] = 1.0
    return r, counts


def _item_frame(items: Any) -> pd.DataFrame:
    if isinstance(items, pd.DataFrame):
        df = items
    else:
        arr = np.asarray(items, dtype=object)
        if arr.ndim != 2:
            raise DataError(
                "Factor analysis needs a two-dimensional table of items (rows = respondents).",
                hint="Pass a DataFrame with one column per item, or a correlation matrix.",
            )
        df = pd.DataFrame(arr, columns=[f"V{i + 1}" for i in range(arr.shape[1])])
    out = {}
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
            out[str(col)] = s.astype(float)
            continue
        try:
            out[str(col)] = pd.to_numeric(s, errors="raise").astype(float)
        except (TypeError, ValueError):
            raise DataError(
                f"Item '{col}' is not numeric (dtype {s.dtype}).",
                hint="Code the responses as numbers (missing values as NaN) before factoring.",
            ) from None
    return pd.DataFrame(out, index=df.index)


def _check_matrix(R: np.ndarray, names: tuple[str, ...]) -> None:
    bad = ~np.isfinite(R)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise DataError(
            f"The correlation between '{names[i]}' and '{names[j]}' is missing.",
            hint="An item with no variance or too few joint answers cannot be factored; drop it.",
        )


def correlation_input(
    items: Any,
    *,
    n_obs: int | None = None,
    cor: str = "pearson",
    missing: str = "pairwise",
) -> CorrelationInput:
    """Turn items, a correlation matrix, or a polychoric result into a :class:`CorrelationInput`.

    * A square, symmetric matrix with unit diagonal is taken as a correlation matrix (psych's rule);
      ``n_obs`` then gives the sample size (statistics that need it are NaN without it). A
      symmetric matrix with another (positive) diagonal is taken as a covariance matrix and turned into its correlation matrix (as psych ``fa`` does).
    * An object with a ``.matrix`` attribute (moscale's polychoric result) is used as its matrix,
      with its ``n_obs`` if it has one.
    * Otherwise the input is item data: ``cor="pearson"`` correlates them (pairwise-complete
      observations as psych, or listwise), ``cor="polychoric"`` calls
      :func:`moscale.analysis.polychoric.polychoric`. As in psych, ``n_obs`` is the number of rows
      and the pairwise counts are kept for the empirical chi square.
    * A :class:`CorrelationInput` is returned as it is (``cor`` and ``missing`` are those it was
      made with), so that one correlation matrix serves KMO, Bartlett, parallel analysis, MAP
      and the EFA.
    """
    if isinstance(items, CorrelationInput):
        return items
    cor = cor.lower()
    if cor in ("cor", "pearson"):
        cor = "pearson"
    elif cor in ("poly", "polychoric"):
        cor = "polychoric"
    else:
        raise UserError(
            f"Unknown correlation type '{cor}'.", hint="Use cor='pearson' or cor='polychoric'."
        )
    if missing not in ("pairwise", "listwise"):
        raise UserError(
            f"Unknown missing-data rule '{missing}'.",
            hint="Use missing='pairwise' (as psych) or missing='listwise'.",
        )
    if n_obs is not None and (not np.isfinite(n_obs) or n_obs < 2):
        raise UserError(f"n_obs must be at least 2, got {n_obs}.", hint="Give the sample size.")

    if hasattr(items, "matrix") and not isinstance(items, pd.DataFrame | np.ndarray):
        mat = items.matrix
        names = tuple(str(c) for c in getattr(mat, "columns", range(np.shape(mat)[1])))
        R = np.asarray(mat, dtype=float)
        n = n_obs if n_obs is not None else getattr(items, "n_obs", None)
        _check_matrix(R, names)
        return CorrelationInput(R, names, _int_or_none(n), None, None, cor, False, missing)

    if isinstance(items, pd.DataFrame):
        arr = items.to_numpy(dtype=float, na_value=np.nan) if _all_numeric(items) else None
    else:
        try:
            arr = np.asarray(items, dtype=float)
        except (TypeError, ValueError):
            arr = None  # not all numbers: _item_frame names the offending column
    if arr is not None and _is_covariance_matrix(arr) and not is_correlation_matrix(arr):
        # A covariance matrix is factored as the correlation matrix it implies (psych: cov2cor).
        d = 1.0 / np.sqrt(np.diag(arr))
        arr = arr * d[:, None] * d[None, :]
    if arr is not None and is_correlation_matrix(arr):
        names = tuple(str(c) for c in items.columns) if isinstance(items, pd.DataFrame) else None
        if names is None:
            names = tuple(f"V{i + 1}" for i in range(arr.shape[1]))
        R = (arr + arr.T) / 2.0
        np.fill_diagonal(R, 1.0)
        return CorrelationInput(R, names, _int_or_none(n_obs), None, None, cor, False, missing)

    if arr is not None and arr.ndim == 2 and isinstance(items, pd.DataFrame):
        # All-numeric DataFrame: no per-column conversion needed.
        df = pd.DataFrame(arr, columns=[str(c) for c in items.columns], index=items.index)
    else:
        df = _item_frame(items)
    names = tuple(df.columns)
    if len(names) < 2:
        raise DataError("Factor analysis needs at least two items.", hint="Add items.")
    data = df.to_numpy(dtype=float)
    if missing == "listwise":
        data = data[~np.isnan(data).any(axis=1)]
        df = pd.DataFrame(data, columns=list(names))
    n_rows = data.shape[0]
    present = ~np.isnan(data)
    answers = present.sum(axis=0)
    with np.errstate(all="ignore"):
        spread = np.nanmax(np.where(present, data, -np.inf), axis=0) - np.nanmin(
            np.where(present, data, np.inf), axis=0
        )
    for j, name in enumerate(names):
        if answers[j] < 3:
            raise DataError(
                f"Item '{name}' has fewer than 3 answers.", hint="Drop the item or add data."
            )
        if spread[j] == 0:
            value = data[present[:, j], j][0]
            raise DataError(
                f"Item '{name}' has no variance (every answer is {value:g}).",
                hint="Drop the item: a constant cannot be correlated with anything.",
            )
    if cor == "polychoric":
        try:
            from moscale.analysis.polychoric import polychoric
        except ImportError as exc:  # pragma: no cover - depends on the other module being present
            raise UserError(
                "Polychoric correlations are not available in this installation.",
                hint="Use cor='pearson', or pass a polychoric correlation matrix with n_obs.",
            ) from exc
        # psych's conventions (fa(cor = "poly")): pairwise-complete tables, 0.5 for empty cells.
        res = polychoric(df, mimic="psych", missing=missing)
        mat = res.matrix
        R = np.asarray(mat.loc[list(names), list(names)], dtype=float)
    else:
        R, _ = pairwise_correlation(data)
    counts = (~np.isnan(data)).astype(float)
    np_obs = counts.T @ counts
    _check_matrix(R, names)
    n = n_rows if n_obs is None else int(n_obs)
    return CorrelationInput(R, names, n, np_obs, data, cor, True, missing)


def _all_numeric(df: pd.DataFrame) -> bool:
    return all(pd.api.types.is_numeric_dtype(df[c]) for c in df.columns)


def _int_or_none(n: Any) -> int | None:
    if n is None:
        return None
    return int(n)


# ---------------------------------------------------------------------------------------------
# Squared multiple correlations
# ---------------------------------------------------------------------------------------------


def smc(R: np.ndarray) -> np.ndarray:
    """Squared multiple correlations ``1 - 1 / diag(R^-1)``, clipped to [0, 1] (psych ``smc``).

    Works on a stack of matrices. A singular matrix uses the Moore-Penrose inverse with psych's
    tolerance ``sqrt(eps)`` relative to the largest singular value.
    """
    try:
        inv = np.linalg.inv(R)
        if not np.all(np.isfinite(inv)):
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        inv = np.linalg.pinv(R, rcond=np.sqrt(np.finfo(float).eps), hermitian=True)
    d = np.diagonal(inv, axis1=-2, axis2=-1)
    with np.errstate(divide="ignore"):
        s = 1.0 - 1.0 / d
    return np.clip(s, 0.0, 1.0)


# ---------------------------------------------------------------------------------------------
# Extraction
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Extraction:
    """Unrotated factor solution of a correlation matrix."""

    loadings: np.ndarray  # p x k, columns signed so that each sums to a positive number
    psi: np.ndarray  # uniquenesses as optimised (minres/ML) or 1 - communalities (PA)
    converged: bool
    iterations: int
    method: str
    at_bound: np.ndarray  # items whose uniqueness sits on the lower bound (Heywood case)
    reduced_values: np.ndarray  # eigenvalues of R with communalities on the diagonal (psych values)


def _top_eigen(A: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` largest eigenvalues (descending) and their eigenvectors of a symmetric matrix."""
    w, v = np.linalg.eigh(A)
    return w[::-1][:k], v[:, ::-1][:, :k]


def _uls_objective(psi: np.ndarray, R: np.ndarray, k: int) -> tuple[float, np.ndarray]:
    """ULS objective with the loadings concentrated out, and its gradient.

    ``F(psi) = 1/2 ||R - diag(psi) - L L'||^2`` with ``L`` from the ``k`` largest eigenpairs of
    ``R - diag(psi)``. Its gradient is ``diag(L L' + diag(psi) - R)``, the gradient psych uses
    (``FAgr.minres``); at an interior optimum the diagonal residuals vanish and the solution is
    Harman's minres solution.
    """
    A = R - np.diag(psi)
    w, v = _top_eigen(A, k)
    L = v * np.sqrt(np.maximum(w, 0.0))
    resid = A - L @ L.T
    f = 0.5 * float(np.sum(resid * resid))
    g = -np.diag(resid).copy()
    return f, g


def _ml_objective(psi: np.ndarray, R: np.ndarray, k: int) -> tuple[float, np.ndarray]:
    """ML discrepancy with the loadings concentrated out (Jöreskog 1967), and its gradient.

    With ``e`` the eigenvalues of ``psi^-1/2 R psi^-1/2``, ``F = sum_{j>k} (e_j - log e_j - 1)``;
    the gradient is ``diag(L L' + diag(psi) - R) / psi^2``.
    """
    sc = 1.0 / np.sqrt(psi)
    S = R * sc[:, None] * sc[None, :]
    w, v = np.linalg.eigh(S)
    w = w[::-1]
    v = v[:, ::-1]
    rest = w[k:]
    if np.any(rest <= 0):
        return np.inf, np.zeros_like(psi)
    f = float(np.sum(rest - np.log(rest) - 1.0))
    L = np.sqrt(psi)[:, None] * v[:, :k] * np.sqrt(np.maximum(w[:k] - 1.0, 0.0))
    g = (np.sum(L * L, axis=1) + psi - np.diag(R)) / psi**2
    return f, g


def _loadings_uls(psi: np.ndarray, R: np.ndarray, k: int) -> np.ndarray:
    w, v = _top_eigen(R - np.diag(psi), k)
    return v * np.sqrt(np.maximum(w, 0.0))


def _loadings_ml(psi: np.ndarray, R: np.ndarray, k: int) -> np.ndarray:
    sc = 1.0 / np.sqrt(psi)
    w, v = _top_eigen(R * sc[:, None] * sc[None, :], k)
    return np.sqrt(psi)[:, None] * v * np.sqrt(np.maximum(w - 1.0, 0.0))


def _sign_columns(L: np.ndarray) -> np.ndarray:
    s = np.sign(L.sum(axis=0))
    s[s == 0] = 1.0
    return L * s


def extract(R: np.ndarray, n_factors: int, method: str = "minres") -> Extraction:
    """Unrotated ``n_factors``-factor solution of the correlation matrix ``R``.

    Parameters
    ----------
    R : ndarray (p, p)
        Correlation matrix.
    n_factors : int
        Number of factors.
    method : {"minres", "uls", "ml", "pa"}
        ``minres``/``uls``: minimise ``1/2 ||R - LL' - Psi||^2`` over ``Psi`` in [0.005, 1]
        (L-BFGS-B); ``ml``: minimise the ML discrepancy ``log|Sigma| + tr(Sigma^-1 R) - log|R| - p``
        over the same bounds; ``pa``: iterated principal axis from the SMCs (psych's rule: stop
        when the sum of communalities changes by less than 0.001, at most 50 iterations).

    Returns
    -------
    Extraction
        Loadings with columns signed to positive sums (psych's convention), uniquenesses,
        convergence and the items whose uniqueness reached the lower bound.
    """
    method = METHOD_ALIASES.get(method.lower(), None) if isinstance(method, str) else None
    if method is None:
        raise UserError("Unknown extraction method.", hint="Use 'minres', 'uls', 'ml' or 'pa'.")
    R = np.asarray(R, dtype=float)
    p = R.shape[0]
    k = int(n_factors)
    s = smc(R)
    if method == "pa":
        return _extract_pa(R, k, s)
    upper = max(float(np.max(s)), 1.0)
    start = np.clip(np.diag(R) - s, PSI_LOWER, upper)
    fun = _uls_objective if method == "minres" else _ml_objective
    psi, nit, pg = start, 0, np.inf
    # L-BFGS-B can stop on its relative-reduction test at a kink where two eigenvalues of the
    # reduced matrix cross; restarting from where it stopped resets its curvature memory.
    for _restart in range(6):
        res = optimize.minimize(
            fun,
            psi,
            args=(R, k),
            jac=True,
            method="L-BFGS-B",
            bounds=[(PSI_LOWER, upper)] * p,
            options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 5000, "maxcor": 20},
        )
        psi, nit = res.x, nit + int(res.nit)
        _, g = fun(psi, R, k)
        pg = _projected_gradient(psi, g, PSI_LOWER, upper)
        if pg < 1e-7:
            break
    L = _loadings_uls(psi, R, k) if method == "minres" else _loadings_ml(psi, R, k)
    L = _sign_columns(L)
    converged = bool(pg < 1e-6)
    Rr = R.copy()
    np.fill_diagonal(Rr, np.sum(L * L, axis=1))
    values = np.linalg.eigvalsh(Rr)[::-1]
    return Extraction(L, psi, converged, nit, method, psi <= PSI_LOWER + 1e-9, values)


def _projected_gradient(psi: np.ndarray, g: np.ndarray, lo: float, hi: float) -> float:
    """Largest gradient component that could still move ``psi`` inside its bounds."""
    held = ((psi <= lo + 1e-9) & (g > 0)) | ((psi >= hi - 1e-9) & (g < 0))
    return float(np.max(np.abs(np.where(held, 0.0, g)), initial=0.0))


def _extract_pa(R: np.ndarray, k: int, s: np.ndarray) -> Extraction:
    """Iterated principal axis exactly as psych runs it (see :func:`extract`)."""
    Rm = R.copy()
    np.fill_diagonal(Rm, s)
    comm = float(np.sum(s))
    err = comm
    i = 1
    L = np.zeros((R.shape[0], k))
    converged = True
    values = np.linalg.eigvalsh(Rm)[::-1]
    while err > PA_MIN_ERR:
        # psych reports the eigenvalues of the last matrix decomposed, whose diagonal holds the
        # communalities of the previous iteration; keep them for the same figures.
        w_all, v_all = np.linalg.eigh(Rm)
        values = w_all[::-1]
        w, v = values[:k], v_all[:, ::-1][:, :k]
        if np.any(w < 0):
            # psych would produce NaN loadings here; say so instead.
            raise ModelError(
                "Principal axis factoring met a negative eigenvalue of the reduced matrix.",
                hint="Extract fewer factors, or use method='minres'.",
            )
        L = v * np.sqrt(w)
        new = np.sum(L * L, axis=1)
        comm1 = float(new.sum())
        np.fill_diagonal(Rm, new)
        err = abs(comm - comm1)
        comm = comm1
        i += 1
        if i > PA_MAX_ITER:
            converged = False
            break
    L = _sign_columns(L)
    h2 = np.sum(L * L, axis=1)
    return Extraction(L, np.diag(R) - h2, converged, i - 1, "pa", h2 >= 1.0, values)


# ---------------------------------------------------------------------------------------------
# One-factor minres on many matrices at once (parallel analysis)
# ---------------------------------------------------------------------------------------------


def _uls1_batch(Rs: np.ndarray, psi: np.ndarray) -> tuple[np.ndarray, ...]:
    """One-factor ULS objective, gradient, Hessian and communalities for a stack of matrices.

    With ``lambda_1 >= ... `` the eigenvalues of ``A = R - diag(psi)`` and ``v`` the leading
    eigenvector, ``f = 1/2 (sum_j lambda_j^2 - max(lambda_1, 0)^2)``, ``g = psi + h - diag(R)`` with
    ``h = lambda_1 v^2`` and, by first-order eigen perturbation,
    ``H = I - (v v')^2 - 2 lambda_1 (v v') * M``, ``M = sum_{j>1} v_j v_j' / (lambda_1 - lambda_j)``
    (``*`` elementwise).
    """
    p = Rs.shape[-1]
    idx = np.arange(p)
    A = Rs.copy()
    A[:, idx, idx] -= psi
    w, V = np.linalg.eigh(A)
    lam = w[:, -1]
    v = V[:, :, -1]
    lam_pos = np.maximum(lam, 0.0)
    h = lam_pos[:, None] * v * v
    f = 0.5 * (np.sum(w * w, axis=1) - lam_pos**2)
    g = psi + h - Rs[:, idx, idx]
    gap = lam[:, None] - w[:, :-1]
    with np.errstate(divide="ignore"):
        Vr = V[:, :, :-1] / np.where(gap > 0, gap, np.inf)[:, None, :]
    M = Vr @ np.swapaxes(V[:, :, :-1], 1, 2)
    vv = v[:, :, None] * v[:, None, :]
    H = np.eye(p) - vv * vv - 2.0 * lam_pos[:, None, None] * vv * M
    return f, g, H, h


def minres_one_factor_batch(Rs: np.ndarray, tol: float = 1e-10, max_iter: int = 100) -> np.ndarray:
    """Communalities of the one-factor minres solution of each matrix in a stack ``(B, p, p)``.

    Minimises the ULS objective over the uniquenesses ``psi`` in [0.005, 1] for all matrices at
    once by projected Newton steps (Bertsekas 1982) with backtracking: items on a bound whose
    gradient points outwards are held there, the Hessian comes from eigen perturbation theory (see
    ``_uls1_batch``) and a gradient step replaces a Newton step that does not descend. Matrices that
    do not converge fall back to :func:`extract`.
    """
    Rs = np.asarray(Rs, dtype=float)
    B, p, _ = Rs.shape
    lo, hi = PSI_LOWER, 1.0
    psi = np.clip(1.0 - smc(Rs), lo, hi)
    eye = np.eye(p)
    f, g, H, h = _uls1_batch(Rs, psi)
    done = np.zeros(B, dtype=bool)
    for _ in range(max_iter):
        active = ((psi <= lo + 1e-12) & (g > 0)) | ((psi >= hi - 1e-12) & (g < 0))
        gf = np.where(active, 0.0, g)
        done = np.max(np.abs(gf), axis=1) < tol
        if done.all():
            break
        Hr = np.where(active[:, :, None] | active[:, None, :], 0.0, H)
        Hr = Hr + eye * active[:, :, None]
        try:
            d = -np.linalg.solve(Hr, gf[:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:
            d = -gf.copy()
        slope = np.sum(d * gf, axis=1)
        bad = ~np.isfinite(slope) | (slope >= 0)
        d[bad] = -gf[bad]
        t = np.ones(B)
        todo = ~done
        new_psi, new = psi.copy(), (f.copy(), g.copy(), H.copy(), h.copy())
        for _ls in range(40):
            if not todo.any():
                break
            trial = np.clip(psi[todo] + t[todo, None] * d[todo], lo, hi)
            ft, gt, Ht, ht = _uls1_batch(Rs[todo], trial)
            decrease = np.sum(g[todo] * (trial - psi[todo]), axis=1)
            ok = ft <= f[todo] + 1e-4 * decrease + 1e-15 * np.abs(f[todo])
            ids = np.flatnonzero(todo)[ok]
            new_psi[ids] = trial[ok]
            for arr, val in zip(new, (ft, gt, Ht, ht), strict=True):
                arr[ids] = val[ok]
            todo[ids] = False
            t[todo] /= 2.0
        psi = new_psi
        f, g, H, h = new
    active = ((psi <= lo + 1e-12) & (g > 0)) | ((psi >= hi - 1e-12) & (g < 0))
    done = np.max(np.abs(np.where(active, 0.0, g)), axis=1) < 1e-8
    for b in np.flatnonzero(~done | ~np.isfinite(h).all(axis=1)):
        ex = extract(Rs[b], 1, "minres")
        h[b] = np.sum(ex.loadings**2, axis=1)
    return h


# ---------------------------------------------------------------------------------------------
# Fit statistics (psych fa.stats)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FitStatistics:
    """Fit of an exploratory factor model, as psych ``fa()`` reports it.

    Attributes
    ----------
    objective : float
        ``tr(M^-1 R) - log|M^-1 R| - p`` with ``M`` the model matrix ``L Phi L'`` with unit diagonal.
    chisq, df, pvalue : float
        ``chisq = objective * (n - 1 - (2p + 5)/6 - 2k/3)`` (Bartlett's correction; psych
        ``STATISTIC``), ``df = p(p-1)/2 - pk + k(k-1)/2``.
    chisq_empirical, pvalue_empirical : float
        Sum of squared off-diagonal residuals times the (pairwise) sample size (psych ``chi``).
    rmsea, rmsea_ci_lower, rmsea_ci_upper : float
        ``sqrt(max(chisq / (df n) - 1/(n-1), 0))`` with a 90 % interval by inverting the
        non-central chi square (psych's conventions).
    tli : float
        Tucker-Lewis index from the objective per df of the null and the fitted model.
    bic, sabic, ebic : float
        ``chisq - df log n``, ``chisq - df log((n+2)/24)``, and the empirical-chi BIC.
    rms, crms : float
        Root mean square off-diagonal residual, and its df-corrected version.
    null_chisq, null_df : float
        Chi square and df of the independence model.
    fit, fit_off : float
        ``1 - sum(residual^2) / sum(R^2)``, all entries and off-diagonal only.
    """

    objective: float
    chisq: float
    df: float
    pvalue: float
    chisq_empirical: float
    pvalue_empirical: float
    rmsea: float
    rmsea_ci_lower: float
    rmsea_ci_upper: float
    tli: float
    bic: float
    sabic: float
    ebic: float
    rms: float
    crms: float
    null_chisq: float
    null_df: float
    fit: float
    fit_off: float
    n_obs: float
    n_harmonic: float

    def to_dict(self) -> dict[str, float | None]:
        return {k: jsonable(getattr(self, k)) for k in self.__dataclass_fields__}


def jsonable(x: Any) -> Any:
    """Plain JSON values: numpy scalars and arrays to Python numbers and lists, NaN and
    infinities to ``None`` (strict JSON has no NaN), recursively through dicts, lists, tuples."""
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return jsonable(x.tolist())
    if isinstance(x, bool | np.bool_):
        return bool(x)
    if isinstance(x, int | np.integer):
        return int(x)
    if isinstance(x, float | np.floating):
        return float(x) if np.isfinite(x) else None
    return x


def cor_smooth(R: np.ndarray, eig_tol: float = 1e-12) -> tuple[np.ndarray, bool]:
    """psych ``cor.smooth``: if ``R`` is not positive definite, lift small eigenvalues to
    ``100 * eig_tol``, rescale them to sum to ``p`` and return to a correlation matrix."""
    w, v = np.linalg.eigh(R)
    if w.min() >= np.finfo(float).eps:
        return R, False
    w = np.where(w < eig_tol, 100 * eig_tol, w)
    w = w * R.shape[0] / w.sum()
    S = (v * w) @ v.T
    d = 1.0 / np.sqrt(np.diag(S))
    return S * d[:, None] * d[None, :], True


def _rmsea_bound(chisq: float, df: float, n: float, target: float) -> float:
    """Solve ``P(chi2_df(ncp) <= chisq) = target`` for ``ncp``; RMSEA = sqrt(ncp / (n-1) / df)."""
    hi = max(n, chisq) + 2 * n

    def f(ncp: float) -> float:
        # the special functions behind chi2/ncx2.cdf, without the distribution objects' overhead
        return (
            special.chndtr(chisq, df, ncp) - target
            if ncp > 0
            else special.chdtr(df, chisq) - target
        )

    try:
        ncp = optimize.brentq(f, 0.0, hi, xtol=1e-12, rtol=1e-14, maxiter=500)
    except ValueError:
        return np.nan
    return float(np.sqrt(ncp / (n - 1) / df))


def fit_statistics(
    R: np.ndarray,
    loadings: np.ndarray,
    phi: np.ndarray | None,
    n_obs: float | None,
    np_obs: np.ndarray | None = None,
    alpha: float = 0.1,
) -> FitStatistics:
    """Fit statistics of a factor model for the correlation matrix ``R`` (psych ``fa.stats``).

    See :class:`FitStatistics` for the formulas. ``np_obs`` (pairwise counts) replaces ``n_obs`` in
    the empirical chi square and in its RMS, as psych does for item data (harmonic mean of the
    counts). ``alpha`` is 1 - the RMSEA confidence level (0.1: 90 %).
    """
    R = np.asarray(R, dtype=float)
    L = np.asarray(loadings, dtype=float)
    p, k = L.shape
    model = L @ L.T if phi is None else L @ phi @ L.T
    resid = R - model
    r2 = float(np.sum(R * R))
    rstar2 = float(np.sum(resid * resid))
    dof = p * (p - 1) / 2 - p * k + k * (k - 1) / 2
    r2_off = r2 - float(np.trace(R))
    off = resid.copy()
    np.fill_diagonal(off, 0.0)
    n = np.nan if n_obs is None else float(n_obs)
    if np_obs is None:
        rstar_off = float(np.sum(off * off))
        chi = rstar_off * n
        rms = np.sqrt(rstar_off / (p * (p - 1)))
        nh = n
        crms = np.sqrt(rstar_off / (2 * dof)) if dof > 0 else np.nan
    else:
        rstar_off = float(np.sum(off * off * np_obs))
        rr = R * R * np_obs
        r2_off = float(rr.sum() - np.trace(rr))
        chi = rstar_off
        nh = float(1.0 / np.mean(1.0 / np_obs))
        rms = np.sqrt(rstar_off / (nh * p * (p - 1)))
        crms = np.sqrt(rstar_off / (2 * nh * dof)) if dof > 0 else np.nan
    if dof > 0:
        epval = float(stats.chi2.sf(chi, dof)) if np.isfinite(chi) else np.nan
        ebic = chi - dof * np.log(nh)
    else:
        epval = ebic = np.nan
    fit = 1 - rstar2 / r2
    fit_off = 1 - rstar_off / r2_off

    M = model.copy()
    np.fill_diagonal(M, np.diag(R))
    M, _ = cor_smooth(M)
    Rs, _ = cor_smooth(R)
    try:
        mir = np.linalg.solve(M, Rs)
        sign, logdet = np.linalg.slogdet(mir)
        objective = float(np.trace(mir) - logdet - p) if sign > 0 else np.inf
    except np.linalg.LinAlgError:
        objective = np.inf
    if not np.isfinite(objective):
        objective = rstar2
    nm = (n - 1) - (2 * p + 5) / 6 - (2 * k) / 3
    chisq = objective * nm if np.isfinite(n) else np.nan
    if np.isfinite(chisq) and chisq < 0:
        chisq = 0.0
    pval = float(stats.chi2.sf(chisq, dof)) if (dof > 0 and np.isfinite(chisq)) else np.nan
    sign0, logdet0 = np.linalg.slogdet(Rs)
    F0 = float(np.trace(Rs) - logdet0 - p) if sign0 > 0 else r2
    null_df = p * (p - 1) / 2
    null_chisq = F0 * ((n - 1) - (2 * p + 5) / 6) if np.isfinite(n) else np.nan
    Mm = objective / dof if dof != 0 else np.nan
    M0 = F0 * 2 / (p * (p - 1))
    tli = (M0 - Mm) / (M0 - 1 / nm) if np.isfinite(n) else np.nan
    rmsea = lo = hi = bic = sabic = np.nan
    if np.isfinite(n) and dof > 0:
        rmsea = float(np.sqrt(max(chisq / (dof * n) - 1 / (n - 1), 0.0)))
        tail = alpha / 2
        hi = 0.0
        if stats.chi2.cdf(chisq, dof) > tail:
            hi = _rmsea_bound(chisq, dof, n, tail)
            if np.isnan(hi) and rmsea <= 0:
                hi = 0.0
        lo = 0.0
        if stats.chi2.cdf(chisq, dof) > 1 - tail:
            lo = _rmsea_bound(chisq, dof, n, 1 - tail)
        if np.isfinite(hi) and hi < rmsea:
            hi = np.nan
        if np.isfinite(lo) and lo > rmsea:
            lo = np.nan
        bic = chisq - dof * np.log(n)
        sabic = chisq - dof * np.log((n + 2) / 24)
    return FitStatistics(
        objective=objective,
        chisq=float(chisq),
        df=float(dof),
        pvalue=pval,
        chisq_empirical=float(chi),
        pvalue_empirical=epval,
        rmsea=float(rmsea),
        rmsea_ci_lower=float(lo),
        rmsea_ci_upper=float(hi),
        tli=float(tli),
        bic=float(bic),
        sabic=float(sabic),
        ebic=float(ebic),
        rms=float(rms),
        crms=float(crms),
        null_chisq=float(null_chisq),
        null_df=float(null_df),
        fit=float(fit),
        fit_off=float(fit_off),
        n_obs=n,
        n_harmonic=float(nh),
    )


__all__ = [
    "CorrelationInput",
    "Extraction",
    "FitStatistics",
    "correlation_input",
    "cor_smooth",
    "extract",
    "fit_statistics",
    "is_correlation_matrix",
    "jsonable",
    "minres_one_factor_batch",
    "pairwise_correlation",
    "pairwise_correlation_centered",
    "smc",
]
