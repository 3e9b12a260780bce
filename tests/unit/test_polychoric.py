"""Polychoric and polyserial correlations against lavaan 0.6.14 lavCor and psych 2.2.9 polychoric.

Reference figures: tests/reference/polychoric.R -> polychoric.json. lavaan's estimates are the exact
two-step ML estimates, matched to 1e-6. psych's optimiser (R ``optimize``) stops within about 1e-4 of
the maximum, so psych figures are matched to 1e-4 (the observed gap is 2e-5).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, special, stats

from moscale.analysis.polychoric import (
    bvn_cdf,
    bvn_pdf,
    pair_derivatives,
    pair_probabilities,
    polychoric,
    polyserial,
    smooth_correlation,
)
from moscale.errors import DataError, UserError

HERE = Path(__file__).resolve().parents[1]
REF = json.loads((HERE / "reference" / "polychoric.json").read_text())
BFI = pd.read_csv(HERE / "data" / "bfi.csv")
ITEMS = BFI.iloc[:, :25]


def arr(a) -> np.ndarray:
    return np.array([[np.nan if v == "NA" else v for v in row] for row in a], dtype=float)


@pytest.fixture(scope="module")
def lav_listwise():
    return polychoric(ITEMS)


# --- the bivariate normal ----------------------------------------------------------------------


def _quad_bvn(h: float, k: float, rho: float) -> float:
    s = np.sqrt(1 - rho * rho)
    return integrate.quad(
        lambda x: np.exp(-0.5 * x * x) / np.sqrt(2 * np.pi) * special.ndtr((k - rho * x) / s),
        -np.inf,
        h,
        epsabs=1e-14,
        epsrel=1e-13,
        limit=200,
    )[0]


def test_bvn_cdf_matches_numerical_integration():
    rng = np.random.default_rng(7)
    h = rng.normal(0, 1.5, 80)
    k = rng.normal(0, 1.5, 80)
    rho = rng.uniform(-0.999, 0.999, 80)
    h[:20] = 0.0  # Owen's T formula's special cases
    k[10:30] = 0.0
    got = bvn_cdf(h, k, rho)
    want = np.array([_quad_bvn(a, b, r) for a, b, r in zip(h, k, rho, strict=True)])
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


def test_bvn_cdf_closed_forms_and_infinite_bounds():
    # Sheppard: P(X<=0, Y<=0) = 1/4 + asin(rho)/(2 pi); independence: product of margins.
    np.testing.assert_allclose(bvn_cdf(0.0, 0.0, 0.5), 0.25 + np.arcsin(0.5) / (2 * np.pi))
    np.testing.assert_allclose(bvn_cdf(0.3, -0.8, 0.0), stats.norm.cdf(0.3) * stats.norm.cdf(-0.8))
    np.testing.assert_allclose(bvn_cdf(np.inf, 0.4, 0.7), stats.norm.cdf(0.4))
    np.testing.assert_allclose(bvn_cdf(-0.2, np.inf, 0.7), stats.norm.cdf(-0.2))
    assert bvn_cdf(-np.inf, 0.4, 0.7) == 0.0


def test_bvn_pdf_is_the_rho_derivative_of_the_cdf():
    h, k, r, e = 0.4, -1.1, 0.35, 1e-6
    fd = (bvn_cdf(h, k, r + e) - bvn_cdf(h, k, r - e)) / (2 * e)
    np.testing.assert_allclose(bvn_pdf(h, k, r), fd, rtol=1e-7)


def test_pair_derivatives_match_finite_differences():
    a, b, r, e = np.array([-1.0, 0.2, 0.9]), np.array([-0.5, 0.7]), 0.37, 1e-6
    d = pair_derivatives(r, a, b)
    np.testing.assert_allclose(d["pi"].sum(), 1.0, atol=1e-14)
    fd = (pair_probabilities(r + e, a, b) - pair_probabilities(r - e, a, b)) / (2 * e)
    np.testing.assert_allclose(d["d_rho"], fd, atol=1e-8)
    for j in range(a.size):
        up, dn = a.copy(), a.copy()
        up[j] += e
        dn[j] -= e
        fd = (pair_probabilities(r, up, b) - pair_probabilities(r, dn, b)) / (2 * e)
        np.testing.assert_allclose(d["d_tau_row"][j], fd, atol=1e-8)
    for j in range(b.size):
        up, dn = b.copy(), b.copy()
        up[j] += e
        dn[j] -= e
        fd = (pair_probabilities(r, a, up) - pair_probabilities(r, a, dn)) / (2 * e)
        np.testing.assert_allclose(d["d_tau_col"][j], fd, atol=1e-8)


# --- lavaan --------------------------------------------------------------------------------------


def test_bfi_matches_lavcor_listwise(lav_listwise):
    ref = REF["bfi"]
    assert lav_listwise.n_obs == ref["n_listwise"]
    np.testing.assert_allclose(
        lav_listwise.matrix.to_numpy(), arr(ref["lavaan_listwise"]), atol=1e-6
    )
    assert not lav_listwise.smoothed
    th = np.concatenate([lav_listwise.thresholds[c] for c in ITEMS.columns])
    np.testing.assert_allclose(th, ref["lavaan_listwise_th"]["values"], atol=1e-10)
    assert lav_listwise.pair_table()["converged"].all()


def test_bfi_matches_lavcor_pairwise():
    res = polychoric(ITEMS, missing="pairwise")
    np.testing.assert_allclose(res.matrix.to_numpy(), arr(REF["bfi"]["lavaan_pairwise"]), atol=1e-6)
    # Each correlation rests on the respondents who answered both items.
    a1, a2 = ITEMS["A1"], ITEMS["A2"]
    assert res.n.loc["A1", "A2"] == int((a1.notna() & a2.notna()).sum())
    assert res.n.loc["A1", "A1"] == int(a1.notna().sum())


def test_sparse_tables_match_lavaan_and_keep_empty_cells():
    sp = pd.DataFrame(REF["sparse"]["data"])
    res = polychoric(sp)
    np.testing.assert_allclose(res.matrix.to_numpy(), arr(REF["sparse"]["lavaan"]), atol=1e-6)
    th = np.concatenate([res.thresholds[c] for c in sp.columns])
    np.testing.assert_allclose(th, REF["sparse"]["lavaan_th"]["values"], atol=1e-10)
    assert (res.pair_table()["zero_cells"] > 0).all()
    assert any("empty cells" in n for n in res.notes)


def test_binary_items_follow_lavaan_2x2_rules():
    b = pd.DataFrame(REF["binary"]["data"])
    res = polychoric(b)
    np.testing.assert_allclose(res.matrix.to_numpy(), arr(REF["binary"]["lavaan"]), atol=1e-6)
    np.testing.assert_array_equal(res.table("b1", "b2").to_numpy(), REF["binary"]["table_b1_b2"])
    assert "margins kept" in res.pairs[("b1", "b2")].adjustment
    # The transposed table is the table of the swapped pair.
    np.testing.assert_array_equal(
        res.table("b2", "b1").to_numpy(), res.table("b1", "b2").to_numpy().T
    )


def test_polyserial_matches_lavcor():
    ref = REF["polyserial"]
    d = BFI[ref["items"]].dropna()
    d = d[d["age"] <= 60]
    assert len(d) == ref["n"]
    res = polychoric(d, ordered=ref["items"][:5])
    assert res.kinds["age"] == "continuous"
    np.testing.assert_allclose(res.matrix.to_numpy(), arr(ref["lavaan"]), atol=1e-6)
    ps = polyserial(d[["age"]], d[ref["items"][:5]])
    np.testing.assert_allclose(ps.matrix.to_numpy().ravel(), arr(ref["lavaan"])[5, :5], atol=1e-6)


def test_polyserial_full_sample_is_the_exact_ml_where_lavaan_drops_an_outlier():
    # lavaan leaves out of its likelihood respondents whose joint density falls below
    # sqrt(machine eps) (the one 86-year-old); ours keeps everyone, so its log-likelihood over all
    # respondents is at least lavaan's estimate's, and the two differ only where lavaan dropped.
    ref = REF["polyserial"]
    d = BFI[ref["items"]].dropna()
    assert len(d) == ref["n_all_ages"]
    res = polychoric(d, ordered=ref["items"][:5])
    lav = arr(ref["lavaan_all_ages"])[5, :5]
    ours = res.matrix.to_numpy()[5, :5]
    z = (d["age"] - d["age"].mean()) / d["age"].std(ddof=0)
    for j, item in enumerate(ref["items"][:5]):
        tau = np.concatenate([[-np.inf], res.thresholds[item], [np.inf]])
        c = np.searchsorted(res.categories[item], d[item].to_numpy())

        def loglik(r, tau=tau, c=c):
            s = np.sqrt(1 - r * r)
            p = stats.norm.cdf((tau[c + 1] - r * z) / s) - stats.norm.cdf((tau[c] - r * z) / s)
            return np.log(p).sum()

        assert loglik(ours[j]) >= loglik(lav[j]) - 1e-9
    assert np.abs(ours - lav).max() < 0.01


# --- psych ---------------------------------------------------------------------------------------


def test_bfi_matches_psych_polychoric():
    ref = REF["bfi"]
    res = polychoric(ITEMS, mimic="psych", missing="pairwise")
    np.testing.assert_allclose(res.thresholds["A1"], arr(ref["psych_pairwise_tau"])[0], atol=1e-10)
    np.testing.assert_allclose(res.matrix.to_numpy(), arr(ref["psych_pairwise"]), atol=1e-4)
    res_lw = polychoric(ITEMS, mimic="psych")
    np.testing.assert_allclose(res_lw.matrix.to_numpy(), arr(ref["psych_listwise"]), atol=1e-4)


@pytest.mark.parametrize("correct, key", [(0.5, "psych_correct_05"), (0.0, "psych_correct_0")])
def test_sparse_tables_match_psych_per_pair_thresholds(correct, key):
    # A2 never reaches 6, so psych estimates thresholds per pair with its continuity correction.
    # psych's polychoric() itself stops on this sample (the corrected margins of A2 x A1 pass 1);
    # ours renormalises that pair and says so, and matches psych's routine on every other pair.
    sp = pd.DataFrame(REF["sparse"]["data"])
    assert REF["sparse"]["psych_polychoric_fails"] is True
    res = polychoric(sp, mimic="psych", correct=correct)
    want = arr(REF["sparse"][key])
    ok = ~np.isnan(want)
    assert (~ok).sum() == (2 if correct > 0 else 0)
    np.testing.assert_allclose(res.unsmoothed.to_numpy()[ok], want[ok], atol=1e-4)
    assert np.all(np.isfinite(res.matrix.to_numpy()))
    assert any("per pair" in n for n in res.notes)
    if correct > 0:
        assert "renormalised" in res.pairs[("A1", "A2")].adjustment


def test_polyserial_matches_psych_ad_hoc():
    ref = REF["polyserial"]
    d = BFI[ref["items"]].dropna()
    d = d[d["age"] <= 60]
    ps = polyserial(d["age"], d[ref["items"][:5]], mimic="psych")
    np.testing.assert_allclose(ps.matrix.to_numpy().ravel(), ref["psych_age"], atol=1e-10)


# --- smoothing and robustness ------------------------------------------------------------------


def test_smoothing_matches_psych_cor_smooth():
    m = np.array(REF["smooth"]["input"], dtype=float)
    out, done, min_eig = smooth_correlation(m)
    assert done
    np.testing.assert_allclose(min_eig, REF["smooth"]["min_eigen"], atol=1e-12)
    np.testing.assert_allclose(out, np.array(REF["smooth"]["smoothed"]), atol=1e-10)
    same, done2, _ = smooth_correlation(np.eye(3))
    assert not done2
    np.testing.assert_array_equal(same, np.eye(3))


def test_non_positive_definite_matrix_is_smoothed_and_said_so():
    # Three items, pairwise: a = b exactly where both answered, b = reversed c, a and c agree.
    d = pd.DataFrame(
        {
            "a": [1, 2, 3, 1, 2, 3, np.nan, np.nan, np.nan, 1, 3, 2, 1, 3],
            "b": [1, 2, 3, 1, 2, 3, 1, 2, 3, np.nan, np.nan, np.nan, 2, 2],
            "c": [np.nan] * 6 + [3, 2, 1, 1, 3, 2, 1, 3],
        }
    )
    res = polychoric(d, missing="pairwise")
    assert res.smoothed
    assert np.linalg.eigvalsh(res.matrix.to_numpy()).min() > 0
    assert res.min_eigenvalue < 0
    assert any("smoothed" in n for n in res.notes)
    raw = polychoric(d, missing="pairwise", smooth=False)
    assert not raw.smoothed
    assert any("not smoothed" in n for n in raw.notes)


def test_tiny_and_degenerate_tables_do_not_crash():
    # Perfect agreement, a category used once, a pair with a single off-diagonal answer.
    d = pd.DataFrame(
        {
            "x": [1, 1, 2, 2, 3, 3, 4, 5, 5, 5],
            "y": [1, 1, 2, 2, 3, 3, 4, 5, 5, 5],
            "z": [5, 5, 4, 4, 3, 3, 2, 1, 1, 2],
        }
    )
    for mimic in ("lavaan", "psych"):
        res = polychoric(d, mimic=mimic)
        r = res.matrix.to_numpy()
        assert np.all(np.isfinite(r))
        assert r[0, 1] > 0.99  # identical items: at the bound
        assert r[0, 2] < -0.9
        assert np.linalg.eigvalsh(r).min() > 0


def test_input_errors_name_the_item():
    with pytest.raises(DataError, match="C1"):
        polychoric(pd.DataFrame({"A1": [1, 2, 3, 2], "C1": [2, 2, 2, 2]}))
    with pytest.raises(DataError, match="non-integer"):
        polychoric(pd.DataFrame({"A1": [1, 2, 3, 2], "C1": [1.5, 2, 3, 1]}))
    with pytest.raises(DataError, match="not numeric"):
        polychoric(pd.DataFrame({"A1": [1, 2], "C1": ["a", "b"]}))
    with pytest.raises(UserError, match="Z9"):
        polychoric(ITEMS[["A1", "A2"]], ordered=["Z9"])
    with pytest.raises(UserError, match="mimic"):
        polychoric(ITEMS[["A1", "A2"]], mimic="mplus")
    with pytest.raises(DataError, match="max_categories"):
        polychoric(BFI[["A1", "age"]])


def test_no_common_respondents_gives_nan_and_no_smoothing():
    nan = np.nan
    d = pd.DataFrame(
        {
            "a": [1, 2, 1, 2, nan, nan],
            "b": [nan, nan, nan, nan, 1, 2],
            "c": [1, 2, 2, 1, nan, nan],
        }
    )
    res = polychoric(d, missing="pairwise")
    assert np.isnan(res.matrix.loc["a", "b"])
    assert res.n.loc["a", "b"] == 0
    assert np.isfinite(res.matrix.loc["a", "c"])
    assert not res.smoothed
    assert any("could not be estimated" in n for n in res.notes)


def test_result_serialises(lav_listwise):
    out = json.loads(json.dumps(lav_listwise.to_dict(), allow_nan=False))
    # A pair fixed by lavaan's 2x2 rule has no log-likelihood: null, not NaN.
    binary = polychoric(pd.DataFrame(REF["binary"]["data"])).to_dict()
    assert json.loads(json.dumps(binary, allow_nan=False))["pairs"][2]["loglik"] is None
    assert out["mimic"] == "lavaan" and out["n_obs"] == REF["bfi"]["n_listwise"]
    assert len(out["thresholds"]["A1"]) == 5
    tt = lav_listwise.thresholds_table()
    assert list(tt.columns) == ["item", "threshold", "value"] and len(tt) == 25 * 5
