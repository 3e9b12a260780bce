"""Exploratory factor analysis: extraction, rotation and fit, as psych ``fa()`` reports them.

``efa`` factors items (or a correlation matrix, Pearson or polychoric), rotates, orders the factors
by the variance they account for and signs them so that each column of loadings sums to a positive
number, then reports the pattern and structure loadings, factor correlations, communalities,
uniquenesses, variance accounted for and the fit statistics psych prints (chi square with Bartlett's
correction, the empirical chi square, RMSEA with its 90 % interval, TLI, BIC). The figures match psych
2.2.9 with GPArotation; see ``tests/reference/efa.R``.

References
----------
Revelle, W. (2022). psych: Procedures for Psychological, Psychometric, and Personality Research
(version 2.2.9).
Fabrigar, L. R., Wegener, D. T., MacCallum, R. C., & Strahan, E. J. (1999). Evaluating the use of
exploratory factor analysis in psychological research. Psychological Methods, 4, 272-299.
Tucker, L. R., & Lewis, C. (1973). A reliability coefficient for maximum likelihood factor analysis.
Psychometrika, 38, 1-10.
Hofmann, R. J. (1978). Complexity and simplicity as objective indices descriptive of factor solutions.
Multivariate Behavioral Research, 13, 247-250.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from moscale.analysis.extraction import (
    FACTOR_PREFIX,
    METHOD_ALIASES,
    PSI_LOWER,
    CorrelationInput,
    FitStatistics,
    correlation_input,
    extract,
    fit_statistics,
    jsonable,
)
from moscale.analysis.rotation import OBLIQUE, canonical_rotation, rotate
from moscale.errors import ModelError, UserError


@dataclass(frozen=True)
class EFAResult:
    """Result of :func:`efa`.

    Attributes
    ----------
    loadings : DataFrame
        Pattern loadings (items x factors). Factors are named as psych names them (MR1, ML1, PA1).
    structure : DataFrame
        Structure loadings ``loadings @ phi`` (item-factor correlations); equal to ``loadings`` for an
        orthogonal solution.
    phi : DataFrame
        Factor correlations (identity for orthogonal rotations).
    communalities, uniquenesses : Series
        ``h2 = diag(L Phi L')`` and ``u2 = 1 - h2``.
    variance : DataFrame
        Rows ``ss_loadings`` (``diag(Phi L'L)``, psych's ``Vaccounted`` for oblique solutions),
        ``proportion_var``, ``cumulative_var``, ``proportion_explained``, ``cumulative_proportion``.
    eigenvalues : Series
        Eigenvalues of the correlation matrix (psych ``e.values``).
    reduced_eigenvalues : Series
        Eigenvalues of the correlation matrix with the communalities on the diagonal (psych
        ``values``; for principal axis, as psych, those of the last matrix decomposed, whose
        diagonal holds the communalities of the previous iteration).
    complexity : Series
        Hofmann's (1978) item complexity ``(sum l^2)^2 / sum l^4``.
    fit : FitStatistics
        Chi square (psych ``STATISTIC``), empirical chi square (``chi``), df, RMSEA with CI, TLI,
        BIC and related figures; NaN where the sample size is unknown.
    heywood : tuple of str
        Items with a Heywood case: the uniqueness sits on its lower bound (0.005) or the communality
        is 1 or more.
    correlation : DataFrame
        The correlation matrix factored.
    residuals : DataFrame
        ``R - L Phi L'`` (diagonal: the uniquenesses).
    notes : tuple of str
        What a reader should know (convergence, Heywood cases, df, rotation convergence).
    """

    loadings: pd.DataFrame
    structure: pd.DataFrame
    phi: pd.DataFrame
    communalities: pd.Series
    uniquenesses: pd.Series
    variance: pd.DataFrame
    eigenvalues: pd.Series
    reduced_eigenvalues: pd.Series
    complexity: pd.Series
    fit: FitStatistics
    heywood: tuple[str, ...]
    correlation: pd.DataFrame
    residuals: pd.DataFrame
    n_factors: int
    method: str
    rotation: str
    cor: str
    n_obs: int | None
    missing: str
    converged: bool
    rotation_converged: bool
    unrotated: pd.DataFrame
    rotation_matrix: np.ndarray
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def oblique(self) -> bool:
        return self.rotation in OBLIQUE

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready figures."""
        return jsonable(
            {
                "n_factors": self.n_factors,
                "method": self.method,
                "rotation": self.rotation,
                "cor": self.cor,
                "n_obs": self.n_obs,
                "missing": self.missing,
                "items": list(self.loadings.index),
                "factors": list(self.loadings.columns),
                "loadings": self.loadings.to_numpy().tolist(),
                "structure": self.structure.to_numpy().tolist(),
                "phi": self.phi.to_numpy().tolist(),
                "communalities": self.communalities.tolist(),
                "uniquenesses": self.uniquenesses.tolist(),
                "complexity": self.complexity.tolist(),
                "variance": {r: self.variance.loc[r].tolist() for r in self.variance.index},
                "eigenvalues": self.eigenvalues.tolist(),
                "reduced_eigenvalues": self.reduced_eigenvalues.tolist(),
                "fit": self.fit.to_dict(),
                "heywood": list(self.heywood),
                "converged": self.converged,
                "rotation_converged": self.rotation_converged,
                "notes": list(self.notes),
            }
        )


def efa(
    items: Any,
    n_factors: int,
    method: str = "minres",
    rotation: str = "oblimin",
    cor: str = "pearson",
    *,
    n_obs: int | None = None,
    missing: str = "pairwise",
) -> EFAResult:
    """Exploratory factor analysis of items or of a correlation matrix.

    Parameters
    ----------
    items : DataFrame, ndarray, correlation matrix or polychoric result
        Item responses (rows = respondents), or a correlation matrix (square, symmetric, unit
        diagonal) with ``n_obs``, or an object with a ``.matrix`` correlation DataFrame.
    n_factors : int
        Number of factors to extract (1 <= n_factors < number of items).
    method : {"minres", "uls", "ml", "pa"}
        Minimum residual (unweighted least squares, psych's default), maximum likelihood, or
        iterated principal axis. See :func:`moscale.analysis.extraction.extract`.
    rotation : {"oblimin", "promax", "varimax", "geominQ", "geominT", "quartimin", "quartimax", "none"}
        As psych ``fa(rotate=)`` with GPArotation (``oblimin`` is quartimin, gamma = 0).
    cor : {"pearson", "polychoric"}
        Correlations to factor when items are given.
    n_obs : int, optional
        Sample size behind a correlation matrix (for the chi square and indices).
    missing : {"pairwise", "listwise"}
        Pairwise-complete correlations (psych's default; ``n_obs`` is then the number of rows, and
        the empirical chi square uses the pairwise counts) or complete cases only.

    Returns
    -------
    EFAResult

    Notes
    -----
    The model is ``R = L Phi L' + Psi``. Factors are ordered by ``diag(Phi L'L)`` (the variance each
    accounts for, psych's order) and each column of ``L`` is signed to a positive sum. The chi square
    is ``F (n - 1 - (2p + 5)/6 - 2k/3)`` with ``F`` the ML discrepancy between the model (unit
    diagonal) and ``R`` (Bartlett 1950); ``df = ((p - k)^2 - p - k) / 2``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> f = rng.standard_normal((500, 2))
    >>> x = np.hstack([f[:, [0]] * .7, f[:, [0]] * .6, f[:, [0]] * .8,
    ...                f[:, [1]] * .7, f[:, [1]] * .6, f[:, [1]] * .8])
    >>> x = x + rng.standard_normal(x.shape) * .6
    >>> res = efa(pd.DataFrame(x, columns=list("abcdef")), 2)
    >>> res.loadings.shape
    (6, 2)
    """
    ci = correlation_input(items, n_obs=n_obs, cor=cor, missing=missing)
    return efa_from_input(ci, n_factors, method=method, rotation=rotation)


def efa_from_input(
    ci: CorrelationInput, n_factors: int, method: str = "minres", rotation: str = "oblimin"
) -> EFAResult:
    """:func:`efa` on a prepared :class:`~moscale.analysis.extraction.CorrelationInput`."""
    m = METHOD_ALIASES.get(str(method).lower())
    if m is None:
        raise UserError(
            f"Unknown factoring method '{method}'.", hint="Use 'minres', 'uls', 'ml' or 'pa'."
        )
    rot = canonical_rotation(rotation)
    R = ci.R
    p = R.shape[0]
    names = list(ci.names)
    if not isinstance(n_factors, int | np.integer) or n_factors < 1:
        raise UserError(
            f"n_factors must be a positive whole number, got {n_factors!r}.",
            hint="Choose the number of factors with parallel_analysis().",
        )
    k = int(n_factors)
    if k >= p:
        raise ModelError(
            f"{k} factors cannot be extracted from {p} items.",
            hint="Extract fewer factors than there are items (parallel_analysis() suggests how many).",
        )
    if np.linalg.eigvalsh(R)[0] < -1e-8 and m == "ml":
        raise ModelError(
            "The correlation matrix is not positive definite, so maximum likelihood cannot be used.",
            hint="Use method='minres', or smooth the matrix first.",
        )
    notes: list[str] = []
    ex = extract(R, k, m)
    if not ex.converged:
        notes.append(f"The {m} extraction did not converge; treat the solution with caution.")

    unrot = ex.loadings.copy()
    unrot[unrot == 0] = 1e-15  # psych nudges exact zeros so that rotations can move them
    h2 = np.sum(unrot * unrot, axis=1)

    rot_res = rotate(unrot, rot)
    L = rot_res.loadings
    phi = rot_res.phi
    sign = np.sign(L.sum(axis=0))
    sign[sign == 0] = 1.0
    L = L * sign
    if phi is not None:
        phi = phi * sign[:, None] * sign[None, :]
    ev = np.sum(L * L, axis=0) if phi is None else np.diag(phi @ L.T @ L)
    order = np.argsort(-ev, kind="stable") if k > 1 else np.arange(k)
    L = L[:, order]
    if phi is not None:
        phi = phi[np.ix_(order, order)]
    rotmat = (rot_res.rotmat * sign)[:, order]
    if not rot_res.converged:
        notes.append(f"The {rot} rotation did not converge in {rot_res.iterations} iterations.")

    fit = fit_statistics(R, L, phi, ci.n_obs, ci.np_obs)
    phi_full = np.eye(k) if phi is None else phi
    model = L @ phi_full @ L.T
    uniq = np.diag(R) - h2
    vx = np.sum(L * L, axis=0) if phi is None else np.diag(phi @ L.T @ L)
    vtotal = float(np.sum(h2 + uniq))

    prefix = FACTOR_PREFIX[m]
    fnames = [f"{prefix}{i + 1}" for i in range(k)]
    rows = {
        "ss_loadings": vx,
        "proportion_var": vx / vtotal,
    }
    if k > 1:
        rows["cumulative_var"] = np.cumsum(vx / vtotal)
        rows["proportion_explained"] = vx / vx.sum()
        rows["cumulative_proportion"] = np.cumsum(vx / vx.sum())
    variance = pd.DataFrame(rows, index=fnames).T

    heywood_mask = ex.at_bound | (h2 >= 1.0)
    heywood = tuple(n for n, b in zip(names, heywood_mask, strict=True) if b)
    if heywood:
        notes.append(
            "Heywood case: " + ", ".join(heywood) + " (uniqueness at its bound of "
            f"{PSI_LOWER} or communality of 1 or more); the solution may be improper."
        )
    if fit.df < 0:
        notes.append(
            f"The model has {fit.df:g} degrees of freedom (too many factors for {p} items): "
            "it is not identified and no fit test is possible."
        )
    elif fit.df == 0:
        notes.append("The model has 0 degrees of freedom: it fits by construction.")
    if ci.n_obs is None:
        notes.append("No sample size was given, so no chi square, RMSEA, TLI or BIC.")

    with np.errstate(divide="ignore", invalid="ignore"):
        complexity = np.sum(L * L, axis=1) ** 2 / np.sum(L**4, axis=1)
    w = np.linalg.eigvalsh(R)[::-1]
    wr = ex.reduced_values

    return EFAResult(
        loadings=pd.DataFrame(L, index=names, columns=fnames),
        structure=pd.DataFrame(L @ phi_full, index=names, columns=fnames),
        phi=pd.DataFrame(phi_full, index=fnames, columns=fnames),
        communalities=pd.Series(h2, index=names, name="h2"),
        uniquenesses=pd.Series(uniq, index=names, name="u2"),
        variance=variance,
        eigenvalues=pd.Series(w, index=range(1, p + 1), name="eigenvalue"),
        reduced_eigenvalues=pd.Series(wr, index=range(1, p + 1), name="reduced_eigenvalue"),
        complexity=pd.Series(complexity, index=names, name="complexity"),
        fit=fit,
        heywood=heywood,
        correlation=pd.DataFrame(R, index=names, columns=names),
        residuals=pd.DataFrame(R - model, index=names, columns=names),
        n_factors=k,
        method=m,
        rotation=rot,
        cor=ci.cor,
        n_obs=ci.n_obs,
        missing=ci.missing,
        converged=ex.converged,
        rotation_converged=rot_res.converged,
        unrotated=pd.DataFrame(ex.loadings, index=names, columns=fnames),
        rotation_matrix=rotmat,
        notes=tuple(notes),
    )


__all__ = ["EFAResult", "efa", "efa_from_input"]
