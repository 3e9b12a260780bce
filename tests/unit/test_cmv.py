"""Common-method-variance checks against R: psych::principal / psych::fa(fm = "pa") for Harman's
test, Lindell & Whitney's adjustment computed by hand in R, and lavaan fits of the method-factor and
CFA-marker models (Williams, Hartman & Cavazotte, 2010). Figures from tests/reference/cmv.R.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from moscale.analysis import cmv
from moscale.errors import DataError, ModelError, UserError

HERE = Path(__file__).resolve().parents[1]
REF = json.loads((HERE / "reference" / "cmv.json").read_text())
REV = ["A1", "C4", "C5", "E1", "E2", "O2", "O5"]
ITEMS = [f"{c}{i}" for c in "ACENO" for i in range(1, 6)]
HS_ITEMS = [f"x{i}" for i in range(1, 10)]
HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
BFI_MODEL = "\n".join(
    f"{f} =~ " + " + ".join(f"{c}{i}" for i in range(1, 6))
    for f, c in zip(["agree", "consc", "extra", "neuro", "open"], "ACENO", strict=True)
)


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    return pd.read_csv(HERE / "data" / "holzinger_swineford_1939.csv")


@pytest.fixture(scope="module")
def bfi_all() -> pd.DataFrame:
    d = pd.read_csv(HERE / "data" / "bfi.csv")[ITEMS]
    d[REV] = 7 - d[REV]
    return d


@pytest.fixture(scope="module")
def bfi(bfi_all) -> pd.DataFrame:
    return bfi_all.dropna().reset_index(drop=True)


# ----------------------------------------------------------------------------- Harman


@pytest.mark.parametrize(
    "key,data,missing",
    [("hs", "hs", "listwise"), ("bfi", "bfi", "listwise"), ("bfi_pairwise", "bfi_all", "pairwise")],
)
def test_harman_matches_psych(key, data, missing, request):
    d = request.getfixturevalue(data)
    if key == "hs":
        d = d[HS_ITEMS]
    r = REF["harman"][key]
    pc = cmv.harman_single_factor(d, missing=missing)
    assert pc.share == pytest.approx(r["pca_share"], abs=1e-6)
    np.testing.assert_allclose(pc.eigenvalues, r["eigenvalues"], atol=1e-6)
    assert pc.n_eigen_gt1 == r["n_eigen_gt1"]
    np.testing.assert_allclose(pc.loadings.to_numpy(), list(r["pca_loadings"].values()), atol=1e-6)
    pa = cmv.harman_single_factor(d, method="paf", missing=missing)
    assert pa.share == pytest.approx(r["pa_share"], abs=1e-6)
    np.testing.assert_allclose(pa.loadings.to_numpy(), list(r["pa_loadings"].values()), atol=1e-6)
    np.testing.assert_allclose(
        (pa.loadings**2).to_numpy(), list(r["pa_communality"].values()), atol=1e-6
    )
    assert not pc.exceeds_threshold
    assert cmv.HARMAN_CAVEAT in pc.notes
    json.dumps(pc.to_dict())


def test_harman_flags_a_dominant_single_factor():
    rng = np.random.default_rng(7)
    f = rng.normal(size=(400, 1))
    x = pd.DataFrame(0.9 * f + 0.3 * rng.normal(size=(400, 8)), columns=[f"i{k}" for k in range(8)])
    res = cmv.harman_single_factor(x)
    assert res.exceeds_threshold and res.share > 0.5
    assert "more than 50 %" in res.notes[0]


def test_harman_input_errors(hs):
    with pytest.raises(DataError, match="school"):
        cmv.harman_single_factor(hs[["x1", "x2", "school"]])
    with pytest.raises(DataError):
        cmv.harman_single_factor(hs[["x1", "x2"]])
    with pytest.raises(UserError):
        cmv.harman_single_factor(hs[HS_ITEMS], method="ml")


# ----------------------------------------------------------------------------- Lindell & Whitney


def _hs_scores(hs):
    return pd.DataFrame(
        {
            "visual": hs[["x1", "x2", "x3"]].mean(axis=1),
            "textual": hs[["x4", "x5", "x6"]].mean(axis=1),
            "speed": hs[["x7", "x8", "x9"]].mean(axis=1),
        }
    )


def _bfi_scores(bfi):
    return pd.DataFrame(
        {
            f: bfi[[f"{c}{i}" for i in range(1, 6)]].mean(axis=1)
            for f, c in zip(["agree", "consc", "extra", "open"], "ACEO", strict=True)
        }
    )


@pytest.mark.parametrize("key", ["hs", "bfi"])
@pytest.mark.parametrize(
    "rule,rk,pk", [("smallest", "r_m", "smallest"), ("second", "r_m2", "second")]
)
def test_lindell_whitney_matches_r(key, rule, rk, pk, hs, bfi):
    scores, marker = (_hs_scores(hs), "speed") if key == "hs" else (_bfi_scores(bfi), "open")
    ref = REF["lindell_whitney"][key]
    res = cmv.lindell_whitney(scores, marker, r_m=rule)
    assert res.n == ref["n"]
    assert res.r_m == pytest.approx(ref[rk], abs=1e-10)
    np.testing.assert_allclose(res.r_marker.to_numpy(), list(ref["r_marker"].values()), atol=1e-10)
    exp = pd.DataFrame(ref[pk])
    assert res.pairs[["x", "y"]].values.tolist() == exp[["x", "y"]].values.tolist()
    for col in ("r", "r_adj", "t", "p"):
        np.testing.assert_allclose(
            res.pairs[col].to_numpy(), exp[col].to_numpy(), rtol=1e-8, atol=1e-12
        )
    assert res.adjusted.loc[exp.x[0], exp.y[0]] == pytest.approx(exp.r_adj[0], abs=1e-12)


def test_lindell_whitney_zero_marker_changes_nothing_but_df(hs):
    res = cmv.lindell_whitney(_hs_scores(hs), "speed", r_m=0.0)
    assert (res.pairs["r_adj"] == res.pairs["r"]).all()
    assert res.r_m_rule == "given"
    with pytest.raises(UserError):
        cmv.lindell_whitney(_hs_scores(hs), "speed", r_m=1.0)
    with pytest.raises(DataError, match="nope"):
        cmv.lindell_whitney(_hs_scores(hs), "nope")


# ----------------------------------------------------------------------------- CFA-based (engine)


@pytest.fixture(scope="module")
def engine():
    return pytest.importorskip("moscale.analysis.cfa.api")


def _fits_close(ours: dict, ref: dict, names=("chisq", "df", "cfi", "tli", "rmsea", "srmr")):
    for k in names:
        assert ours[k] == pytest.approx(ref[k], rel=1e-4, abs=1e-3), k


def test_method_factor_bfi_matches_lavaan(engine, bfi):
    ref = REF["method_factor"]["bfi"]
    res = cmv.method_factor_test(BFI_MODEL, bfi)
    _fits_close(res.fits.loc["trait"].to_dict(), ref["trait"])
    _fits_close(res.fits.loc["method"].to_dict(), ref["method"])
    assert res.comparison["delta_chisq"] == pytest.approx(
        ref["lrt"]["Chisq diff"], rel=1e-4, abs=1e-3
    )
    assert res.comparison["delta_df"] == ref["lrt"]["Df diff"]
    assert res.comparison["delta_cfi"] == pytest.approx(
        ref["method"]["cfi"] - ref["trait"]["cfi"], abs=1e-3
    )
    std = pd.DataFrame(ref["method"]["std"])
    m = std[std.lhs == "CMV"].set_index("rhs")["est"]
    np.testing.assert_allclose(res.loadings.set_index("item")["method"][m.index], m, atol=1e-3)
    t = pd.DataFrame(ref["trait"]["std"])
    np.testing.assert_allclose(res.loadings["trait"].to_numpy(), t["est"].to_numpy(), atol=1e-3)
    assert res.method_variance == pytest.approx(float((m**2).mean()), abs=1e-3)
    assert not res.improper


def test_method_factor_mlr_uses_the_scaled_difference_test(engine, bfi):
    ref = REF["method_factor"]["bfi_mlr"]
    assert "satorra.bentler.2001" in ref["lrt_method"]
    res = cmv.method_factor_test(BFI_MODEL, bfi, estimator="MLR")
    names = ("chisq", "df", "chisq.scaled", "chisq.scaling.factor", "cfi.robust", "rmsea.robust")
    _fits_close(res.fits.loc["trait"].to_dict(), ref["trait"], names)
    _fits_close(res.fits.loc["method"].to_dict(), ref["method"], names)
    assert res.comparison["method"] == "satorra.bentler.2001"
    assert res.comparison["delta_chisq"] == pytest.approx(ref["lrt"]["Chisq diff"], rel=1e-3)
    assert res.comparison["delta_df"] == ref["lrt"]["Df diff"]
    assert res.comparison["delta_cfi_robust"] == pytest.approx(
        ref["method"]["cfi.robust"] - ref["trait"]["cfi.robust"], abs=1e-3
    )
    assert any("Satorra" in n for n in res.notes)


def test_method_factor_equal_loadings_matches_lavaan(engine, bfi):
    ref = REF["method_factor"]["bfi"]
    res = cmv.method_factor_test(BFI_MODEL, bfi, equal_loadings=True)
    _fits_close(res.fits.loc["method"].to_dict(), ref["equal"])
    assert res.comparison["delta_df"] == 1


def test_method_factor_hs_improper_solution_is_reported(engine, hs):
    ref = REF["method_factor"]["hs"]
    res = cmv.method_factor_test(HS_MODEL, hs)
    assert ref["method"]["theta_min"] < 0  # lavaan: negative residual variance
    assert res.improper
    assert any("improper solution" in n for n in res.notes)
    _fits_close(res.fits.loc["trait"].to_dict(), ref["trait"])


@pytest.mark.parametrize("key", ["hs", "bfi"])
def test_marker_cfa_matches_lavaan(engine, key, hs, bfi):
    ref = REF["marker_cfa"][key]
    if key == "hs":
        model = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nM =~ x7 + x8 + x9"
        data = hs
    else:
        model = "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5\n"
        model += "extra =~ E1 + E2 + E3 + E4 + E5\nM =~ O1 + O2 + O3 + O4 + O5"
        data = bfi
    res = cmv.marker_cfa(model, data, "M")
    for m in ("cfa", "baseline", "method_c", "method_u", "method_r"):
        _fits_close(res.fits.loc[m].to_dict(), ref[m])
    assert res.chosen == ref["method_r"]["based_on"]
    for name, rk in (("baseline_vs_method_c", "baseline_vs_c"), ("method_c_vs_method_u", "c_vs_u")):
        assert res.tests.loc[name, "delta_chisq"] == pytest.approx(
            ref[rk]["Chisq diff"], rel=1e-4, abs=1e-3
        )
        assert res.tests.loc[name, "delta_df"] == ref[rk]["Df diff"]
    r_row = res.tests.iloc[2]
    assert r_row["delta_chisq"] == pytest.approx(ref["r_test"]["Chisq diff"], rel=1e-4, abs=1e-3)
    np.testing.assert_allclose(res.correlations["baseline"], ref["baseline"]["cor"], atol=1e-3)
    json.dumps(res.to_dict())


def test_marker_variable_combines_both(engine, hs):
    model = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
    res = cmv.marker_variable(model, hs, "speed")
    ref = REF["lindell_whitney"]["hs"]
    assert res.lindell_whitney.r_m == pytest.approx(ref["r_m"], abs=1e-10)
    assert res.cfa is not None
    assert res.cfa.fits.loc["method_c", "chisq"] == pytest.approx(
        REF["marker_cfa"]["hs"]["method_c"]["chisq"], rel=1e-4, abs=1e-3
    )


def test_marker_variable_without_cfa_and_errors(hs):
    model = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
    res = cmv.marker_variable(model, hs, "speed", cfa_technique=False)
    assert res.cfa is None
    assert res.lindell_whitney.r_m == pytest.approx(REF["lindell_whitney"]["hs"]["r_m"], abs=1e-10)
    with pytest.raises(ModelError, match="marker"):
        cmv.marker_variable(model, hs, "blue")
