"""Careless-responding indices.

References: tests/reference/screening.R -> screening.json computes the indices on psych's bfi
(rows 1-300) from careless 1.2's published definitions written out in base R (rle, sd, cor, cut),
and Mahalanobis D² with psych::outlier, which careless::mahad calls. Exact formulas: 1e-6.
Small cases are also checked against hand computations stated in each test.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moscale.analysis.responses import read_responses
from moscale.analysis.screening import (
    attention_failures,
    evenodd,
    irv,
    longstring,
    mahad,
    psychant,
    psychsyn,
    screen,
    seconds_per_item,
)
from moscale.errors import UserError

HERE = Path(__file__).parents[1]
REF = json.loads((HERE / "reference" / "screening.json").read_text())
DATA = HERE / "data" / "responses"
TOL = 1e-6


@pytest.fixture(scope="module")
def bfi():
    df = pd.read_csv(HERE / "data" / "bfi.csv").iloc[: REF["rows"]][REF["items"]].astype(float)
    keyed = df.copy()
    keyed[REF["reverse"]] = 7 - keyed[REF["reverse"]]
    return df, keyed


def _ref(key):
    return np.array([np.nan if v is None else v for v in REF[key]], dtype=float)


# --- against the R figures ------------------------------------------------------------------------


def test_longstring_matches_rle(bfi):
    x, _ = bfi
    ls, avg = longstring(x, avg=True)
    np.testing.assert_allclose(ls, REF["longstr"], atol=TOL)
    np.testing.assert_allclose(avg, REF["avgstr"], atol=TOL)


def test_irv_matches_r(bfi):
    x, _ = bfi
    np.testing.assert_allclose(irv(x), _ref("irv"), atol=TOL)
    split = irv(x, split=True, num_split=3)
    ref = np.array(REF["irv_split"], dtype=float)
    np.testing.assert_allclose(split[["irv1", "irv2", "irv3"]].to_numpy(), ref, atol=TOL)


def test_mahad_matches_psych_outlier(bfi):
    x, _ = bfi
    md = mahad(x, confidence=0.999)
    np.testing.assert_allclose(md.d_sq, REF["d2"], rtol=1e-9, atol=TOL)
    assert md.cutoff == pytest.approx(REF["cut999"], abs=TOL)
    assert md.df == 25
    np.testing.assert_array_equal(md.flagged, np.asarray(REF["d2"]) > REF["cut999"])


def test_evenodd_matches_careless_definition(bfi):
    _, keyed = bfi
    eo, nf = evenodd(keyed, [5] * 5)
    np.testing.assert_allclose(eo, _ref("evenodd"), atol=TOL)
    assert nf.max() == 5


def test_psychsyn_and_psychant_match(bfi):
    x, keyed = bfi
    syn = psychsyn(keyed, critval=0.50, names=list(keyed.columns))
    assert [list(p[:2]) for p in syn.pairs] == REF["syn_pairs"]
    np.testing.assert_array_equal(syn.n_pairs, REF["syn_n"])
    np.testing.assert_allclose(syn.cor, _ref("syn"), atol=TOL)
    ant = psychant(x, critval=-0.40, names=list(x.columns))
    assert [list(p[:2]) for p in ant.pairs] == REF["ant_pairs"]
    np.testing.assert_allclose(ant.cor, _ref("ant"), atol=TOL)


# --- hand computations ----------------------------------------------------------------------------


def test_longstring_by_hand():
    # [1,1,1,2,2] -> runs 3,2: max 3, average 5/2. [1,NaN,1,1,3] -> runs 1,1,2,1 (a missing answer
    # is a run of its own, as R's rle makes it): max 2, average 5/4. [4,4,4,4,4] -> 5 and 5.
    x = np.array([[1, 1, 1, 2, 2], [1, np.nan, 1, 1, 3], [4, 4, 4, 4, 4]], dtype=float)
    ls, avg = longstring(x, avg=True)
    np.testing.assert_array_equal(ls, [3, 2, 5])
    np.testing.assert_allclose(avg, [2.5, 1.25, 5.0])
    np.testing.assert_array_equal(longstring(x), [3, 2, 5])


def test_irv_by_hand():
    # SD (n - 1) of the answered items: [1, 2, 3, NaN] -> 1; [5, NaN, NaN, NaN] -> undefined.
    x = np.array([[1, 2, 3, np.nan], [5, np.nan, np.nan, np.nan]], dtype=float)
    out = irv(x)
    assert out[0] == pytest.approx(1.0)
    assert np.isnan(out[1])
    # na_rm=False: any missing answer makes it undefined
    assert np.isnan(irv(x, na_rm=False)).all()


def test_mahad_by_hand():
    # Two uncorrelated items with means 0 and variances 2 (points (±1, ±1) pattern): D² of (1, 1)
    # is 1/2 + 1/2 = 1; a missing answer contributes nothing, so (1, NaN) gives 1/2.
    x = np.array([[1, 1], [1, -1], [-1, 1], [-1, -1], [1, np.nan]], dtype=float)
    full = mahad(x[:4])
    # S = [[4/3, 0], [0, 4/3]] with n - 1 = 3 -> D² = 3/4 + 3/4
    np.testing.assert_allclose(full.d_sq, [1.5] * 4)
    part = mahad(x)
    assert part.d_sq[-1] == pytest.approx(
        (1 - np.nanmean(x[:, 0])) ** 2 / np.var(x[:, 0], ddof=1), rel=1e-12
    )


def test_evenodd_by_hand_and_sign():
    # Two factors of 4 items. Respondent 1: factor 1 odd items (1st, 3rd) = 1, 1; even = 2, 2;
    # factor 2 odd = 5, 5, even = 6, 6: even means (2, 6), odd means (1, 5): r = 1, Spearman-Brown
    # 1, careless ≥ 1.2.1 sign: -1 (consistent = low). Respondent 2: even (5, 1), odd (1, 5):
    # r = -1 -> 2r/(1+r) = -inf, floored at -1 -> index +1 (careless = high).
    x = np.array(
        [[1, 2, 1, 2, 5, 6, 5, 6], [1, 5, 1, 5, 5, 1, 5, 1]],
        dtype=float,
    )
    eo, nf = evenodd(x, [4, 4])
    np.testing.assert_allclose(eo, [-1.0, 1.0])
    np.testing.assert_array_equal(nf, [2, 2])
    with pytest.raises(UserError, match="two factors"):
        evenodd(x, [8])


def test_psychsyn_needs_more_than_two_pairs():
    rng = np.random.default_rng(1)
    z = rng.normal(size=(200, 1))
    x = np.hstack([z + 0.3 * rng.normal(size=(200, 1)) for _ in range(3)])
    res = psychsyn(x, critval=0.6)
    assert len(res.pairs) == 3
    # a respondent with a missing answer has only one complete pair left: NaN
    x[0, 0] = np.nan
    assert np.isnan(psychsyn(x, critval=0.6).cor[0])
    none = psychsyn(np.column_stack([z[:, 0], rng.normal(size=200)]), critval=0.6)
    assert none.pairs == [] and np.isnan(none.cor).all()


def test_attention_and_speed_by_hand():
    checks = pd.DataFrame({"c1": [6, 2, np.nan], "c2": [3, 3, 3]})
    out = attention_failures(checks, {"c1": 6, "c2": 3})
    assert out["attention_failed"].tolist() == [0, 1, 0]
    assert out["attention_missing"].tolist() == [0, 0, 1]
    np.testing.assert_allclose(seconds_per_item([20, 10], 10), [2.0, 1.0])


# --- screening a dataset --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ds():
    return read_responses(DATA / "moscale_download.csv", instrument=DATA / "study.yaml")


def test_screen_flags_with_stated_cutoffs(ds):
    sc = screen(ds)
    # respondent r11 (file line 12) straight-lines, answers 4 to the check expecting 6 and takes
    # 12 s for 11 items; r05 (line 6) answers 2 to the check
    assert bool(sc.flags.loc[12, "attention"]) and bool(sc.flags.loc[6, "attention"])
    assert sc.flags["attention"].sum() == 2
    assert sc.flags["speeding"].tolist().count(True) == 1 and bool(sc.flags.loc[12, "speeding"])
    assert sc.indices.loc[12, "seconds_per_item"] == pytest.approx(12 / 11)
    # longstring on the answers as given in questionnaire order: 3,3,3 then 4 x 7 -> 7
    assert sc.indices.loc[12, "longstring"] == 7
    assert bool(sc.flags.loc[12, "longstring"])
    assert "half" in screen.__doc__ and "> 5" in sc.cutoffs["longstring"]
    assert "p < 0.001" in sc.cutoffs["mahad"]
    assert sc.flagged["any"] == int(sc.flags.any(axis=1).sum())
    assert sc.excluded == {} and sc.dataset.n_kept == ds.n_kept
    assert any("no respondent was excluded" in n for n in sc.notes)


def test_screen_excludes_only_on_request(ds):
    sc = screen(ds, exclude=["attention", "speeding"])
    assert sc.excluded == {"attention": 2, "speeding": 1, "total": 2}
    assert sc.dataset.n_kept == ds.n_kept - 2
    assert sc.dataset.exclusions == {"screening: attention, speeding": 2}
    assert 12 not in sc.dataset.items.index and 6 not in sc.dataset.items.index
    with pytest.raises(UserError, match="unknown exclusion rule"):
        screen(ds, exclude="bogus")
    with pytest.raises(UserError, match="could not be computed"):
        screen(ds, exclude="irv")
    assert screen(ds, exclude="any").excluded["total"] == screen(ds).flagged["any"]


def test_screen_uses_presented_order(ds):
    # a randomised block's order column: respondent on line 2 saw tiny_a3 first
    order = pd.Series(np.nan, index=ds.items.index, dtype=object)
    order[2] = "tiny_a3;tiny_a1;tiny_a2"
    bg = ds.background.copy()
    bg["tiny_order"] = order
    from dataclasses import replace

    shown = replace(ds, background=bg)
    a = screen(shown).indices.loc[2, "longstring"]
    raw = ds.unkeyed_items().loc[2]
    seq = [raw["tiny_a3"], raw["tiny_a1"], raw["tiny_a2"]] + raw.iloc[3:].tolist()
    assert a == longstring(np.array([seq], dtype=float))[0]


def test_screen_on_a_frame():
    rng = np.random.default_rng(3)
    x = pd.DataFrame(rng.integers(1, 6, size=(50, 6)), columns=list("abcdef"))
    dims = {"F1": ["a", "b", "c"], "F2": ["d", "e", "f"]}
    sc = screen(x, dimensions=dims)
    assert "attention" not in sc.flags
    assert sc.dataset is None
    # two dimensions: the even-odd index is computed, reported, and not used as a flag ...
    np.testing.assert_allclose(
        sc.indices["evenodd"], evenodd(x[[*"abcdef"]], [3, 3])[0], equal_nan=True
    )
    assert "evenodd" not in sc.flags and "evenodd" not in sc.cutoffs
    assert "only 2 dimensions" in sc.withheld["evenodd"]
    assert sc.to_dict()["withheld"] == sc.withheld
    # ... unless asked for by name (then with a note), or the threshold allows it
    asked = screen(x, "evenodd", dimensions=dims)
    assert asked.flagged["evenodd"] == int((sc.indices["evenodd"] > -0.30).sum())
    assert asked.excluded["evenodd"] == asked.flagged["evenodd"]
    assert any("applied as asked" in n for n in asked.notes) and not asked.withheld
    low = screen(x, dimensions=dims, evenodd_min_factors=2)
    assert "evenodd" in low.flags and not low.withheld
    assert low.flagged["evenodd"] == asked.flagged["evenodd"]


def _careful_evenodd_flag_rate(n_dims: int, n_items: int, seed: int) -> float:
    """Share of careful respondents whose even-odd consistency falls below .30: 4,000 simulated
    from a correlated-factor model (loadings .70, factor correlations .40) on seven points."""
    rng = np.random.default_rng(seed)
    n = 4000
    phi = np.full((n_dims, n_dims), 0.4)
    np.fill_diagonal(phi, 1.0)
    f = rng.multivariate_normal(np.zeros(n_dims), phi, size=n)
    y = np.repeat(f, n_items, axis=1) * 0.7 + rng.normal(size=(n, n_dims * n_items)) * np.sqrt(
        1 - 0.7**2
    )
    y = np.clip(np.round(4 + 1.3 * y), 1, 7)
    eo, _ = evenodd(y, [n_items] * n_dims)
    return float(np.mean(eo > -0.30))


def test_evenodd_flags_careful_respondents_when_dimensions_are_few():
    """Why screen() withholds the even-odd flag below EVENODD_MIN_FACTORS dimensions: the false
    alarm rate among careful respondents falls with the number of dimensions (the figures quoted
    in screen()'s docstring)."""
    from moscale.analysis.screening import EVENODD_MIN_FACTORS

    shapes = [(3, 4), (7, 5), (EVENODD_MIN_FACTORS, 6), (30, 10)]
    rates = {shape: _careful_evenodd_flag_rate(*shape, seed=1) for shape in shapes}
    assert rates[(3, 4)] > 0.15  # a screen that drops one careful respondent in six
    assert rates[(7, 5)] > 0.10  # the demo's shape: seven dimensions of four to six items
    assert rates[(EVENODD_MIN_FACTORS, 6)] < 0.05
    assert rates[(30, 10)] < 0.005  # Johnson's (2005) IPIP-NEO: 30 facets of 10 items


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.lists(st.one_of(st.integers(1, 5), st.none()), min_size=6, max_size=6),
        min_size=1,
        max_size=8,
    )
)
def test_longstring_properties(rows):
    # the longest run is between 1 and the number of items, and reversing the order keeps it
    x = np.array([[np.nan if v is None else v for v in r] for r in rows], dtype=float)
    ls, avg = longstring(x, avg=True)
    assert ((ls >= 1) & (ls <= 6)).all() and (avg <= ls + 1e-12).all()
    np.testing.assert_array_equal(ls, longstring(x[:, ::-1]))
