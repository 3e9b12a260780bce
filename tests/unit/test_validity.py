"""Composite reliability, AVE, Fornell–Larcker and HTMT against semTools 0.5.6 (compRelSEM, AVE, htmt).

Figures from tests/reference/validity.R (Rscript tests/reference/validity.R). The formula tests feed
lavaan's own estimates into moscale's functions (exact formulas: 1e-6); the end-to-end tests go through
moscale's CFA engine (ML estimates: 1e-3 absolute on CR/AVE, per the brief).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from moscale.analysis import validity as v
from moscale.errors import DataError, ModelError, UserError

HERE = Path(__file__).resolve().parents[1]
REF = json.loads((HERE / "reference" / "validity.json").read_text())
REV = ["A1", "C4", "C5", "E1", "E2", "O2", "O5"]
ITEMS = [f"{c}{i}" for c in "ACENO" for i in range(1, 6)]


def mat(d: dict) -> pd.DataFrame:
    vals = [[np.nan if x in ("NA", "NaN", None) else x for x in row] for row in d["values"]]
    return pd.DataFrame(np.array(vals, dtype=float), index=d["rows"], columns=d["cols"])


def ser(d: dict) -> pd.Series:
    return pd.Series(
        {k: np.nan if x in ("NA", "NaN", None) else x for k, x in d.items()}, dtype=float
    )


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    return pd.read_csv(HERE / "data" / "holzinger_swineford_1939.csv")


@pytest.fixture(scope="module")
def bfi_raw() -> pd.DataFrame:
    return pd.read_csv(HERE / "data" / "bfi.csv")


@pytest.fixture(scope="module")
def bfi(bfi_raw) -> pd.DataFrame:
    d = bfi_raw.copy()
    d[REV] = 7 - d[REV]
    return d


DATASETS = {"hs": "hs", "bfi": "bfi", "bfi_unreversed": "bfi_raw", "bfi_missing": "bfi"}


# ----------------------------------------------------------------------------- CR and AVE formulas


@pytest.mark.parametrize("key", ["hs", "hs_cross", "bfi", "bfi_unreversed"])
@pytest.mark.parametrize("obs_var", [True, False])
def test_cr_and_ave_formulas_match_semtools_on_lavaan_estimates(key, obs_var):
    b = REF[key]
    sig = mat(b["sample_cov"] if obs_var else b["implied_cov"])
    kw = dict(loadings=mat(b["lambda"]), factor_cov=mat(b["psi"]), total_cov=sig)
    cr = v.composite_reliability(**kw)
    av = v.ave(**kw)
    ref_cr = ser(b["comprel" if obs_var else "comprel_implied"])
    ref_ave = ser(b["ave" if obs_var else "ave_implied"])
    assert list(cr.index) == list(ref_cr.index)
    np.testing.assert_allclose(cr.to_numpy(), ref_cr.to_numpy(), rtol=0, atol=1e-6)
    assert list(av.index) == list(ref_ave.index)
    np.testing.assert_allclose(av.to_numpy(), ref_ave.to_numpy(), rtol=0, atol=1e-6)


@pytest.mark.parametrize("key", ["hs", "hs_cross", "bfi"])
def test_tau_equivalent_alpha_matches_semtools(key):
    b = REF[key]
    a = v.composite_reliability(
        loadings=mat(b["lambda"]),
        factor_cov=mat(b["psi"]),
        total_cov=mat(b["sample_cov"]),
        tau_eq=True,
    )
    assert a.name == "alpha"
    np.testing.assert_allclose(a.to_numpy(), ser(b["comprel_taueq"]).to_numpy(), atol=1e-6)


def test_ave_is_nan_for_factors_with_a_cross_loading_indicator():
    b = REF["hs_cross"]
    av = v.ave(loadings=mat(b["lambda"]), factor_cov=mat(b["psi"]), total_cov=mat(b["sample_cov"]))
    assert np.isnan(av["visual"]) and np.isnan(av["speed"])  # x9 loads on both (semTools: NA)
    assert av["textual"] == pytest.approx(REF["hs_cross"]["ave"]["textual"], abs=1e-6)


def test_cr_textbook_form_for_standardised_congeneric_model():
    # (Σλ)² / ((Σλ)² + Σθ) with λ = .8, .7, .6 and θ = 1 − λ²: 4.41 / 5.92 (hand computation)
    lam = pd.DataFrame({"F": [0.8, 0.7, 0.6]}, index=list("abc"))
    phi = pd.DataFrame([[1.0]], index=["F"], columns=["F"])
    sig = lam @ phi @ lam.T + pd.DataFrame(np.diag([0.36, 0.51, 0.64]), lam.index, lam.index)
    cr = v.composite_reliability(loadings=lam, factor_cov=phi, total_cov=sig)
    assert cr["F"] == pytest.approx(4.41 / 5.92, abs=1e-12)
    assert v.ave(loadings=lam, factor_cov=phi, total_cov=sig)["F"] == pytest.approx(
        1.49 / 3, abs=1e-12
    )


def test_single_indicator_factors_are_dropped_as_in_semtools():
    lam = pd.DataFrame({"F": [0.8, 0.7, 0.0], "G": [0.0, 0.0, 1.0]}, index=list("abc"))
    phi = pd.DataFrame(np.eye(2), index=["F", "G"], columns=["F", "G"])
    sig = pd.DataFrame(
        np.eye(3) + lam.to_numpy() @ lam.to_numpy().T, index=list("abc"), columns=list("abc")
    )
    assert list(v.composite_reliability(loadings=lam, factor_cov=phi, total_cov=sig).index) == ["F"]
    keep = v.ave(loadings=lam, factor_cov=phi, total_cov=sig, drop_single=False)
    assert list(keep.index) == ["F", "G"]


def test_matrix_size_errors_are_user_errors():
    lam = pd.DataFrame({"F": [0.8, 0.7]}, index=["a", "b"])
    with pytest.raises(UserError, match="sizes"):
        v.composite_reliability(loadings=lam, factor_cov=np.eye(2), total_cov=np.eye(2))
    with pytest.raises(UserError, match="need a CFA result"):
        v.ave(loadings=lam)


# ----------------------------------------------------------------------------- Fornell–Larcker


def test_fornell_larcker_uses_sqrt_ave_and_factor_correlations():
    b = REF["hs"]
    av = ser(b["ave"])
    cor = mat(b["cor_lv"])
    fl = v.fornell_larcker(ave=av, factor_cor=cor)
    np.testing.assert_allclose(np.diag(fl.matrix), np.sqrt(av.to_numpy()), atol=1e-12)
    off = ~np.eye(3, dtype=bool)
    np.testing.assert_allclose(fl.matrix.to_numpy()[off], cor.to_numpy()[off], atol=1e-12)
    # criterion from R's figures: √AVE_f > max_g |r_fg|
    r = np.abs(cor.to_numpy())
    np.fill_diagonal(r, 0)
    expected = np.sqrt(av.to_numpy()) > r.max(axis=1)
    assert fl.passed.tolist() == expected.tolist()
    root = np.sqrt(av.to_numpy())
    n_viol = sum(r[i, j] >= min(root[i], root[j]) for i in range(3) for j in range(i + 1, 3))
    assert len(fl.violations) == n_viol


def test_fornell_larcker_flags_a_violation():
    av = pd.Series({"A": 0.49, "B": 0.64})  # √AVE .7 and .8
    cor = pd.DataFrame([[1, -0.75], [-0.75, 1]], index=["A", "B"], columns=["A", "B"])
    fl = v.fornell_larcker(ave=av, factor_cor=cor)
    assert fl.passed.to_dict() == {"A": False, "B": True}
    assert fl.violations[["factor1", "factor2"]].values.tolist() == [["A", "B"]]
    assert fl.to_dict()["passed"] == {"A": False, "B": True}


# ----------------------------------------------------------------------------- HTMT


@pytest.mark.parametrize("key", list(DATASETS))
@pytest.mark.parametrize(
    "variant,kw",
    [("htmt", {}), ("htmt2", {"htmt2": True}), ("htmt_signed", {"absolute": False})],
)
def test_htmt_matches_semtools(key, variant, kw, request):
    data = request.getfixturevalue(DATASETS[key])
    model = REF["hs" if key == "hs" else "bfi"]["model"]
    res = v.htmt(model, data, **kw)
    ref = mat(REF[key][variant])
    assert list(res.matrix.index) == list(ref.index)
    assert (res.matrix.isna().to_numpy() == ref.isna().to_numpy()).all()
    np.testing.assert_allclose(res.matrix.to_numpy(), ref.to_numpy(), atol=1e-6, equal_nan=True)
    assert res.method == ("HTMT2" if kw.get("htmt2") else "HTMT")


@pytest.mark.parametrize("variant,kw", [("htmt", {}), ("htmt2", {"htmt2": True})])
def test_ordinal_htmt_matches_semtools_polychoric(bfi, variant, kw):
    res = v.htmt(REF["bfi"]["model"], bfi, ordered=True, **kw)
    ref = mat(REF["bfi_ordered"][variant])
    np.testing.assert_allclose(res.matrix.to_numpy(), ref.to_numpy(), atol=1e-3)


def test_ordinal_bootstrap_resamples_polychoric_matrices(bfi):
    model = "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5"
    calls = []
    a = v.htmt(
        model, bfi, ordered=True, bootstrap=12, seed=4, progress=lambda d, t: calls.append(d)
    )
    b = v.htmt(
        model,
        bfi,
        ordered=["A1", "A2", "A3", "A4", "A5", "C1", "C2", "C3", "C4", "C5"],
        bootstrap=12,
        seed=4,
    )
    assert calls == [10, 12]
    pd.testing.assert_frame_equal(a.ci_upper, b.ci_upper)
    est = a.matrix.loc["agree", "consc"]
    assert a.ci_lower.loc["agree", "consc"] < est < a.ci_upper.loc["agree", "consc"]
    with pytest.raises(UserError, match="Z9"):
        v.htmt(model, bfi, ordered=["Z9"])


def test_htmt_listwise_deletion_over_model_items_only(bfi):
    res = v.htmt(REF["bfi"]["model"], bfi)
    assert res.n == REF["bfi"]["n_complete"]
    assert any("listwise" in n for n in res.notes)


def test_absolute_htmt_does_not_depend_on_reverse_keying(bfi, bfi_raw):
    model = REF["bfi"]["model"]
    a = v.htmt(model, bfi).matrix
    b = v.htmt(model, bfi_raw)
    np.testing.assert_allclose(a.to_numpy(), b.matrix.to_numpy(), atol=1e-12)
    assert any("reverse-keyed" in n for n in b.notes)
    signed = v.htmt(model, bfi_raw, absolute=False).matrix
    assert not np.allclose(a.to_numpy(), signed.to_numpy(), equal_nan=True)


def test_htmt_from_covariance_or_correlation_matrix_equals_data(hs):
    model = REF["hs"]["model"]
    items = [f"x{i}" for i in range(1, 10)]
    from_data = v.htmt(model, hs).matrix
    from_cov = v.htmt(model, sample_cov=hs[items].cov()).matrix
    from_cor = v.htmt(model, sample_cov=hs[items].corr()).matrix
    np.testing.assert_allclose(from_cov.to_numpy(), from_data.to_numpy(), atol=1e-12)
    np.testing.assert_allclose(from_cor.to_numpy(), from_data.to_numpy(), atol=1e-12)
    assert v.htmt(model, sample_cov=hs[items].cov()).n is None


def test_htmt_accepts_a_factor_mapping(hs):
    fmap = {
        "visual": ["x1", "x2", "x3"],
        "textual": ["x4", "x5", "x6"],
        "speed": ["x7", "x8", "x9"],
    }
    np.testing.assert_allclose(
        v.htmt(fmap, hs).matrix.to_numpy(), mat(REF["hs"]["htmt"]).to_numpy(), atol=1e-6
    )


def test_threshold_flags(hs):
    res = v.htmt(REF["hs"]["model"], hs, thresholds=(0.40, 0.45))
    ref = mat(REF["hs"]["htmt"])
    for row in res.pairs.itertuples():
        h = ref.loc[row.factor1, row.factor2]
        assert row.htmt == pytest.approx(h, abs=1e-6)
    flags = res.pairs[["above_0.40", "above_0.45"]].to_numpy()
    expected = np.array([[h >= 0.40, h >= 0.45] for h in res.pairs["htmt"]])
    assert (flags == expected).all()
    assert any("may not be empirically distinct" in n for n in res.notes)


# ----------------------------------------------------------------------------- bootstrap


def test_bootstrap_is_reproducible_and_brackets_the_estimate(bfi):
    model = REF["bfi"]["model"]
    a = v.htmt(model, bfi, bootstrap=300, seed=11)
    b = v.htmt(model, bfi, bootstrap=300, seed=11)
    c = v.htmt(model, bfi, bootstrap=300, seed=12)
    pd.testing.assert_frame_equal(a.ci_lower, b.ci_lower)
    pd.testing.assert_frame_equal(a.ci_upper, b.ci_upper)
    assert not np.allclose(a.ci_upper.to_numpy(), c.ci_upper.to_numpy())
    iu = np.triu_indices(5, 1)
    lo, hi, est = (m.to_numpy()[iu] for m in (a.ci_lower, a.ci_upper, a.matrix))
    assert (lo < est).all() and (est < hi).all()
    assert a.bootstrap_valid == 300 and a.seed == 11
    assert {"ci_upper_above_0.85", "ci_upper_above_0.90", "ci_includes_1"} <= set(a.pairs.columns)


def test_vectorised_bootstrap_equals_resampling_the_rows(hs):
    """The count-weighted correlations equal htmt() recomputed on each resampled data set."""
    model = REF["hs"]["model"]
    items = [f"x{i}" for i in range(1, 10)]
    x = hs[items].to_numpy(float)
    n = len(x)
    b = 40
    res = v.htmt(model, hs, bootstrap=b, seed=3, level=0.9)
    counts = v._boot_counts(np.random.default_rng(3), n, b)  # same generator stream (one chunk)
    boots = []
    for w in counts.astype(int):
        d = pd.DataFrame(np.repeat(x, w, axis=0), columns=items)
        boots.append(v.htmt(model, d).matrix.to_numpy())
    boots = np.array(boots)
    lo = np.quantile(boots, 0.05, axis=0)
    hi = np.quantile(boots, 0.95, axis=0)
    np.testing.assert_allclose(res.ci_lower.to_numpy(), lo, atol=1e-10)
    np.testing.assert_allclose(res.ci_upper.to_numpy(), hi, atol=1e-10)


def test_bootstrap_progress_callback_and_chunks(hs):
    calls = []
    res = v.htmt(
        REF["hs"]["model"],
        hs,
        bootstrap=95,
        seed=1,
        chunk_size=20,
        progress=lambda d, t: calls.append((d, t)),
    )
    assert calls == [(20, 95), (40, 95), (60, 95), (80, 95), (95, 95)]
    # chunking does not change the draws
    one = v.htmt(REF["hs"]["model"], hs, bootstrap=95, seed=1, chunk_size=1000)
    pd.testing.assert_frame_equal(res.ci_upper, one.ci_upper)


def test_htmt2_bootstrap_runs(hs):
    res = v.htmt(REF["hs"]["model"], hs, htmt2=True, bootstrap=200, seed=5)
    est = res.matrix.to_numpy()[np.triu_indices(3, 1)]
    assert (res.ci_lower.to_numpy()[np.triu_indices(3, 1)] < est).all()
    assert res.to_dict()["method"] == "HTMT2"


def test_two_thousand_resamples_all_valid(bfi):
    # timing lives in benchmarks/bench_validity.py, not here
    res = v.htmt(REF["bfi"]["model"], bfi, bootstrap=2000, seed=1)
    assert res.bootstrap_valid == 2000
    est = res.matrix.to_numpy()[np.triu_indices(5, 1)]
    assert (res.ci_lower.to_numpy()[np.triu_indices(5, 1)] <= est).all()
    assert (res.ci_upper.to_numpy()[np.triu_indices(5, 1)] >= est).all()


# ----------------------------------------------------------------------------- input handling


def test_indicator_map_reads_lavaan_modifiers_and_continuations():
    model = """
    # a comment
    F1 =~ 1*a + 0.5*b + lab*c   # trailing comment
    F2 =~ NA*d + e +
          f
    F3 =~ start(0.7)*g + c(l1, l2)*h; F1 ~~ F2
    g ~~ h
    """
    assert v.indicator_map(model) == {
        "F1": ["a", "b", "c"],
        "F2": ["d", "e", "f"],
        "F3": ["g", "h"],
    }


def test_model_without_factors_is_a_model_error():
    with pytest.raises(ModelError):
        v.indicator_map("y ~ x")


def test_missing_and_non_numeric_items_are_named(hs):
    with pytest.raises(DataError, match="x10"):
        v.htmt("F =~ x1 + x2 + x10\nG =~ x4 + x5", hs)
    with pytest.raises(DataError, match="school"):
        v.htmt("F =~ x1 + x2 + school\nG =~ x4 + x5", hs)


def test_bootstrap_needs_raw_data(hs):
    with pytest.raises(UserError, match="raw data"):
        v.htmt(
            REF["hs"]["model"], sample_cov=hs[[f"x{i}" for i in range(1, 10)]].cov(), bootstrap=10
        )
    with pytest.raises(UserError):
        v.htmt(REF["hs"]["model"], hs, missing="pairwise")


def test_single_indicator_factor_gives_nan_and_a_note(hs):
    res = v.htmt("F =~ x1 + x2 + x3\nG =~ x4", hs)
    assert np.isnan(res.matrix.loc["F", "G"])
    assert any("single-indicator" in n for n in res.notes)
    assert res.to_dict()["matrix"]["values"][0][1] is None


def test_higher_order_factor_is_left_out_of_htmt(hs):
    res = v.htmt(REF["hs"]["model"] + "\ng =~ visual + textual + speed", hs)
    assert list(res.matrix.index) == ["visual", "textual", "speed"]
    np.testing.assert_allclose(res.matrix.to_numpy(), mat(REF["hs"]["htmt"]).to_numpy(), atol=1e-6)
    assert any("Higher-order" in n for n in res.notes)


def test_constant_item_is_a_data_error(hs):
    d = hs.copy()
    d["x1"] = 1.0
    with pytest.raises(DataError, match="x1"):
        v.htmt(REF["hs"]["model"], d)


# ----------------------------------------------------------------------------- end to end via cfa()


@pytest.fixture(scope="module")
def cfa_api():
    return pytest.importorskip("moscale.analysis.cfa.api")


@pytest.mark.parametrize("key,data", [("hs", "hs"), ("hs_cross", "hs"), ("bfi", "bfi")])
def test_cr_ave_through_cfa_engine(cfa_api, key, data, request):
    d = request.getfixturevalue(data)
    b = REF[key]
    if key == "bfi":
        d = d[ITEMS].dropna()
    res = cfa_api.cfa(b["model"], d)
    for obs, ck, ak in ((True, "comprel", "ave"), (False, "comprel_implied", "ave_implied")):
        cr = v.composite_reliability(res, obs_var=obs)
        av = v.ave(res, obs_var=obs)
        np.testing.assert_allclose(cr.to_numpy(), ser(b[ck]).to_numpy(), atol=1e-3)
        np.testing.assert_allclose(av.to_numpy(), ser(b[ak]).to_numpy(), atol=1e-3, equal_nan=True)


def test_discriminant_validity_table_through_cfa_engine(cfa_api, hs):
    b = REF["hs"]
    res = cfa_api.cfa(b["model"], hs)
    dv = v.discriminant_validity(res, hs, bootstrap=200, seed=2)
    facs = ["visual", "textual", "speed"]
    t = dv.table.loc[facs, facs].to_numpy()
    np.testing.assert_allclose(np.diag(t), np.sqrt(ser(b["ave"]).to_numpy()), atol=1e-3)
    cor = mat(b["cor_lv"]).loc[facs, facs].to_numpy()
    h = mat(b["htmt"]).loc[facs, facs].to_numpy()
    lower = np.tri(3, k=-1, dtype=bool)
    np.testing.assert_allclose(t[lower], cor[lower], atol=1e-3)
    np.testing.assert_allclose(t[lower.T], h[lower.T], atol=1e-6)
    np.testing.assert_allclose(
        dv.reliability["omega"].to_numpy(), ser(b["comprel"]).to_numpy(), atol=1e-3
    )
    assert dv.reliability["ave_ok"].tolist() == (ser(b["ave"]) >= 0.5).tolist()
    assert dv.htmt.ci_upper is not None
    ref = pd.DataFrame(b["std_lv_cov"])
    np.testing.assert_allclose(dv.correlations["r"], ref["est"], atol=1e-3)
    np.testing.assert_allclose(dv.correlations["se"], ref["se"], rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(dv.correlations["pvalue"], ref["pvalue"], atol=1e-3)
    assert any("AVE below .50" in n for n in dv.notes)
    json.dumps(dv.to_dict())


def test_multigroup_result_is_refused_with_a_hint(cfa_api, hs):
    res = cfa_api.cfa(REF["hs"]["model"], hs, group="school")
    with pytest.raises(ModelError, match="one group at a time"):
        v.composite_reliability(res)


def test_composite_reliability_of_an_ordinal_fit_is_semtools_ord_scale():
    """compRelSEM(fit) on lavaan's WLSMV fit of bfi A + C (tests/reference/cfa_wlsmv.R)."""
    import json
    from pathlib import Path

    from moscale.analysis.cfa.wls import cfa_ordinal

    here = Path(__file__).resolve().parents[1]
    ref = json.loads((here / "reference" / "cfa_wlsmv.json").read_text())["ac_wlsmv"]
    data = pd.read_csv(here / "data" / "bfi.csv")[ref["items"]]
    res = cfa_ordinal(ref["model"], data, ordered=True, estimator="WLSMV")
    cr = v.composite_reliability(res)
    for factor, value in ref["comprel"].items():
        assert cr[factor] == pytest.approx(value, abs=1e-5)
