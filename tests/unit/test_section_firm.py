"""The report's firm section: every number equals moscale.analysis.multilevel.aggregate() on the
same data (aggregate's rwg(j) and ICC are tested against multilevel::rwg.j / ICC1 / ICC2 in
test_multilevel.py); texts in both languages; failures reported, not raised."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from moscale.analysis.multilevel import aggregate
from moscale.analysis.report import Report, _clean
from moscale.analysis.sections import firm as section

from .section_helpers import context, example_responses


@pytest.fixture(scope="module")
def simulated() -> pd.DataFrame:
    return example_responses(400, 11, n_firms=120, icc=0.25, missing_rate=0.02)


def test_no_cluster_no_section(simulated):
    # the pipeline takes the study's firm question as the cluster whenever the data have it:
    # without that column there is no cluster
    ctx = context(simulated.drop(columns="firm_id"), "example")
    assert section.build(ctx) is None and "firm" not in ctx.results


def test_numbers_equal_aggregate(simulated):
    ctx = context(simulated, "example", cluster="firm_id")
    sec = section.build(ctx)
    direct = aggregate(ctx.dataset, "firm_id", rwg_min=0.70, dimensions=ctx.dimensions)
    res = ctx.results["firm"]
    assert (
        res["rule"]
        == direct.rule
        == {
            "rwg_min": 0.70,
            "min_size": 2,
            "points": {d: 7 for d in ctx.dimensions},
        }
    )
    assert json.dumps(_clean(res["summary"])) == json.dumps(_clean(direct.to_dict()["summary"]))
    assert json.dumps(_clean(res["icc"])) == json.dumps(_clean(direct.to_dict()["icc"]))
    pd.testing.assert_frame_equal(
        pd.DataFrame(res["firm_scores"]), direct.firm_scores.reset_index()
    )
    pd.testing.assert_frame_equal(pd.DataFrame(res["agreement"]), direct.agreement.reset_index())
    # sample description from the same object
    sizes = direct.firm_scores["n"]
    assert res["n_firms"] == 120 == len(sizes)
    assert res["n_respondents"] == 400 == int(sizes.sum())
    assert res["respondents_per_firm"]["mean"] == pytest.approx(direct.icc["k"].iloc[0])
    assert res["respondents_per_firm"]["single"] == int((sizes == 1).sum())
    # the agreement table shows those numbers
    table = next(t for t in sec.tables if t.id == "firm_agreement")
    assert table.frame["ICC(1)"].to_numpy() == pytest.approx(direct.icc["icc1"].to_numpy())
    assert table.frame["ICC(2)"].to_numpy() == pytest.approx(direct.icc["icc2"].to_numpy())
    assert table.frame["rwg(j) Mdn"].to_numpy() == pytest.approx(
        direct.summary["rwg_median"].to_numpy()
    )
    assert table.frame["Kept"].tolist() == direct.summary["kept"].tolist()
    # the firm-score table (downloadable) holds every firm, kept scores only
    scores = next(t for t in sec.tables if t.id == "firm_scores")
    assert len(scores.frame) == 120
    label = ctx.label("ccrm.collab_core")
    shown = scores.frame.set_index("Firm")[label]
    expected = direct.firm_scores["ccrm.collab_core"]
    expected.index = expected.index.astype(str)
    pd.testing.assert_series_equal(
        shown.sort_index(), expected.sort_index(), check_names=False, check_index_type=False
    )
    assert scores.to_csv().count("\n") == 121
    # words: guides and verdicts follow the numbers
    text = " ".join(sec.paragraphs)
    assert "Bliese, 2000" in text and "LeBreton & Senter, 2008" in text
    for d, v in res["verdicts"].items():
        icc1 = direct.icc.loc[d, "icc1"]
        icc2 = direct.icc.loc[d, "icc2"]
        med = direct.summary.loc[d, "rwg_median"]
        expected_v = (
            "disagree"
            if med < 0.70
            else "no_effect"
            if icc1 <= 0.05
            else "unreliable"
            if icc2 < 0.70
            else "ok"
        )
        assert v == expected_v
    Report(title="t", sections=[sec], results=ctx.results).to_json()


def test_finnish(simulated):
    ctx = context(simulated, "example", cluster="firm_id", lang="fi")
    sec = section.build(ctx)
    assert sec.title.startswith("Yritystaso")
    assert "yritystä" in " ".join(sec.paragraphs)
    assert "Ulottuvuus" in next(t for t in sec.tables if t.id == "firm_agreement").frame


def test_one_respondent_per_firm_is_reported_not_raised(simulated):
    df = simulated.copy()
    df["firm_id"] = np.arange(len(df)).astype(str)  # nobody shares a firm
    ctx = context(df, "example", cluster="firm_id")
    sec = section.build(ctx)
    assert sec is not None and sec.warnings
    assert "error" in ctx.results["firm"] and ctx.warnings
    assert not sec.tables
