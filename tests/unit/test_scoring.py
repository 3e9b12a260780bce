"""Scores: means, prorated sums, POMP, the minimum-valid-items rule and higher-order scores.

Expected values are hand computations stated beside each assertion (the formulas are exact).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moscale.analysis.responses import read_responses
from moscale.analysis.scoring import required_count, score
from moscale.errors import UserError

DATA = Path(__file__).parents[1] / "data" / "responses"


def test_required_count_rule():
    # at least half of the items, rounded up: k = 3 -> 2, 4 -> 2, 5 -> 3, 1 -> 1
    assert [required_count(k, 0.5) for k in (1, 3, 4, 5, 6)] == [1, 2, 2, 3, 3]
    assert required_count(4, 1.0) == 4  # share 1.0: every item
    assert required_count(4, 1) == 1  # count 1: one item
    assert required_count(3, 5) == 3  # a count is capped at k
    for bad in (0, 0.0, 1.5, -1, True):
        with pytest.raises(UserError):
            required_count(4, bad)


@pytest.fixture()
def frame():
    return pd.DataFrame(
        {
            "a1": [1, 4, np.nan, 2],
            "a2": [3, np.nan, np.nan, 2],
            "a3": [5, 4, 3, np.nan],
            "b1": [7, 1, 4, 6],
            "b2": [5, 1, np.nan, 6],
        }
    )


def test_mean_scores_with_min_valid(frame):
    dims = {"A": ["a1", "a2", "a3"], "B": ["b1", "b2"]}
    s = score(frame, dimensions=dims)
    # A needs 2 of 3: row 1 (1+3+5)/3 = 3; row 2 (4+4)/2 = 4; row 3 only one item -> missing;
    # row 4 (2+2)/2 = 2. B needs 1 of 2: 6, 1, 4, 6.
    np.testing.assert_allclose(s.scores["A"], [3, 4, np.nan, 2])
    np.testing.assert_allclose(s.scores["B"], [6, 1, 4, 6])
    assert s.required == {"A": 2, "B": 1}
    assert s.n_valid["A"].tolist() == [3, 2, 1, 2]
    assert any("at least 50% of the items, rounded up" in n for n in s.notes)
    assert any("A: 1 respondent(s) without a score" in n for n in s.notes)
    # every item required
    strict = score(frame, dimensions=dims, min_valid=1.0)
    np.testing.assert_allclose(strict.scores["A"], [3, np.nan, np.nan, np.nan])


def test_sum_is_prorated_and_pomp(frame):
    dims = {"A": ["a1", "a2", "a3"]}
    s = score(frame, method="sum", dimensions=dims)
    # prorated sum = 3 × mean: 9, 12, missing, 6
    np.testing.assert_allclose(s.scores["A"], [9, 12, np.nan, 6])
    p = score(frame, method="pomp", dimensions=dims, scale_range=(1, 5))
    # POMP = 100 (x - 1) / 4 averaged: row 1 (0 + 50 + 100)/3 = 50; row 2 75; row 4 25
    np.testing.assert_allclose(p.scores["A"], [50, 75, np.nan, 25])
    with pytest.raises(UserError, match="minimum and maximum"):
        score(frame, method="pomp", dimensions=dims)


def test_higher_order_is_mean_of_dimension_scores(frame):
    dims = {"A": ["a1", "a2", "a3"], "B": ["b1", "b2"]}
    s = score(frame, dimensions=dims, higher_order={"H": ["A", "B"]})
    # H = mean(A, B) with at least 1 of 2 dimension scores: (3+6)/2, (4+1)/2, B alone 4, (2+6)/2
    np.testing.assert_allclose(s.scores["H"], [4.5, 2.5, 4.0, 4.0])
    assert s.kind["H"] == "higher_order" and s.components["H"] == ["A", "B"]
    summed = score(frame, method="sum", dimensions=dims, higher_order={"H": ["A", "B"]})
    # sum of dimension sums, every dimension needed: 9 + 12 = 21, 12 + 2 = 14, missing, 6 + 12
    np.testing.assert_allclose(summed.scores["H"], [21, 14, np.nan, 18])


def test_score_dataset_uses_keyed_items_and_structure():
    ds = read_responses(DATA / "moscale_download.csv", instrument=DATA / "study.yaml")
    s = score(ds)
    assert list(s.scores.columns) == ["tiny.a", "duo.cu", "duo.co", "duo", "duo.mo"]
    # line 2 (r01): tiny 3, 1 (reversed 5 + 1 - 1 = 5), 4 -> (3 + 5 + 4) / 3 = 4
    assert s.scores.loc[2, "tiny.a"] == pytest.approx(4.0)
    # duo.cu: 5, 6, 3 (reversed 8 - 3 = 5), 4 -> 5; duo.co: 6, 5, 4 -> 5; scale duo = mean of 7
    assert s.scores.loc[2, "duo.cu"] == pytest.approx(5.0)
    assert s.scores.loc[2, "duo"] == pytest.approx(35 / 7)
    assert s.scores.loc[2, "duo.mo"] == pytest.approx(5.0)
    pomp = score(ds, method="pomp")
    # tiny on 1..5: 100 × (4 - 1) / 4 = 75
    assert pomp.scores.loc[2, "tiny.a"] == pytest.approx(75.0)
    assert s.to_dict()["columns"][0]["required"] == 2


def test_score_errors(frame):
    with pytest.raises(UserError, match="which items"):
        score(frame)
    with pytest.raises(UserError, match="not in the data"):
        score(frame, dimensions={"A": ["zz"]})
    with pytest.raises(UserError, match="unknown dimension"):
        score(frame, dimensions={"A": ["a1"]}, higher_order={"H": ["A", "Q"]})
    with pytest.raises(UserError, match="unknown scoring method"):
        score(frame, method="median", dimensions={"A": ["a1"]})


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.lists(st.one_of(st.integers(1, 7), st.none()), min_size=4, max_size=4),
        min_size=1,
        max_size=10,
    )
)
def test_mean_score_invariant_to_item_order(rows):
    x = pd.DataFrame(rows, columns=list("abcd"), dtype=float)
    s1 = score(x, dimensions={"F": ["a", "b", "c", "d"]}).scores["F"]
    s2 = score(x, dimensions={"F": ["d", "c", "b", "a"]}).scores["F"]
    np.testing.assert_allclose(s1, s2)
    lo, hi = s1.min(), s1.max()
    assert np.isnan(lo) or (1 <= lo and hi <= 7)
