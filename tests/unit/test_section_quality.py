"""Report section "Data quality": every count traced to reading, screening and item_statistics.

The section computes no statistic of its own: the missing answers per item come from
``item_statistics`` (tested against psych ``describe``), the careless-responding flags from
``screen`` (tested against the R package careless), the rest are counts. These tests check that the
tables and the JSON carry exactly those figures, in English and in Finnish, that user text stays
escaped, and that awkward data do not stop the report.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

import moscale as ms
from moscale.analysis.itemstats import item_statistics
from moscale.analysis.report import Report
from moscale.analysis.screening import RULES
from moscale.analysis.sections import quality

from .section_helpers import EVIL, context, example_responses, load_bfi, relang, table


@pytest.fixture(scope="module")
def example():
    df = example_responses(240, 7, missing_rate=0.03, straightliners=4)
    df.loc[0, "mktor_co1"] = 9  # outside the 7-point scale
    df.loc[1, "mktor_co2"] = -99  # "don't know"
    df.loc[:40, "ccrm_d5"] = pd.NA  # 41 of 240 missing: above the 10 % threshold
    ctx = context(df, "example", bootstrap=200, exclude_careless=("longstring",))
    section = quality.build(ctx)
    return ctx, section


def test_sample_flow_counts_what_reading_and_screening_did(example):
    ctx, section = example
    res = ctx.results["quality"]["sample"]
    scr = ctx.screening
    assert res["n_read"] == ctx.dataset_all.n_read == 240
    assert res["n_kept_after_reading"] == ctx.dataset_all.n_kept
    assert res["excluded_by_screening"] == scr.excluded
    assert scr.excluded["longstring"] >= 4  # the planted straight-liners
    assert res["n_analysed"] == ctx.dataset.n_kept == 240 - scr.excluded["total"]
    frame = table(section, "quality_sample").frame
    assert frame["n"].iloc[0] == 240
    assert frame["n"].iloc[-1] == ctx.dataset.n_kept
    assert scr.excluded["longstring"] in frame["n"].tolist()


def test_issue_table_lists_planted_problems_with_their_action(example):
    ctx, section = example
    issues = {(r["kind"], r["action"]): r for r in ctx.results["quality"]["issues"]}
    out = issues["out_of_range", "set missing"]
    assert out["n"] == len(ctx.dataset_all.issues_of("out_of_range")) == 1
    assert out["columns"] == ["mktor_co1"] and out["unit"] == "cell"
    dk = issues["declared_missing", "set missing"]
    assert "mktor_co2" in dk["columns"] and dk["unit"] == "column"
    summary = ctx.dataset_all.issue_summary()
    assert [(r["kind"], r["action"], r["n"]) for r in ctx.results["quality"]["issues"]] == list(
        summary[["kind", "action", "n"]].itertuples(index=False, name=None)
    )
    frame = table(section, "quality_issues").frame
    assert len(frame) == len(summary)
    assert "set missing" in frame["What was done"].tolist()


def test_missing_per_item_equals_item_statistics(example):
    ctx, section = example
    order = [i for its in ctx.dimensions.values() for i in its]
    st = item_statistics(ctx.dataset.items[order]).table
    got = ctx.results["quality"]["missing"]["items"]
    assert list(got) == order
    for item in order:
        assert got[item]["n_missing"] == st.loc[item, "n_missing"]
        assert got[item]["pct_missing"] == st.loc[item, "pct_missing"]
    frame = table(section, "quality_missing_items").frame
    assert frame["Item"].tolist() == order
    np.testing.assert_array_equal(frame["% missing"], st.loc[order, "pct_missing"])
    np.testing.assert_array_equal(frame["n missing"], st.loc[order, "n_missing"])


def test_missing_per_dimension_and_respondent_are_the_counts(example):
    ctx, section = example
    items = ctx.dataset.items
    n = len(items)
    miss = ctx.results["quality"]["missing"]
    for key, its in ctx.dimensions.items():
        d = miss["dimensions"][key]
        cells = int(items[its].isna().to_numpy().sum())
        assert d["n_missing_cells"] == cells
        assert d["pct_missing"] == pytest.approx(100 * cells / (n * len(its)), abs=1e-12)
        assert d["n_complete"] == len(items[its].dropna())
    resp = miss["respondents"]
    assert resp["complete"] + resp["some"] + resp["many"] + resp["none_answered"] == n
    assert resp["complete"] == len(items.dropna())
    frame = table(section, "quality_missing_respondents").frame
    assert frame["n"].tolist() == [resp[k] for k in ("complete", "some", "many", "none_answered")]
    assert frame["%"].tolist() == [
        resp["pct"][k] for k in ("complete", "some", "many", "none_answered")
    ]
    assert miss["mcar_test"] is None  # not computed, and the note says so
    assert "MCAR" in table(section, "quality_missing_respondents").note
    dims = table(section, "quality_missing_dimensions").frame
    assert len(dims) == len(ctx.dimensions)


def test_careless_table_carries_the_screening_flags(example):
    ctx, section = example
    scr = ctx.screening
    res = ctx.results["quality"]["careless"]
    assert res["flagged"] == scr.flagged
    assert res["cutoffs"] == scr.cutoffs
    assert res["excluded"] == scr.excluded
    applied = [r for r in RULES if r in scr.flags.columns]
    assert res["rules_applied"] == applied
    frame = table(section, "quality_careless").frame
    assert len(frame) == len(applied) + 1  # and the "any rule" row
    assert frame["Flagged"].tolist() == [scr.flagged[r] for r in applied] + [scr.flagged["any"]]
    assert frame["Excluded"].iloc[-1] == scr.excluded["total"]
    assert frame["% flagged"].iloc[0] == pytest.approx(100 * scr.flagged[applied[0]] / 240)
    assert frame["% flagged"].tolist() == [res["pct_flagged"][r] for r in applied + ["any"]]
    assert set(res["rules_not_applied"]) == set(RULES) - set(applied)


def test_summary_warnings_and_figure(example):
    ctx, section = example
    assert ctx.summary[0].startswith("240 questionnaires were read")
    assert any("were excluded" in s or "excluded (" in s for s in ctx.summary)
    w = [x for x in section.warnings if "ccrm_d5" in x]
    assert w and "more than 10 %" in w[0]
    assert w[0] in ctx.warnings
    (fig,) = section.figures
    root = ET.fromstring(fig.svg)
    assert root.tag.endswith("svg")
    assert "respondents (n = " in fig.svg
    json.dumps(Report(title="t", sections=[section], results=ctx.results).to_dict())


def test_finnish_texts(example):
    ctx, _ = example
    fi = relang(ctx, "fi")
    section = quality.build(fi)
    assert section.title == "Aineiston laatu"
    frame = table(section, "quality_careless").frame
    assert "Sääntö" in frame.columns
    cut = frame["Raja-arvo"].iloc[0]
    assert "pisin samojen vastausten jono" in cut and "longest" not in cut
    assert fi.summary[0].startswith("Kyselylomakkeita luettiin 240")
    assert "vastaajat (n = " in section.figures[0].svg
    assert any("Väittämä ccrm_d5" in w for w in section.warnings)
    html = Report(title="t", lang="fi", sections=[section]).to_html()
    assert "Puuttuvat vastaukset ulottuvuuksittain" in html


@pytest.mark.parametrize(
    ("english", "finnish"),
    [
        ("longest run of identical answers > 17.5 (of 35 items)", "jono > 17.5 (35 väittämästä)"),
        ("IRV < 0.5", "IRV < 0.5"),
        ("D² > 66.62 = χ²(35) quantile at 0.999 (p < 0.001)", "χ²(35)-jakauman 0.999-kvantiili"),
        ("more than 0 of 1 instructed-response item(s) failed", "yli 0/1 tarkistuskysymyksestä"),
        ("fewer than 2 s per item (36 items shown)", "alle 2 s väittämää kohden"),
        (
            "synonym correlation < 0 over 3 item pairs with r > 0.6",
            "synonyymikorrelaatio < 0 (3 väittämäparia",
        ),
    ],
)
def test_cutoffs_in_finnish(english, finnish):
    assert finnish in quality.cutoff_text(english, "fi")
    assert quality.cutoff_text(english, "en") == english


def test_unknown_cutoff_is_shown_as_written():
    assert quality.cutoff_text("something new > 3", "fi") == "something new > 3"


def test_user_text_stays_escaped_and_constant_item_does_not_stop_the_report():
    df = load_bfi().iloc[:150, :6].copy()
    df[EVIL] = df["A3"]
    df["K"] = 3  # no variance
    ctx = context(df, items=["A1", "A2", EVIL, "A4", "K"], bootstrap=200)
    section = quality.build(ctx)
    assert any("K has no variance" in w for w in section.warnings)
    assert EVIL in ctx.results["quality"]["missing"]["items"]
    html = Report(title="t", sections=[section], warnings=ctx.warnings).to_html()
    assert EVIL not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_rows_dropped_when_reading_are_counted_by_kind():
    df = example_responses(60, 2)
    df.loc[5, "respondent_id"] = df.loc[4, "respondent_id"]  # a repeated respondent id
    ds = ms.read_responses(df, instrument="example", policy={"duplicate_id": "keep_first"})
    ctx = context(ds, bootstrap=200)
    section = quality.build(ctx)
    sample = ctx.results["quality"]["sample"]
    assert sample["dropped_when_reading"] == {"duplicate_id": 1}
    assert sample["n_read"] == 60 and sample["n_kept_after_reading"] == sample["n_analysed"] == 59
    frame = table(section, "quality_sample").frame
    assert frame["Step"].tolist()[1] == "Dropped when reading: Repeated respondent id"
    assert ctx.summary[0] == (
        "60 questionnaires were read; 1 dropped when reading (repeated respondent id: 1) and 59 "
        "respondents analysed."
    )


def test_evenodd_is_reported_without_a_flag_with_few_dimensions(example):
    """The example study has seven dimensions, fewer than screening.EVENODD_MIN_FACTORS: the
    even-odd index is computed but not a flag, and the table note says why (in both languages)."""
    ctx, section = example
    scr = ctx.screening
    res = ctx.results["quality"]["careless"]
    assert "evenodd" not in res["rules_applied"] and "evenodd" not in res["flagged"]
    assert scr.indices["evenodd"].notna().sum() > 200  # computed for the respondents
    assert res["withheld"] == scr.withheld
    assert res["rules_not_applied"]["evenodd"] == scr.withheld["evenodd"]
    assert scr.withheld["evenodd"].startswith("only 7 dimensions")
    note = table(section, "quality_careless").note
    assert "Even-odd inconsistency (only 7 dimensions" in note
    fi = relang(ctx, "fi")
    fi_note = table(quality.build(fi), "quality_careless").note
    assert "vain 7 ulottuvuutta" in fi_note and "only 7" not in fi_note
