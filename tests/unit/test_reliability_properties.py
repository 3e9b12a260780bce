"""Property tests: what must hold for any data, not just the reference sets.

- Alpha (raw and standardised), lambda 6 and the item table do not depend on the order of the items.
- Reverse-keying twice with the same range is the identity.
- Standardised alpha does not change when an item is rescaled; raw alpha is the standardised one
  when all items have equal variances.
- The polychoric matrix is permutation-equivariant, symmetric, and within [-1, 1].
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from moscale.analysis.itemstats import reverse_key
from moscale.analysis.polychoric import polychoric
from moscale.analysis.reliability import reliability

FAST = {"n_boot": 0, "omega": False, "ordinal": False}


@st.composite
def likert(draw, min_items: int = 3, max_items: int = 6):
    """Correlated 1-5 responses: a common factor plus noise, cut into categories."""
    k = draw(st.integers(min_items, max_items))
    n = draw(st.integers(30, 120))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    lam = rng.uniform(0.3, 0.9, k)
    x = rng.normal(size=(n, 1)) * lam + rng.normal(size=(n, k)) * np.sqrt(1 - lam**2)
    codes = np.clip(np.round(x * 1.2 + 3), 1, 5)
    return pd.DataFrame(codes, columns=[f"i{j}" for j in range(k)])


def _varies(df: pd.DataFrame) -> bool:
    return bool((df.std() > 0).all())


@settings(max_examples=40, deadline=None)
@given(likert(), st.randoms(use_true_random=False))
def test_alpha_is_invariant_to_item_order(df, rnd):
    if not _varies(df):
        return
    cols = list(df.columns)
    perm = cols[:]
    rnd.shuffle(perm)
    a = reliability(df, **FAST)
    b = reliability(df[perm], **FAST)
    assert abs(a.alpha - b.alpha) < 1e-12
    assert abs(a.std_alpha - b.std_alpha) < 1e-12
    assert abs(a.g6 - b.g6) < 1e-10
    assert abs(a.median_r - b.median_r) < 1e-12
    cols_cmp = ["r_drop", "alpha_if_deleted", "std_r", "mean", "sd"]
    pd.testing.assert_frame_equal(
        a.items.loc[cols, cols_cmp], b.items.loc[cols, cols_cmp], check_exact=False, atol=1e-10
    )


@settings(max_examples=60, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(1, 40), st.integers(1, 5)),
        elements=st.integers(1, 7).map(float),
    ),
    st.data(),
)
def test_reverse_keying_twice_is_identity(values, data):
    df = pd.DataFrame(values, columns=[f"q{j}" for j in range(values.shape[1])])
    # Some answers missing.
    mask = data.draw(arrays(np.bool_, values.shape))
    df = df.mask(mask)
    rev = data.draw(st.lists(st.sampled_from(list(df.columns)), unique=True))
    once = reverse_key(df, rev, (1, 7))
    twice = reverse_key(once.data, rev, (1, 7))
    pd.testing.assert_frame_equal(twice.data, df.astype(float))
    assert once.reverse_keyed == rev
    # Reversal maps the scale onto itself.
    assert np.nanmin(once.data.to_numpy(), initial=1) >= 1
    assert np.nanmax(once.data.to_numpy(), initial=7) <= 7


@settings(max_examples=30, deadline=None)
@given(likert(), st.floats(0.1, 10), st.floats(-5, 5))
def test_standardised_alpha_ignores_item_scale(df, scale, shift):
    if not _varies(df):
        return
    a = reliability(df, **FAST)
    moved = df.copy()
    moved["i0"] = moved["i0"] * scale + shift
    b = reliability(moved, **FAST)
    assert abs(a.std_alpha - b.std_alpha) < 1e-10
    assert abs(a.average_r - b.average_r) < 1e-12
    assert a.alpha <= 1 and a.std_alpha <= 1


@settings(max_examples=30, deadline=None)
@given(likert())
def test_raw_equals_standardised_alpha_for_standardised_items(df):
    if not _varies(df):
        return
    z = (df - df.mean()) / df.std()
    a = reliability(z, **FAST)
    assert abs(a.alpha - a.std_alpha) < 1e-12


@settings(max_examples=15, deadline=None)
@given(likert(3, 5), st.randoms(use_true_random=False))
def test_polychoric_is_permutation_equivariant(df, rnd):
    if any(df[c].nunique() < 2 for c in df.columns):
        return
    perm = list(df.columns)
    rnd.shuffle(perm)
    a = polychoric(df).matrix
    b = polychoric(df[perm]).matrix
    np.testing.assert_allclose(a.loc[perm, perm].to_numpy(), b.to_numpy(), atol=1e-9)
    m = a.to_numpy()
    np.testing.assert_array_equal(m, m.T)
    assert np.all(np.abs(m) <= 1)
