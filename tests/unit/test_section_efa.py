"""Report section "Exploratory factor analysis": figures traced to the tested functions and to psych.

(1) The section's JSON and tables equal what ``kmo``, ``bartlett``, ``parallel_analysis``,
``velicer_map`` and ``efa`` return when called directly with the section's arguments. (2) End to end
on bfi, the section gives psych's figures from tests/reference/efa.json (Rscript
tests/reference/efa.R) at the tolerances of test_efa*.py. The section factors the keyed items
(A1, C4, C5, E1, E2, O2, O5 reversed), psych the raw ones; reversing items changes the signs of their
correlations only, which leaves KMO, Bartlett's test, the eigenvalues, MAP, the fit and the size of
every loading unchanged, so those are compared (loadings in absolute value).
"""

from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from moscale.analysis import pipeline
from moscale.analysis.efa import efa
from moscale.analysis.factorability import bartlett, kmo
from moscale.analysis.nfactors import parallel_analysis, velicer_map
from moscale.analysis.report import Report
from moscale.analysis.responses import read_responses
from moscale.analysis.sections import efa as efa_section

from .section_helpers import (
    EVIL,
    context,
    example_responses,
    example_section,
    load_bfi,
    load_reference,
    reflective_items,
    relang,
)

REF = load_reference("efa.json")
BFI = load_bfi()
SCALES = {s: [f"{s}{i}" for i in range(1, 6)] for s in "ACENO"}
BFI_MODEL = "\n".join(f"{s} =~ " + " + ".join(v) for s, v in SCALES.items())
REVERSED = ["A1", "C4", "C5", "E1", "E2", "O2", "O5"]


@pytest.fixture(scope="module")
def example():
    weak = {"mktor_co3": 0.15}  # a planted weak item
    return example_section(
        efa_section.build, 250, 9, missing_rate=0.03, straightliners=3, item_loadings=weak
    )


def test_json_equals_direct_calls(example):
    ctx, _ = example
    x = reflective_items(ctx)
    k = len(ctx.reflective)
    res = ctx.results["efa"]
    assert res["cor"] == "pearson" and not ctx.ordinal
    assert res["items"] == list(x.columns) and res["n_theoretical"] == k == 7
    assert res["kmo"] == kmo(x).to_dict()
    assert res["bartlett"] == bartlett(x).to_dict()
    assert res["parallel"] == parallel_analysis(x, n_iter=20, seed=ctx.options.seed).to_dict()
    assert res["map"] == velicer_map(x, max_factors=8).to_dict()
    direct = efa(x, n_factors=k, method="minres", rotation="oblimin")
    assert res["efa"] == direct.to_dict()
    lam = direct.loadings
    cross = {i: [f for f in lam if abs(lam.loc[i, f]) >= 0.30] for i in lam.index}
    assert res["cross_loadings"] == {i: f for i, f in cross.items() if len(f) >= 2}
    assert res["no_salient"] == [i for i, f in cross.items() if not f]
    assert res["primary_factor"] == {i: lam.loc[i].abs().idxmax() for i in lam.index}


def test_tables_trace_every_figure(example):
    ctx, section = example
    x = reflective_items(ctx)
    tables = {t.id: t.frame for t in section.tables}
    assert list(tables) == [
        "efa_factorability",
        "efa_nfactors",
        "efa_loadings",
        "efa_factors",
        "efa_fit",
    ]
    k_res, b_res = kmo(x), bartlett(x)
    fac = tables["efa_factorability"].iloc[0]
    assert fac["KMO"] == k_res.msa and fac["Kaiser's label"] == k_res.label
    assert fac["Bartlett χ²"] == b_res.chisq and fac["df"] == b_res.df
    assert fac["p"] == b_res.pvalue and fac["Determinant"] == b_res.determinant
    res = ctx.results["efa"]
    nf = tables["efa_nfactors"].set_index("Criterion")["Suggested"]
    assert nf["Parallel analysis, factors"] == res["parallel"]["n_factors"]
    assert nf["Parallel analysis, components"] == res["parallel"]["n_components"]
    assert nf["Velicer's minimum average partial (MAP)"] == res["map"]["n_factors"]
    assert nf["Dimensions of the instrument"] == 7
    direct = efa(x, n_factors=7)
    lt = tables["efa_loadings"]
    np.testing.assert_array_equal(lt[list(direct.loadings.columns)], direct.loadings.to_numpy())
    np.testing.assert_array_equal(lt["h²"], direct.communalities.to_numpy())
    np.testing.assert_array_equal(lt["MSA"], k_res.msa_items.to_numpy())
    assert lt["Item"].tolist()[16] == "ccrm_a2 (R)"
    ft = tables["efa_factors"]
    np.testing.assert_array_equal(ft["SS loadings"], direct.variance.loc["ss_loadings"])
    np.testing.assert_array_equal(ft[list(direct.phi.columns)], direct.phi.to_numpy())
    fit = tables["efa_fit"].iloc[0]
    f = direct.fit
    assert (fit["χ²"], fit["df"], fit["p"]) == (f.chisq, f.df, f.pvalue)
    assert (fit["RMSEA"], fit["RMSEA LL"], fit["RMSEA UL"]) == (
        f.rmsea,
        f.rmsea_ci_lower,
        f.rmsea_ci_upper,
    )
    assert (fit["TLI"], fit["RMSR"], fit["BIC"]) == (f.tli, f.rms, f.bic)


def test_planted_weak_item_and_figures(example):
    ctx, section = example
    res = ctx.results["efa"]
    h2 = dict(zip(res["items"], res["efa"]["communalities"], strict=True))
    co = [f"mktor_co{i}" for i in range(1, 7)]
    assert min(co, key=h2.get) == "mktor_co3"  # the planted loading of .15
    ids = [f.id for f in section.figures]
    assert ids == ["efa_scree", "efa_heatmap"]
    for fig in section.figures:
        ET.fromstring(fig.svg)
    assert "suggested: " in section.figures[0].svg and "eigenvalue" in section.figures[0].svg
    text = " ".join(section.paragraphs)
    assert "KMO = " in text and "Parallel analysis suggests" in text
    assert any(s.startswith("Factorability: KMO = ") for s in ctx.summary)


def test_finnish_texts(example):
    ctx, _ = example
    fi = relang(ctx, "fi")
    section = efa_section.build(fi)
    assert section.title == "Eksploratiivinen faktorianalyysi"
    assert "Kaiserin luokitus" in section.tables[0].frame.columns
    assert "ominaisarvo" in section.figures[0].svg and "eigenvalue" not in section.figures[0].svg
    assert any(p.startswith("Rinnakkaisanalyysi ehdottaa") for p in section.paragraphs)
    assert fi.summary[0].startswith("Soveltuvuus faktorianalyysiin")
    assert fi.results["efa"] == ctx.results["efa"]


@pytest.fixture(scope="module")
def bfi_keyed():
    ds = read_responses(BFI, model=BFI_MODEL, reverse=REVERSED, scale_range=(1, 6))
    ctx = context(ds, bootstrap=200)
    return ctx, efa_section.build(ctx)


def test_bfi_section_matches_psych(bfi_keyed):
    ctx, section = bfi_keyed
    res = ctx.results["efa"]
    assert res["cor"] == "pearson" and res["missing"] == "pairwise"
    fac = REF["factorability"]["bfi"]
    assert res["kmo"]["msa"] == pytest.approx(fac["msa"], abs=1e-6)
    np.testing.assert_allclose(list(res["kmo"]["msa_items"].values()), fac["msai"], atol=1e-6)
    assert res["bartlett"]["chisq"] == pytest.approx(fac["chisq"], rel=1e-6)
    assert res["bartlett"]["df"] == fac["df"] and res["bartlett"]["n_obs"] == fac["n"]
    assert res["bartlett"]["determinant"] == pytest.approx(fac["det"], rel=1e-6)
    par = REF["parallel"]["bfi"]
    table = pd.DataFrame(res["parallel"]["table"])
    np.testing.assert_allclose(table["pc_observed"], par["pc_values"], atol=1e-10)
    np.testing.assert_allclose(table["fa_observed"], par["fa_values"], atol=1e-6)
    # psych suggests 6 factors and 6 components with every seed tried (efa.R)
    assert res["parallel"]["n_factors"] == 6
    np.testing.assert_allclose(res["map"]["map"], par["map"], atol=1e-10)
    assert res["map"]["n_factors"] == par["map_nfactors"] == 5
    fa = REF["fa"]["bfi_minres_oblimin"]
    got = res["efa"]
    np.testing.assert_allclose(np.abs(got["loadings"]), np.abs(fa["loadings"]), atol=1e-4)
    np.testing.assert_allclose(got["communalities"], fa["communality"], atol=1e-4)
    np.testing.assert_allclose(np.abs(got["phi"]), np.abs(fa["phi"]), atol=1e-4)
    fit = got["fit"]
    for ours, theirs in (
        (fit["chisq"], fa["statistic"]),
        (fit["chisq_empirical"], fa["chi"]),
        (fit["rmsea"], fa["rmsea"][0]),
        (fit["rmsea_ci_lower"], fa["rmsea"][1]),
        (fit["rmsea_ci_upper"], fa["rmsea"][2]),
        (fit["tli"], fa["tli"]),
        (fit["rms"], fa["rms"]),
    ):
        assert ours == pytest.approx(theirs, rel=1e-4, abs=1e-3)
    assert fit["df"] == fa["dof"]
    nf = section.tables[1].frame.set_index("Criterion")["Suggested"]
    assert nf["Velicer's minimum average partial (MAP)"] == 5


def test_ordinal_items_are_factored_from_polychoric_correlations():
    df = BFI.iloc[:250]
    model = "A =~ A2 + A3 + A4 + A5\nC =~ C1 + C2 + C3"
    ctx = context(df, model=model, bootstrap=200, ordinal="yes")
    section = efa_section.build(ctx)
    x = ctx.dataset.items[["A2", "A3", "A4", "A5", "C1", "C2", "C3"]]
    res = ctx.results["efa"]
    assert res["cor"] == "polychoric"
    assert res["kmo"] == kmo(x, cor="polychoric").to_dict()
    assert res["efa"] == efa(x, 2, cor="polychoric").to_dict()
    assert (
        res["parallel"]
        == parallel_analysis(x, n_iter=20, seed=ctx.options.seed, cor="polychoric").to_dict()
    )
    assert "polychoric" in section.tables[2].note


def test_too_few_items_skips_with_a_note():
    ctx = context(BFI.iloc[:150], model="F =~ A2 + A3", bootstrap=200)
    section = efa_section.build(ctx)
    assert section.tables == [] and section.figures == []
    assert "at least three items" in section.paragraphs[0]
    assert "skipped" in ctx.results["efa"]


def test_left_out_item_heywood_and_convergence_warnings(monkeypatch):
    df = BFI.iloc[:200].copy()
    df["K"] = 2
    ctx = context(df, model="A =~ A2 + A3 + A4 + K\nC =~ C1 + C2 + C3", bootstrap=200)
    real = efa

    def improper(*args, **kwargs):
        res = real(*args, **kwargs)
        return dataclasses.replace(res, heywood=("A3",), converged=False, rotation_converged=False)

    monkeypatch.setattr(efa_section, "efa", improper)
    section = efa_section.build(ctx)
    res = ctx.results["efa"]
    assert res["left_out"] == {"K": "flat"} and "K" not in res["items"]
    assert "Left out: K (no variance)" in section.paragraphs[0]
    text = " ".join(section.warnings)
    assert "Heywood case in the EFA (A3)" in text
    assert "did not converge" in text and "rotation did not converge" in text
    assert all(w in ctx.warnings for w in section.warnings)


def test_low_kmo_is_warned_and_markup_stays_escaped():
    rng = np.random.default_rng(4)
    noise = pd.DataFrame(
        rng.integers(1, 6, size=(200, 4)).astype(float), columns=["a", "b", EVIL, "d"]
    )
    ctx = context(noise, items=["a", "b", EVIL, "d"], bootstrap=200)
    section = efa_section.build(ctx)
    assert ctx.results["efa"]["kmo"]["msa"] < 0.60
    assert any(w.startswith("KMO = ") and "below .60" in w for w in section.warnings)
    html = Report(title="t", sections=[section], warnings=ctx.warnings).to_html()
    assert EVIL not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.slow
def test_report_with_the_four_sections(monkeypatch):
    """analyze() with these four sections only: the report renders, the JSON is strict and every
    section keeps its own figures under results (in Finnish: each section's English texts are
    tested above)."""
    lang = "fi"
    monkeypatch.setattr(pipeline, "SECTION_MODULES", ("quality", "items", "reliability", "efa"))
    df = example_responses(150, 12, missing_rate=0.03, straightliners=2)
    report = pipeline.analyze(df, instrument="example", bootstrap=200, lang=lang)
    assert [s.id for s in report.sections] == ["quality", "items", "reliability", "efa"]
    assert {"quality", "items", "reliability", "efa"} <= set(report.results)
    for table_id in ("quality_careless", "items_ccrm_collab_core", "reliability_summary"):
        assert len(report.table(table_id))
    assert report.table("efa_loadings").shape[0] == 35
    data = json.loads(report.to_json())
    assert data["results"]["efa"]["n_theoretical"] == 7
    html = report.to_html()
    assert html.count("<svg") == 1 + 7 + 2  # missingness, one chart a dimension, scree, heat map
    assert "Eksploratiivinen faktorianalyysi" in html and "Aineiston laatu" in html
    model = "\n".join(f"{s} =~ " + " + ".join(v) for s, v in list(SCALES.items())[:2])
    bfi_report = pipeline.analyze(BFI.iloc[:300], model=model, bootstrap=200, lang=lang)
    assert [s.id for s in bfi_report.sections] == ["quality", "items", "reliability", "efa"]
    assert bfi_report.table("efa_loadings").shape[0] == 10


def test_large_samples_use_simulated_eigenvalues_only(monkeypatch, bfi_keyed):
    """Beyond RESAMPLE_MAX_N respondents parallel analysis leaves out the resampled data sets;
    the suggestion (from the simulated eigenvalues, as psych) is that of the call without them,
    and the report says why."""
    ctx, _ = bfi_keyed
    monkeypatch.setattr(efa_section, "RESAMPLE_MAX_N", 1000)
    ctx2 = relang(ctx, "en")
    section = efa_section.build(ctx2)
    res = ctx2.results["efa"]
    assert res["parallel_resampled"] is False
    x = reflective_items(ctx2)
    direct = parallel_analysis(x, n_iter=20, seed=ctx2.options.seed, resample=False)
    assert res["parallel"] == direct.to_dict()
    assert res["parallel"]["resampled"] is False
    assert not any("resampled" in c for c in res["parallel"]["table"])
    n = len(x)
    assert any(f"With {n:,} respondents (more than 1,000)" in p for p in section.paragraphs)
    # below the threshold nothing changes
    assert "parallel_resampled" not in ctx.results["efa"]


def test_one_correlation_input_serves_every_step(bfi_keyed):
    from moscale.analysis.extraction import correlation_input

    ctx, _ = bfi_keyed
    x = reflective_items(ctx)
    ci = correlation_input(x)
    assert correlation_input(ci) is ci
    assert kmo(ci).to_dict() == kmo(x).to_dict()
    assert bartlett(ci).to_dict() == bartlett(x).to_dict()
    assert velicer_map(ci).to_dict() == velicer_map(x).to_dict()
    assert parallel_analysis(ci, seed=3).to_dict() == parallel_analysis(x, seed=3).to_dict()
    assert efa(ci, 5).to_dict() == efa(x, 5).to_dict()
