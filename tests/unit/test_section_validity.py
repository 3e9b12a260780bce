"""The report's discriminant-validity and common-method-variance section
(analysis/sections/validity.py).

The section's JSON must carry exactly what :func:`moscale.analysis.validity.discriminant_validity`,
:func:`moscale.analysis.validity.htmt` and :mod:`moscale.analysis.cmv` return on the same data, and
those figures equal semTools 0.5.6 / lavaan 0.6.14 / psych on psych::bfi
(``Rscript tests/reference/report_cfa_validity.R`` -> ``tests/reference/report_cfa_validity.json``).
Exact formulas (HTMT on Pearson correlations, Harman's share) to 1e-6; estimates 1e-4 relative or
1e-3 absolute; robust and ordinal figures 1e-3. Bootstrap resamples are kept small here.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import moscale as ms
from moscale.analysis.report import Report
from moscale.analysis.sections import cfa as cfa_section
from moscale.analysis.sections import validity as validity_section
from moscale.analysis.simulate import PopulationModel, simulate_responses
from moscale.analysis.tables import format_value

from .section_helpers import (
    BFI_MODEL,
    assert_close,
    listwise_context,
    load_bfi,
    load_reference,
    table,
)

REF = load_reference("report_cfa_validity.json")
BFI = load_bfi()
BOOT = 200
SEED = 4


def run(ctx):
    cfa = cfa_section.build(ctx)
    return cfa, validity_section.build(ctx)


@pytest.fixture(scope="module")
def bfi_mlr():
    ctx = listwise_context(BFI, model=BFI_MODEL, ordinal="no", bootstrap=BOOT, seed=SEED)
    return (ctx, *run(ctx))


@pytest.fixture(scope="module")
def bfi_wlsmv():
    ctx = listwise_context(BFI, model=BFI_MODEL, ordinal="yes", bootstrap=BOOT, seed=SEED)
    return (ctx, *run(ctx))


@pytest.fixture
def no_method_factor(monkeypatch):
    """Skip the single-method-factor CFA in tests about other parts of the section: on small
    two-factor models the engine needs seconds to reach the (weakly identified) solution. The
    section then reports the failure in words, which is checked too."""
    from moscale.analysis import cmv
    from moscale.errors import ModelError

    def skipped(*args, **kwargs):
        raise ModelError("skipped in this test")

    monkeypatch.setattr(cmv, "method_factor_test", skipped)


def mat(block) -> pd.DataFrame:
    return pd.DataFrame(block["values"], index=block["rows"], columns=block["cols"], dtype=float)


# --------------------------------------------------------------------------------------------------
# Discriminant validity on bfi
# --------------------------------------------------------------------------------------------------


def test_discriminant_json_equals_direct_call(bfi_mlr):
    from moscale.analysis.validity import discriminant_validity

    ctx, _, section = bfi_mlr
    dv = ctx.results["validity"]["discriminant"]
    direct = discriminant_validity(ctx.found["cfa"], ctx.dataset.items, bootstrap=BOOT, seed=SEED)
    d = direct.to_dict()
    for key in ("table", "reliability", "correlations", "fornell_larcker"):
        assert dv[key] == d[key], key
    assert dv["htmt"]["matrix"] == d["htmt"]["matrix"]
    assert dv["htmt"]["ci_lower"] == d["htmt"]["ci_lower"]
    assert dv["htmt"]["ci_upper"] == d["htmt"]["ci_upper"]
    assert dv["htmt"]["bootstrap"] == BOOT and dv["htmt"]["seed"] == SEED
    pairs = direct.htmt.pairs
    assert [p["htmt"] for p in dv["pairs"]] == list(pairs["htmt"])
    assert [p["ci_upper"] for p in dv["pairs"]] == list(pairs["ci_upper"])
    # the printed matrix: √AVE on the diagonal, r below, HTMT [CI] above
    frame = table(section, "validity_matrix").frame
    sq = direct.reliability["sqrt_ave"]
    assert frame.iloc[0, 1] == format_value(sq["A"], "bounded", 2)
    h = direct.htmt.matrix.loc["A", "C"]
    lo, hi = direct.htmt.ci_lower.loc["A", "C"], direct.htmt.ci_upper.loc["A", "C"]
    fmt = lambda v: format_value(v, "bounded", 2)  # noqa: E731
    assert frame.iloc[0, 2] == f"{fmt(h)} [{fmt(lo)},\u00a0{fmt(hi)}]"
    r = direct.table.loc["C", "A"]
    assert frame.iloc[1, 1] == fmt(r) + "***"  # p < .001 (lavaan's p of the correlation)


def test_discriminant_figures_match_semtools(bfi_mlr):
    ctx, _, _ = bfi_mlr
    dv = ctx.results["validity"]["discriminant"]
    ref_h = mat(REF["htmt"])
    ours = mat(dv["htmt"]["matrix"]).loc[ref_h.index, ref_h.columns]
    np.testing.assert_allclose(ours.to_numpy(), ref_h.to_numpy(), atol=1e-6)
    for r in dv["reliability"]:
        assert_close(r["ave"], REF["mlr"]["ave"][r["factor"]], f"AVE {r['factor']}")
        assert_close(r["sqrt_ave"] ** 2, REF["mlr"]["ave"][r["factor"]], "sqrt AVE")
    ref_cor = mat(REF["mlr"]["cor_lv"])
    for p in dv["pairs"]:
        assert_close(p["r"], ref_cor.loc[p["factor1"], p["factor2"]], "factor r")
    t = REF["mlr"]["cor_lv_tests"]
    pv = {(a, b): p for a, b, p in zip(t["factor1"], t["factor2"], t["pvalue"], strict=True)}
    for p in dv["pairs"]:
        assert_close(p["pvalue"], pv[(p["factor1"], p["factor2"])], "p of r")


def test_discriminant_verdicts_in_words(bfi_mlr):
    ctx, _, section = bfi_mlr
    dv = ctx.results["validity"]["discriminant"]
    # A and E: |r| above the smaller √AVE -> Fornell-Larcker not met, marked in the matrix
    fl = {(p["factor1"], p["factor2"]): p["fornell_larcker_met"] for p in dv["pairs"]}
    viol = [k for k, ok in fl.items() if not ok]
    assert viol == [(v["factor1"], v["factor2"]) for v in dv["fornell_larcker"]["violations"]]
    frame = table(section, "validity_matrix").frame
    for a, b in viol:
        i, j = sorted([list("ACENO").index(a), list("ACENO").index(b)], reverse=True)
        assert frame.iloc[i, j + 1].endswith(validity_section.MARK_FL)
    assert any("Fornell–Larcker criterion not met for A–E" in w for w in section.warnings)
    pairs = table(section, "validity_pairs").frame
    assert set(pairs["HTMT verdict"]) == {"distinct"}
    assert any("every value is below .85" in p for p in section.paragraphs)
    note = table(section, "validity_matrix").note
    assert f"{BOOT} resamples, seed {SEED}" in note
    assert "HTMT ≥ .85 (Kline, 2011)" in note and "HTMT ≥ .90 (Gold et al., 2001)" in note
    assert any(s.startswith("Discriminant validity: Fornell–Larcker not met") for s in ctx.summary)


def test_ordinal_uses_pearson_bootstrap_and_reports_polychoric_htmt(bfi_wlsmv):
    from moscale.analysis.validity import discriminant_validity, htmt

    ctx, _, section = bfi_wlsmv
    dv = ctx.results["validity"]["discriminant"]
    assert dv["htmt_basis"] == "pearson"
    # Pearson HTMT with its bootstrap, as discriminant_validity() on the ordinal CFA gives it
    direct = discriminant_validity(ctx.found["cfa"], ctx.dataset.items, bootstrap=BOOT, seed=SEED)
    assert dv["htmt"] == direct.htmt.to_dict()
    ref_h = mat(REF["htmt"])
    np.testing.assert_allclose(
        mat(dv["htmt"]["matrix"]).loc[ref_h.index, ref_h.columns], ref_h, atol=1e-6
    )
    # polychoric point estimates beside them (semTools htmt(ordered = TRUE))
    fmap = ctx.found["cfa"].indicators
    poly = htmt(fmap, ctx.dataset.items, ordered=True)
    assert dv["htmt_polychoric"] == poly.to_dict()
    ref_p = mat(REF["htmt_polychoric"])
    ours = mat(dv["htmt_polychoric"]["matrix"]).loc[ref_p.index, ref_p.columns]
    np.testing.assert_allclose(ours.to_numpy(), ref_p.to_numpy(), atol=1e-3)
    assert "HTMT (polychoric)" in table(section, "validity_pairs").frame.columns
    assert any("Pearson correlations of the item scores" in p for p in section.paragraphs)
    # AVE on the latent-response scale = semTools AVE() of the WLSMV fit
    for r in dv["reliability"]:
        assert_close(r["ave"], REF["wlsmv"]["ave"][r["factor"]], "AVE", rel=1e-3)
    # the CMV checks with a method factor run as MLR, and say so
    assert any("treat the items as continuous (MLR)" in p for p in section.paragraphs)
    assert ctx.results["validity"]["cmv"]["method_factor"]["fits"]


# --------------------------------------------------------------------------------------------------
# Common-method variance on bfi
# --------------------------------------------------------------------------------------------------


def test_cmv_figures_match_psych_and_lavaan(bfi_mlr):
    from moscale.analysis.cmv import harman_single_factor, method_factor_test

    ctx, _, section = bfi_mlr
    cmv = ctx.results["validity"]["cmv"]
    items = [f"{c}{i}" for c in "ACENO" for i in range(1, 6)]
    assert cmv["harman"] == harman_single_factor(ctx.dataset.items[items]).to_dict()
    assert abs(cmv["harman"]["share"] - REF["harman"]["share"]) < 1e-6
    assert cmv["harman"]["n"] == REF["harman"]["n"]
    assert cmv["harman"]["n_eigen_gt1"] == REF["harman"]["n_eigen_gt1"]

    direct = method_factor_test(BFI_MODEL, ctx.dataset.items, estimator="MLR")
    mf = cmv["method_factor"]
    assert mf["comparison"] == direct.to_dict()["comparison"]
    ref = REF["method_factor"]
    comp = mf["comparison"]
    assert comp["method"] == "satorra.bentler.2001"
    assert_close(comp["delta_chisq"], ref["delta_chisq"], "delta chisq", rel=1e-3)
    assert comp["delta_df"] == ref["delta_df"]
    assert_close(
        comp["delta_cfi_robust"],
        ref["method"]["cfi.robust"] - ref["trait"]["cfi.robust"],
        "delta CFI robust",
        rel=1e-3,
    )
    assert_close(mf["method_variance"], ref["method_variance"], "method variance", rel=1e-3)
    frame = table(section, "cmv_method_factor").frame
    assert frame["CFI (robust)"].tolist() == [
        f["cfi.robust"] for f in sorted(mf["fits"], key=lambda f: f["model"] != "trait")
    ]
    text = " ".join(section.paragraphs)
    assert "Harman's single-factor test" in text and "The test is weak" in text
    assert "Δχ²(25)" in text and "Satorra–Bentler" in text
    # no marker scale (no instrument): said, and one is recommended
    assert cmv["marker"] is None and not cmv["marker_included"]
    assert "No marker variable was included" in text and "colour blue" in text


def test_marker_scale_runs_the_marker_checks(tmp_path, no_method_factor):
    from moscale.analysis.cmv import marker_variable

    study = tmp_path / "study.yaml"
    study.write_text(
        "id: markerstudy\ntitle: {en: Marker study}\nlanguages: [en]\n"
        "sections:\n  - scale: mktor\n  - scale: marker\n",
        encoding="utf-8",
    )
    inst = ms.load_instrument(study)
    df = simulate_responses(inst, 250, 4, PopulationModel())
    ctx = listwise_context(df, instrument=inst, bootstrap=50)
    _, section = run(ctx)
    cmv = ctx.results["validity"]["cmv"]
    assert cmv["marker_included"]
    # Harman and the method factor use the substantive items only
    assert len(cmv["items"]) == 15 and not any(i.startswith("marker") for i in cmv["items"])
    assert cmv["method_factor"] == {"error": "skipped in this test"}
    subst = "\n".join(line for line in ctx.model.splitlines() if not line.startswith("marker_blue"))
    model = subst + "\nmarker_blue =~ marker_blue1 + marker_blue2 + marker_blue3 + marker_blue4"
    direct = marker_variable(model, ctx.dataset.items, "marker_blue", estimator="MLR")
    assert cmv["marker"]["cfa"]["tests"] == direct.to_dict()["cfa"]["tests"]
    assert cmv["marker"]["lindell_whitney"]["r_m"] == direct.lindell_whitney.r_m
    frame = table(section, "cmv_marker").frame
    assert frame["Δχ²"].tolist() == list(direct.cfa.tests["delta_chisq"])
    text = " ".join(section.paragraphs)
    assert "Attitude toward the colour blue" in text and "Lindell and Whitney" in text
    assert "No marker variable" not in text


# --------------------------------------------------------------------------------------------------
# Thresholds, failures, language
# --------------------------------------------------------------------------------------------------


def _two_factors(r: float, n: int = 400, seed: int = 1, k: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 2)) @ np.linalg.cholesky([[1, r], [r, 1]]).T
    cols = {}
    for j, name in enumerate("ab"):
        for i in range(k):
            cols[f"{name}{i + 1}"] = 0.75 * f[:, j] + 0.66 * rng.normal(size=n)
    return pd.DataFrame(cols)


def test_htmt_above_90_is_marked_and_warned(no_method_factor):
    df = _two_factors(0.97)
    ctx = listwise_context(
        df, model="A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3", ordinal="no", bootstrap=100
    )
    _, section = run(ctx)
    pair = ctx.results["validity"]["discriminant"]["pairs"][0]
    assert pair["htmt"] >= 0.90
    cell = table(section, "validity_matrix").frame.iloc[0, 2]
    assert validity_section.MARK_90 in cell
    assert pair["verdict"] in {"90", "one"}
    assert any("HTMT reaches .90 for A–B" in w for w in section.warnings)
    assert any("HTMT reaches .90" in w for w in ctx.warnings)
    # r = .97 is far above √AVE (about .75): Fornell-Larcker fails too, marked below the diagonal
    assert pair["fornell_larcker_met"] is False
    assert table(section, "validity_matrix").frame.iloc[1, 1].endswith(validity_section.MARK_FL)


def test_htmt_between_85_and_90_is_marked(no_method_factor):
    df = _two_factors(0.87, n=3000, seed=3)
    ctx = listwise_context(
        df, model="A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3", ordinal="no", bootstrap=0
    )
    _, section = run(ctx)
    pair = ctx.results["validity"]["discriminant"]["pairs"][0]
    assert 0.85 <= pair["htmt"] < 0.90
    cell = table(section, "validity_matrix").frame.iloc[0, 2]
    assert cell.endswith(validity_section.MARK_85) and "[" not in cell
    assert pair["verdict"] == "85"
    assert "no bootstrap requested" in table(section, "validity_matrix").note


def test_unidentified_method_factor_is_reported_in_words():
    # two factors with two items each: the method factor adds more parameters than moments
    df = _two_factors(0.4, k=2)
    ctx = listwise_context(df, model="A =~ a1 + a2\nB =~ b1 + b2", ordinal="no", bootstrap=20)
    _, section = run(ctx)
    mf = ctx.results["validity"]["cmv"]["method_factor"]
    assert "error" in mf and "identified" in mf["error"]
    assert any("method-factor model could not be estimated" in w for w in section.warnings)
    assert not any(t.id == "cmv_method_factor" for t in section.tables)
    # the rest of the section is there
    assert ctx.results["validity"]["cmv"]["harman"] is not None
    assert any(t.id == "validity_matrix" for t in section.tables)


def test_one_factor():
    ctx = listwise_context(BFI.iloc[:300], model="N =~ N1 + N2 + N3 + N4 + N5", ordinal="no")
    _, section = run(ctx)
    res = ctx.results["validity"]
    assert res["discriminant"] is None
    assert res["cmv"]["method_factor"] is None and res["cmv"]["harman"]["n_items"] == 5
    text = " ".join(section.paragraphs)
    assert "at least two constructs" in text


def test_finnish_texts(no_method_factor):
    df = _two_factors(0.5)
    ctx = listwise_context(
        df, model="A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3", ordinal="no", bootstrap=50, lang="fi"
    )
    _, section = run(ctx)
    assert section.title == "Erotteluvaliditeetti ja yhteisen menetelmän varianssi"
    assert table(section, "validity_matrix").frame.columns[0] == "Konstrukti"
    assert list(table(section, "validity_pairs").frame["HTMT-arvio"]) == ["erottuu"]
    text = " ".join(section.paragraphs)
    assert "Harmanin yhden faktorin testi" in text and "merkkimuuttujaa" in text
    assert "uusintaotosta" in table(section, "validity_matrix").note
    assert any("Menetelmäfaktorimallia ei voitu estimoida" in w for w in section.warnings)
    html = Report(title="t", lang="fi", sections=[section], results=ctx.results).to_html()
    assert "Erotteluvaliditeetti konstruktipareittain" in html
    assert json.dumps(ctx.results["validity"])
