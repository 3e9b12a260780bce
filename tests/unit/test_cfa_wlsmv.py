"""Ordinal CFA (WLSMV, ULSMV, WLSM, DWLS, WLS; delta and theta; multiple groups) against lavaan 0.6.14
and semTools 0.5.6.

Reference figures: ``Rscript tests/reference/cfa_wlsmv.R`` -> ``tests/reference/cfa_wlsmv.json``.
Tolerances (brief): robust/ordinal figures 1e-3; the estimates, the scaled statistics and the indices
agree with lavaan to about 1e-6, so most checks here are tighter than that.
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from moscale.analysis.cfa.wls import (
    cfa_ordinal,
    estimator_spec,
    ordinal_composite_reliability,
    parse_ordinal_model,
)
from moscale.analysis.cfa.wls_samplestats import (
    cor_pairs,
    muthen1984_gamma,
    ordinal_sample_stats,
)
from moscale.errors import DataError, ModelError

ROOT = Path(__file__).resolve().parents[2]
REF = json.loads((ROOT / "tests/reference/cfa_wlsmv.json").read_text())
BFI = pd.read_csv(ROOT / "tests/data/bfi.csv")
HSO = pd.read_csv(ROOT / "tests/data/hs_ordinal.csv")
BFI_CC = BFI.dropna(subset=list(BFI.columns[:25]))
HS = pd.read_csv(ROOT / "tests/data/holzinger_swineford_1939.csv")
# x1-x3 continuous (the original scores), x4-x9 ordered
HSM = pd.concat([HS[["x1", "x2", "x3"]], HSO[[f"x{i}" for i in range(4, 10)]]], axis=1)
ORD49 = [f"x{i}" for i in range(4, 10)]
HS9 = [f"x{i}" for i in range(1, 10)]
HSB = HSO.copy()
HSB[HS9] = (HSO[HS9] >= 2).astype(int)  # binary items, as the R script makes them

CASES = {
    "ac_wlsmv": (BFI, {}),
    "bfi5_wlsmv": (BFI, {}),
    "hs_wlsmv": (HSO, {}),
    "hs_ulsmv": (HSO, {"estimator": "ULSMV"}),
    "hs_dwls": (HSO, {"estimator": "DWLS"}),
    "hs_wlsm": (HSO, {"estimator": "WLSM"}),
    "hs_wls": (HSO, {"estimator": "WLS"}),
    "hs_theta": (HSO, {"parameterization": "theta"}),
    "ac_theta_stdlv": (BFI, {"parameterization": "theta", "std_lv": True}),
    "hs_threshold_syntax": (HSO, {}),
    "hs_binary": (HSB, {}),
    "hs_extra": (HSO, {}),
    "bfi_higher": (BFI, {}),
    "hs_mixed": (HSM, {"ordered": ORD49}),
    "hs_mixed_theta": (HSM, {"ordered": ORD49, "parameterization": "theta"}),
    "hs_mg_configural": (HSO, {"group": "school"}),
    "hs_mg_loadings": (HSO, {"group": "school", "group_equal": ("loadings",)}),
    "hs_mg_thr_load": (HSO, {"group": "school", "group_equal": ("thresholds", "loadings")}),
    "hs_mg_thr_load_theta": (
        HSO,
        {"group": "school", "group_equal": ("thresholds", "loadings"), "parameterization": "theta"},
    ),
    # semTools measEq.syntax (Wu & Estabrook 2016 identification), configural to scalar
    "meq_configural": (HSO, {"group": "school"}),
    "meq_thresholds": (HSO, {"group": "school"}),
    "meq_thresholds_loadings": (HSO, {"group": "school"}),
    "meq_thresholds_loadings_intercepts": (HSO, {"group": "school"}),
    # rows 501-560 (R's 1-based) of the complete cases: a polychoric matrix that is not PD
    "bfi5_small_notpd": (BFI_CC.iloc[500:560], {}),
}


@cache
def fitted(name: str):
    data, kw = CASES[name]
    return cfa_ordinal(REF[name]["model"], data, **kw)


def per_group(value):
    """lavaan writes per-group lists as a list (one group) or a dict keyed by group label."""
    return list(value.values()) if isinstance(value, dict) else value


def ref_frame(name: str, key: str) -> pd.DataFrame:
    d = pd.DataFrame(REF[name][key])
    if "group" not in d:
        d["group"] = 1
    return d


def close(a: float, b: float | None, rel: float, abs_: float = 0.0) -> bool:
    if b is None:
        return bool(np.isnan(a))
    return abs(a - b) <= max(abs_, rel * max(1.0, abs(b)))


# ---------------------------------------------------------------------------------------------
# Sample statistics and Gamma
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name", ["ac_wlsmv", "hs_wlsmv", "bfi5_wlsmv", "hs_mg_configural", "hs_mixed"]
)
def test_sample_statistics_and_gamma_diagonal(name):
    res = fitted(name)
    for g, st in enumerate(res.sample):
        obs = np.array(per_group(REF[name]["wls_obs"])[g])
        np.testing.assert_allclose(st.wls_obs, obs, atol=1e-6)
        gd = np.array(per_group(REF[name]["gamma_diag"])[g])
        np.testing.assert_allclose(np.diag(st.gamma), gd, rtol=1e-5)
        th = per_group(REF[name]["thresholds"])[g]
        np.testing.assert_allclose(np.concatenate(st.thresholds), list(th.values()), atol=1e-8)
        assert [t for t in st.threshold_names if not t.endswith("|mean")] == list(th)
        np.testing.assert_allclose(
            st.cov, np.array(per_group(REF[name]["polychoric"])[g]), atol=1e-6
        )


@pytest.mark.parametrize("name", ["ac_wlsmv", "hs_wlsmv", "hs_mixed"])
def test_full_gamma_matches_lavaan(name):
    st = fitted(name).sample[0]
    gam = np.array(REF[name]["gamma"][0])
    np.testing.assert_allclose(st.gamma, gam, atol=1e-5 * np.abs(gam).max())


def test_gamma_function_directly():
    """muthen1984_gamma on hand-coded categories reproduces lavaan's NACOV."""
    items = [f"x{i}" for i in range(1, 10)]
    codes = HSO[items].to_numpy(dtype=int) - 1
    st = fitted("hs_wlsmv").sample[0]
    pi, pj = cor_pairs(9)
    gam = muthen1984_gamma(codes, st.thresholds, st.cor, pi, pj)
    np.testing.assert_allclose(gam, np.array(REF["hs_wlsmv"]["gamma"][0]), atol=1e-6)


def test_sample_stats_group_with_empty_category():
    d = HSO.copy()
    d.loc[(d["school"] == "Pasteur") & (d["x1"] == 3), "x1"] = 2
    with pytest.raises(DataError, match="x1 has no answers in category 3 in group Pasteur"):
        ordinal_sample_stats(d, [f"x{i}" for i in range(1, 10)], group="school")


def test_sample_stats_rejects_non_integer_items():
    d = HSO.copy().astype({"x2": float})
    d.loc[0, "x2"] = 1.5
    with pytest.raises(DataError, match="x2 has non-integer values"):
        ordinal_sample_stats(d, ["x1", "x2", "x3"])


# ---------------------------------------------------------------------------------------------
# Estimates, standard errors, standardized solution
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(CASES))
def test_estimates_and_standard_errors(name):
    res = fitted(name)
    assert res.converged
    pe = ref_frame(name, "est")
    m = pe.merge(res.estimates, on=["lhs", "op", "rhs", "group"], suffixes=("_r", ""), how="left")
    assert m["est"].notna().all(), "every lavaan row is in our table"
    assert len(res.estimates) == len(pe)
    for col in ("est", "se", "std.lv", "std.all"):
        np.testing.assert_allclose(
            m[col].to_numpy(float), m[f"{col}_r"].to_numpy(float), atol=1e-3, err_msg=col
        )
    # thresholds and loadings (the brief's 1e-3) -- in fact they agree far closer
    key = m["op"].isin(["=~", "|"])
    np.testing.assert_allclose(
        m.loc[key, "est"].to_numpy(float), m.loc[key, "est_r"].to_numpy(float), atol=2e-4
    )


@pytest.mark.parametrize(
    "name", ["ac_wlsmv", "hs_wlsmv", "hs_theta", "hs_mg_thr_load", "hs_extra", "bfi_higher"]
)
def test_standardized_solution_standard_errors(name):
    res = fitted(name)
    ss = ref_frame(name, "std")
    m = ss.merge(res.estimates, on=["lhs", "op", "rhs", "group"], how="left")
    np.testing.assert_allclose(m["std.all"], m["est.std"], atol=1e-4)
    np.testing.assert_allclose(m["std.all.se"], m["se_x"], atol=1e-4)


@pytest.mark.parametrize("name", ["ac_wlsmv", "hs_theta", "hs_mg_thr_load"])
def test_r2_and_implied_moments(name):
    res = fitted(name)
    for g in range(res.ngroups):
        label = res.group_labels[g] if res.ngroups > 1 else None
        r2 = per_group(REF[name]["r2"])[g]
        ours = res.r_squared(label)
        for item, val in r2.items():
            assert ours[item] == pytest.approx(val, abs=1e-5)
        np.testing.assert_allclose(
            res.implied_thresholds(label).to_numpy(),
            per_group(REF[name]["implied_th"])[g],
            atol=2e-5,
        )
        np.testing.assert_allclose(
            res.implied_cov(label).to_numpy(), per_group(REF[name]["implied_cor"])[g], atol=2e-5
        )
        np.testing.assert_allclose(
            res.residuals(group=label).to_numpy(),
            np.array(per_group(REF[name]["polychoric"])[g])
            - np.array(per_group(REF[name]["implied_cor"])[g]),
            atol=2e-5,
        )


def test_robust_vcov():
    res = fitted("ac_wlsmv")
    ref = np.array(REF["ac_wlsmv"]["vcov"])
    np.testing.assert_allclose(res.vcov.to_numpy(), ref, atol=1e-7, rtol=1e-4)


# ---------------------------------------------------------------------------------------------
# Test statistics and fit measures
# ---------------------------------------------------------------------------------------------
TEST_FIELDS = {
    "stat": "stat",
    "df": "df",
    "pvalue": "pvalue",
    "scaling.factor": "scaling_factor",
    "shift.parameter": "shift_parameter",
    "trace.UGamma": "trace_ugamma",
    "trace.UGamma2": "trace_ugamma2",
}


@pytest.mark.parametrize("name", list(CASES))
def test_test_statistics(name):
    res = fitted(name)
    for kind, ref in REF[name]["tests"].items():
        ours = res.tests[kind]
        for rkey, attr in TEST_FIELDS.items():
            if rkey in ref:
                assert close(getattr(ours, attr), ref[rkey], rel=1e-5, abs_=1e-7), (kind, rkey)


@pytest.mark.parametrize("name", list(CASES))
def test_fit_measures(name):
    """Every fitMeasures() entry lavaan gives, incl. cfi.scaled, tli.scaled, rmsea.scaled,
    the .robust indices (or NA), srmr, wrmr, baseline and the RMSEA intervals."""
    res = fitted(name)
    ref = REF[name]["fit"]
    missing = [k for k in ref if k not in res.fit]
    assert not missing
    bad = {k: (v, res.fit[k]) for k, v in ref.items() if not close(res.fit[k], v, rel=1e-4)}
    assert not bad
    assert res.fit_measures(["chisq", "srmr"]) == {k: res.fit[k] for k in ("chisq", "srmr")}


def test_shift_parameter_in_fit_measures():
    res = fitted("bfi5_wlsmv")
    assert res.fit["chisq.shift.parameter"] == pytest.approx(
        REF["bfi5_wlsmv"]["tests"]["scaled.shifted"]["shift.parameter"], rel=1e-5
    )


def test_robust_indices_na_when_polychoric_not_positive_definite():
    res = fitted("bfi5_small_notpd")
    assert REF["bfi5_small_notpd"]["min_eigen"] < 0
    assert REF["bfi5_small_notpd"]["fit"]["cfi.robust"] is None
    for key in ("cfi.robust", "tli.robust", "rmsea.robust"):
        assert math.isnan(res.fit[key])
    assert any("not positive definite" in n and "robust" in n for n in res.notes)
    # the scaled indices are still there
    assert res.fit["cfi.scaled"] == pytest.approx(
        REF["bfi5_small_notpd"]["fit"]["cfi.scaled"], abs=1e-4
    )


def test_robust_indices_na_with_equal_thresholds():
    res = fitted("hs_mg_thr_load")
    assert REF["hs_mg_thr_load"]["fit"]["rmsea.robust"] is None
    assert math.isnan(res.fit["rmsea.robust"]) and math.isnan(res.fit["cfi.robust"])
    assert any("constrained to be equal" in n for n in res.notes)
    # equal loadings only: lavaan computes them, and so do we
    assert not math.isnan(fitted("hs_mg_loadings").fit["cfi.robust"])


def test_no_robust_indices_for_mean_var_adjusted_test_says_why():
    res = cfa_ordinal(REF["hs_wlsmv"]["model"], HSO, test="mean.var.adjusted")
    assert "cfi.robust" not in res.fit
    assert any("robust" in n for n in res.notes)
    t = res.tests["mean.var.adjusted"]
    assert t.df == pytest.approx(t.trace_ugamma**2 / t.trace_ugamma2)


# ---------------------------------------------------------------------------------------------
# Ordinal reliability (semTools compRelSEM)
# ---------------------------------------------------------------------------------------------
def _comprel_ref(name: str, key: str) -> dict[tuple[str, str], float]:
    ref = REF[name][key]
    out = {}
    if "group" in ref:
        for fac, vals in ref.items():
            if fac != "group":
                for grp, v in zip(ref["group"], vals, strict=True):
                    out[(fac, grp)] = v
    else:
        out = {(fac, ""): v for fac, v in ref.items()}
    return out


@pytest.mark.parametrize(
    "name", ["ac_wlsmv", "bfi5_wlsmv", "hs_wlsmv", "hs_theta", "hs_mg_thr_load", "hs_mixed"]
)
@pytest.mark.parametrize("ord_scale", [True, False])
def test_ordinal_composite_reliability(name, ord_scale):
    res = fitted(name)
    cr = ordinal_composite_reliability(res, ord_scale=ord_scale)
    ref = _comprel_ref(name, "comprel" if ord_scale else "comprel_latent")
    ours = {(r.factor, r.group): r.omega for r in cr.itertuples()}
    assert set(ours) == set(ref)
    for k, v in ref.items():
        assert ours[k] == pytest.approx(v, abs=1e-5), k


# ---------------------------------------------------------------------------------------------
# Syntax, options and errors
# ---------------------------------------------------------------------------------------------
def test_threshold_and_scale_syntax_parse():
    p = parse_ordinal_model("F =~ x1 + x2 + x3\nx1 | a*t1 + t2; x2 ~*~ 1*x2\n# x3 | t1 comment")
    assert [(s.lhs, s.op, s.rhs) for s in p.thresholds] == [("x1", "|", "t1"), ("x1", "|", "t2")]
    assert p.thresholds[0].modifier.label == ("a",)
    assert [(s.lhs, s.op, s.rhs) for s in p.scales] == [("x2", "~*~", "x2")]
    assert [s.op for s in p.core.statements] == ["=~", "=~", "=~"]


def test_user_threshold_label_and_fixed_threshold():
    """A labelled threshold is still free (same fit as the default); a fixed one is fixed."""
    res = fitted("hs_threshold_syntax")
    lab = res.estimates[(res.estimates.lhs == "x2") & (res.estimates.rhs == "t1")]
    assert lab["label"].iloc[0] == "th2a" and lab["free"].iloc[0] > 0
    m = REF["hs_wlsmv"]["model"] + "\nx1 | 0*t1"
    fixed = cfa_ordinal(m, HSO)
    row = fixed.estimates[(fixed.estimates.lhs == "x1") & (fixed.estimates.op == "|")]
    assert row["est"].iloc[0] == 0.0 and row["free"].iloc[0] == 0
    assert fixed.fit["df"] == REF["hs_wlsmv"]["fit"]["df"] + 1


@pytest.mark.parametrize(
    ("model", "kw", "match"),
    [
        ("F =~ x1 + x2 + x3\nx1 | t9", {}, "only 2 threshold"),
        ("F =~ x1 + x2 + x3\nx1 | q1", {}, "thresholds are named t1"),
        ("F =~ x1 + x2 + x3\nx4 | t1", {}, "not an indicator"),
        ("F =~ x1 + x2 + x3\nx1 ~~ x1", {}, "delta parameterisation"),
        ("F =~ x1 + x2 + x3\nx1 ~*~ x2", {}, "both sides"),
        ("F =~ x1 + x2 + x3", {"ordered": ["x7"]}, "none of the model's items"),
        ("F =~ x1 + x2 + x3", {"ordered": None}, "no item was declared ordered"),
        ("F =~ x1 + x2 + x3", {"estimator": "MLR"}, "not available for ordered"),
        ("F =~ x1 + x2 + x3", {"parameterization": "gamma"}, "parameterization"),
        ("F =~ x1 + x2 + x3", {"group_equal": ("slopes",)}, "unknown group_equal"),
        ("F =~ x1 + x2 + x3", {"missing": "fiml"}, "listwise"),
    ],
)
def test_errors_name_the_problem(model, kw, match):
    with pytest.raises((ModelError, DataError), match=match):
        cfa_ordinal(model, HSO, **kw)


def test_estimator_spec_matches_lavaan_defaults():
    assert estimator_spec("wlsmv") == estimator_spec("WLSMV")
    s = estimator_spec("WLSMV")
    assert (s.weight, s.se, s.test) == ("DWLS", "robust.sem", "scaled.shifted")
    s = estimator_spec("ULSM")
    assert (s.weight, s.se, s.test) == ("ULS", "robust.sem", "satorra.bentler")
    assert estimator_spec("DWLS", se="robust").se == "robust.sem"


def test_ordered_list_equal_to_all_items_and_column_order_irrelevant():
    items = [f"x{i}" for i in range(1, 10)]
    shuffled = HSO[["school", *items[::-1]]]
    res = cfa_ordinal(REF["hs_wlsmv"]["model"], shuffled, ordered=items)
    assert res.fit["chisq.scaled"] == pytest.approx(
        REF["hs_wlsmv"]["fit"]["chisq.scaled"], rel=1e-6
    )


def test_result_to_dict_is_json_ready():
    d = fitted("hs_mg_thr_load").to_dict()
    text = json.dumps(d, allow_nan=False)
    assert '"cfi.scaled"' in text and '"reliability"' in text
    assert d["fit"]["rmsea.robust"] is None
    assert "WLSMV" in fitted("hs_wlsmv").summary()


def test_reflection_gives_positive_first_loading_under_std_lv():
    res = fitted("ac_theta_stdlv")
    load = res.estimates[res.estimates.op == "=~"]
    firsts = load.groupby("lhs").head(1)
    assert (firsts["est"] > 0).all()


# ---------------------------------------------------------------------------------------------
# Simulation recovery
# ---------------------------------------------------------------------------------------------
def test_recovers_population_values():
    """Ordinal data cut from a two-factor normal model: estimates near the truth, and the 95%
    intervals of the standardized loadings cover it (all six here, with this seed)."""
    rng = np.random.default_rng(20240611)
    n = 3000
    lam = np.array([0.8, 0.7, 0.6])
    phi = 0.4
    f = rng.multivariate_normal([0, 0], [[1, phi], [phi, 1]], size=n)
    cols = {}
    cuts = [-1.0, 0.0, 0.8]
    for k in range(6):
        li = lam[k % 3]
        ystar = li * f[:, k // 3] + np.sqrt(1 - li**2) * rng.standard_normal(n)
        cols[f"y{k + 1}"] = np.searchsorted(cuts, ystar) + 1
    data = pd.DataFrame(cols)
    res = cfa_ordinal("F1 =~ y1 + y2 + y3\nF2 =~ y4 + y5 + y6", data, std_lv=True)
    load = res.estimates[res.estimates.op == "=~"]
    truth = np.tile(lam, 2)
    est = load["est"].to_numpy()
    se = load["se"].to_numpy()
    assert np.all(np.abs(est - truth) < 3 * se)
    th = res.estimates[(res.estimates.op == "|") & (res.estimates.lhs == "y1")]["est"].to_numpy()
    np.testing.assert_allclose(th, cuts, atol=0.1)
    cov = res.estimates[
        (res.estimates.op == "~~") & (res.estimates.lhs == "F1") & (res.estimates.rhs == "F2")
    ]
    assert cov["est"].iloc[0] == pytest.approx(phi, abs=0.06)
    assert res.fit["pvalue.scaled"] > 0.001


# ---------------------------------------------------------------------------------------------
# The CFAResult-compatible accessors (used by validity and report code)
# ---------------------------------------------------------------------------------------------
def test_accessors_match_lavaan_matrices():
    res = fitted("hs_wlsmv")
    pe = ref_frame("hs_wlsmv", "est")
    std = pe[pe.op == "=~"].set_index(["lhs", "rhs"])["std.all"]
    lam = res.loadings()
    for (fac, item), v in std.items():
        assert lam.loc[item, fac] == pytest.approx(v, abs=1e-5)
    assert lam.loc["x4", "visual"] == 0.0
    raw = res.loadings(standardized=False)
    assert raw.loc["x1", "visual"] == 1.0
    phi = res.factor_correlations()
    cov = pe[(pe.op == "~~") & (pe.lhs == "visual") & (pe.rhs == "textual")]["std.all"].iloc[0]
    assert phi.loc["visual", "textual"] == pytest.approx(cov, abs=1e-5)
    np.testing.assert_allclose(
        res.sample_cov().to_numpy(), np.array(REF["hs_wlsmv"]["polychoric"][0]), atol=1e-7
    )
    assert res.indicators == {
        "visual": ["x1", "x2", "x3"],
        "textual": ["x4", "x5", "x6"],
        "speed": ["x7", "x8", "x9"],
    }
    rv = res.residual_variances()
    theta = pe[(pe.op == "~~") & (pe.lhs == pe.rhs) & pe.lhs.str.startswith("x")]
    for item, v in zip(theta["lhs"], theta["est"], strict=True):
        assert rv[item] == pytest.approx(v, abs=1e-5)
    assert res.residual_means() is None
    assert res.chisq_test().chisq == pytest.approx(REF["hs_wlsmv"]["fit"]["chisq"], rel=1e-6)
    assert res.scaled_test().test == "scaled.shifted"
    ss = res.standardized()
    assert "est.std" in ss and "group" not in ss
    th = res.thresholds()
    assert list(th.columns) == ["item", "threshold", "group", "est", "se"]
    # modification indices: tests/unit/test_cfa_wlsmv_modindices.py
    assert set(res.modification_indices()["op"]) <= {"=~", "~~"}


def test_multigroup_accessors_are_keyed_by_group():
    res = fitted("hs_mg_thr_load")
    lam = res.loadings()
    assert set(lam) == {"Pasteur", "Grant-White"}
    assert res.factor_covariances("Grant-White").shape == (3, 3)
    with pytest.raises(Exception, match="no group"):
        res.sample_cov("Nowhere")


def test_mixed_indicators_robust_na_and_notes():
    res = fitted("hs_mixed")
    assert REF["hs_mixed"]["fit"]["cfi.robust"] is None
    assert math.isnan(res.fit["cfi.robust"])
    assert any("mixes ordered and continuous" in n for n in res.notes)
    assert any("Continuous indicators (x1, x2, x3)" in n for n in res.notes)
    # the continuous items keep their scale: variances and means are fitted
    cov = res.sample_cov()
    assert cov.loc["x1", "x1"] == pytest.approx(HS["x1"].var(ddof=0), rel=1e-10)
    th = res.sample_thresholds()
    assert th["x1|mean"] == pytest.approx(-HS["x1"].mean(), rel=1e-12)


def test_composite_reliability_na_for_mixed_factor():
    m = "F1 =~ x1 + x2 + x3 + x4\nF2 =~ x5 + x6 + x7 + x8 + x9"
    res = cfa_ordinal(m, HSM, ordered=ORD49)
    cr = res.composite_reliability().set_index("factor")
    assert math.isnan(cr.loc["F1", "omega"]) and "continuous" in cr.loc["F1", "note"]
    assert 0 < cr.loc["F2", "omega"] < 1


def test_repeated_terms_are_merged_as_lavaan():
    p = parse_ordinal_model("F =~ c(NA, NA)*x1 + c(a, a)*x1 + x2\nx1 | c(NA, NA)*t1 + c(b, b)*t1")
    load = p.core.statements[0]
    assert (load.rhs, load.modifier.fixed, load.modifier.label) == ("x1", (None, None), ("a", "a"))
    assert len(p.core.statements) == 2 and len(p.thresholds) == 1
    with pytest.raises(ModelError, match="two different fixed"):
        parse_ordinal_model("F =~ 1*x1 + 2*x1 + x2")


def test_wls_parts_reproduce_the_scaled_test():
    """The exported pieces give back lavaan's trace of U Gamma (for scaled difference tests)."""
    res = fitted("hs_wlsmv")
    parts = res.wls_parts()
    d, w, gam = parts["delta"][0], parts["weight"][0], parts["gamma"][0]
    v = w[:, None] * np.eye(w.size)
    u = v - v @ d @ parts["information_inv"] @ d.T @ v
    assert np.sum(u * gam) == pytest.approx(
        REF["hs_wlsmv"]["tests"]["scaled.shifted"]["trace.UGamma"], rel=1e-6
    )
    assert parts["free_names"][0] == "visual=~x2"


def test_dispatch_helper_for_cfa():
    from moscale.analysis.cfa.wls import maybe_cfa_ordinal

    m = REF["hs_wlsmv"]["model"]
    assert maybe_cfa_ordinal(m, HSO, estimator="ML") is None
    res = maybe_cfa_ordinal(m, HSO, ordered=True)  # ML default -> WLSMV, as lavaan
    assert res.estimator == "WLSMV"
    assert res.fit["chisq.scaled"] == pytest.approx(
        REF["hs_wlsmv"]["fit"]["chisq.scaled"], rel=1e-6
    )
    assert maybe_cfa_ordinal(m, HSO, ordered=True, estimator="ulsmv").estimator == "ULSMV"
    res = maybe_cfa_ordinal(m, HSO, ordered=True, parameterization="theta", se="standard")
    assert res.parameterization == "theta" and res.se == "standard"
    with pytest.raises(ModelError, match="ordered= was not"):
        maybe_cfa_ordinal(m, HSO, estimator="WLSMV")
    with pytest.raises(ModelError, match="MLR"):
        maybe_cfa_ordinal(m, HSO, ordered=True, estimator="MLR")
    with pytest.raises(ModelError, match="listwise"):
        maybe_cfa_ordinal(m, HSO, ordered=True, missing="fiml")
    assert maybe_cfa_ordinal(m, HSO, ordered=[]) is None


def test_perfectly_associated_binary_items_are_named():
    d = HSB.copy()
    d["x3"] = d["x2"]  # identical binary items: a 2 x 2 table with two empty cells
    with pytest.raises(DataError, match="x3 and x2 are perfectly associated"):
        cfa_ordinal(REF["hs_wlsmv"]["model"], d)
