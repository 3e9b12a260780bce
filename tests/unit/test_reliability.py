"""Reliability and item statistics against psych 2.2.9 (alpha, alpha.ci, omega, describe,
response.frequencies), lavaan 0.6.14 (polychoric matrix of ordinal alpha/omega) and boot 1.3-28
(bootstrap intervals).

Reference figures: tests/reference/alpha.R -> alpha.json. Exact formulas are matched to 1e-9 (the
brief asks 1e-6); omega rests on an iterative one-factor (minres) fit and is matched to 1e-5.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from moscale.analysis.itemstats import item_statistics, reverse_key
from moscale.analysis.reliability import (
    _bootstrap_alpha,
    _Moments,
    bootstrap_interval,
    feldt_ci,
    reliability,
)
from moscale.errors import DataError, UserError

HERE = Path(__file__).resolve().parents[1]
REF = json.loads((HERE / "reference" / "alpha.json").read_text())
BFI = pd.read_csv(HERE / "data" / "bfi.csv")
HS = pd.read_csv(HERE / "data" / "holzinger_swineford_1939.csv")
EXACT = 1e-9
ITERATIVE = 1e-5


def _rev(scale: dict) -> list[str]:
    rv = scale["reverse"]
    return [rv] if isinstance(rv, str) else list(rv)


@pytest.fixture(scope="module")
def bfi_results():
    out = {}
    for name, sc in REF["bfi"].items():
        for missing in ("listwise", "pairwise"):
            out[name, missing] = reliability(
                BFI[sc["items"]],
                reverse=_rev(sc),
                scale_range=(1, 6),
                missing=missing,
                n_boot=200 if missing == "listwise" else 0,
                omega=missing == "listwise",
                ordinal=missing == "listwise",
            )
    return out


@pytest.mark.parametrize("scale", list(REF["bfi"]))
@pytest.mark.parametrize("missing", ["listwise", "pairwise"])
def test_alpha_matches_psych(bfi_results, scale, missing):
    res = bfi_results[scale, missing]
    want = REF["bfi"][scale][missing]
    assert res.alpha == pytest.approx(want["raw_alpha"], abs=EXACT)
    assert res.std_alpha == pytest.approx(want["std_alpha"], abs=EXACT)
    assert res.g6 == pytest.approx(want["g6"], abs=EXACT)
    assert res.average_r == pytest.approx(want["average_r"], abs=EXACT)
    assert res.median_r == pytest.approx(want["median_r"], abs=EXACT)
    assert res.signal_noise == pytest.approx(want["signal_noise"], abs=EXACT)
    it = res.items
    np.testing.assert_allclose(it["r_drop"], want["r_drop"], atol=EXACT)
    np.testing.assert_allclose(it["raw_r"], want["raw_r"], atol=EXACT)
    np.testing.assert_allclose(it["std_r"], want["std_r"], atol=EXACT)
    np.testing.assert_allclose(it["r_cor"], want["r_cor"], atol=EXACT)
    np.testing.assert_allclose(it["alpha_if_deleted"], want["drop_raw_alpha"], atol=EXACT)
    np.testing.assert_allclose(it["std_alpha_if_deleted"], want["drop_std_alpha"], atol=EXACT)
    if missing == "listwise":
        assert res.n_used == want["n"]
        assert res.alpha_se == pytest.approx(want["ase"], abs=EXACT)
        feldt = res.ci.query("method == 'feldt'").iloc[0]
        assert feldt["lower"] == pytest.approx(want["feldt_lower"], abs=EXACT)
        assert feldt["upper"] == pytest.approx(want["feldt_upper"], abs=EXACT)
        assert feldt["n"] == want["n"]
    else:
        # psych divides Q by all rows; we by the smallest pairwise n (stated in the notes).
        assert res.alpha_se * np.sqrt(res.n_used / want["n"]) == pytest.approx(
            want["ase"], abs=EXACT
        )
        assert res.n_pairwise is not None and res.n_used == res.n_pairwise.to_numpy().min()
        assert any("Pairwise deletion" in n for n in res.notes)


@pytest.mark.parametrize("scale", list(REF["bfi"]))
def test_omega_and_ordinal_coefficients_match_psych_and_lavaan(bfi_results, scale):
    res = bfi_results[scale, "listwise"]
    want = REF["bfi"][scale]
    assert res.omega_total == pytest.approx(want["omega_total"], abs=ITERATIVE)
    np.testing.assert_allclose(
        res.items["omega_if_deleted"], want["omega_if_deleted"], atol=ITERATIVE
    )
    # Ordinal alpha: psych alpha()'s std.alpha of lavaan's polychoric matrix.
    assert res.ordinal_alpha == pytest.approx(want["ordinal_alpha"], abs=1e-6)
    assert res.ordinal_omega == pytest.approx(want["ordinal_omega"], abs=ITERATIVE)
    assert res.polychoric is not None and res.polychoric.mimic == "lavaan"


def test_reverse_keying_is_recorded(bfi_results):
    res = bfi_results["C", "listwise"]
    assert res.reverse_keyed == ["C4", "C5"]
    assert res.scale_range == (1.0, 6.0) and res.scale_range_source == "given"
    assert res.items.loc["C4", "reversed"] and not res.items.loc["C1", "reversed"]
    assert any("7 - x" in n for n in res.notes)
    # Keyed means: C4 reversed is 7 minus the raw mean.
    raw_mean = BFI["C4"].mean()
    assert res.items.loc["C4", "mean"] == pytest.approx(7 - raw_mean, abs=1e-12)


def test_negative_item_is_flagged_not_flipped():
    res = reliability(BFI[REF["bfi"]["A"]["items"]], n_boot=0, omega=False, ordinal=False)
    assert res.reverse_keyed == []
    assert res.items.loc["A1", "flag"] == "negative item-rest correlation"
    assert res.items.loc["A1", "r_drop"] < 0
    assert res.items.loc["A1", "reversed"] == False  # noqa: E712  (numpy bool)
    assert any("A1" in f and "reverse=" in f for f in res.flags)
    keyed = reliability(
        BFI[REF["bfi"]["A"]["items"]], reverse=["A1"], n_boot=0, omega=False, ordinal=False
    )
    assert keyed.alpha > res.alpha and keyed.flags == []


def test_observed_range_is_used_and_said():
    res = reliability(BFI[["A1", "A2", "A3"]], reverse=["A1"], n_boot=0, omega=False)
    assert res.scale_range == (1.0, 6.0) and res.scale_range_source == "observed"
    assert any("taken from the answers observed" in n for n in res.notes)


def test_holzinger_swineford_nine_tests_and_subscales():
    ref = REF["hs"]
    x = HS[[f"x{i}" for i in range(1, 10)]]
    res = reliability(
        x,
        subscales={
            "visual": ["x1", "x2", "x3"],
            "textual": ["x4", "x5", "x6"],
            "speed": ["x7", "x8", "x9"],
        },
        n_boot=0,
    )
    assert res.alpha == pytest.approx(ref["all9"]["raw_alpha"], abs=EXACT)
    assert res.std_alpha == pytest.approx(ref["all9"]["std_alpha"], abs=EXACT)
    np.testing.assert_allclose(res.items["r_drop"], ref["all9"]["r_drop"], atol=EXACT)
    np.testing.assert_allclose(
        res.items["alpha_if_deleted"], ref["all9"]["drop_raw_alpha"], atol=EXACT
    )
    assert res.omega_hierarchical == pytest.approx(ref["omega_h"], abs=ITERATIVE)
    assert res.omega_total_sl == pytest.approx(ref["omega_total"], abs=ITERATIVE)
    assert res.omega_total == pytest.approx(ref["omega_total_1f"], abs=ITERATIVE)
    assert res.ordinal_alpha is None  # continuous scores: no polychoric
    vis = res.subscales["visual"]
    assert vis.alpha == pytest.approx(ref["visual"]["raw_alpha"], abs=EXACT)
    np.testing.assert_allclose(vis.items["r_drop"], ref["visual"]["r_drop"], atol=EXACT)
    np.testing.assert_allclose(vis.items["raw_r"], ref["visual"]["raw_r"], atol=EXACT)
    assert np.isnan(vis.items["omega_if_deleted"]).all()  # two items left: not identified


# --- item statistics -----------------------------------------------------------------------------


def test_item_statistics_match_psych_describe_and_response_frequencies():
    ref = REF["describe"]
    st = item_statistics(BFI[ref["items"]])
    for col in ("n", "mean", "sd", "median", "min", "max", "skew", "kurtosis"):
        np.testing.assert_allclose(st.table[col], ref[col], atol=EXACT, err_msg=col)
    assert ref["freq_categories"] == ["1", "2", "3", "4", "5", "6", "miss"]
    np.testing.assert_allclose(st.distribution.to_numpy(), np.array(ref["freq"]), atol=EXACT)
    # Floor and ceiling are the shares of valid answers at 1 and 6 (response.frequencies columns).
    np.testing.assert_allclose(st.table["floor_pct"], 100 * np.array(ref["freq"])[:, 0], atol=EXACT)
    np.testing.assert_allclose(
        st.table["ceiling_pct"], 100 * np.array(ref["freq"])[:, 5], atol=EXACT
    )
    a1 = BFI["A1"]
    assert st.table.loc["A1", "pct_missing"] == pytest.approx(100 * a1.isna().mean())
    assert st.counts.loc["A1", "1"] == int((a1 == 1).sum())


def test_declared_range_shows_unused_categories_and_rejects_out_of_range():
    d = pd.DataFrame({"q1": [2, 3, 3, 4], "q2": [2, 2, 3, 5]})
    st = item_statistics(d, scale_range=(1, 7))
    assert list(st.distribution.columns) == ["1", "2", "3", "4", "5", "6", "7", "missing"]
    assert st.table.loc["q1", "floor_pct"] == 0.0 and st.table.loc["q2", "ceiling_pct"] == 0.0
    with pytest.raises(DataError, match=r"q2 \(5\)"):
        item_statistics(d, scale_range=(1, 4))
    with pytest.raises(UserError, match="scale_range"):
        item_statistics(d, scale_range=(5, 1))
    with pytest.raises(UserError, match="q9"):
        reverse_key(d, ["q9"], (1, 7))


# --- confidence intervals -----------------------------------------------------------------------


def test_bootstrap_intervals_match_boot_ci():
    ref = REF["boot"]
    t = np.array(ref["t"])
    jk = np.array(ref["jackknife"])
    for level, perc, bca in ((0.95, ref["perc"], ref["bca"]), (0.90, ref["perc90"], ref["bca90"])):
        np.testing.assert_allclose(
            bootstrap_interval(ref["t0"], t, level, "percentile"), perc, atol=1e-12
        )
        np.testing.assert_allclose(
            bootstrap_interval(ref["t0"], t, level, "bca", jk), bca, atol=1e-12
        )


def test_feldt_interval_is_psych_alpha_ci():
    ref = REF["bfi"]["A"]["listwise"]
    lo, hi = feldt_ci(ref["raw_alpha"], ref["n"], 5)
    assert (lo, hi) == pytest.approx((ref["feldt_lower"], ref["feldt_upper"]), abs=EXACT)


@pytest.mark.parametrize("pairwise", [False, True])
def test_batched_covariances_equal_direct_resamples(pairwise):
    x = BFI[["A2", "A3", "A4", "A5"]].to_numpy(dtype=float)[:300]
    if not pairwise:
        x = x[~np.isnan(x).any(axis=1)]
    mom = _Moments(x, pairwise)
    idx = np.random.default_rng(3).integers(0, x.shape[0], x.shape[0])
    w = np.bincount(idx, minlength=x.shape[0]).astype(float)
    got = mom.cov((w @ mom.g)[None, :])[0]
    want = (
        pd.DataFrame(x[idx]).cov().to_numpy()
    )  # pandas: pairwise-complete, as R cov(use="pairwise")
    np.testing.assert_allclose(got, want, atol=1e-10)
    # Leave-one-out sums give the jackknife covariances.
    loo = mom.cov(mom.g.sum(axis=0)[None, :] - mom.g[7][None, :])[0]
    np.testing.assert_allclose(
        loo, pd.DataFrame(np.delete(x, 7, axis=0)).cov().to_numpy(), atol=1e-10
    )


def test_bootstrap_is_seeded_and_sensible(bfi_results):
    items = BFI[REF["bfi"]["A"]["items"]]
    kw = {"reverse": ["A1"], "scale_range": (1, 6), "n_boot": 300, "omega": False}
    a = reliability(items, seed=11, **kw)
    b = reliability(items, seed=11, **kw)
    c = reliability(items, seed=12, **kw)
    pd.testing.assert_frame_equal(a.ci, b.ci)
    assert not a.ci.equals(c.ci)
    for _, row in a.ci.iterrows():
        est = a.alpha if row["coefficient"] == "alpha" else a.std_alpha
        assert row["lower"] < est < row["upper"], row["method"]
    # With n = 2436 every interval is close to Feldt's.
    feldt = a.ci.query("method == 'feldt'").iloc[0]
    for method in ("bootstrap_percentile", "bootstrap_bca"):
        r = a.ci[(a.ci["method"] == method) & (a.ci["coefficient"] == "alpha")].iloc[0]
        assert abs(r["lower"] - feldt["lower"]) < 0.01 and abs(r["upper"] - feldt["upper"]) < 0.01
    assert a.bootstrap == {
        "n_boot": 300,
        "seed": 11,
        "level": 0.95,
        "n_valid": 300,
        "se_alpha": a.bootstrap["se_alpha"],
        "se_std_alpha": a.bootstrap["se_std_alpha"],
    }


def test_feldt_and_bca_cover_population_alpha():
    # Five parallel items, loading .6 (population alpha = 5 * .36 / (5 * .36 + .64) = .7377...).
    lam, k, n, reps = 0.6, 5, 150, 300
    true_alpha = k * lam**2 / (k * lam**2 + (1 - lam**2))
    rng = np.random.default_rng(2024)
    feldt_hits = bca_hits = 0
    bca_reps = 60
    for rep in range(reps):
        f = rng.normal(size=(n, 1))
        x = lam * f + np.sqrt(1 - lam**2) * rng.normal(size=(n, k))
        c = np.cov(x, rowvar=False)
        a = k / (k - 1) * (1 - np.trace(c) / c.sum())
        lo, hi = feldt_ci(a, n, k)
        feldt_hits += lo <= true_alpha <= hi
        if rep < bca_reps:
            braw, _, jraw, _ = _bootstrap_alpha(x, False, 500, rep)
            lo, hi = bootstrap_interval(a, braw, 0.95, "bca", jraw)
            bca_hits += lo <= true_alpha <= hi
    assert 0.91 <= feldt_hits / reps <= 0.99
    assert bca_hits / bca_reps >= 0.85


# --- scale kinds, missing data, bad input -----------------------------------------------------


@pytest.mark.parametrize("kind", ["formative", "index"])
def test_formative_and_index_scales_get_no_alpha(kind):
    res = reliability(BFI[["A1", "A2", "A3"]], kind=kind)
    assert res.alpha is None and res.omega_total is None
    assert res.no_alpha_reason and (
        "formative" in res.no_alpha_reason.lower() or "index" in res.no_alpha_reason.lower()
    )
    assert res.ci.empty and len(res.items) == 3
    assert res.summary().empty
    json.dumps(res.to_dict())


def test_listwise_n_is_reported():
    items = BFI[["E1", "E2", "E3"]]
    res = reliability(items, n_boot=0, omega=False, ordinal=False)
    complete = int(items.dropna().shape[0])
    assert res.n_used == complete and res.n_obs == len(items)
    assert any(f"{complete} of {len(items)}" in n for n in res.notes)
    assert (res.ci["n"] == complete).all()
    assert (res.summary()["n"] == complete).all()


def test_constant_item_is_left_out_with_a_note():
    d = BFI[["A2", "A3", "A4"]].dropna().iloc[:200].copy()
    d["K"] = 3.0
    res = reliability(d, n_boot=0, omega=False, ordinal=False)
    ref = reliability(d[["A2", "A3", "A4"]], n_boot=0, omega=False, ordinal=False)
    assert res.alpha == pytest.approx(ref.alpha, abs=1e-15)
    assert res.items.loc["K", "flag"] == "no variance"
    assert any("K" in n and "no variance" in n for n in res.notes)


def test_bad_input_raises_user_errors():
    with pytest.raises(DataError, match="at least two items"):
        reliability(BFI[["A1"]])
    with pytest.raises(UserError, match="Z1"):
        reliability(BFI[["A1", "A2"]], reverse=["Z1"])
    with pytest.raises(UserError, match="kind"):
        reliability(BFI[["A1", "A2"]], kind="composite")
    with pytest.raises(UserError, match="n_boot"):
        reliability(BFI[["A1", "A2"]], n_boot=10)
    with pytest.raises(DataError, match="not numeric"):
        reliability(pd.DataFrame({"a": ["x", "y"], "b": [1, 2]}))
    with pytest.raises(DataError, match="answered every item"):
        reliability(pd.DataFrame({"a": [1.0, 2, np.nan, 4], "b": [np.nan, 1, 2, 3]}))
    with pytest.raises(UserError, match="subscales"):
        reliability(BFI[["A1", "A2", "A3"]], subscales={"s": ["A1", "Q7"]})


def test_to_dict_and_summary(bfi_results):
    res = bfi_results["A", "listwise"]
    out = json.loads(json.dumps(res.to_dict()))
    assert out["coefficients"]["alpha"] == pytest.approx(res.alpha)
    assert out["n_used"] == res.n_used and out["reverse_keyed"] == ["A1"]
    assert len(out["item_table"]) == 5 and "r_drop" in out["item_table"][0]
    s = res.summary()
    assert s.loc[s.coefficient == "alpha", "ci_method"].iloc[0] == "feldt"
    assert {"alpha", "std_alpha", "g6", "omega_total", "ordinal_alpha", "ordinal_omega"} <= set(
        s.coefficient
    )


def test_json_output_is_strict():
    # NaN (omega if deleted of a 3-item scale, a fixed pair's log-likelihood) must become null.
    res = reliability(BFI[["A2", "A3", "A4"]], n_boot=0)
    text = json.dumps(res.to_dict(), allow_nan=False)
    assert json.loads(text)["item_table"][0]["omega_if_deleted"] is None
    st = item_statistics(HS[["x1", "x2"]])
    json.dumps(st.to_dict(), allow_nan=False)


def test_docstring_examples_run():
    import doctest

    import moscale.analysis.correlations as correlations
    import moscale.analysis.itemstats as itemstats
    import moscale.analysis.polychoric as polychoric_mod
    import moscale.analysis.reliability as reliability_mod

    for mod in (correlations, itemstats, polychoric_mod, reliability_mod):
        res = doctest.testmod(mod)
        assert res.failed == 0 and res.attempted > 0, mod.__name__
