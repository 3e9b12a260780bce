"""Measurement invariance: difference tests, decision rules, partial invariance, bad input.

Reference figures come from lavaan 0.6.14 / semTools 0.5.6 (tests/reference/invariance_*.R writes the
JSON read here). Comparisons of whole ladders with lavaan are in test_invariance_reference.py.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from moscale.analysis.invariance import (
    InvarianceRule,
    chisq_difference,
    invariance,
    measurement_syntax,
    parse_partial,
    satorra_2000,
    satorra_bentler_2001,
)
from moscale.errors import DataError, ModelError

REF = Path(__file__).resolve().parents[1] / "reference"
DATA = Path(__file__).resolve().parents[1] / "data"
HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


def _ref(name: str) -> dict:
    return json.loads((REF / f"invariance_{name}.json").read_text())


@pytest.fixture(scope="module")
def hs_ref():
    return _ref("hs")


@pytest.fixture(scope="module")
def bfi_ref():
    return _ref("bfi")


@pytest.fixture(scope="module")
def ord_ref():
    return _ref("ordinal")


@pytest.fixture(scope="module")
def hs():
    return pd.read_csv(DATA / "holzinger_swineford_1939.csv")


# ------------------------------------------------------------------------------ difference tests
HS_PAIRS = {
    "metric": ("configural", "metric"),
    "scalar": ("metric", "scalar"),
    "strict": ("scalar", "strict"),
    "scalar_partial": ("metric", "scalar_partial"),
    "means": ("scalar", "means"),
    "lv_variances": ("scalar", "lv_variances"),
}


@pytest.mark.parametrize("name", list(HS_PAIRS))
def test_chisq_difference_matches_lavtestlrt(hs_ref, name):
    m1, m0 = (hs_ref["ml"]["fits"][k] for k in HS_PAIRS[name])
    lrt = hs_ref["ml"]["lrt"][name]
    res = chisq_difference(
        m1["fit"]["chisq"],
        m1["fit"]["df"],
        m0["fit"]["chisq"],
        m0["fit"]["df"],
        ntotal=m1["ntotal"],
        ngroups=2,
    )
    assert res.method == "chisq"
    assert res.statistic == pytest.approx(lrt["chisq_diff"], abs=1e-6)
    assert res.df == lrt["df_diff"]
    assert res.pvalue == pytest.approx(lrt["pvalue"], abs=1e-6)
    assert res.rmsea == pytest.approx(lrt["rmsea"], abs=1e-6)


@pytest.mark.parametrize("dataset,ladder", [("hs", "mlr"), ("bfi", "mlr"), ("bfi", "fiml_mlr")])
def test_satorra_bentler_2001_matches_lavtestlrt(hs_ref, bfi_ref, dataset, ladder):
    ref = (hs_ref if dataset == "hs" else bfi_ref)[ladder]
    fits = ref["fits"]
    pairs = {
        "metric": ("configural", "metric"),
        "scalar": ("metric", "scalar"),
        "strict": ("scalar", "strict"),
    }
    checked = 0
    for name, lrt in ref["lrt"].items():
        a, b = HS_PAIRS.get(name, pairs.get(name))
        f1, f0 = fits[a]["fit"], fits[b]["fit"]
        res = satorra_bentler_2001(
            f1["chisq"],
            f1["df"],
            f1["chisq.scaling.factor"],
            f0["chisq"],
            f0["df"],
            f0["chisq.scaling.factor"],
        )
        assert "satorra.bentler.2001" in lrt["method"]
        assert res.statistic == pytest.approx(lrt["chisq_diff"], abs=1e-6)
        assert res.df == lrt["df_diff"]
        assert res.pvalue == pytest.approx(lrt["pvalue"], abs=1e-6)
        # c_d by hand: (d0 c0 - d1 c1) / (d0 - d1)
        cd = (f0["df"] * f0["chisq.scaling.factor"] - f1["df"] * f1["chisq.scaling.factor"]) / (
            f0["df"] - f1["df"]
        )
        assert res.scaling_factor == pytest.approx(cd, rel=1e-12)
        checked += 1
    assert checked >= 2


def _pieces(ref: dict) -> dict:
    s = ref["we_delta"]["satorra2000"]
    return {
        "delta1": [np.asarray(d, dtype=float) for d in s["delta1"]],
        "delta0": [np.asarray(d, dtype=float) for d in s["delta0"]],
        "weights": [np.asarray(w, dtype=float) for w in s["w_diag"]],
        "gammas": [np.asarray(g, dtype=float) for g in s["gamma"]],
        "nobs": s["nobs"],
    }


def test_satorra_2000_scaled_shifted_matches_lavaan(ord_ref):
    s = ord_ref["we_delta"]["satorra2000"]
    assert s["w_offdiag_max"] == 0  # DWLS: the weight matrix is diagonal
    res = satorra_2000(s["T1"], s["df1"], s["T0"], s["df0"], **_pieces(ord_ref))
    r = s["result"]
    assert res.method == "satorra.2000"
    assert res.statistic == pytest.approx(r["T_delta"], abs=1e-6)
    assert res.df == r["df_delta"]
    assert res.scale == pytest.approx(r["a"], abs=1e-6)
    assert res.shift == pytest.approx(r["b"], abs=1e-6)
    # the same as lavTestLRT() on the two fits
    lrt = ord_ref["we_delta"]["lrt"]["thresholds"]
    assert res.statistic == pytest.approx(lrt["chisq_diff"], abs=1e-6)
    assert res.pvalue == pytest.approx(lrt["pvalue"], abs=1e-6)
    assert res.scale == pytest.approx(lrt["scale"], abs=1e-6)


def test_satorra_2000_satterthwaite_from_the_same_traces(ord_ref):
    s = ord_ref["we_delta"]["satorra2000"]
    r = s["result"]
    res = satorra_2000(
        s["T1"], s["df1"], s["T0"], s["df0"], scaled_shifted=False, **_pieces(ord_ref)
    )
    # Satterthwaite form from lavaan's traces: T = dT t1 / t2, df = t1^2 / t2
    t1, t2 = r["trace_UGamma"], r["trace_UGamma2"]
    assert res.df == pytest.approx(t1**2 / t2, rel=1e-8)
    assert res.statistic == pytest.approx((s["T0"] - s["T1"]) * t1 / t2, rel=1e-8)


def test_difference_tests_reject_swapped_models():
    with pytest.raises(ModelError, match="less restricted"):
        chisq_difference(124.0, 54, 115.9, 48)
    with pytest.raises(ModelError):
        satorra_bentler_2001(124.0, 54, 1.1, 115.9, 48, 1.2)


def test_satorra_bentler_negative_scaling_factor_is_reported():
    # d0 c0 - d1 c1 < 0: undefined test (lavaan returns NA with a warning)
    res = satorra_bentler_2001(100.0, 48, 1.5, 110.0, 50, 1.0)
    assert math.isnan(res.statistic) and math.isnan(res.pvalue)
    assert "negative" in res.note
    assert res.to_dict()["statistic"] is None


def test_chisq_difference_same_df_has_no_pvalue():
    res = chisq_difference(10.0, 5, 12.0, 5)
    assert res.df == 0 and math.isnan(res.pvalue)


# ------------------------------------------------------------------------------ rules
def test_rule_presets_and_overrides():
    chen = InvarianceRule.from_spec(None)
    assert (chen.delta_cfi, chen.delta_rmsea, chen.criteria) == (-0.010, 0.015, ("cfi", "rmsea"))
    small = InvarianceRule.from_spec("chen2007_small")
    assert (small.delta_cfi, small.delta_rmsea, small.delta_srmr_metric, small.delta_srmr) == (
        -0.005,
        0.010,
        0.025,
        0.005,
    )
    assert InvarianceRule.from_spec("cheung_rensvold2002").criteria == ("cfi",)
    assert InvarianceRule.from_spec("chisq").criteria == ("chisq",)
    custom = InvarianceRule.from_spec({"delta_cfi": -0.005, "criteria": ["cfi", "srmr"]})
    assert custom.delta_cfi == -0.005 and custom.criteria == ("cfi", "srmr")
    assert "delta_cfi" in custom.name
    with pytest.raises(ModelError, match="unknown invariance rule"):
        InvarianceRule.from_spec("strictest")
    with pytest.raises(ModelError, match="setting"):
        InvarianceRule.from_spec({"delta_cfii": 0.1})
    with pytest.raises(ModelError, match="criterion"):
        InvarianceRule(criteria=("gfi",))


def test_rule_boundaries_by_hand():
    rule = InvarianceRule()
    # exactly at the cut-offs the step holds (>= -.010, <= .015)
    ok, text = rule.check("metric", {"cfi": -0.010, "rmsea": 0.015, "srmr": 0.0}, None)
    assert ok and "ΔCFI = -0.010 >= -0.010" in text
    ok, text = rule.check("scalar", {"cfi": -0.0101, "rmsea": 0.0, "srmr": 0.0}, None)
    assert not ok and "<" in text
    ok, _ = rule.check("scalar", {"cfi": 0.0, "rmsea": 0.0151, "srmr": 0.0}, None)
    assert not ok
    srmr = InvarianceRule(criteria=("srmr",))
    assert srmr.check("metric", {"srmr": 0.025}, None)[0]  # .030 for metric
    assert not srmr.check("scalar", {"srmr": 0.025}, None)[0]  # .010 later
    anyrule = InvarianceRule(criteria=("cfi", "rmsea"), combine="any")
    assert anyrule.check("scalar", {"cfi": -0.05, "rmsea": 0.0}, None)[0]
    ok, text = rule.check_configural(0.95, 0.05)
    assert ok and "CFI = 0.950 >= 0.900" in text
    assert not rule.check_configural(0.95, 0.09)[0]
    assert rule.describe("metric") == "ΔCFI >= -0.010 and ΔRMSEA <= 0.015 (Chen (2007))"


def test_rule_chisq_criterion_uses_the_difference_test():
    rule = InvarianceRule.chisq(alpha=0.05)
    test = chisq_difference(100.0, 40, 110.0, 46)  # chi2(6) = 10, p = .125
    ok, text = rule.check("metric", {}, test)
    assert ok and "p = 0.125 >= 0.05" in text


# ------------------------------------------------------------------------------ syntax
def test_parse_partial_forms():
    assert parse_partial("F =~ x3, x3 ~ 1; x5~~x5\nu1 | t2") == [
        ("F", "=~", "x3"),
        ("x3", "~1", ""),
        ("x5", "~~", "x5"),
        ("u1", "|", "t2"),
    ]
    assert parse_partial(["x2 ~~ x1"]) == [("x1", "~~", "x2")]
    with pytest.raises(ModelError, match="cannot read"):
        parse_partial(["F =~"])
    with pytest.raises(ModelError, match="intercepts"):
        parse_partial(["x3 ~ F"])


def test_measurement_syntax_writes_every_parameter_per_group():
    syn, notes = measurement_syntax(
        HS_MODEL,
        ngroups=2,
        group_equal=("loadings", "intercepts"),
        released=[("visual", "=~", "x3"), ("x7", "~1", ""), ("visual", "=~", "x1")],
    )
    lines = syn.splitlines()
    assert "visual =~ c(1.0, 1.0)*x1" in lines  # the marker
    assert "visual =~ c(NA, NA)*c(eq.lam.visual.x2, eq.lam.visual.x2)*x2" in lines
    assert "visual =~ c(NA, NA)*x3" in lines  # released: free in each group
    assert "x7 ~ c(NA, NA)*1" in lines
    assert "x1 ~ c(NA, NA)*c(eq.nu.x1, eq.nu.x1)*1" in lines
    assert "speed ~ c(0.0, NA)*1" in lines  # equal intercepts free the latent means of group 2
    assert "x1 ~~ c(NA, NA)*x1" in lines
    assert any("marker" in n for n in notes)  # x1's loading is fixed at 1 in every group
    # three groups, equal means released for speed: fixed at 0 in the first group only
    syn, _ = measurement_syntax(
        HS_MODEL,
        ngroups=3,
        group_equal=("loadings", "intercepts", "means"),
        released=[("speed", "~1", "")],
    )
    assert "speed ~ c(0.0, NA, NA)*1" in syn.splitlines()
    assert "visual ~ c(0.0, 0.0, 0.0)*1" in syn.splitlines()
    # std_lv: equal loadings free the latent variances of the later groups
    syn, _ = measurement_syntax(HS_MODEL, ngroups=2, group_equal=("loadings",), std_lv=True)
    assert "visual ~~ c(1.0, NA)*visual" in syn.splitlines()
    assert "visual =~ c(NA, NA)*c(eq.lam.visual.x1, eq.lam.visual.x1)*x1" in syn.splitlines()


def test_measurement_syntax_keeps_user_labels_and_refuses_to_release_them():
    syn, _ = measurement_syntax("F =~ x1 + a*x2 + a*x3", ngroups=2, group_equal=("loadings",))
    assert "F =~ c(NA, NA)*c(a, a)*x2" in syn.splitlines()
    with pytest.raises(ModelError, match="label"):
        measurement_syntax(
            "F =~ x1 + a*x2 + x3",
            ngroups=2,
            group_equal=("loadings",),
            released=[("F", "=~", "x2")],
        )


# ------------------------------------------------------------------------------ partial search
def _simulate(seed: int, n=(400, 400), lam_g2=0.25) -> pd.DataFrame:
    """Two factors, four items each, equal intercepts; F1's loading on x3 is 0.75 in g1 and
    ``lam_g2`` in g2 (the one non-invariant parameter); g2's F2 mean is 0.3 higher."""
    rng = np.random.default_rng(seed)
    frames = []
    for g, ng in enumerate(n):
        eta = rng.multivariate_normal([0.0, 0.3 * g], [[1.0, 0.4], [0.4, 1.0]], size=ng)
        lam = np.array(
            [[0.8, 0], [0.7, 0], [0.75, 0], [0.7, 0], [0, 0.8], [0, 0.7], [0, 0.75], [0, 0.7]]
        )
        if g == 1:
            lam[2, 0] = lam_g2
        y = 3.0 + eta @ lam.T + rng.normal(scale=0.6, size=(ng, 8))
        d = pd.DataFrame(y, columns=[f"x{i + 1}" for i in range(8)])
        d["grp"] = f"g{g + 1}"
        frames.append(d)
    return pd.concat(frames, ignore_index=True)


SIM_MODEL = "F1 =~ x1 + x2 + x3 + x4\nF2 =~ x5 + x6 + x7 + x8"


def test_partial_search_finds_the_planted_loading():
    res = invariance(SIM_MODEL, _simulate(3), "grp", search_partial=True)
    assert res.decisions["metric"] == "holds (partial)"
    assert res.released == ["F1 =~ x3"]
    assert res.partial and res.level_reached == "strict" and res.full_level_reached == "configural"
    # the full metric model failed, and the search says why it chose x3
    full = res.steps.set_index("step").loc["metric"]
    assert full["decision"] == "fails" and full["delta.cfi"] < -0.010
    st = res.score_tests["metric"]
    assert st.iloc[0]["parameter"] == "F1 =~ x3"
    assert st.iloc[0]["X2"] > 10 * st.iloc[1]["X2"]
    assert list(res.search["parameter"]) == ["F1 =~ x3"]
    assert res.score_levels() == {"F1": "configural", "F2": "strict"}
    assert res.search.iloc[0]["decision"] == "holds (partial)"
    assert any("automatic specification search" in n for n in res.notes)
    # latent means: F2 is 0.3 higher in g2 (simulated); compared once (partial) scalar holds
    lm = res.latent_means.set_index("factor")
    assert lm.loc["F2", "mean"] == pytest.approx(0.3 * 0.8, abs=0.12)  # marker scale: 0.8 * 0.3
    assert set(res.structural["test"]) == {"equal latent variances", "equal latent means"}


def test_without_search_the_ladder_stops_and_names_the_culprit():
    res = invariance(SIM_MODEL, _simulate(3), "grp")
    assert res.level_reached == "configural" and not res.partial
    assert res.decisions == {
        "configural": "holds",
        "metric": "fails",
        "scalar": "not tested",
        "strict": "not tested",
    }
    assert list(res.steps["step"]) == ["configural", "metric"]
    assert any("F1 =~ x3" in n and "search_partial" in n for n in res.notes)
    assert res.latent_means.empty and res.structural.empty


def test_user_release_is_a_partial_model_not_a_search():
    res = invariance(SIM_MODEL, _simulate(3), "grp", group_partial=["F1 =~ x3"])
    assert res.decisions["metric"] == "holds (partial)"
    assert res.released == ["F1 =~ x3"]
    assert res.search.empty
    assert not any("automatic" in n for n in res.notes)
    assert any("released by the user" in n for n in res.notes)


def test_min_invariant_limits_the_search():
    # every loading of F1 differs: the search may not leave F1 with fewer than 2 invariant loadings
    rng = np.random.default_rng(11)
    frames = []
    for g in range(2):
        eta = rng.normal(size=(500, 1))
        lam = np.array([0.8, 0.7, 0.75, 0.7]) if g == 0 else np.array([0.8, 0.2, 1.3, 0.25])
        y = eta @ lam[None, :] + rng.normal(scale=0.5, size=(500, 4))
        d = pd.DataFrame(y, columns=["x1", "x2", "x3", "x4"])
        d["grp"] = g
        frames.append(d)
    data = pd.concat(frames, ignore_index=True)
    res = invariance("F =~ x1 + x2 + x3 + x4", data, "grp", search_partial=True, min_invariant=2)
    assert len(res.released) <= 2  # marker x1 + at least one more stay invariant
    if res.decisions["metric"] == "fails":
        assert any("not reached" in n for n in res.notes)


# ------------------------------------------------------------------------------ bad input
def test_tiny_group_gets_a_clear_message(hs):
    d = hs.copy()
    d.loc[d.index[:3], "school"] = "Tiny"
    with pytest.raises(DataError) as e:
        invariance(HS_MODEL, d, "school")
    msg = str(e.value)
    assert "'Tiny' has 3" in msg and "free parameters per group" in msg
    assert "Merge small groups" in msg


def test_empty_category_in_one_group_gets_a_clear_message(ord_ref):
    d = pd.DataFrame(ord_ref["data"])
    d.loc[(d["g"] == "male") & (d["u1"] == 5), "u1"] = 4  # category 5 of u1 now unused by men
    with pytest.raises(DataError) as e:
        invariance(ord_ref["model"], d, "g", estimator="WLSMV", ordered=True)
    msg = str(e.value)
    assert "u1: category 5 not used in group 'male'" in msg
    assert "Merge the empty category" in msg


def test_bad_arguments(hs):
    with pytest.raises(ModelError, match="grouping column"):
        invariance(HS_MODEL, hs, "schol")
    with pytest.raises(ModelError, match="estimator"):
        invariance(HS_MODEL, hs, "school", estimator="GLS")
    with pytest.raises(ModelError, match="ordered"):
        invariance(HS_MODEL, hs, "school", estimator="WLSMV")
    with pytest.raises(ModelError, match="WLSMV"):
        invariance(HS_MODEL, hs, "school", ordered=["x1"])
    with pytest.raises(DataError, match="value"):
        invariance(HS_MODEL, hs.assign(one="a"), "one")
    with pytest.raises(ModelError, match="step"):
        invariance(HS_MODEL, hs, "school", steps=["metric", "configural", "weak"])
    with pytest.raises(DataError, match="DataFrame"):
        invariance(HS_MODEL, hs.to_numpy(), "school")
    with pytest.raises(ModelError, match="missing-data"):
        invariance(HS_MODEL, hs, "school", missing="pairwise")


def test_result_is_json_ready(hs):
    res = invariance(
        HS_MODEL, hs, "school", rule={"configural_rmsea": 0.10}, group_partial="x3 ~ 1; x7 ~ 1"
    )
    out = res.to_dict()
    text = json.dumps(out, allow_nan=False)
    assert '"level_reached": "strict"' in text
    assert out["released"] == ["x3 ~ 1", "x7 ~ 1"]
    assert [s["step"] for s in out["steps"]] == ["configural", "metric", "partial scalar", "strict"]
    assert out["rule"]["configural_rmsea"] == 0.10
    # observed scores: the factors whose items had intercepts released are only metric-invariant
    assert out["score_levels"] == {"visual": "metric", "textual": "strict", "speed": "metric"}
    assert "Level reached: strict (partial)" in res.summary()


def test_group_partial_is_checked_before_fitting(hs):
    with pytest.raises(ModelError, match="'x33' is not in the model"):
        invariance(HS_MODEL, hs, "school", group_partial=["x33 ~ 1"])
    with pytest.raises(ModelError, match="not a loading"):
        invariance(HS_MODEL, hs, "school", group_partial=["visual =~ x9"])
    with pytest.raises(ModelError, match="continuous"):
        invariance(HS_MODEL, hs, "school", group_partial=["x1 | t1"])


def test_each_step_keeps_its_lavaan_syntax(hs):
    res = invariance(
        HS_MODEL, hs, "school", rule={"configural_rmsea": 0.10}, steps=["configural", "metric"]
    )
    assert set(res.syntax) == {"configural", "metric"}
    assert "c(eq.lam.visual.x2, eq.lam.visual.x2)" in res.syntax["metric"]
    assert "eq." not in res.syntax["configural"]
    assert res.to_dict()["syntax"]["metric"] == res.syntax["metric"]
