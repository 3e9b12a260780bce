"""rwg(j), ICC(1)/ICC(2) and firm-level aggregation against multilevel/psych figures.

Reference: tests/reference/icc_multilevel.R (multilevel 2.7 rwg.j/rwg/ICC1/ICC2 on aov, psych 2.2.9
ICC and statsBy) -> icc_multilevel.json. Exact formulas: tolerance 1e-6.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from moscale.analysis.multilevel import aggregate, icc, rwg_j, uniform_null_variance
from moscale.analysis.responses import read_responses
from moscale.errors import DataError, UserError

REF = json.loads((Path(__file__).parents[1] / "reference" / "icc_multilevel.json").read_text())
DATA = Path(__file__).parents[1] / "data" / "responses"
TOL = 1e-6


def _frames():
    firm = np.asarray(REF["data"]["firm"])
    a = pd.DataFrame(REF["data"]["a"], columns=[f"a{i}" for i in range(1, 5)], dtype=float)
    b = pd.DataFrame(REF["data"]["b"], columns=[f"b{i}" for i in range(1, 4)], dtype=float)
    return firm, a, b


def test_uniform_null_variance():
    # (A² - 1) / 12: 5 points -> 2, 7 points -> 4
    assert uniform_null_variance(5) == 2.0
    assert uniform_null_variance(7) == 4.0


@pytest.mark.parametrize(("key", "cols", "points"), [("rwg_a", "a", 5), ("rwg_b", "b", 7)])
def test_rwg_j_matches_multilevel(key, cols, points):
    firm, a, b = _frames()
    x = a if cols == "a" else b
    got = rwg_j(x, firm, points=points)
    ref = REF[key]
    assert list(got.index) == ref["firm"]
    np.testing.assert_allclose(got["rwg_j"].to_numpy(), ref["rwg_j"], atol=TOL)
    assert got["n"].tolist() == ref["n"]  # listwise: respondents with a missing answer dropped


def test_single_item_rwg_matches_multilevel():
    firm, _, b = _frames()
    got = rwg_j(b[["b1"]], firm, points=7)
    np.testing.assert_allclose(got["rwg_j"].to_numpy(), REF["rwg_b1"]["rwg"], atol=TOL)


def test_rwg_j_truncated_to_zero_and_hand_computation():
    # Hand computation: one firm answers (1, 5) on both items of a 5-point scale: item variances
    # 8 and 8, mean 8 > σ²_EU = 2 -> rwg(j) = 0 (truncated). Another answers (3, 4) and (3, 3):
    # variances 0.5 and 0, s̄² = 0.25, ratio .125, rwg(j) = 2(.875) / (2(.875) + .125) = .9333...
    x = pd.DataFrame({"i1": [1, 5, 3, 4], "i2": [1, 5, 3, 3]})
    got = rwg_j(x, ["f1", "f1", "f2", "f2"], points=5)
    assert got.loc["f1", "rwg_j"] == 0.0
    assert bool(got.loc["f1", "truncated"])
    assert got.loc["f2", "rwg_j"] == pytest.approx(1.75 / 1.875, abs=1e-12)


def test_rwg_j_single_respondent_is_nan_and_needs_points():
    x = pd.DataFrame({"i1": [1, 2, 3]})
    got = rwg_j(x, [1, 1, 2], points=5)
    assert np.isnan(got.loc[2, "rwg_j"])
    with pytest.raises(UserError):
        rwg_j(x, [1, 1, 2])


@pytest.mark.parametrize("var", ["A", "B"])
def test_icc_matches_multilevel_and_statsby(var):
    firm, a, b = _frames()
    score = a.mean(axis=1) if var == "A" else b.mean(axis=1)
    got = icc(score.rename(var), firm).loc[var]
    ref = REF["icc"][var]
    for ours, theirs in [
        ("icc1", "icc1"),
        ("icc2", "icc2"),
        ("ms_between", "ms_between"),
        ("ms_within", "ms_within"),
        ("F", "F"),
        ("df1", "df1"),
        ("df2", "df2"),
    ]:
        assert got[ours] == pytest.approx(ref[theirs], abs=TOL), ours
    assert got["p"] == pytest.approx(ref["p"], rel=1e-6)
    assert got["icc1"] == pytest.approx(REF["statsby"]["icc1"][var], abs=TOL)
    assert got["icc2"] == pytest.approx(REF["statsby"]["icc2"][var], abs=TOL)


def test_icc_balanced_matches_psych_icc():
    bal = REF["balanced"]
    got = icc(pd.Series(bal["y"], name="y"), bal["firm"]).loc["y"]
    assert got["icc1"] == pytest.approx(bal["psych_icc1"], abs=TOL)
    assert got["icc2"] == pytest.approx(bal["psych_icc1k"], abs=TOL)
    assert got["F"] == pytest.approx(bal["psych_F"], abs=TOL)
    assert got["icc1"] == pytest.approx(bal["multilevel_icc1"], abs=TOL)


def test_icc_needs_two_clusters():
    with pytest.raises(DataError, match="two clusters"):
        icc(pd.Series([1.0, 2.0, 3.0], name="y"), [1, 1, 1])


def test_aggregate_applies_the_rwg_rule():
    ds = read_responses(DATA / "moscale_download.csv", instrument=DATA / "study.yaml")
    agg = aggregate(ds, rwg_min=0.70)
    # firm scores are means of respondents' dimension means over the firm's members
    tiny = ds.items[["tiny_a1", "tiny_a2", "tiny_a3"]].mean(axis=1)
    firm = ds.background["firm"]
    expect = tiny.groupby(firm.to_numpy()).mean()
    np.testing.assert_allclose(agg.firm_scores["tiny.a"].to_numpy(), expect.to_numpy())
    # the rule: a firm's score is kept exactly where rwg(j) >= .70
    kept = agg.agreement >= 0.70
    pd.testing.assert_frame_equal(agg.included, kept, check_names=False)
    assert agg.firm_scores["duo.cu"].isna().sum() == int((~kept["duo.cu"]).sum()) > 0
    assert agg.summary.loc["duo.cu", "dropped_agreement"] == int((~kept["duo.cu"]).sum())
    assert agg.rule["points"] == {"tiny.a": 5, "duo.cu": 7, "duo.co": 7}
    assert any("below the agreement cut-off" in n for n in agg.notes)
    # no agreement rule: every firm with two or more respondents is kept
    loose = aggregate(ds, rwg_min=None)
    assert loose.firm_scores[["tiny.a", "duo.cu", "duo.co"]].notna().all().all()


def test_aggregate_min_size_and_missing_cluster():
    ds = read_responses(DATA / "moscale_download.csv", instrument=DATA / "study.yaml")
    firms = np.array([1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 5])  # firm 5 has one respondent
    agg = aggregate(ds, cluster=firms, rwg_min=None)
    assert agg.firm_scores.loc[5].drop("n").isna().all()
    assert agg.summary["dropped_size"].eq(1).all()
    adhoc = read_responses(DATA / "moscale_download.csv", items=["tiny_a1", "tiny_a2"])
    with pytest.raises(UserError, match="cluster"):
        aggregate(adhoc)
