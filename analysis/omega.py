"""McDonald's omega: hierarchical and total, by the Schmid-Leiman transformation, as psych ``omega()``.

``omega`` follows psych ``omega`` (Revelle 2022) with its defaults: ``n_factors`` factors are
extracted (minres) and rotated by varimax; the varimax loadings are rotated obliquely (oblimin,
GPArotation's, started from the varimax solution); a general factor is extracted from the factor
correlations (one-factor minres of ``Phi``); the Schmid-Leiman transformation then gives every item a
loading on the general factor ``g = F gamma`` and residualised group-factor loadings
``sign(F) sqrt(h2_F - (F gamma_F)^2)`` (per item, on its factors). With ``V`` the sum of all entries of
the (sign-keyed) correlation matrix,

* ``omega_h = (sum g)^2 / V``,
* ``omega_total = (V - sum u2) / V`` with ``u2 = 1 - h2`` the uniquenesses of the factor solution,
* ``omega_h_asymptotic = (sum g)^2 / (V - sum u2)`` (psych ``omega.lim``).

With two factors the general factor is not identified; psych's ``option`` chooses how to fix it:
``"equal"`` (default) gives both group factors the loading ``sqrt(|phi_12|)``; ``"first"`` sets the
first to 1 and the second to ``phi_12``; ``"second"`` the reverse. The result records which.

``omega_total_1f`` is McDonald's omega total from a one-factor model (psych ``omega(nfactors = 1)``).

References
----------
McDonald, R. P. (1999). Test theory: A unified treatment. Erlbaum.
Schmid, J., & Leiman, J. M. (1957). The development of hierarchical factor solutions. Psychometrika,
22, 53-61.
Zinbarg, R. E., Revelle, W., Yovel, I., & Li, W. (2005). Cronbach's alpha, Revelle's beta, and
McDonald's omega_h: their relations with each other and two alternative conceptualizations of
reliability. Psychometrika, 70, 123-133.
Revelle, W., & Zinbarg, R. E. (2009). Coefficients alpha, beta, omega, and the glb: comments on
Sijtsma. Psychometrika, 74, 145-154.
Revelle, W. (2022). psych (version 2.2.9): ``omega``, ``schmid``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from moscale.analysis.efa import efa_from_input
from moscale.analysis.extraction import (
    METHOD_ALIASES,
    CorrelationInput,
    correlation_input,
    jsonable,
    smc,
)
from moscale.analysis.rotation import (
    canonical_rotation,
    geomin_criterion,
    gpf_oblique,
    promax,
    quartimin_criterion,
)
from moscale.errors import ModelError, UserError

Option = Literal["equal", "first", "second"]


@dataclass(frozen=True)
class OmegaResult:
    """Result of :func:`omega`.

    Attributes
    ----------
    omega_h : float
        Omega hierarchical ``(sum g)^2 / V``.
    omega_h_asymptotic : float
        ``(sum g)^2 / (V - sum u2)``: omega_h of a test lengthened without limit (psych ``omega.lim``).
    omega_total : float
        ``(V - sum u2) / V``.
    alpha, g6 : float
        Cronbach's alpha and Guttman's lambda 6 (SMC-based) of the keyed items, as psych prints.
    ecv : float
        Explained common variance of the general factor: ``sum g^2`` over the sum of squares of all
        Schmid-Leiman loadings.
    schmid : DataFrame
        Items x [g, F1*, ..., Fk*, h2, u2, p2]: general and group loadings, communality, uniqueness,
        and ``p2 = g^2 / h2``.
    general_loadings : Series
        Loadings of the group factors on the general factor (``gamma``).
    phi : DataFrame
        Correlations of the oblique group factors.
    oblique : DataFrame
        Oblique pattern loadings the transformation started from.
    group : DataFrame
        Per factor (g, F1*, ...): omega total, general and group for the items that load most on it
        (psych ``omega.group``).
    keys : Series
        +1/-1 per item: items keyed -1 had a negative general loading and were reversed (psych's
        ``flip``); see ``flipped``.
    """

    omega_h: float
    omega_h_asymptotic: float
    omega_total: float
    alpha: float
    g6: float
    ecv: float
    schmid: pd.DataFrame
    general_loadings: pd.Series
    phi: pd.DataFrame
    oblique: pd.DataFrame
    group: pd.DataFrame
    keys: pd.Series
    n_factors: int
    method: str
    rotation: str
    option: str
    n_obs: int | None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def flipped(self) -> tuple[str, ...]:
        return tuple(k for k, v in self.keys.items() if v < 0)

    def to_dict(self) -> dict[str, Any]:
        return jsonable(
            {
                "omega_h": self.omega_h,
                "omega_h_asymptotic": self.omega_h_asymptotic,
                "omega_total": self.omega_total,
                "alpha": self.alpha,
                "g6": self.g6,
                "ecv": self.ecv,
                "n_factors": self.n_factors,
                "method": self.method,
                "rotation": self.rotation,
                "option": self.option,
                "n_obs": self.n_obs,
                "items": list(self.schmid.index),
                "schmid": {c: self.schmid[c].tolist() for c in self.schmid.columns},
                "general_loadings": self.general_loadings.tolist(),
                "phi": self.phi.to_numpy().tolist(),
                "group": {c: self.group[c].tolist() for c in self.group.columns},
                "flipped": list(self.flipped),
                "notes": list(self.notes),
            }
        )


def _oblique_from_varimax(orth: np.ndarray, rotation: str) -> tuple[np.ndarray, np.ndarray]:
    """psych ``schmid``: rotate the varimax loadings obliquely, starting from them."""
    if rotation in ("oblimin", "quartimin"):
        r = gpf_oblique(orth, quartimin_criterion)
    elif rotation == "geominQ":
        r = gpf_oblique(orth, geomin_criterion)
    elif rotation == "promax":
        r = promax(orth)
    else:
        raise UserError(
            f"omega needs an oblique rotation, got '{rotation}'.",
            hint="Use rotation='oblimin' (psych's default), 'geominQ' or 'promax'.",
        )
    return r.loadings, r.phi


def _general_loadings(phi: np.ndarray, method: str, option: str) -> tuple[np.ndarray, str | None]:
    """Loadings of the group factors on a general factor (psych ``schmid``)."""
    k = phi.shape[0]
    if k > 2:
        ci = CorrelationInput(
            phi,
            tuple(f"F{i + 1}" for i in range(k)),
            None,
            None,
            None,
            "pearson",
            False,
            "pairwise",
        )
        g = efa_from_input(ci, 1, method=method, rotation="none").loadings.to_numpy()[:, 0]
        return g, None
    r12 = float(phi[0, 1])
    if option == "equal":
        g = np.array([np.sqrt(abs(r12)), np.sign(r12) * np.sqrt(abs(r12))])
        note = (
            "With two group factors the general factor is not identified; its loadings on both "
            "were set equal (sqrt of the factor correlation), as psych's option='equal'."
        )
    elif option == "first":
        g = np.array([1.0, r12])
        note = (
            "Two group factors: the general loading of the first was fixed to 1 (option='first')."
        )
    else:
        g = np.array([r12, 1.0])
        note = (
            "Two group factors: the general loading of the second was fixed to 1 (option='second')."
        )
    return g, note


def omega(
    items: Any,
    n_factors: int = 3,
    method: str = "minres",
    rotation: str = "oblimin",
    *,
    option: Option = "equal",
    flip: bool = True,
    n_obs: int | None = None,
    cor: str = "pearson",
    missing: str = "pairwise",
) -> OmegaResult:
    """Omega hierarchical and omega total by the Schmid-Leiman transformation (psych ``omega``).

    Parameters
    ----------
    items : DataFrame, ndarray or correlation matrix
        Item responses or a correlation matrix (Pearson or polychoric).
    n_factors : int
        Number of group factors (psych default 3; at least 3 identifies the general factor).
    method : {"minres", "ml", "pa"}
        Extraction method.
    rotation : {"oblimin", "geominQ", "promax"}
        Oblique rotation of the group factors.
    option : {"equal", "first", "second"}
        How the general factor is fixed with two group factors (see the module docstring).
    flip : bool
        Reverse items whose general loading is negative before computing omega (psych default).
        The items reversed are listed in ``flipped``.
    n_obs : int, optional
        Sample size behind a correlation matrix (not needed for omega itself).

    Returns
    -------
    OmegaResult
    """
    m = METHOD_ALIASES.get(str(method).lower())
    if m is None:
        raise UserError(f"Unknown method '{method}'.", hint="Use 'minres', 'ml' or 'pa'.")
    rot = canonical_rotation(rotation)
    if option not in ("equal", "first", "second"):
        raise UserError(f"Unknown option '{option}'.", hint="Use 'equal', 'first' or 'second'.")
    ci = correlation_input(items, n_obs=n_obs, cor=cor, missing=missing)
    return _omega(ci, int(n_factors), m, rot, option, flip)


def _omega(
    ci: CorrelationInput, k: int, method: str, rotation: str, option: str, flip: bool
) -> OmegaResult:
    R = ci.R
    p = R.shape[0]
    names = list(ci.names)
    if k < 1:
        raise UserError(f"n_factors must be at least 1, got {k}.", hint="Use e.g. 3.")
    if k >= p:
        raise ModelError(
            f"{k} factors cannot be extracted from {p} items.", hint="Use fewer factors."
        )
    notes: list[str] = []
    fit = efa_from_input(ci, k, method=method, rotation="varimax")
    orth = fit.loadings.to_numpy()
    notes.extend(fit.notes)
    if k == 1:
        fload = orth.copy()
        phi = np.ones((1, 1))
        gamma = np.array([1.0])
        notes.append(
            "With one factor omega_h equals the general-factor omega; omega_total is McDonald's."
        )
    else:
        fload, phi = _oblique_from_varimax(orth, rotation)
        gamma, note = _general_loadings(phi, method, option)
        if note:
            notes.append(note)
    diag = np.diag(R)
    g = fload @ gamma
    h2 = np.sum(orth * orth, axis=1)
    u2 = diag - h2
    uniq = diag[:, None] - fload**2
    prime = fload * gamma[None, :]
    uniq2 = diag[:, None] - uniq - prime**2
    uniq2 = np.maximum(uniq2, 0.0)
    groups = np.sign(fload) * np.sqrt(uniq2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p2 = g**2 / h2

    keys = np.ones(p)
    if flip:
        keys = np.sign(g)
        keys[keys == 0] = 1.0
    Rk = R * keys[:, None] * keys[None, :]
    g = g * keys
    groups = groups * keys[:, None]

    V = float(Rk.sum())
    v_items = float(np.trace(Rk))
    gsq = float(g.sum()) ** 2
    sum_u2 = float(u2.sum())
    omega_total = (V - sum_u2) / V
    omega_h = gsq / V
    omega_lim = gsq / (V - sum_u2)
    alpha = ((V - v_items) / V) * (p / (p - 1))
    g6 = (V + float(smc(Rk).sum()) - v_items) / V
    sl = np.column_stack([g, groups])
    ev = np.sum(sl * sl, axis=0)
    ecv = float(ev[0] / ev.sum())

    gnames = [f"F{i + 1}*" for i in range(k)]
    schmid = pd.DataFrame(sl, index=names, columns=["g", *gnames])
    schmid["h2"] = h2
    schmid["u2"] = u2
    schmid["p2"] = p2

    # Group omegas: each item is assigned to the group factor it loads most on.
    sub = np.argmax(np.abs(groups), axis=1)
    total = np.full(k + 1, np.nan)
    general = np.full(k + 1, np.nan)
    grp = np.full(k + 1, np.nan)
    grs = 0.0
    for j in range(k):
        idx = np.flatnonzero(sub == j)
        if idx.size == 0:
            continue
        vg = float(Rk[np.ix_(idx, idx)].sum())
        gr = float(groups[idx, j].sum())
        grs += gr * gr
        grp[j + 1] = gr * gr / vg
        general[j + 1] = float(g[idx].sum()) ** 2 / vg
        total[j + 1] = (gr * gr + float(g[idx].sum()) ** 2) / vg
    general[0] = omega_h
    grp[0] = grs / V
    total[0] = omega_total
    group = pd.DataFrame({"total": total, "general": general, "group": grp}, index=["g", *gnames])
    fnames = [f"F{i + 1}" for i in range(k)]
    return OmegaResult(
        omega_h=omega_h,
        omega_h_asymptotic=omega_lim,
        omega_total=omega_total,
        alpha=alpha,
        g6=g6,
        ecv=ecv,
        schmid=schmid,
        general_loadings=pd.Series(gamma, index=fnames, name="g"),
        phi=pd.DataFrame(phi, index=fnames, columns=fnames),
        oblique=pd.DataFrame(fload, index=names, columns=fnames),
        group=group,
        keys=pd.Series(keys.astype(int), index=names, name="key"),
        n_factors=k,
        method=method,
        rotation=rotation,
        option=option if k == 2 else "n/a",
        n_obs=ci.n_obs,
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class OmegaTotal:
    """Result of :func:`omega_total_1f`.

    Attributes
    ----------
    omega_total : float
        psych ``omega(nfactors = 1)$omega.tot``: ``(V - sum psi) / V``, ``V`` the sum of all entries
        of the (keyed) correlation matrix, i.e. the observed variance of the unit-weighted sum.
    omega_model : float
        ``(sum lambda)^2 / ((sum lambda)^2 + sum psi)``: the same with the model-implied variance of
        the sum in the denominator (McDonald 1999, eq. 6.20b; lavaan/semTools' omega of a one-factor
        model). The two agree when the one-factor model fits exactly.
    omega_h : float
        ``(sum lambda)^2 / V`` (psych ``omega_h`` with one factor).
    loadings, uniquenesses : Series
        One-factor (minres) loadings and ``1 - lambda^2``, after keying.
    keys : Series
        +1/-1: items with a negative loading are reversed when ``flip`` is set (psych's default).
    """

    omega_total: float
    omega_model: float
    omega_h: float
    loadings: pd.Series
    uniquenesses: pd.Series
    keys: pd.Series
    method: str
    n_obs: int | None

    @property
    def flipped(self) -> tuple[str, ...]:
        return tuple(k for k, v in self.keys.items() if v < 0)

    def to_dict(self) -> dict[str, Any]:
        return jsonable(
            {
                "omega_total": self.omega_total,
                "omega_model": self.omega_model,
                "omega_h": self.omega_h,
                "loadings": {k: float(v) for k, v in self.loadings.items()},
                "uniquenesses": {k: float(v) for k, v in self.uniquenesses.items()},
                "flipped": list(self.flipped),
                "method": self.method,
                "n_obs": self.n_obs,
            }
        )


def omega_total_1f(
    items_or_R: Any,
    *,
    method: str = "minres",
    flip: bool = True,
    n_obs: int | None = None,
    cor: str = "pearson",
    missing: str = "pairwise",
) -> OmegaTotal:
    """McDonald's omega total from a one-factor model, as psych ``omega(x, nfactors = 1)``.

    Parameters
    ----------
    items_or_R : DataFrame, ndarray or correlation matrix
        Items of one scale, or their correlation matrix (Pearson or polychoric).
    method : {"minres", "ml", "pa"}
        Extraction of the one factor (psych default minres).
    flip : bool
        Reverse items with a negative loading first (psych's default); see ``OmegaTotal.keys``.

    Returns
    -------
    OmegaTotal
        ``omega_total = (V - sum psi) / V`` (psych ``omega.tot``) and
        ``omega_model = (sum lambda)^2 / ((sum lambda)^2 + sum psi)`` (McDonald 1999).

    Examples
    --------
    >>> import numpy as np
    >>> R = np.full((4, 4), 0.49) + np.eye(4) * 0.51     # four items loading .7 on one factor
    >>> round(omega_total_1f(R).omega_model, 4)
    0.7935
    """
    m = METHOD_ALIASES.get(str(method).lower())
    if m is None:
        raise UserError(f"Unknown method '{method}'.", hint="Use 'minres', 'ml' or 'pa'.")
    ci = correlation_input(items_or_R, n_obs=n_obs, cor=cor, missing=missing)
    R = ci.R
    names = list(ci.names)
    if R.shape[0] < 2:
        raise UserError("Omega needs at least two items.", hint="Add items.")
    fit = efa_from_input(ci, 1, method=m, rotation="none")
    lam = fit.loadings.to_numpy()[:, 0]
    keys = np.ones_like(lam)
    if flip:
        keys = np.sign(lam)
        keys[keys == 0] = 1.0
    lam_k = lam * keys
    Rk = R * keys[:, None] * keys[None, :]
    psi = np.diag(R) - lam**2
    V = float(Rk.sum())
    s = float(lam_k.sum())
    return OmegaTotal(
        omega_total=(V - float(psi.sum())) / V,
        omega_model=s * s / (s * s + float(psi.sum())),
        omega_h=s * s / V,
        loadings=pd.Series(lam_k, index=names, name="loading"),
        uniquenesses=pd.Series(psi, index=names, name="u2"),
        keys=pd.Series(keys.astype(int), index=names, name="key"),
        method=m,
        n_obs=ci.n_obs,
    )


__all__ = ["OmegaResult", "OmegaTotal", "omega", "omega_total_1f"]
