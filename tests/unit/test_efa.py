"""EFA extraction, rotation and fit against psych 2.2.9 fa() with GPArotation.

Figures from tests/reference/efa.R (Rscript tests/reference/efa.R). psych optimises the uniquenesses
with L-BFGS-B at its default tolerance; we converge further, so loadings agree to about 1e-5 and the
chi square to about 1e-3 (relative 1e-6). Tolerances: loadings, structure, Phi, communalities 1e-4
absolute (the brief asks 1e-3); chi square, RMSEA, TLI, BIC 1e-4 relative or 1e-3 absolute.
"""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from moscale.analysis.efa import efa
from moscale.analysis.extraction import (
    correlation_input,
    extract,
    minres_one_factor_batch,
    pairwise_correlation,
)
from moscale.analysis.rotation import rotate
from moscale.errors import DataError, ModelError, UserError

HERE = Path(__file__).resolve().parents[1]
REF = json.loads((HERE / "reference" / "efa.json").read_text())


@pytest.fixture(scope="module")
def bfi() -> pd.DataFrame:
    return pd.read_csv(HERE / "data" / "bfi.csv").iloc[:, :25]


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    d = pd.read_csv(HERE / "data" / "holzinger_swineford_1939.csv")
    return d[[f"x{i}" for i in range(1, 10)]]


def _matrix(x) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    return a[:, None] if a.ndim == 1 else a


def _fit_close(ours: float, theirs: float) -> None:
    assert ours == pytest.approx(theirs, rel=1e-4, abs=1e-3)


FA_CASES = [k for k in REF["fa"]]


@pytest.mark.parametrize("case", FA_CASES)
def test_fa_matches_psych(case, bfi, hs):
    r = REF["fa"][case]
    if case.startswith("hs_matrix"):
        data = pd.DataFrame(np.corrcoef(hs.to_numpy().T), index=hs.columns, columns=hs.columns)
        res = efa(data, r["nfactors"], method=r["fm"], rotation=r["rotate"], n_obs=r["n_obs"])
    elif case.startswith("bfi_listwise"):
        res = efa(bfi, r["nfactors"], method=r["fm"], rotation=r["rotate"], missing="listwise")
    else:
        data = bfi if case.startswith("bfi") else hs
        res = efa(data, r["nfactors"], method=r["fm"], rotation=r["rotate"])

    # psych orders and signs the factors the same way, so no alignment is needed.
    np.testing.assert_allclose(res.loadings.to_numpy(), _matrix(r["loadings"]), atol=1e-4, rtol=0)
    np.testing.assert_allclose(res.structure.to_numpy(), _matrix(r["structure"]), atol=1e-4, rtol=0)
    if r["phi"] is not None:
        np.testing.assert_allclose(res.phi.to_numpy(), _matrix(r["phi"]), atol=1e-4, rtol=0)
    else:
        assert np.array_equal(res.phi.to_numpy(), np.eye(r["nfactors"]))
    np.testing.assert_allclose(res.communalities, r["communality"], atol=1e-4, rtol=0)
    np.testing.assert_allclose(res.uniquenesses, r["uniquenesses"], atol=1e-4, rtol=0)
    np.testing.assert_allclose(res.eigenvalues, r["e_values"], atol=1e-10, rtol=0)
    np.testing.assert_allclose(res.reduced_eigenvalues, r["values"], atol=1e-4, rtol=0)
    va = _matrix(r["vaccounted"])
    np.testing.assert_allclose(res.variance.to_numpy(), va, atol=1e-4, rtol=0)

    f = res.fit
    assert f.df == r["dof"]
    assert res.n_obs == r["n_obs"]
    _fit_close(f.objective, r["objective"])
    _fit_close(f.chisq, r["statistic"])
    _fit_close(f.pvalue, r["pval"])
    _fit_close(f.chisq_empirical, r["chi"])
    _fit_close(f.pvalue_empirical, r["epval"])
    _fit_close(f.rms, r["rms"])
    _fit_close(f.crms, r["crms"])
    _fit_close(f.rmsea, r["rmsea"][0])
    _fit_close(f.rmsea_ci_lower, r["rmsea"][1])
    _fit_close(f.rmsea_ci_upper, r["rmsea"][2])
    _fit_close(f.tli, r["tli"])
    # BIC-type figures are a chi square minus a constant (df log n): their error is the chi
    # square's, so they are held to the chi square's relative tolerance.
    assert f.bic == pytest.approx(r["bic"], abs=max(1e-3, 1e-4 * r["statistic"]))
    assert f.sabic == pytest.approx(r["sabic"], abs=max(1e-3, 1e-4 * r["statistic"]))
    assert f.ebic == pytest.approx(r["ebic"], abs=max(1e-3, 1e-4 * r["chi"]))
    assert f.bic == pytest.approx(f.chisq - f.df * np.log(f.n_obs), abs=1e-9)
    _fit_close(f.null_chisq, r["null_chisq"])
    assert f.null_df == r["null_dof"]
    _fit_close(f.fit, r["fit"])
    _fit_close(f.fit_off, r["fit_off"])
    _fit_close(f.n_harmonic, r["nh"])
    assert res.converged and res.rotation_converged
    assert res.heywood == ()
    json.dumps(res.to_dict(), allow_nan=False)


def test_principal_axis_reproduces_psych_iterations_exactly(bfi):
    # psych stops PA when the sum of communalities moves by < .001; we run the same iterations.
    r = REF["fa"]["bfi_pa_promax"]
    res = efa(bfi, 5, method="pa", rotation="promax")
    np.testing.assert_allclose(res.loadings.to_numpy(), _matrix(r["loadings"]), atol=1e-10)
    assert res.fit.chisq == pytest.approx(r["statistic"], abs=1e-6)


def test_factor_names_follow_psych(bfi):
    assert list(efa(bfi, 2).loadings.columns) == ["MR1", "MR2"]
    assert list(efa(bfi, 2, method="ml").loadings.columns) == ["ML1", "ML2"]
    assert list(efa(bfi, 2, method="pa").loadings.columns) == ["PA1", "PA2"]


def _poly_matrix() -> pd.DataFrame:
    p = REF["polychoric_bfi"]
    return pd.DataFrame(p["rho"], index=p["names"], columns=p["names"])


def test_fa_on_psych_polychoric_matrix():
    r = REF["fa_poly"]["matrix_minres_oblimin"]
    res = efa(_poly_matrix(), 5, n_obs=2800)
    np.testing.assert_allclose(res.loadings.to_numpy(), _matrix(r["loadings"]), atol=1e-4)
    np.testing.assert_allclose(res.phi.to_numpy(), _matrix(r["phi"]), atol=1e-4)
    _fit_close(res.fit.chisq, r["statistic"])
    _fit_close(res.fit.chisq_empirical, r["chi"])
    _fit_close(res.fit.rmsea, r["rmsea"][0])
    _fit_close(res.fit.tli, r["tli"])
    _fit_close(res.fit.bic, r["bic"])


def test_cor_polychoric_calls_polychoric_module_and_uses_pairwise_counts(bfi, monkeypatch):
    """efa(items, cor="polychoric") as psych fa(items, cor="poly"): the polychoric matrix is
    factored with n = rows and the empirical chi square weighted by the pairwise counts. The
    polychoric function itself is another module's; a stub returns psych's matrix here."""
    calls = []

    def fake_polychoric(items, **kwargs):
        calls.append((list(items.columns), kwargs))
        return types.SimpleNamespace(matrix=_poly_matrix())

    stub = types.ModuleType("moscale.analysis.polychoric")
    stub.polychoric = fake_polychoric
    monkeypatch.setitem(sys.modules, "moscale.analysis.polychoric", stub)
    r = REF["fa_poly"]["data_minres_oblimin"]
    res = efa(bfi, 5, cor="polychoric")
    assert calls == [(list(bfi.columns), {"mimic": "psych", "missing": "pairwise"})]
    assert res.cor == "polychoric"
    np.testing.assert_allclose(res.loadings.to_numpy(), _matrix(r["loadings"]), atol=1e-4)
    _fit_close(res.fit.chisq, r["statistic"])
    _fit_close(res.fit.chisq_empirical, r["chi"])
    _fit_close(res.fit.rmsea, r["rmsea"][0])
    _fit_close(res.fit.tli, r["tli"])


def test_cor_polychoric_with_moscale_polychoric_matches_psych(bfi):
    """End to end with moscale's own polychoric (psych conventions): the matrix agrees with
    psych's to about 2e-5, so the brief's polychoric tolerance (1e-3) applies downstream."""
    pytest.importorskip("moscale.analysis.polychoric")
    r = REF["fa_poly"]["data_minres_oblimin"]
    res = efa(bfi, 5, cor="polychoric")
    np.testing.assert_allclose(res.loadings.to_numpy(), _matrix(r["loadings"]), atol=1e-3)
    np.testing.assert_allclose(res.phi.to_numpy(), _matrix(r["phi"]), atol=1e-3)
    assert res.fit.chisq == pytest.approx(r["statistic"], rel=1e-3)
    assert res.fit.chisq_empirical == pytest.approx(r["chi"], rel=1e-3)
    assert res.fit.rmsea == pytest.approx(r["rmsea"][0], abs=1e-3)
    assert res.fit.tli == pytest.approx(r["tli"], abs=1e-3)


def test_polychoric_result_object_is_accepted():
    obj = types.SimpleNamespace(matrix=_poly_matrix(), n_obs=2800)
    res = efa(obj, 5)
    r = REF["fa_poly"]["matrix_minres_oblimin"]
    _fit_close(res.fit.chisq, r["statistic"])


# --- pieces ----------------------------------------------------------------------------------------


def test_pairwise_correlation_matches_pandas(bfi):
    r, counts = pairwise_correlation(bfi.to_numpy())
    np.testing.assert_allclose(r, bfi.corr().to_numpy(), atol=1e-12)
    m = bfi.notna().to_numpy().astype(float)
    assert np.array_equal(counts, m.T @ m)


def test_rotations_preserve_the_common_part(hs):
    R = np.corrcoef(hs.to_numpy().T)
    A = extract(R, 3, "minres").loadings
    for method in ("varimax", "promax", "oblimin", "geominQ", "geominT", "quartimax"):
        rot = rotate(A, method)
        phi = np.eye(3) if rot.phi is None else rot.phi
        np.testing.assert_allclose(rot.loadings @ phi @ rot.loadings.T, A @ A.T, atol=1e-10)
        np.testing.assert_allclose(A @ rot.rotmat, rot.loadings, atol=1e-10)


def test_one_factor_batch_equals_single_fits():
    # Matrices with a clear one-factor structure have one minimum: batch and single fits agree.
    rng = np.random.default_rng(7)
    lam = np.array([0.7, 0.6, 0.5, 0.65, 0.55, 0.4])
    mats = []
    for _ in range(6):
        x = rng.standard_normal((400, 1)) * lam + rng.standard_normal((400, 6)) * np.sqrt(
            1 - lam**2
        )
        mats.append(np.corrcoef(x.T))
    Rs = np.stack(mats)
    h = minres_one_factor_batch(Rs)
    for b in range(len(mats)):
        single = np.sum(extract(Rs[b], 1, "minres").loadings ** 2, axis=1)
        np.testing.assert_allclose(h[b], single, atol=1e-7)


def test_heywood_case_is_flagged():
    # One factor, three items: lambda_1^2 = r12 r13 / r23 = .8 * .8 / .5 = 1.28 > 1 (hand computation).
    R = np.array([[1.0, 0.8, 0.8], [0.8, 1.0, 0.5], [0.8, 0.5, 1.0]])
    R = pd.DataFrame(R, index=list("abc"), columns=list("abc"))
    res = efa(R, 1, method="ml", n_obs=200)
    assert res.heywood == ("a",)
    assert any("Heywood" in n for n in res.notes)


def test_matrix_without_n_has_no_chi_square(hs):
    R = pd.DataFrame(np.corrcoef(hs.to_numpy().T), index=hs.columns, columns=hs.columns)
    res = efa(R, 3)
    assert np.isnan(res.fit.chisq) and np.isnan(res.fit.rmsea)
    assert any("sample size" in n for n in res.notes)


def test_covariance_matrix_is_factored_as_its_correlation_matrix(hs):
    S = pd.DataFrame(np.cov(hs.to_numpy().T), index=hs.columns, columns=hs.columns)
    r = REF["fa"]["hs_matrix_minres_oblimin"]
    res = efa(S, 3, n_obs=301)
    np.testing.assert_allclose(res.loadings.to_numpy(), _matrix(r["loadings"]), atol=1e-4)
    _fit_close(res.fit.chisq, r["statistic"])


def test_correlation_input_recognises_matrices(hs):
    R = np.corrcoef(hs.to_numpy().T)
    ci = correlation_input(R, n_obs=301)
    assert not ci.from_data and ci.n_obs == 301 and ci.names[0] == "V1"
    ci = correlation_input(hs)
    assert ci.from_data and ci.n_obs == 301 and ci.names == tuple(hs.columns)


# --- errors a user can act on -------------------------------------------------------------------------


def test_non_numeric_item_is_named(hs):
    d = hs.copy()
    d["x3"] = "a"
    with pytest.raises(DataError, match="x3"):
        efa(d, 2)


def test_non_numeric_array_is_reported():
    with pytest.raises(DataError, match="V2"):
        efa(np.array([[1, 2], [3, "x"], [2, 1]], dtype=object), 1)


def test_constant_item_is_named(hs):
    d = hs.copy()
    d["x5"] = 1.0
    with pytest.raises(DataError, match="x5"):
        efa(d, 2)


def test_too_many_factors(hs):
    with pytest.raises(ModelError, match="9 items"):
        efa(hs, 9)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"method": "alpha"},
        {"rotation": "bogus"},
        {"cor": "kendall"},
        {"missing": "mean"},
    ],
)
def test_bad_options_raise_user_errors(hs, kwargs):
    with pytest.raises(UserError) as exc:
        efa(hs, 2, **kwargs)
    assert exc.value.hint


def test_bad_n_factors(hs):
    with pytest.raises(UserError):
        efa(hs, 0)
    with pytest.raises(UserError):
        efa(hs, 2.5)
