"""Recovery: data drawn from a known three-factor population model (seeded). ML estimates should be
close to the truth on average, and 95% Wald intervals should cover it about 95% of the time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from moscale.analysis.cfa import cfa

MODEL = "F1 =~ y1 + y2 + y3\nF2 =~ y4 + y5 + y6\nF3 =~ y7 + y8 + y9"
LAMBDA = np.array([0.8, 0.7, 0.6, 0.75, 0.65, 0.7, 0.6, 0.8, 0.7])
PHI = np.array([[1.0, 0.3, 0.4], [0.3, 1.0, 0.5], [0.4, 0.5, 1.0]])


def _population() -> tuple[np.ndarray, dict[tuple[str, str, str], float]]:
    lam = np.zeros((9, 3))
    for j in range(9):
        lam[j, j // 3] = LAMBDA[j]
    theta = np.diag(1 - LAMBDA**2)
    sigma = lam @ PHI @ lam.T + theta
    truth: dict[tuple[str, str, str], float] = {}
    for j in range(9):
        truth[(f"F{j // 3 + 1}", "=~", f"y{j + 1}")] = LAMBDA[j]
        truth[(f"y{j + 1}", "~~", f"y{j + 1}")] = 1 - LAMBDA[j] ** 2
    for a in range(3):
        for b in range(a + 1, 3):
            truth[(f"F{a + 1}", "~~", f"F{b + 1}")] = PHI[a, b]
    return sigma, truth


@pytest.mark.parametrize("estimator", ["ML", "MLR"])
def test_recovery_and_coverage(estimator):
    sigma, truth = _population()
    chol = np.linalg.cholesky(sigma)
    rng = np.random.default_rng(20240611)
    reps, n = 50, 500
    keys = list(truth)
    est = np.zeros((reps, len(keys)))
    cover = np.zeros((reps, len(keys)))
    chisq_p = []
    for r in range(reps):
        y = rng.normal(size=(n, 9)) @ chol.T + 3.0
        d = pd.DataFrame(y, columns=[f"y{i}" for i in range(1, 10)])
        res = cfa(MODEL, d, std_lv=True, estimator=estimator)
        assert res.converged
        pe = res.parameter_estimates().set_index(["lhs", "op", "rhs"])
        for k, key in enumerate(keys):
            row = pe.loc[key]
            est[r, k] = row["est"]
            cover[r, k] = row["ci.lower"] <= truth[key] <= row["ci.upper"]
        chisq_p.append(res.fit_measures()["pvalue.scaled" if estimator == "MLR" else "pvalue"])
    bias = est.mean(axis=0) - np.array([truth[k] for k in keys])
    assert np.max(np.abs(bias)) < 0.02, dict(zip(keys, bias, strict=True))
    coverage = cover.mean()
    assert 0.90 <= coverage <= 0.98, coverage
    assert cover.mean(axis=0).min() >= 0.8  # no parameter badly off
    # the model is true: the chi-square test should reject rarely (~5%)
    assert np.mean(np.array(chisq_p) < 0.05) <= 0.15


def test_fiml_with_many_patterns_matches_the_exact_path(monkeypatch):
    """With incomplete data the optimiser scores with the complete-data information; the
    solution and standard errors must be those of exact Fisher scoring + Newton steps."""
    from moscale.analysis.cfa import estimators

    sigma, _ = _population()
    rng = np.random.default_rng(7)
    y = rng.normal(size=(600, 9)) @ np.linalg.cholesky(sigma).T
    y[rng.random(y.shape) < 0.2] = np.nan
    d = pd.DataFrame(y, columns=[f"y{i}" for i in range(1, 10)])
    fast = cfa(MODEL, d, missing="fiml")
    assert fast._core.est.approx_scoring  # the data have missing answers
    orig = estimators.MLEstimator.__init__

    def exact(self, *a, **k):
        orig(self, *a, **k)
        self.approx_scoring = False
        self.newton_ok = True

    monkeypatch.setattr(estimators.MLEstimator, "__init__", exact)
    slow = cfa(MODEL, d, missing="fiml")
    assert not slow._core.est.approx_scoring
    assert np.allclose(fast.x, slow.x, atol=1e-7)
    assert np.allclose(fast.partable["se"], slow.partable["se"], atol=1e-8)
    assert fast.fit_measures()["chisq"] == pytest.approx(slow.fit_measures()["chisq"], abs=1e-6)
