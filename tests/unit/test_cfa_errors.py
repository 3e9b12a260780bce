"""Honest failure: every way a CFA can go wrong gives a message that names the problem."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from moscale.analysis.cfa import cfa
from moscale.analysis.cfa import fitting as fitting_mod
from moscale.analysis.cfa.optimize import OptimResult
from moscale.errors import DataError, ModelError

DATA = Path(__file__).resolve().parents[2] / "tests" / "data"
HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    return pd.read_csv(DATA / "holzinger_swineford_1939.csv")


def _exact_sample(cov: np.ndarray, n: int, seed: int = 1) -> np.ndarray:
    """Data whose ML covariance matrix is exactly ``cov``."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, cov.shape[0]))
    z -= z.mean(axis=0)
    s = z.T @ z / n
    z = z @ np.linalg.inv(np.linalg.cholesky(s)).T
    return z @ np.linalg.cholesky(cov).T


def test_syntax_error_has_line_and_token(hs):
    with pytest.raises(ModelError) as err:
        cfa("visual =~ x1 + x2 + x3\ntextual =~ x4 x5 + x6", hs)
    assert "line 2" in str(err.value) and "x5" in str(err.value)


def test_unknown_variable_lists_close_matches(hs):
    with pytest.raises(ModelError) as err:
        cfa("visual =~ x1 + x2 + X3 + x10", hs)
    msg = str(err.value)
    assert "not in the data" in msg
    assert "X3 (close: x3" in msg
    assert "x10" in msg


def test_non_numeric_item(hs):
    d = hs.copy()
    d["x2"] = d["x2"].astype(object)
    d.loc[5, "x2"] = "seven"
    with pytest.raises(DataError, match="x2 has non-numeric values"):
        cfa(HS, d)


def test_non_positive_definite_sample_covariance_names_items(hs):
    d = hs.copy()
    d["x10"] = d["x1"] * 2 + 1  # an exact copy, rescaled
    with pytest.raises(DataError) as err:
        cfa("visual =~ x1 + x2 + x3 + x10\ntextual =~ x4 + x5 + x6", d)
    msg = str(err.value)
    assert "not positive definite" in msg and "x1" in msg and "x10" in msg
    d["x11"] = d["x4"] + d["x5"]  # a sum of two items
    with pytest.raises(DataError) as err:
        cfa("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6 + x11", d)
    assert all(v in str(err.value) for v in ("x4", "x5", "x11"))


def test_item_without_variance(hs):
    d = hs.copy()
    d["x3"] = 4.0
    with pytest.raises(DataError, match="x3 have no variance"):
        cfa(HS, d)


def test_two_indicator_factor_uncorrelated_is_unidentified(hs):
    model = "visual =~ x1 + x2\ntextual =~ x4 + x5 + x6\nvisual ~~ 0*textual"
    with pytest.raises(ModelError) as err:
        cfa(model, hs)
    assert "visual has only two indicators" in str(err.value)
    assert "third indicator" in str(err.value)
    # ...but identified when correlated with another factor, or with equal loadings
    assert cfa("visual =~ x1 + x2\ntextual =~ x4 + x5 + x6", hs).converged
    assert cfa("visual =~ a*x1 + a*x2\ntextual =~ x4 + x5 + x6\nvisual ~~ 0*textual", hs).converged


def test_single_indicator_and_missing_scale(hs):
    with pytest.raises(ModelError, match="single indicator"):
        cfa("visual =~ x1\ntextual =~ x4 + x5 + x6", hs)
    assert cfa("visual =~ x1\ntextual =~ x4 + x5 + x6\nx1 ~~ 0*x1", hs).converged
    with pytest.raises(ModelError, match="has no scale"):
        cfa("visual =~ NA*x1 + x2 + x3", hs)


def test_more_parameters_than_moments(hs):
    with pytest.raises(ModelError, match=r"more free parameters \(9\) than sample moments \(6\)"):
        cfa("f =~ x1 + x2 + x3\nx1 ~~ x2\nx1 ~~ x3\nx2 ~~ x3", hs)


def test_heywood_case_is_named_and_explained():
    # r12 = r13 = .8, r23 = .4 imply a loading of sqrt(1.6) for y1: its residual variance is -0.6
    cov = np.array([[1.0, 0.8, 0.8], [0.8, 1.0, 0.4], [0.8, 0.4, 1.0]])
    d = pd.DataFrame(_exact_sample(cov, 300), columns=["y1", "y2", "y3"])
    res = cfa("f =~ y1 + y2 + y3", d, std_lv=True)
    assert res.converged
    est = res.parameter_estimates().set_index(["lhs", "op", "rhs"])["est"]
    assert est[("y1", "~~", "y1")] == pytest.approx(-0.6, abs=1e-6)  # 1 - .8 * .8 / .4 (hand)
    heywood = [w for w in res.warnings if "Heywood" in w]
    assert heywood and "y1" in heywood[0] and "negative" in heywood[0]
    assert any("standardized loading of y1" in w for w in res.warnings)


def test_too_few_cases(hs):
    with pytest.raises(DataError, match="too few cases"):
        cfa(HS, hs.head(9))
    small = cfa("visual =~ x1 + x2 + x3", hs.head(40))
    assert any("Small sample" in w for w in small.warnings)


def test_non_convergence_is_reported(hs, monkeypatch):
    def stuck(est, x0, **kw):
        return OptimResult(
            np.asarray(x0), 1.0, False, 500, "fisher-scoring", "did not converge", np.ones_like(x0)
        )

    monkeypatch.setattr(fitting_mod, "minimize", stuck)
    res = cfa(HS, hs)
    assert not res.converged
    msg = res.warnings[0]
    assert "did not converge" in msg and "std_lv=True" in msg and "check the data" in msg
    assert np.isnan(res.fit_measures()["cfi"])
    assert res.parameter_estimates()["se"].isna().all()


def test_pure_noise_still_estimates_with_a_warning():
    rng = np.random.default_rng(3)
    d = pd.DataFrame(rng.normal(size=(200, 6)), columns=[f"x{i}" for i in range(1, 7)])
    res = cfa("f =~ x1 + x2 + x3 + x4 + x5 + x6", d)
    # lavaan 0.6.14 gives the same improper solution (factor variance -0.016; hand-checked in R)
    assert res.converged
    est = res.parameter_estimates().set_index(["lhs", "op", "rhs"])["est"]
    assert est[("f", "~~", "f")] == pytest.approx(-0.016, abs=5e-4)
    assert any("variance of factor f is negative" in w for w in res.warnings)


def test_ordinal_dispatch_and_unknown_options(hs):
    from moscale.analysis.cfa.wls import OrdinalCFAResult, cfa_ordinal

    ordinal = hs[["x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9"]].apply(
        lambda x: pd.qcut(x, 3, labels=False)
    )
    fit = cfa(HS, ordinal, ordered=True)  # lavaan switches to WLSMV for ordered items too
    assert isinstance(fit, OrdinalCFAResult) and fit.estimator == "WLSMV"
    direct = cfa_ordinal(HS, ordinal, ordered=True, estimator="WLSMV")
    assert fit.fit_measures()["chisq.scaled"] == pytest.approx(
        direct.fit_measures()["chisq.scaled"]
    )
    with pytest.raises(ModelError, match="MLR"):
        cfa(HS, ordinal, ordered=True, estimator="MLR")
    with pytest.raises(ModelError):
        cfa(HS, hs, estimator="WLSMV")  # least squares here is for ordered items
    with pytest.raises(ModelError, match="unknown estimator"):
        cfa(HS, hs, estimator="GLS2")
    with pytest.raises(ModelError, match="missing-data method"):
        cfa(HS, hs, missing="pairwise")
    with pytest.raises(ModelError, match="group_equal needs group"):
        cfa(HS, hs, group_equal=("loadings",))
    with pytest.raises(DataError, match="DataFrame"):
        cfa(HS, hs.to_numpy())


def test_listwise_deletion_is_reported(hs):
    d = hs.copy()
    d.loc[:9, "x2"] = np.nan
    res = cfa(HS, d)
    assert res.ntotal == len(d) - 10
    assert any("10 of 301 case(s) had missing answers" in w for w in res.warnings)
    fiml = cfa(HS, d, missing="fiml")
    assert fiml.ntotal == len(d)
