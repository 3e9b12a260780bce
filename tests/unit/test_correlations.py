"""Correlation matrices against R 4.2 ``cor()`` and psych 2.2.9 ``cor.smooth``.

Reference figures: tests/reference/correlations.R -> correlations.json (Pearson and Spearman,
pairwise and listwise, on the 25 bfi items and age); polychoric entries against lavaan's lavCor
(tests/reference/polychoric.json).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from moscale.analysis.correlations import correlation_matrix
from moscale.errors import DataError, UserError

HERE = Path(__file__).resolve().parents[1]
REF = json.loads((HERE / "reference" / "correlations.json").read_text())
POLY = json.loads((HERE / "reference" / "polychoric.json").read_text())
BFI = pd.read_csv(HERE / "data" / "bfi.csv")
X = BFI[REF["items"]]


@pytest.mark.parametrize("method", ["pearson", "spearman"])
@pytest.mark.parametrize("missing", ["pairwise", "listwise"])
def test_matches_r_cor(method, missing):
    res = correlation_matrix(X, method, missing=missing)
    want = np.array(REF[f"{method}_{missing}"])
    np.testing.assert_allclose(res.matrix.to_numpy(), want, atol=1e-12)
    assert not res.smoothed
    if missing == "pairwise":
        np.testing.assert_array_equal(res.n.to_numpy(), np.array(REF["n_pairwise"]))
        assert res.n_obs == len(X)
    else:
        assert res.n_obs == REF["n_listwise"]
        assert (res.n.to_numpy() == REF["n_listwise"]).all()


def test_polychoric_method_is_lavcor():
    items = BFI.iloc[:, :25]
    res = correlation_matrix(items, "polychoric")
    np.testing.assert_allclose(
        res.matrix.to_numpy(), np.array(POLY["bfi"]["lavaan_listwise"]), atol=1e-6
    )
    assert res.polychoric is not None and "A1" in res.polychoric.thresholds
    assert "thresholds" in res.to_dict()


def test_pairwise_matrix_that_is_not_positive_definite_is_smoothed_as_psych():
    ref = REF["nonpd"]
    d = pd.DataFrame(
        {k: [np.nan if v is None else v for v in vals] for k, vals in ref["data"].items()}
    )
    res = correlation_matrix(d, "pearson", missing="pairwise")
    np.testing.assert_allclose(res.unsmoothed.to_numpy(), np.array(ref["pearson"]), atol=1e-12)
    assert res.smoothed
    np.testing.assert_allclose(res.min_eigenvalue, ref["min_eigen"], atol=1e-12)
    np.testing.assert_allclose(res.matrix.to_numpy(), np.array(ref["smoothed"]), atol=1e-10)
    assert any("smoothed" in n for n in res.notes)
    kept = correlation_matrix(d, "pearson", missing="pairwise", smooth=False)
    assert not kept.smoothed
    np.testing.assert_allclose(kept.matrix.to_numpy(), np.array(ref["pearson"]), atol=1e-12)


def test_spearman_pairwise_reranks_each_pair():
    # Ranking the whole column first and then dropping rows would give a different answer here.
    d = pd.DataFrame(
        {"a": [1.0, 2, 3, 4, 100], "b": [2.0, 1, 4, 3, np.nan], "c": [5.0, 3, 4, 1, 2]}
    )
    res = correlation_matrix(d, "spearman", missing="pairwise")
    sub = d.dropna()
    a = sub["a"].rank()
    b = sub["b"].rank()
    np.testing.assert_allclose(res.matrix.loc["a", "b"], np.corrcoef(a, b)[0, 1], atol=1e-14)


def test_constant_column_and_bad_input():
    d = pd.DataFrame({"a": [1.0, 2, 3], "b": [2.0, 2, 2], "c": [3.0, 1, 2]})
    res = correlation_matrix(d)
    assert np.isnan(res.matrix.loc["a", "b"])
    assert any("b" in n and "variance" in n for n in res.notes)
    with pytest.raises(UserError, match="kendall"):
        correlation_matrix(d, "kendall")
    with pytest.raises(DataError, match="at least two"):
        correlation_matrix(d[["a"]])
    with pytest.raises(DataError, match="complete row"):
        correlation_matrix(pd.DataFrame({"a": [1.0, np.nan], "b": [np.nan, 2.0]}))


def test_to_dict_is_json():
    res = correlation_matrix(X.iloc[:, :5], "pearson")
    out = json.loads(json.dumps(res.to_dict()))
    assert out["method"] == "pearson" and out["missing"] == "listwise"
    assert len(out["matrix"]) == 5
