"""The report's groups section: invariance ladder per group variable (the planted non-invariant
loading found by the partial search), group comparisons equal to compare_groups called directly,
small groups reported and skipped, labels escaped, both languages.

Every figure shown comes from moscale.analysis.invariance / moscale.analysis.groups, which are
tested against lavaan/semTools and R in test_invariance*.py and test_groups.py; here we check that
the section passes the right data to them and reports their results faithfully."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from moscale.analysis.groups import compare_groups
from moscale.analysis.invariance import invariance
from moscale.analysis.report import Report
from moscale.analysis.scoring import score
from moscale.analysis.sections import groups as section

from .section_helpers import DEMO, EVIL, REFERENCE, context, demo_design_responses, load_bfi

KEEP = ["ccrm.collab_core", "ccrm.crm_strategy"]


@pytest.fixture(scope="module")
def simulated() -> pd.DataFrame:
    return demo_design_responses()


@pytest.fixture(scope="module")
def built(simulated):
    ctx = context(simulated, instrument="example", keep=KEEP, groups=("industry",))
    sec = section.build(ctx)
    return ctx, sec


def _industry_3_cut_to(simulated: pd.DataFrame, n: int):
    """The context of one dimension by industry, with industry 3 cut to its first ``n``
    respondents."""
    df = simulated.drop(index=simulated.index[simulated["industry"] == 3][n:])
    return context(df, instrument="example", keep=["ccrm.crm_strategy"], groups=("industry",))


def test_no_group_variable_no_section(simulated):
    ctx = context(simulated, instrument="example", keep=KEEP)
    assert section.build(ctx) is None
    assert "groups" not in ctx.results


def test_ladder_table_chart_and_planted_loading(built):
    ctx, sec = built
    res = ctx.results["groups"]["variables"]["industry"]
    assert res["groups"] == ["1", "2", "3"] and res["left_out"] == []
    inv = res["invariance"]
    # 3 groups of ~130 are too small for the two-factor model at 5 cases a parameter
    assert inv["unit"] == "factor" and set(inv["units"]) == {
        "ccrm_collab_core",
        "ccrm_crm_strategy",
    }
    core = inv["units"]["ccrm_collab_core"]
    # the planted loading is the first parameter the search releases, at the metric step
    assert core["released"][0] == "ccrm_collab_core =~ ccrm_a1"
    assert core["search"][0]["step"] == "metric"
    assert core["decisions"]["metric"] == "holds (partial)" and core["partial"]
    # observed scores of the dimension are compared at the level reached with all items equal
    assert res["invariance"]["levels"]["ccrm.collab_core"] == core["full_level_reached"]
    assert res["invariance"]["levels"]["ccrm.crm_strategy"] == (
        inv["units"]["ccrm_crm_strategy"]["full_level_reached"]
        if inv["units"]["ccrm_crm_strategy"]["released"]
        else inv["units"]["ccrm_crm_strategy"]["level_reached"]
    )
    # the ladder table shows every fitted model with the numbers of the invariance result
    table = next(t for t in sec.tables if t.id == "groups_industry_invariance")
    steps = [s for u in inv["units"].values() for s in u["steps"]]
    assert len(table.frame) == len(steps)
    assert table.frame["CFI"].to_numpy() == pytest.approx([s["cfi"] for s in steps], abs=1e-12)
    assert table.frame["ΔCFI"].to_numpy() == pytest.approx(
        [np.nan if s["delta.cfi"] is None else s["delta.cfi"] for s in steps], nan_ok=True
    )
    assert "Chen, 2007" in table.note and "ΔCFI ≥ −.010" in table.note
    assert "partial metric" in set(table.frame["Model"])
    # the released parameter is reported as such, in words and in the search table
    text = " ".join(sec.paragraphs)
    assert "ccrm_collab_core → ccrm_a1" in text and "automatic search" in text
    # ... and where it differs: the planted industry (2, business services) against the reference
    assert (
        "ccrm_collab_core → ccrm_a1, differs most between Manufacturing and Business services"
        in text
    )
    assert any(t.id == "groups_industry_partial" for t in sec.tables)
    assert any("Collaborative core" in w and "metric" in w for w in sec.warnings)
    assert {f.id for f in sec.figures} == {"groups_industry_ladder", "groups_industry_means"}
    assert all(f.svg.startswith("<svg") for f in sec.figures)


def test_invariance_json_equals_invariance_called_directly(built, simulated):
    ctx, _ = built
    ds = ctx.dataset
    data = ds.items.copy()
    data["industry"] = ds.background["industry"].map(lambda v: str(int(v)))
    data = data.sort_values("industry", kind="stable")
    items = ds.dimensions["ccrm.crm_strategy"]
    # missing="auto" with missing answers and continuous items: FIML, as the CFA
    assert section.missing_used(ctx) == "fiml"
    direct = invariance(
        "ccrm_crm_strategy =~ " + " + ".join(items),
        data[[*items, "industry"]],
        "industry",
        estimator="MLR",
        missing="fiml",
        std_lv=True,
        search_partial=True,
    )
    shown = ctx.results["groups"]["variables"]["industry"]["invariance"]["units"][
        "ccrm_crm_strategy"
    ]
    assert json.dumps(shown, sort_keys=True) == json.dumps(direct.to_dict(), sort_keys=True)


def test_comparison_json_equals_compare_groups_called_directly(built):
    ctx, sec = built
    ds = ctx.dataset
    data = score(ds).scores[KEEP].copy()
    data["industry"] = ds.background["industry"].map(lambda v: str(int(v)))
    levels = ctx.results["groups"]["variables"]["industry"]["invariance"]["levels"]
    direct = compare_groups(data, KEEP, "industry", invariance=levels, adjust="holm").to_dict()
    shown = ctx.results["groups"]["variables"]["industry"]["comparison"]
    for part in ("descriptives", "tests", "posthoc"):
        a, b = pd.DataFrame(shown[part]), pd.DataFrame(direct[part])
        pd.testing.assert_frame_equal(a, b)
    assert shown["notes"] == direct["notes"]
    # the tables show those numbers, with labels for codes
    tests = next(t for t in sec.tables if t.id == "groups_industry_tests")
    assert tests.frame["p (Holm)"].to_numpy() == pytest.approx(
        pd.DataFrame(direct["tests"])["p_adjusted"].to_numpy(), rel=1e-12
    )
    desc = next(t for t in sec.tables if t.id == "groups_industry_descriptives")
    assert set(desc.frame["Group"]) == {
        "Manufacturing",
        "Business services",
        "Information and communication technology (ICT)",
    }
    assert any(t.id == "groups_industry_posthoc" for t in sec.tables)  # three groups
    # what may be compared, in words
    text = " ".join(sec.paragraphs)
    assert "Holm" in text
    assert "Collaborative core" in text and "partial invariance" in text


def test_small_groups_are_reported_and_skipped(simulated, monkeypatch):
    # industry 3 shrinks to 12 respondents: reported and left out, never merged
    ctx = _industry_3_cut_to(simulated, 12)
    sec = section.build(ctx)
    res = ctx.results["groups"]["variables"]["industry"]
    assert res["left_out"] == ["3"] and res["sizes"]["3"] == 12
    assert res["groups"] == ["1", "2"]
    assert any("fewer than 30" in w and "recoding" in w for w in sec.warnings)
    assert any("fewer than 30" in w for w in ctx.warnings)
    desc = pd.DataFrame(res["comparison"]["descriptives"])
    assert set(desc["group"]) == {"1", "2"}
    assert pd.DataFrame(res["comparison"]["tests"])["test"].iloc[0] == "Welch t"


def test_invariance_error_is_reported_not_raised(simulated, monkeypatch):
    # a group too small for the model: the engine's DataError becomes a warning with its hint,
    # and the observed-score comparison still runs (marked as not tested for invariance)
    monkeypatch.setattr(section, "MIN_GROUP_N", 5)
    ctx = _industry_3_cut_to(simulated, 8)
    sec = section.build(ctx)
    res = ctx.results["groups"]["variables"]["industry"]
    assert res["invariance"]["errors"] and "too small" in res["invariance"]["errors"][0]["message"]
    assert any("What to do" in w for w in sec.warnings)
    assert res["invariance"]["levels"]["ccrm.crm_strategy"] is None
    assert "not tested" in " ".join(res["comparison"]["notes"])


def test_whole_model_when_groups_are_large_enough(simulated, monkeypatch):
    monkeypatch.setattr(section, "CASES_PER_PARAMETER", 1)
    ctx = context(simulated, instrument="example", keep=KEEP, groups=("industry",))
    sec = section.build(ctx)
    inv = ctx.results["groups"]["variables"]["industry"]["invariance"]
    assert inv["unit"] == "model" and list(inv["units"]) == ["model"]
    model = inv["units"]["model"]
    assert "ccrm_collab_core =~ ccrm_a1" in model["released"]
    assert "whole measurement model" in " ".join(sec.paragraphs)
    # only the factor whose item was released drops to its fully invariant level
    levels = inv["levels"]
    assert levels["ccrm.collab_core"] == model["full_level_reached"]
    assert levels["ccrm.crm_strategy"] == (
        model["level_reached"]
        if not any("crm_strategy" in p or "ccrm_b" in p for p in model["released"])
        else model["full_level_reached"]
    )


def test_finnish_texts_and_labels(simulated):
    ctx = context(
        simulated, instrument="example", keep=["ccrm.crm_strategy"], groups=("industry",), lang="fi"
    )
    sec = section.build(ctx)
    assert sec.title.startswith("Ryhmät")
    desc = next(t for t in sec.tables if t.id == "groups_industry_descriptives")
    assert set(desc.frame["Ryhmä"]) == {
        "Teollisuus",
        "Liike-elämän palvelut",
        "Informaatio- ja viestintäteknologia (ICT)",
    }
    text = " ".join(sec.paragraphs)
    assert "toimiala" in text and "Ryhmät eivät eroa ulottuvuudella" in text
    ladder = next(t for t in sec.tables if t.id == "groups_industry_invariance")
    assert "Päätössääntö" in ladder.note and "konfiguraalinen" in set(ladder.frame["Malli"])


def test_script_in_a_group_label_stays_escaped():
    bfi = load_bfi().iloc[:600].copy()
    bfi["grp"] = np.where(bfi["gender"] == 1, "<script>alert(1)</script>", "plain")
    model = "agree =~ A1 + A2 + A3 + A4 + A5"
    ctx = context(bfi[["A1", "A2", "A3", "A4", "A5", "grp"]], model=model, groups=("grp",))
    sec = section.build(ctx)
    labels = ctx.results["groups"]["variables"]["grp"]["labels"]
    assert "<script>alert(1)</script>" in labels
    html = Report(title="t", sections=[sec], results=ctx.results).to_html()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # the figures hold the label as escaped SVG text too
    assert all("<script>alert" not in f.svg for f in sec.figures)
    Report(title="t", sections=[sec], results=ctx.results).to_json()


# ------------------------------------------------------------------------- against lavaan (demo)
REF = REFERENCE / "section_groups_demo.json"
STEP_KEYS = {
    "configural": "configural",
    "metric": "metric",
    "partial metric": "partial_metric",
    "scalar": "scalar",
    "partial scalar": "partial_scalar",
    "strict": "strict",
    "partial strict": "partial_strict",
}
DIFF_KEYS = {
    "metric": "metric_vs_configural",
    "partial metric": "partial_metric_vs_configural",
    "scalar": "scalar_vs_previous",
    "partial scalar": "partial_scalar_vs_previous",
    "strict": "strict_vs_scalar",
    "partial strict": "partial_strict_vs_scalar",
}
RELEASED = {
    "listwise": {
        "ccrm_collab_core": [
            "ccrm_collab_core =~ ccrm_a1",
            "ccrm_collab_core =~ ccrm_a2",
            "ccrm_a1 ~~ ccrm_a1",
        ],
        "ccrm_crm_strategy": [],
    },
    "fiml": {
        "ccrm_collab_core": ["ccrm_collab_core =~ ccrm_a1", "ccrm_a1 ~~ ccrm_a1"],
        "ccrm_crm_strategy": ["ccrm_b5 ~ 1"],
    },
}


@pytest.mark.slow
@pytest.mark.parametrize("missing", ["listwise", "fiml"])
def test_groups_section_matches_lavaan_on_the_demo(missing):
    """The section's data flow (missing codes, reverse keying, group order, listwise deletion per
    dimension or FIML, std.lv) gives lavaan's numbers: `Rscript
    tests/reference/section_groups_demo.R`."""
    ref_all = json.loads(REF.read_text())
    ref = ref_all["listwise" if missing == "listwise" else "ml"]
    ctx = context(DEMO, instrument="example", keep=KEEP, groups=("industry",), missing=missing)
    section.build(ctx)
    res = ctx.results["groups"]["variables"]["industry"]
    units = res["invariance"]["units"]
    for name in ("ccrm_collab_core", "ccrm_crm_strategy"):
        r, mine = ref[name], units[name]
        assert mine["missing"] == ("listwise" if missing == "listwise" else "ml")
        assert mine["nobs"] == r["nobs"]
        assert mine["released"] == RELEASED[missing][name]
        assert [row["step"] for row in mine["steps"]] == [s for s in STEP_KEYS if STEP_KEYS[s] in r]
        for row in mine["steps"]:
            fm = r[STEP_KEYS[row["step"]]]
            assert row["chisq"] == pytest.approx(fm["chisq"], rel=1e-4, abs=1e-3)
            assert row["df"] == fm["df"]
            # robust (MLR) figures: 1e-3
            assert row["chisq.scaled"] == pytest.approx(fm["chisq.scaled"], abs=1e-3)
            assert row["cfi"] == pytest.approx(fm["cfi.robust"], abs=1e-3)
            assert row["tli"] == pytest.approx(fm["tli.robust"], abs=1e-3)
            assert row["rmsea"] == pytest.approx(fm["rmsea.robust"], abs=1e-3)
            assert row["srmr"] == pytest.approx(fm["srmr"], rel=1e-4, abs=1e-3)
            if row["step"] in DIFF_KEYS:
                d = r[DIFF_KEYS[row["step"]]]
                assert row["diff.stat"] == pytest.approx(d["stat"], abs=1e-3)
                assert row["diff.df"] == d["df"]
                assert row["diff.pvalue"] == pytest.approx(d["p"], abs=1e-3)
        # the search released, first, the parameter with the largest joint score test in lavaan
        if mine["search"]:
            first = mine["search"][0]
            scores = r[f"{first['step']}_scores"]
            assert first["parameter"] == max(scores, key=scores.get)
            assert first["X2"] == pytest.approx(scores[first["parameter"]], abs=1e-3)
    # the planted loading is the first parameter released
    assert units["ccrm_collab_core"]["search"][0]["parameter"] == "ccrm_collab_core =~ ccrm_a1"
    # observed-score comparison: Welch's ANOVA of the dimension scores, Holm across the two
    tests = {t["score"]: t for t in res["comparison"]["tests"]}
    for key, name in (
        ("ccrm.collab_core", "ccrm_collab_core"),
        ("ccrm.crm_strategy", "ccrm_crm_strategy"),
    ):
        w = ref_all["welch"][name]
        assert tests[key]["statistic"] == pytest.approx(w["F"], rel=1e-6)
        assert tests[key]["df2"] == pytest.approx(w["df2"], rel=1e-6)
        assert tests[key]["p"] == pytest.approx(w["p"], rel=1e-6)
        assert tests[key]["p_adjusted"] == pytest.approx(w["p_holm"], rel=1e-6)
        desc = [d for d in res["comparison"]["descriptives"] if d["score"] == key]
        assert {d["group"]: d["mean"] for d in desc} == pytest.approx(w["means"], rel=1e-9)


def test_ordinal_items_follow_wu_estabrook(simulated):
    # an answer category that one group never used: reported with what to do, not raised
    ctx = context(
        simulated,
        instrument="example",
        keep=["ccrm.collab_core"],
        groups=("industry",),
        ordinal="yes",
    )
    sec = section.build(ctx)
    errors = ctx.results["groups"]["variables"]["industry"]["invariance"]["errors"]
    assert errors and "never used" in errors[0]["message"] and "Merge" in errors[0]["hint"]
    assert any("What to do: Merge" in w for w in sec.warnings)
    # the demo's items have every category in every industry: the Wu & Estabrook ladder
    ctx = context(
        DEMO, instrument="example", keep=["ccrm.collab_core"], groups=("industry",), ordinal="yes"
    )
    assert ctx.ordinal and ctx.estimator == "WLSMV"
    sec = section.build(ctx)
    unit = ctx.results["groups"]["variables"]["industry"]["invariance"]["units"]["ccrm_collab_core"]
    assert unit["estimator"] == "WLSMV" and unit["ordered"]
    steps = [s["step"] for s in unit["steps"]]
    assert steps[:2] == ["configural", "thresholds"]  # thresholds before loadings
    assert unit["released"][0] == "ccrm_collab_core =~ ccrm_a1"  # the planted loading
    ladder = next(t for t in sec.tables if t.id == "groups_industry_invariance")
    assert "scaled-and-shifted" in ladder.note and "Satorra (2000)" in ladder.note
    text = " ".join(sec.paragraphs)
    assert "Collaborative core differs between the groups (p < .05)." in text


def test_a_model_lavaan_syntax_cannot_express_is_reported():
    # an item column named like markup: read with an item list, the one-factor model built from
    # it cannot be parsed; the invariance step says so and the comparison still runs
    frame = load_bfi().iloc[:400][["N1", "N2", "N3", "N4", "N5", "gender"]]
    frame = frame.rename(columns={"N1": EVIL})
    ctx = context(frame, items=[EVIL, "N2", "N3", "N4", "N5"], groups=("gender",))
    sec = section.build(ctx)
    res = ctx.results["groups"]["variables"]["gender"]
    assert res["invariance"]["unit"] == "none" and res["invariance"]["errors"]
    assert any("could not be tested for the measurement model" in w for w in sec.warnings)
    assert res["comparison"]["tests"]
    html = Report(title="t", sections=[sec], results=ctx.results).to_html()
    assert EVIL not in html


def test_missing_data_handling_follows_the_cfa(simulated):
    # missing_used resolves "auto" itself (for contexts made without the pipeline); the pipeline
    # resolves it before any section runs, so these checks use the options as requested
    ctx = context(simulated, instrument="example", keep=KEEP)
    ctx.options = ctx.requested
    assert ctx.options.missing == "auto" and ctx.dataset.items.isna().any().any()
    assert section.missing_used(ctx) == "fiml"  # continuous items with missing answers
    ctx.results["cfa"] = {"missing": "listwise"}  # what the CFA section actually used wins
    assert section.missing_used(ctx) == "listwise"
    ctx = context(simulated, instrument="example", keep=KEEP, missing="listwise")
    assert section.missing_used(ctx) == "listwise"
    ctx = context(simulated, instrument="example", keep=KEEP, ordinal="yes")
    ctx.options = ctx.requested
    assert section.missing_used(ctx) == "listwise"  # WLSMV: complete cases
