"""Report section "Reliability": every figure traced to ``reliability()`` and, on bfi, to psych.

``reliability`` is tested against psych 2.2.9, lavaan 0.6.14 and boot in test_reliability.py. Here:
(1) the section's JSON and tables equal what ``reliability`` returns when called directly with the
section's arguments (including the dimensions of a higher-order scale, whose results the section
takes from the one call with ``subscales``); (2) end to end, the section run on the keyed bfi data
gives psych's figures from tests/reference/alpha.json (Rscript tests/reference/alpha.R) at the
tolerances of test_reliability.py: exact formulas 1e-9, omega (an iterative minres fit) 1e-5.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import moscale as ms
from moscale.analysis.reliability import ReliabilityResult, reliability
from moscale.analysis.report import Report
from moscale.analysis.responses import read_responses
from moscale.analysis.sections import reliability as rel_section
from moscale.analysis.simulate import simulate_responses

from .section_helpers import (
    EVIL,
    context,
    example_section,
    load_bfi,
    load_reference,
    relang,
)

REF = load_reference("alpha.json")
BFI = load_bfi()
BFI_MODEL = "\n".join(f"{s} =~ " + " + ".join(v["items"]) for s, v in REF["bfi"].items())
EXACT = 1e-9
ITERATIVE = 1e-5

FORMATIVE_SCALE = """
id: orgsize
name: {en: Organisational resources, fi: Organisaation resurssit}
version: "1.0"
citations:
  - key: test2024
    text: "Tester, T. (2024). An index for tests. Journal of Tests, 1(1), 1-2."
wording_note: {en: Written for the tests., fi: Kirjoitettu testejä varten.}
definition: {en: Resources that add up., fi: Yhteen laskettavat resurssit.}
languages: [en, fi]
response:
  points: 5
  labels:
    en: {1: Very little, 2: Little, 3: Some, 4: Much, 5: Very much}
    fi: {1: Hyvin vähän, 2: Vähän, 3: Jonkin verran, 4: Paljon, 5: Hyvin paljon}
model: formative
dimensions:
  - id: resources
    name: {en: Resources, fi: Resurssit}
    items:
      - {id: res_1, text: {en: Budget, fi: Budjetti}}
      - {id: res_2, text: {en: Staff, fi: Henkilöstö}}
      - {id: res_3, text: {en: Systems, fi: Järjestelmät}}
"""
STUDY = """
id: formtest
title: {en: Formative test study, fi: Formatiivinen testitutkimus}
languages: [en, fi]
sections:
  - id: mktor
    scale: mktor
    dimensions: [customer_orientation, competitor_orientation]
  - id: orgsize
    scale: orgsize.yaml
"""


def _direct(ctx, items, **kw):
    """``reliability`` called as the section calls it."""
    return reliability(
        ctx.dataset.items[items],
        scale_range=(1.0, 7.0),
        ordinal=ctx.ordinal or "auto",
        n_boot=ctx.options.bootstrap,
        seed=ctx.options.seed,
        **kw,
    )


@pytest.fixture(scope="module")
def example():
    weak = {"mktor_co3": 0.1}  # a planted weak item
    return example_section(
        rel_section.build, 220, 5, missing_rate=0.03, straightliners=3, item_loadings=weak
    )


def test_dimension_results_equal_direct_calls(example):
    ctx, _ = example
    got = ctx.results["reliability"]["dimensions"]
    assert list(got) == list(ctx.reflective)
    for key, items in ctx.reflective.items():
        direct = _direct(ctx, items, name=key)
        assert got[key] == direct.to_dict()
        assert isinstance(ctx.found["reliability"][key], ReliabilityResult)


def test_higher_order_scale_equals_direct_call_with_subscales(example):
    ctx, section = example
    ho = ctx.dataset.higher_order
    assert set(ctx.results["reliability"]["higher_order"]) == set(ho)
    key = "mktor.market_orientation"
    subs = {d: ctx.reflective[d] for d in ho[key]}
    direct = _direct(ctx, [i for its in subs.values() for i in its], name=key, subscales=subs)
    got = ctx.results["reliability"]["higher_order"][key]
    assert got["coefficients"] == direct.to_dict()["coefficients"]
    assert got["schmid_leiman"] == direct.omega_sl.to_dict()
    assert got["subscales"] == subs
    frame = next(t for t in section.tables if t.id == "reliability_higher_order").frame
    row = frame.set_index("Scale").loc["Market orientation"]
    assert row["ω hierarchical"] == direct.omega_hierarchical
    assert row["ω total"] == direct.omega_total_sl
    assert row["ECV"] == direct.omega_sl.ecv
    assert row["n"] == direct.n_used


def test_summary_table_traces_every_figure(example):
    ctx, section = example
    frame = next(t for t in section.tables if t.id == "reliability_summary").frame
    assert len(frame) == len(ctx.reflective)
    for (key, res), (_, row) in zip(
        ctx.found["reliability"].items(), frame.iterrows(), strict=True
    ):
        ci = res.ci.set_index(["coefficient", "method"])
        assert row["Dimension"] == ctx.label(key)
        assert row["n"] == res.n_used and row["k"] == len(res.item_names)
        assert row["α"] == res.alpha
        assert row["Feldt LL"] == ci.loc[("alpha", "feldt"), "lower"]
        assert row["Feldt UL"] == ci.loc[("alpha", "feldt"), "upper"]
        assert row["BCa LL"] == ci.loc[("alpha", "bootstrap_bca"), "lower"]
        assert row["BCa UL"] == ci.loc[("alpha", "bootstrap_bca"), "upper"]
        assert row["Std. α"] == res.std_alpha
        assert row["ω total"] == res.omega_total
        assert row["Ordinal α"] == res.ordinal_alpha
        assert row["Ordinal ω"] == res.ordinal_omega
        assert row["Mean r"] == res.average_r
        assert row["α is"] == rel_section.alpha_band(res.alpha)
        assert ctx.results["reliability"]["alpha_labels"][key] == row["α is"]
    for key, res in ctx.found["reliability"].items():
        items = next(
            t for t in section.tables if t.id == "reliability_items_" + key.replace(".", "_")
        ).frame
        np.testing.assert_array_equal(items["Item-rest r"], res.items["r_drop"].to_numpy(float))
        np.testing.assert_array_equal(
            items["α if deleted"], res.items["alpha_if_deleted"].to_numpy(float)
        )
        np.testing.assert_array_equal(
            items["ω if deleted"], res.items["omega_if_deleted"].to_numpy(float)
        )


def test_weak_item_and_interpretation_in_words(example):
    ctx, section = example
    table = next(
        t for t in section.tables if t.id == "reliability_items_mktor_customer_orientation"
    )
    remark = table.frame.set_index("Item").loc["mktor_co3", "Remark"]
    assert "weak" in remark  # planted loading .10
    text = " ".join(section.paragraphs)
    assert ".70 is the usual minimum for research use" in text
    assert "mktor_co3" in text
    assert any(s.startswith("Cronbach's α ranged from") for s in ctx.summary)
    assert any("ω hierarchical" in s for s in ctx.summary)
    assert "with 200 resamples (seed 20240601)" in section.tables[0].note


def _reuse(monkeypatch, ctx):
    """Let a rebuild in another language reuse the figures already computed (the bootstrap is
    the slow part and does not depend on the language)."""
    done = (
        ctx.found["reliability"],
        ctx.found["reliability_higher_order"],
        {k: v for k, v in ctx.results["reliability"]["failed"].items() if k in ctx.dimensions},
        {k: v for k, v in ctx.results["reliability"]["failed"].items() if k not in ctx.dimensions},
    )
    monkeypatch.setattr(rel_section, "compute", lambda _ctx: done)


def test_finnish_texts(example, monkeypatch):
    ctx, _ = example
    _reuse(monkeypatch, ctx)
    fi = relang(ctx, "fi")
    section = rel_section.build(fi)
    assert section.title == "Reliabiliteetti"
    assert section.tables[0].title == "Ulottuvuuksien sisäinen johdonmukaisuus"
    assert "Ulottuvuus" in section.tables[0].frame.columns
    assert "Asiakasorientaatio" in section.tables[0].frame["Ulottuvuus"].tolist()
    assert any("tavallinen vähimmäistaso" in p for p in section.paragraphs)
    assert any(s.startswith("Cronbachin α vaihteli") for s in fi.summary)
    assert fi.results["reliability"] == ctx.results["reliability"]


@pytest.fixture(scope="module")
def bfi_keyed():
    """bfi keyed as in alpha.R (A1, C4, C5, E1, E2, O2, O5 reversed as 7 - x)."""
    rev = [r for v in REF["bfi"].values() for r in np.atleast_1d(v["reverse"])]
    ds = read_responses(BFI, model=BFI_MODEL, reverse=rev, scale_range=(1, 6))
    ctx = context(ds, bootstrap=200)
    return ctx, rel_section.build(ctx)


@pytest.mark.parametrize("scale", list(REF["bfi"]))
def test_bfi_section_matches_psych(bfi_keyed, scale):
    ctx, section = bfi_keyed
    want = REF["bfi"][scale]
    lw = want["listwise"]
    got = ctx.results["reliability"]["dimensions"][scale]
    coef = got["coefficients"]
    assert got["n_used"] == lw["n"]
    assert coef["alpha"] == pytest.approx(lw["raw_alpha"], abs=EXACT)
    assert coef["std_alpha"] == pytest.approx(lw["std_alpha"], abs=EXACT)
    assert coef["average_r"] == pytest.approx(lw["average_r"], abs=EXACT)
    feldt = next(c for c in got["ci"] if c["method"] == "feldt")
    assert feldt["lower"] == pytest.approx(lw["feldt_lower"], abs=EXACT)
    assert feldt["upper"] == pytest.approx(lw["feldt_upper"], abs=EXACT)
    table = pd.DataFrame(got["item_table"])
    np.testing.assert_allclose(table["r_drop"], lw["r_drop"], atol=EXACT)
    np.testing.assert_allclose(table["alpha_if_deleted"], lw["drop_raw_alpha"], atol=EXACT)
    np.testing.assert_allclose(table["omega_if_deleted"], want["omega_if_deleted"], atol=ITERATIVE)
    assert coef["omega_total"] == pytest.approx(want["omega_total"], abs=ITERATIVE)
    assert coef["ordinal_alpha"] == pytest.approx(want["ordinal_alpha"], abs=1e-6)
    assert coef["ordinal_omega"] == pytest.approx(want["ordinal_omega"], abs=ITERATIVE)
    row = section.tables[0].frame.set_index("Dimension").loc[scale]
    assert row["α"] == pytest.approx(lw["raw_alpha"], abs=EXACT)


def test_negative_item_rest_correlation_is_flagged_not_reversed():
    ctx = context(BFI.iloc[:400], model="A =~ A1 + A2 + A3 + A4 + A5", bootstrap=200)
    section = rel_section.build(ctx)
    res = ctx.found["reliability"]["A"]
    assert res.items.loc["A1", "r_drop"] < 0 and res.reverse_keyed == []
    remark = section.tables[1].frame.set_index("Item").loc["A1", "Remark"]
    assert remark.startswith("negative")
    warn = [w for w in ctx.warnings if "A1" in w]
    assert warn and "reverse-keyed" in warn[0]
    assert any("mark it reverse-keyed in the definition" in p for p in section.paragraphs)


def test_formative_dimension_gets_no_alpha_and_says_why(tmp_path, monkeypatch):
    (tmp_path / "orgsize.yaml").write_text(FORMATIVE_SCALE, encoding="utf-8")
    (tmp_path / "study.yaml").write_text(STUDY, encoding="utf-8")
    inst = ms.load_instrument(tmp_path / "study.yaml")
    df = simulate_responses(inst, 150, seed=2)
    ctx = context(df, instrument=inst, bootstrap=200)
    assert "orgsize.resources" in ctx.dimensions and "orgsize.resources" not in ctx.reflective
    section = rel_section.build(ctx)
    na = next(t for t in section.tables if t.id == "reliability_not_applicable").frame
    assert na["Dimension"].tolist() == ["Resources"]
    assert na["Measurement model"].tolist() == ["formative"]
    assert "Bollen & Lennox" in na["Why no α or ω"].iloc[0]
    assert ctx.results["reliability"]["not_applicable"]["orgsize.resources"]["model"] == "formative"
    assert "orgsize.resources" not in ctx.results["reliability"]["dimensions"]
    _reuse(monkeypatch, ctx)
    fi = rel_section.build(relang(ctx, "fi"))
    na_fi = next(t for t in fi.tables if t.id == "reliability_not_applicable").frame
    assert na_fi["Mittausmalli"].tolist() == ["formatiivinen"]


def test_degenerate_data_do_not_stop_the_report():
    df = BFI.iloc[:200].copy()
    df["K"] = 3
    df[EVIL] = df["C1"]
    model = "F =~ A2 + A3\nG =~ C2 + K\nH =~ A4 + A5 + K"
    ctx = context(df, model=model, bootstrap=200)
    section = rel_section.build(ctx)
    # two items: alpha, no omega; one of two items without variance: a warning, no result
    assert ctx.found["reliability"]["F"].omega_total is None
    assert "G" in ctx.results["reliability"]["failed"]
    assert any("Reliability of G could not be computed" in w for w in section.warnings)
    h = next(t for t in section.tables if t.id == "reliability_items_H").frame
    assert h.set_index("Item").loc["K", "Remark"] == "no variance, left out"
    # markup in an item name stays text
    ctx2 = context(df, items=["C1", EVIL, "C3"], bootstrap=200)
    html = Report(title="t", sections=[rel_section.build(ctx2)]).to_html()
    assert EVIL not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    json.dumps(Report(title="t", sections=[section], results=ctx.results).to_dict())


def test_too_few_bootstrap_resamples_give_no_bootstrap_interval_and_a_warning():
    ctx = context(BFI.iloc[:200], model="A =~ A2 + A3 + A4 + A5", bootstrap=50)
    section = rel_section.build(ctx)
    res = ctx.found["reliability"]["A"]
    assert set(res.ci["method"]) == {"feldt", "duhachek"}
    assert ctx.results["reliability"]["settings"]["n_boot"] == 0
    assert any("50 bootstrap resamples are too few" in w for w in section.warnings)
    row = section.tables[0].frame.iloc[0]
    assert np.isnan(row["BCa LL"]) and row["Feldt LL"] < row["α"]
