"""The report's CFA section (analysis/sections/cfa.py).

Two kinds of checks: the section's JSON carries exactly what :func:`moscale.analysis.cfa.api.cfa`,
:func:`moscale.analysis.cfa.wls.cfa_ordinal` and :mod:`moscale.analysis.validity` return (called
directly on the same data), and those figures equal lavaan 0.6.14 / semTools 0.5.6 on psych::bfi
(``Rscript tests/reference/report_cfa_validity.R`` -> ``tests/reference/report_cfa_validity.json``).
Tolerances from the brief: ML estimates and fit 1e-4 relative or 1e-3 absolute; robust and ordinal
1e-3. Then what the report must say: the planted weak item is named, failures warn instead of
crashing, user text is escaped, Finnish texts appear with ``lang="fi"``.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from moscale.analysis import pipeline
from moscale.analysis.report import Report
from moscale.analysis.sections import cfa as cfa_section
from moscale.analysis.sections import validity as validity_section

from .section_helpers import (
    BFI_MODEL,
    assert_close,
    example_responses,
    listwise_context,
    load_bfi,
    load_reference,
    table,
)

REF = load_reference("report_cfa_validity.json")
BFI = load_bfi()


def same(a, b) -> bool:
    """Equal numbers, with NaN and None meaning the same (JSON has no NaN)."""
    fa = None if a is None or (isinstance(a, float) and math.isnan(a)) else float(a)
    fb = None if b is None or (isinstance(b, float) and math.isnan(b)) else float(b)
    return fa == fb


# --------------------------------------------------------------------------------------------------
# Fixtures: each model is fitted once per module
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example():
    df = example_responses(300, 11, item_loadings={"mktor_co4": 0.25})
    ctx = listwise_context(df, instrument="example")
    section = cfa_section.build(ctx)
    return ctx, section


@pytest.fixture(scope="module")
def bfi_mlr():
    ctx = listwise_context(BFI, model=BFI_MODEL, ordinal="no")
    section = cfa_section.build(ctx)
    return ctx, section


@pytest.fixture(scope="module")
def bfi_wlsmv():
    ctx = listwise_context(BFI, model=BFI_MODEL, ordinal="yes")
    section = cfa_section.build(ctx)
    return ctx, section


# --------------------------------------------------------------------------------------------------
# The planted weak item, second-order model, what the section contains
# --------------------------------------------------------------------------------------------------


def test_weak_item_is_named_in_the_warnings(example):
    ctx, section = example
    res = ctx.results["cfa"]
    weak = {w["item"] for w in res["weak_items"]}
    assert weak == {"mktor_co4"}
    assert any("mktor_co4" in w for w in section.warnings)
    assert any("mktor_co4" in w for w in ctx.warnings)
    # the loading in the warning is the one in the table and in the JSON
    row = next(r for r in res["loadings"] if r["item"] == "mktor_co4")
    assert row["std_all"] < 0.5
    frame = table(section, "cfa_loadings").frame
    assert frame.loc[frame["Item"] == "mktor_co4", "λ"].item() == row["std_all"]


def test_example_section_layout(example):
    ctx, section = example
    ids = [t.id for t in section.tables]
    assert ids[:3] == ["cfa_loadings", "cfa_reliability", "cfa_fit"]
    assert [f.id for f in section.figures] == ["cfa_path"]
    assert section.figures[0].svg.startswith("<svg")
    frame = table(section, "cfa_loadings").frame
    # readable construct names and the item wording from the instrument
    assert "Customer orientation" in set(frame["Construct"])
    assert frame["Wording"].str.len().min() > 10
    res = ctx.results["cfa"]
    assert res["estimator"] == "MLR" and res["converged"] and res["n"] == 300
    # 35 items and 7 factors at 300 respondents: fewer than 5 per free parameter
    assert res["npar"] == 91
    assert any("per free parameter" in w for w in section.warnings)
    # objects for the later sections
    assert ctx.found["cfa"].converged
    assert set(ctx.found["cfa_cr"].index) == set(res["factors"])
    assert json.dumps(Report(title="t", sections=[section], results=ctx.results).to_dict())


def test_second_order_models_from_the_instrument(example):
    ctx, section = example
    so = ctx.results["cfa"]["second_order"]
    assert so["fitted"] and so["converged"]
    assert set(so["factors"]) == {"mktor_market_orientation", "ccrm_collaborative_crm"}
    assert so["labels"]["mktor_market_orientation"] == "Market orientation"
    # its fit is the engine's, and it appears in the fit table
    direct = ctx.found["cfa_second_order"].fit_measures()
    assert so["fit_measures"]["cfi.robust"] == direct["cfi.robust"]
    fit = table(section, "cfa_fit").frame
    assert (fit["Model"] == "Second-order factor(s)").sum() == 3
    assert any("Market orientation" in p for p in section.paragraphs)


def test_alpha_comes_from_the_reliability_section():
    class Rel:
        def __init__(self, a):
            self.alpha = a

    bfi = BFI.iloc[:600]
    model = "A =~ A2 + A3 + A4 + A5\nN =~ N1 + N2 + N3 + N4 + N5"
    ctx = listwise_context(bfi, model=model, ordinal="no")
    ctx.found["reliability"] = {"A": Rel(0.71), "N": Rel(0.82)}
    section = cfa_section.build(ctx)
    assert ctx.results["cfa"]["alpha"] == {"A": 0.71, "N": 0.82}
    assert list(table(section, "cfa_reliability").frame["α"]) == [0.71, 0.82]


# --------------------------------------------------------------------------------------------------
# bfi, MLR: the JSON is what cfa() and validity give, and those are lavaan's / semTools' figures
# --------------------------------------------------------------------------------------------------


def test_mlr_json_equals_direct_calls(bfi_mlr):
    from moscale.analysis.cfa.api import cfa
    from moscale.analysis.validity import ave, composite_reliability

    ctx, _ = bfi_mlr
    res = ctx.results["cfa"]
    direct = cfa(BFI_MODEL, ctx.dataset.items, estimator="MLR")
    fm = direct.fit_measures()
    assert set(res["fit_measures"]) == set(fm)
    assert all(same(res["fit_measures"][k], v) for k, v in fm.items())
    std = direct.standardized()
    load = std[std["op"] == "=~"]
    assert [r["std_all"] for r in res["loadings"]] == list(load["est.std"])
    assert [r["z"] for r in res["loadings"]] == list(load["z"])
    assert res["composite_reliability"] == composite_reliability(direct).to_dict()
    assert res["ave"] == ave(direct).to_dict()
    assert res["r_squared"] == direct.r_squared().to_dict()
    mi = direct.modification_indices(minimum=10).head(10)
    assert [r["mi"] for r in res["modification_indices"]] == list(mi["mi"])


def test_mlr_figures_match_lavaan(bfi_mlr):
    ctx, section = bfi_mlr
    res = ctx.results["cfa"]
    ref = REF["mlr"]
    assert res["n"] == ref["n"] == 2436
    assert res["npar"] == ref["npar"]
    for k, v in ref["fit"].items():
        if k not in res["fit_measures"]:
            continue
        robust = ".scaled" in k or ".robust" in k or "scaling" in k
        assert_close(res["fit_measures"][k], v, k, rel=1e-3 if robust else 1e-4)
    # the indices the report prints are lavaan's robust ones
    fit = res["fit"]
    assert fit["version"] == "robust"
    for key, name in fit["names"].items():
        assert_close(fit[key], ref["fit"][name], name, rel=1e-3)
    lr = ref["loadings"]
    for r, std, z, p in zip(res["loadings"], lr["std"], lr["z"], lr["pvalue"], strict=True):
        assert_close(r["std_all"], std, f"std {r['item']}")
        assert_close(r["z"], z, f"z {r['item']}", rel=1e-3)
        assert_close(r["pvalue"], p, f"p {r['item']}")
    for item, v in ref["r2"].items():
        assert_close(res["r_squared"][item], v, f"R2 {item}")
    for f, v in ref["comprel"].items():
        assert_close(res["composite_reliability"][f], v, f"CR {f}")
    for f, v in ref["ave"].items():
        assert_close(res["ave"][f], v, f"AVE {f}")
    mi = ref["mi"]
    assert [(r["lhs"], r["op"], r["rhs"]) for r in res["modification_indices"]] == list(
        zip(mi["lhs"], mi["op"], mi["rhs"], strict=True)
    )
    for r, m, epc, sepc in zip(
        res["modification_indices"], mi["mi"], mi["epc"], mi["sepc.all"], strict=True
    ):
        assert_close(r["mi"], m, "mi", rel=1e-3)
        assert_close(r["epc"], epc, "epc", rel=1e-3)
        assert_close(r["sepc.all"], sepc, "sepc.all", rel=1e-3)
    rr = ref["residuals"]
    assert [(r["item1"], r["item2"]) for r in res["residual_correlations"]] == list(
        zip(rr["item1"], rr["item2"], strict=True)
    )
    for r, v in zip(res["residual_correlations"], rr["r"], strict=True):
        assert_close(r["residual"], v, "residual r")
    # the table shows the same numbers
    frame = table(section, "cfa_loadings").frame
    np.testing.assert_array_equal(frame["λ"].to_numpy(), [r["std_all"] for r in res["loadings"]])
    # no instrument: item codes, no wording column
    assert "Wording" not in frame.columns


def test_mlr_fit_note_is_apa_with_cutoffs_in_words(bfi_mlr):
    ctx, section = bfi_mlr
    note = table(section, "cfa_loadings").note
    fit = ctx.results["cfa"]["fit"]
    assert f"χ²({int(fit['df'])}) = {fit['chisq']:.2f}" in note
    assert "scaling factor" in note and "robust CFI" in note
    assert f"CFI = {fit['cfi']:.3f}".replace("0.", ".") in note
    assert "Hu & Bentler, 1999" in note and "CFI and TLI ≥ .95" in note
    # bfi's five-factor model fits poorly: said in words
    assert fit["verdict"] == "poor"
    assert any("does not fit the data well" in p for p in section.paragraphs)
    assert any("misses it" in p for p in section.paragraphs)
    # the fit table: standard, scaled and robust rows
    ft = table(section, "cfa_fit").frame
    assert list(ft["Version"]) == ["Standard", "Scaled", "Robust"]
    fm = ctx.results["cfa"]["fit_measures"]
    assert ft["CFI"].tolist() == [fm["cfi"], fm["cfi.scaled"], fm["cfi.robust"]]
    assert ft["Scaling factor"].iloc[1] == fm["chisq.scaling.factor"]


def test_unrecoded_reverse_items_flagged(bfi_mlr):
    _, section = bfi_mlr
    text = " ".join(section.paragraphs)
    assert "loading negatively" in text and "C4" in text and "O5" in text


# --------------------------------------------------------------------------------------------------
# bfi, WLSMV
# --------------------------------------------------------------------------------------------------


def test_wlsmv_json_equals_direct_calls_and_lavaan(bfi_wlsmv):
    from moscale.analysis.cfa.wls import cfa_ordinal, ordinal_composite_reliability
    from moscale.analysis.validity import ave

    ctx, section = bfi_wlsmv
    res = ctx.results["cfa"]
    assert res["estimator"] == "WLSMV" and res["ordered"]
    direct = cfa_ordinal(BFI_MODEL, ctx.dataset.items, ordered=True)
    fm = direct.fit_measures()
    assert all(same(res["fit_measures"][k], v) for k, v in fm.items())
    cr = ordinal_composite_reliability(direct)
    assert res["composite_reliability"] == dict(zip(cr["factor"], cr["omega"], strict=True))
    assert res["ave"] == ave(direct).to_dict()

    ref = REF["wlsmv"]
    assert res["n"] == ref["n"]
    for k, v in ref["fit"].items():
        if k in res["fit_measures"]:
            assert_close(res["fit_measures"][k], v, k, rel=1e-3)
    fit = res["fit"]
    assert fit["version"] == "scaled" and fit["names"]["cfi"] == "cfi.scaled"
    assert (
        fit["names"]["shift"] == "chisq.shift.parameter"
    )  # not in fitMeasures(): see test_cfa_wlsmv
    for key, name in fit["names"].items():
        if key != "shift":
            assert_close(fit[key], ref["fit"][name], name, rel=1e-3)
    lr = ref["loadings"]
    for r, std, z in zip(res["loadings"], lr["std"], lr["z"], strict=True):
        assert_close(r["std_all"], std, f"std {r['item']}", rel=1e-3)
        assert_close(r["z"], z, f"z {r['item']}", rel=1e-3)
    for item, v in ref["r2"].items():
        assert_close(res["r_squared"][item], v, f"R2 {item}", rel=1e-3)
    for f, v in ref["comprel"].items():
        assert_close(res["composite_reliability"][f], v, f"ordinal CR {f}", rel=1e-3)
    for f, v in ref["ave"].items():
        assert_close(res["ave"][f], v, f"AVE {f}", rel=1e-3)
    rr = ref["residuals"]
    assert len(res["residual_correlations"]) == len(rr["r"])
    for r, v in zip(res["residual_correlations"], rr["r"], strict=True):
        assert_close(r["residual"], v, "residual r", rel=1e-3)
    # what the text says
    note = table(section, "cfa_loadings").note
    assert "scaled-shifted" in note and "shift" in note
    assert "latent response" in note
    assert "Green & Yang" in table(section, "cfa_reliability").note
    # modification indices of the WLSMV fit: the ten largest of at least 10, as the direct call
    # gives them and as lavaan's modindices() on the same complete cases
    # (tests/reference/modindices_wlsmv.R, block bfi5)
    mis = res["modification_indices"]
    top = direct.modification_indices(minimum=10).head(10)
    assert [(r["lhs"], r["op"], r["rhs"]) for r in mis] == list(
        zip(top["lhs"], top["op"], top["rhs"], strict=True)
    )
    lav = load_reference("modindices_wlsmv.json")["bfi5"]["mi"]
    lav_rows = {
        (lhs, op, rhs): i
        for i, (lhs, op, rhs) in enumerate(zip(lav["lhs"], lav["op"], lav["rhs"], strict=True))
    }
    for r in mis:
        i = lav_rows[(r["lhs"], r["op"], r["rhs"])]
        assert_close(r["mi"], lav["mi"][i], f"mi {r['lhs']} {r['op']} {r['rhs']}", rel=1e-3)
        for col in ("epc", "sepc.lv", "sepc.all"):
            assert_close(r[col], lav[col][i], f"{col} {r['lhs']} {r['rhs']}", rel=1e-3)
    assert (mis[0]["lhs"], mis[0]["rhs"]) == ("N", "O4")
    assert not any("Modification indices are not available" in p for p in section.paragraphs)


def test_robust_indices_na_reason_is_printed():
    # rows 501-560 of bfi: the polychoric matrix is not positive definite, so lavaan's robust
    # CFI/TLI/RMSEA are NA (tests/reference/cfa_wlsmv.R, bfi5_small_notpd)
    ctx = listwise_context(BFI.iloc[500:560], model=BFI_MODEL, ordinal="yes")
    section = cfa_section.build(ctx)
    res = ctx.results["cfa"]
    assert res["fit_measures"]["cfi.robust"] is None
    assert "not positive definite" in res["robust_na_reason"]
    assert any(
        p.startswith("The robust CFI, TLI and RMSEA") and "not positive definite" in p
        for p in section.paragraphs
    )
    assert list(table(section, "cfa_fit").frame["Version"]) == ["Standard", "Scaled"]


def test_fiml_request_falls_back_to_listwise_for_ordinal():
    bfi = BFI.iloc[:400]
    model = "A =~ A2 + A3 + A4 + A5\nN =~ N1 + N2 + N3 + N4 + N5"
    ctx = listwise_context(bfi, model=model, ordinal="yes", missing="fiml")
    section = cfa_section.build(ctx)
    assert ctx.results["cfa"]["missing"] == "listwise"
    assert any("Full-information ML is not available" in p for p in section.paragraphs)


# --------------------------------------------------------------------------------------------------
# Failures warn, they do not crash
# --------------------------------------------------------------------------------------------------


def test_unidentified_model_gives_a_warning_not_a_crash():
    ctx = listwise_context(BFI.iloc[:300], model="F =~ A1 + A2", ordinal="no")
    section = cfa_section.build(ctx)
    assert ctx.results["cfa"]["fitted"] is False
    assert "not identified" in ctx.results["cfa"]["error"]
    assert section.warnings and "could not be estimated" in section.warnings[0]
    assert ctx.warnings and any("CFA could not be estimated" in s for s in ctx.summary)
    # the validity section reads the missing CFA and says so
    v = validity_section.build(ctx)
    assert any("not available" in p for p in v.paragraphs)
    assert json.dumps(Report(title="t", sections=[section, v], results=ctx.results).to_dict())


def test_non_convergence_gives_a_warning_not_a_crash(monkeypatch):
    from moscale.analysis.cfa import fitting
    from moscale.analysis.cfa.optimize import OptimResult

    def stalled(est, x0, **kw):
        f, g = est.objective_gradient(x0)
        return OptimResult(x0, f, False, 500, "none", "stalled", g)

    monkeypatch.setattr(fitting, "minimize", stalled)
    ctx = listwise_context(BFI.iloc[:300], model="A =~ A2 + A3 + A4 + A5", ordinal="no")
    section = cfa_section.build(ctx)
    res = ctx.results["cfa"]
    assert res["fitted"] and not res["converged"]
    assert any("did not converge" in w for w in section.warnings)
    assert res["fit"] is None and res["modification_indices"] == []
    assert [t.id for t in section.tables] == ["cfa_loadings", "cfa_reliability"]
    v = validity_section.build(ctx)
    assert any("not available" in p for p in v.paragraphs)
    Report(title="t", sections=[section, v], results=ctx.results).to_json()


def test_no_measurement_model():
    ctx = listwise_context(BFI.iloc[:100], model="A =~ A2 + A3 + A4", ordinal="no")
    ctx.model = None  # the pipeline always has a model here: the state is made on purpose
    section = cfa_section.build(ctx)
    assert ctx.results["cfa"]["fitted"] is False
    assert "no measurement model" in section.paragraphs[0]


def test_heywood_case_is_warned():
    # two near-duplicate items: the second one's residual variance goes negative
    rng = np.random.default_rng(5)
    n = 300
    f = rng.normal(size=(n, 2)) @ np.linalg.cholesky([[1, 0.3], [0.3, 1]]).T
    a = [f[:, 0] + 0.05 * rng.normal(size=n), f[:, 0] + 0.05 * rng.normal(size=n)]
    a.append(0.3 * f[:, 0] + rng.normal(size=n))
    b = [0.7 * f[:, 1] + 0.7 * rng.normal(size=n) for _ in range(3)]
    df = pd.DataFrame(np.column_stack(a + b), columns=["a1", "a2", "a3", "b1", "b2", "b3"])
    ctx = listwise_context(df, model="A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3", ordinal="no")
    section = cfa_section.build(ctx)
    assert ctx.found["cfa"].residual_variances()["a2"] < 0
    heywood = [w for w in section.warnings if w.startswith("Heywood case")]
    assert len(heywood) == 1 and "a2" in heywood[0]
    assert any("beyond ±1 for a2" in w for w in section.warnings)
    assert heywood[0] in ctx.warnings
    # the engine's English version is not repeated beside the section's own
    assert not any("Treat this solution with caution" in p for p in section.paragraphs)


# --------------------------------------------------------------------------------------------------
# Escaping and language
# --------------------------------------------------------------------------------------------------


def test_html_escapes_a_factor_named_script():
    bfi = BFI.iloc[:500]
    model = "A =~ A2 + A3 + A4 + A5\nN =~ N1 + N2 + N3 + N4 + N5"
    ctx = listwise_context(bfi, model=model, ordinal="no", bootstrap=20)
    # construct names written as markup (an instrument could carry them): set on purpose
    ctx.labels = {"A": "<script>alert('x')</script>", "N": "N & <b>bold</b>"}
    sections = [cfa_section.build(ctx), validity_section.build(ctx)]
    html = Report(title="t", sections=sections, results=ctx.results).to_html()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html
    assert "<b>bold" not in html
    svg = sections[0].figures[0].svg
    assert "<script" not in svg


def test_finnish_texts(example):
    df = example_responses(250, 3)
    ctx = listwise_context(df, instrument="example", lang="fi")
    inst = ctx.instrument
    ctx.dataset.higher_order.clear()  # keep the test short: first-order model only
    section = cfa_section.build(ctx)
    assert section.title == "Vahvistava faktorianalyysi (mittausmalli)"
    frame = table(section, "cfa_loadings").frame
    assert list(frame.columns[:3]) == ["Konstrukti", "Väittämä", "Sanamuoto"]
    # construct names and item wording in Finnish, from the instrument
    assert "Asiakasorientaatio" in set(frame["Konstrukti"])
    assert frame["Sanamuoto"].iloc[0] == inst.item(frame["Väittämä"].iloc[0]).text["fi"]
    text = " ".join(section.paragraphs)
    assert "estimoitiin" in text and "raja-arvot" in text
    assert "käsitellään jatkuvina" in text  # the pipeline's reason, in Finnish
    assert "Hu & Bentler, 1999" in table(section, "cfa_loadings").note
    assert table(section, "cfa_fit").title == "Mittausmallin sopivuusindeksit"
    html = Report(title="t", lang="fi", sections=[section], results=ctx.results).to_html()
    assert "Mittausmalli: standardoidut lataukset" in html


# --------------------------------------------------------------------------------------------------
# Through analyze()
# --------------------------------------------------------------------------------------------------


def test_through_analyze(monkeypatch):
    monkeypatch.setattr(pipeline, "SECTION_MODULES", ("cfa", "validity"))
    model = "A =~ A2 + A3 + A4 + A5\nC =~ C1 + C2 + C3\nN =~ N1 + N2 + N3 + N4 + N5"
    report = pipeline.analyze(BFI.iloc[:800], model=model, bootstrap=50, ordinal="no")
    assert [s.id for s in report.sections] == ["cfa", "validity"]
    data = json.loads(report.to_json())
    assert data["results"]["cfa"]["fit"]["version"] == "robust"
    assert "cfa_loadings" in data["tables"] and "validity_matrix" in data["tables"]
    assert report.table("cfa_loadings").shape[0] == 12
