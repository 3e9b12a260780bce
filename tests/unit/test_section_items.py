"""Report section "Items": descriptives and response distributions traced to item_statistics.

``item_statistics`` is tested against psych ``describe`` and ``response.frequencies`` in
test_reliability.py; here every figure of the section's tables and JSON must equal what that function
returns when called directly, on the keyed items (table) and on the answers as given (chart).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest

from moscale.analysis.itemstats import item_statistics
from moscale.analysis.report import Report
from moscale.analysis.sections import items as items_section

from .section_helpers import EVIL, context, example_section, load_bfi, relang

BFI = load_bfi()
COLUMNS = {
    "n": "n",
    "M": "mean",
    "SD": "sd",
    "Skewness": "skew",
    "Kurtosis": "kurtosis",
    "% missing": "pct_missing",
    "Floor %": "floor_pct",
    "Ceiling %": "ceiling_pct",
}


@pytest.fixture(scope="module")
def example():
    return example_section(items_section.build, 200, 3, missing_rate=0.03, straightliners=3)


def test_one_table_per_dimension_with_the_figures_of_item_statistics(example):
    ctx, section = example
    ds = ctx.dataset
    assert [t.id for t in section.tables] == [
        "items_" + k.replace(".", "_") for k in ctx.dimensions
    ]
    for key, its in ctx.dimensions.items():
        st = item_statistics(ds.items[its], scale_range=(1, 7)).table
        frame = next(t for t in section.tables if t.id == "items_" + key.replace(".", "_")).frame
        assert len(frame) == len(its)
        for col, stat in COLUMNS.items():
            np.testing.assert_array_equal(frame[col].to_numpy(float), st[stat].to_numpy(float))
        got = ctx.results["items"]["dimensions"][key]["statistics"]
        for record in got:
            row = st.loc[record["item"]]
            for stat in ("n", "n_missing", "pct_missing", "mean", "sd", "median", "skew"):
                assert record[stat] == row[stat]
            assert record["kurtosis"] == row["kurtosis"]
            assert record["floor_pct"] == row["floor_pct"]
            assert record["ceiling_pct"] == row["ceiling_pct"]
            assert record["reversed"] == (record["item"] in ds.reversed)


def test_texts_and_reverse_marks_come_from_the_instrument(example):
    ctx, section = example
    inst = ctx.instrument
    frame = next(t for t in section.tables if t.id == "items_ccrm_collab_core").frame
    assert frame["Item"].tolist()[1] == "ccrm_a2 (R)"  # reverse-keyed in the ccrm definition
    assert frame["Text"].tolist() == [
        inst.item(i).text["en"] for i in ctx.dimensions["ccrm.collab_core"]
    ]
    note = next(t for t in section.tables if t.id == "items_ccrm_collab_core").note
    assert "8 − x" in note
    assert "ccrm_a2" in ctx.results["items"]["reversed"]


def test_chart_shows_the_answers_as_given(example):
    ctx, section = example
    ds = ctx.dataset
    its = ctx.dimensions["ccrm.collab_core"]
    given = item_statistics(ds.unkeyed_items()[its], scale_range=(1, 7))
    keyed = item_statistics(ds.items[its], scale_range=(1, 7))
    res = ctx.results["items"]["dimensions"]["ccrm.collab_core"]
    assert res["distribution_as_answered"] == given.to_dict()["distribution"]
    assert res["distribution"] == keyed.to_dict()["distribution"]
    # the reversed item's answers as given are its keyed answers mirrored: category c <-> 8 - c
    cats = [str(c) for c in range(1, 8)]
    np.testing.assert_allclose(
        given.distribution.loc["ccrm_a2", cats].to_numpy(float),
        keyed.distribution.loc["ccrm_a2", cats[::-1]].to_numpy(float),
    )
    labels = inst_labels = ctx.instrument.blocks[1].response.labels["en"]
    assert res["chart"]["category_labels"] == [labels[c] for c in range(1, 8)]
    fig = next(f for f in section.figures if f.id == "items_chart_ccrm_collab_core")
    ET.fromstring(fig.svg)
    assert inst_labels[1] in fig.svg and "ccrm_a2 (R)" in fig.svg
    assert len(section.figures) == len(ctx.dimensions)


def test_summary_sentence(example):
    ctx, _ = example
    (sentence,) = [s for s in ctx.summary if "items in" in s]
    assert sentence.startswith("35 items in 7 dimension(s)")
    assert "ccrm_a2" in sentence


def test_finnish_texts_and_labels(example):
    ctx, _ = example
    fi = relang(ctx, "fi")
    section = items_section.build(fi)
    assert section.title == "Väittämät"
    frame = section.tables[0].frame
    assert {"Väittämä", "Teksti", "ka", "kh", "Vinous", "Huipukkuus"} <= set(frame.columns)
    assert frame["Teksti"].iloc[0] == fi.instrument.item("mktor_co1").text["fi"]
    labels = fi.results["items"]["dimensions"]["mktor.customer_orientation"]["chart"]
    assert labels["category_labels"][0] == "Ei lainkaan"
    assert "Ei lainkaan" in section.figures[0].svg
    assert fi.summary[0].startswith("Kuvattiin 35 väittämää")


def test_lavaan_model_without_instrument():
    model = "A =~ A1 + A2 + A3 + A4 + A5\nC =~ C1 + C2 + C3 + C4 + C5"
    ctx = context(BFI.iloc[:300], model=model, bootstrap=200)
    section = items_section.build(ctx)
    assert [t.id for t in section.tables] == ["items_A", "items_C"]
    frame = section.tables[0].frame
    assert "Text" not in frame.columns and len(frame) == 5
    st = item_statistics(ctx.dataset.items[["A1", "A2", "A3", "A4", "A5"]], scale_range=(1, 6))
    np.testing.assert_array_equal(frame["M"].to_numpy(float), st.table["mean"].to_numpy(float))
    chart = ctx.results["items"]["dimensions"]["A"]["chart"]
    assert chart["category_labels"] == ["1", "2", "3", "4", "5", "6"]
    assert ctx.results["items"]["dimensions"]["A"]["texts"] == dict.fromkeys(
        ["A1", "A2", "A3", "A4", "A5"]
    )


def test_no_variance_and_escaped_names():
    df = BFI.iloc[:120, :5].copy()
    df[EVIL] = df["A2"]
    df["K"] = 4
    ctx = context(df, model="F =~ A1 + A3 + K\nG =~ A4 + A5", bootstrap=200)
    section = items_section.build(ctx)
    assert ctx.results["items"]["no_variance"] == ["K"]
    assert any("K has no variance" in w for w in section.warnings)
    # an item named like markup: model syntax cannot name it, an item list can
    ctx2 = context(df, items=["A1", EVIL, "A3"], bootstrap=200)
    section2 = items_section.build(ctx2)
    html = Report(title="t", sections=[section2]).to_html()
    assert EVIL not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert EVIL in ctx2.results["items"]["dimensions"]["items"]["items"]
