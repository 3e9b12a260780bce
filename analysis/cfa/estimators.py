"""Estimators as strategy objects: objective, gradient, information matrices, log-likelihood.

An estimator binds the model (:class:`~.matrices.ModelMatrices`) to sample statistics and exposes
what the optimiser, the standard errors and the test statistics need:

* ``objective(x)`` and ``gradient(x)``   -- the discrepancy F(x) (lavaan's ``fx``) and dF/dx;
* ``scoring_information(x)``              -- a positive-definite matrix for Fisher scoring;
* ``information(x, kind)``                -- "expected", "observed" (Hessian) or "first.order";
* ``h1_information(kind)``                -- the same for the saturated model (Yuan-Bentler test);
* ``loglik(x)``, ``loglik_h1()``           -- for chi-square, AIC, BIC.

Multi-group: F = sum_g (N_g / N) F_g and the information matrices are weighted the same way
(unit information), so that Var(x) = I^-1 / N.

:class:`MLEstimator` covers complete data (ML, and MLR through the sandwich) and incomplete data
(FIML). A future DWLS/WLSMV estimator implements the same methods on polychoric statistics.
"""

from __future__ import annotations

import numpy as np

from .lowrank import expected_rows_complete, info_rows, rows_to_x, scores_rows
from .matrices import ModelMatrices
from .objective import (
    _expected_from_inv,
    expected_sigma,
    fiml_expected,
    fiml_group,
    hessian_sigma,
    ml_group,
    moment_gradient,
    scores,
)
from .samplestats import LOG2PI, GroupStats

__all__ = ["MLEstimator"]


class MLEstimator:
    """Normal-theory maximum likelihood (complete data or FIML).

    Parameters
    ----------
    model
        The model matrices.
    stats
        One :class:`GroupStats` per group.
    """

    name = "ML"

    def __init__(self, model: ModelMatrices, stats: list[GroupStats]):
        self.model = model
        self.stats = stats
        self.missing = any(s.missing for s in stats)
        self.ntotal = int(sum(s.n for s in stats))
        self.fg = np.array([s.n / self.ntotal for s in stats])
        self.logdet_s = [float(np.linalg.slogdet(s.cov)[1]) for s in stats]
        self.meanstructure = model.meanstructure
        # With incomplete data the exact information costs O(K^2 p) per missing-data pattern:
        # score with the complete-data expected information (cheap; converges linearly at a rate
        # near the fraction of missing information) and skip Newton steps. The exact information
        # is still used for the standard errors and tests.
        self.approx_scoring = self.missing
        self.newton_ok = not self.approx_scoring

    # -- objective ---------------------------------------------------------------------------
    def _group(self, g: int, sigma, mu, gradient: bool):
        st = self.stats[g]
        if st.missing:
            return fiml_group(sigma, mu, st, gradient=gradient)
        return ml_group(sigma, mu, st, self.logdet_s[g], gradient=gradient)

    def objective(self, x: np.ndarray) -> float:
        total = 0.0
        for g, (sigma, mu) in enumerate(self.model.implied(x)):
            f, _ = self._group(g, sigma, mu, False)
            if not np.isfinite(f):
                return np.inf
            total += self.fg[g] * f
        return total

    def objective_gradient(self, x: np.ndarray) -> tuple[float, np.ndarray | None]:
        mats = self.model.matrices(x)
        lr = self.model.lowrank(x, mats)
        total = 0.0
        grad = np.zeros(self.model.npar)
        for g, gm in enumerate(mats):
            sigma, mu = self.model.implied_one(gm)
            f, big_g, gmu = moment_gradient(sigma, mu, self.stats[g], self.logdet_s[g])
            if not np.isfinite(f):
                return np.inf, None
            total += self.fg[g] * f
            u, v, m, idx = lr[g]
            # <G, u v' + v u'> = 2 u' G v
            rows = 2.0 * np.sum((u @ big_g) * v, axis=1)
            if gmu is not None and m is not None:
                rows = rows + m @ gmu
            grad += self.fg[g] * np.bincount(idx, weights=rows, minlength=self.model.npar)
        return total, grad

    def gradient(self, x: np.ndarray) -> np.ndarray:
        f, g = self.objective_gradient(x)
        if g is None:
            raise FloatingPointError("implied covariance matrix not positive definite")
        return g

    # -- information -------------------------------------------------------------------------
    def scoring_information(self, x: np.ndarray) -> np.ndarray:
        """Expected information (pattern-weighted under FIML): the Fisher-scoring metric."""
        if not self.approx_scoring:
            return self._info(x, "expected")
        mats = self.model.matrices(x)
        lr = self.model.lowrank(x, mats)
        npar = self.model.npar
        out = np.zeros((npar, npar))
        for g, gm in enumerate(mats):
            sigma, _ = self.model.implied_one(gm)
            u, v, m, idx = lr[g]
            out += self.fg[g] * rows_to_x(expected_rows_complete(sigma, u, v, m), idx, npar)
        return out

    def _info(self, x: np.ndarray, kind: str) -> np.ndarray:
        mats = self.model.matrices(x)
        lr = self.model.lowrank(x, mats)
        npar = self.model.npar
        out = np.zeros((npar, npar))
        for g, gm in enumerate(mats):
            sigma, mu = self.model.implied_one(gm)
            u, v, m, idx = lr[g]
            if kind == "first.order":
                sc = scores_rows(sigma, mu, self.stats[g], u, v, m)
                rows = sc.T @ sc / self.stats[g].n
            else:
                rows = info_rows(sigma, mu, self.stats[g], u, v, m, kind)
            out += self.fg[g] * rows_to_x(rows, idx, npar)
        return out

    def expected_moment_information(self, x: np.ndarray) -> list[np.ndarray]:
        """Unit expected information of (mu, vech Sigma) per group at the model (pattern-weighted
        under FIML); with the vech Jacobian, Delta' W Delta gives the expected information of any
        parameterisation of the same moments (used for modification indices)."""
        out = []
        for g, (sigma, _) in enumerate(self.model.implied(x)):
            st = self.stats[g]
            out.append(
                fiml_expected(sigma, st)
                if st.missing
                else expected_sigma(sigma, self.meanstructure)
            )
        return out

    def information(self, x: np.ndarray, kind: str = "expected") -> np.ndarray:
        """Unit information matrix of the free parameters.

        ``expected``: sum_g f_g Delta' W Delta (pattern-weighted under FIML).
        ``observed``: the Hessian of F, analytically in the moments plus the second-derivative term
        d(Delta' u)/dx (numerical, model-only). ``first.order``: sum_g f_g sum_i s_i s_i' / N_g.
        """
        if kind == "expected":
            return self._info(x, "expected")
        if kind == "first.order":
            return self._info(x, "first.order")
        if kind == "observed":
            out = self._info(x, "observed") + self._second_order_term(x)
            return (out + out.T) / 2
        raise ValueError(kind)

    def _contracted_gradient(self, x: np.ndarray, moments: list) -> np.ndarray:
        """sum_g f_g [ <G_g, dSigma_g/dx> + g_mu' dmu_g/dx ] with the moment gradients held fixed."""
        grad = np.zeros(self.model.npar)
        for g, (ds, dm) in enumerate(self.model.derivatives(x)):
            big_g, gmu = moments[g]
            gr = np.tensordot(ds, big_g, axes=([1, 2], [0, 1]))
            if gmu is not None:
                gr = gr + dm @ gmu
            grad += self.fg[g] * gr
        return grad

    def _second_order_term(self, x: np.ndarray) -> np.ndarray:
        """sum_g f_g sum_k u_gk d^2 m_gk / dx dx', by central differences of the contracted
        Jacobian with the moment gradients u held at their value at x."""
        moments = []
        for g, (sigma, mu) in enumerate(self.model.implied(x)):
            _, big_g, gmu = moment_gradient(sigma, mu, self.stats[g], self.logdet_s[g])
            moments.append((big_g, gmu))
        analytic = self.model.second_order_contraction(x, self.fg, moments)
        if analytic is not None:
            return analytic
        npar = self.model.npar
        out = np.zeros((npar, npar))
        for j in range(npar):
            step = 1e-5 * max(1.0, abs(x[j]))
            xp = x.copy()
            xm = x.copy()
            xp[j] += step
            xm[j] -= step
            out[:, j] = (
                self._contracted_gradient(xp, moments) - self._contracted_gradient(xm, moments)
            ) / (2 * step)
        return out

    def first_order_moments(
        self, x: np.ndarray | None, structured: bool = True
    ) -> list[np.ndarray]:
        """B1_g = scores'scores / N_g in (mu, vech Sigma), at the model (structured) or H1."""
        out = []
        implied = self.model.implied(x) if structured else [(None, None)] * len(self.stats)
        for g, st in enumerate(self.stats):
            if structured:
                sigma, mu = implied[g]
            else:
                sigma, mu = st.cov, (st.mean if (self.meanstructure or st.missing) else None)
            if st.missing and mu is None:
                mu = st.mean
            sc = scores(sigma, mu, st, mean_for_cov=st.mean)
            out.append(sc.T @ sc / st.n)
        return out

    def h1_information(self, kind: str = "observed") -> list[np.ndarray]:
        """Information of the saturated model at its estimates, per group (moment level).

        Cached on the group statistics, which the model and its baseline share.
        """
        out = []
        for st in self.stats:
            key = (kind, self.meanstructure or st.missing)
            cache = st.cache.setdefault("h1_information", {})
            if key not in cache:
                if kind == "first.order":
                    mu = st.mean if (self.meanstructure or st.missing) else None
                    sc = scores(st.cov, mu, st, mean_for_cov=st.mean)
                    cache[key] = sc.T @ sc / st.n
                elif st.missing and kind == "observed":
                    cache[key] = hessian_sigma(st.cov, st.mean, st)
                else:
                    cache[key] = _expected_from_inv(np.linalg.inv(st.cov), key[1])
            out.append(cache[key])
        return out

    # -- likelihood --------------------------------------------------------------------------
    def loglik_groups(self, x: np.ndarray) -> np.ndarray:
        out = []
        for g, (sigma, mu) in enumerate(self.model.implied(x)):
            st = self.stats[g]
            if st.missing:
                f, _ = fiml_group(sigma, mu, st, gradient=False)
                out.append(-st.n * f)
            else:
                p = st.p
                a = np.linalg.inv(sigma)
                _, logdet = np.linalg.slogdet(sigma)
                w = st.cov.copy()
                if mu is not None:
                    d = st.mean - mu
                    w = w + np.outer(d, d)
                out.append(-0.5 * st.n * (p * LOG2PI + logdet + np.sum(a * w)))
        return np.array(out)

    def loglik(self, x: np.ndarray) -> float:
        return float(self.loglik_groups(x).sum())

    def loglik_h1_groups(self) -> np.ndarray:
        out = []
        for g, st in enumerate(self.stats):
            if st.missing:
                out.append(st.h1_loglik)
            else:
                out.append(-0.5 * st.n * (st.p * LOG2PI + self.logdet_s[g] + st.p))
        return np.array(out)

    def loglik_h1(self) -> float:
        return float(self.loglik_h1_groups().sum())

    def chisq(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        """Likelihood-ratio test against the saturated model: 2 (logL_h1 - logL), per group too."""
        per = 2.0 * (self.loglik_h1_groups() - self.loglik_groups(x))
        per = np.maximum(per, 0.0)
        return float(per.sum()), per
