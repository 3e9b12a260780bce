"""KMO and Bartlett's test against psych 2.2.9 KMO and cortest.bartlett (tests/reference/efa.R).

Both are exact formulas on the (pairwise) correlation matrix: tolerance 1e-6 (the brief's
'exact formulas').
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from moscale.analysis.factorability import bartlett, kmo, kmo_label
from moscale.errors import DataError, UserError

HERE = Path(__file__).resolve().parents[1]
REF = json.loads((HERE / "reference" / "efa.json").read_text())["factorability"]


@pytest.fixture(scope="module")
def data() -> dict[str, pd.DataFrame]:
    bfi = pd.read_csv(HERE / "data" / "bfi.csv").iloc[:, :25]
    hs = pd.read_csv(HERE / "data" / "holzinger_swineford_1939.csv")
    return {"bfi": bfi, "hs": hs[[f"x{i}" for i in range(1, 10)]]}


@pytest.mark.parametrize("name", ["bfi", "hs"])
def test_kmo_matches_psych(data, name):
    r = REF[name]
    res = kmo(data[name])
    assert res.msa == pytest.approx(r["msa"], abs=1e-6)
    np.testing.assert_allclose(res.msa_items.to_numpy(), r["msai"], atol=1e-6, rtol=0)
    assert list(res.msa_items.index) == list(data[name].columns)
    assert not res.singular
    json.dumps(res.to_dict(), allow_nan=False)


@pytest.mark.parametrize("name", ["bfi", "hs"])
def test_bartlett_matches_psych(data, name):
    r = REF[name]
    res = bartlett(data[name])
    assert res.n_obs == r["n"]
    assert res.chisq == pytest.approx(r["chisq"], rel=1e-6)
    assert res.df == r["df"]
    assert res.pvalue == pytest.approx(r["p"], abs=1e-6)
    assert res.determinant == pytest.approx(r["det"], rel=1e-6)
    json.dumps(res.to_dict(), allow_nan=False)


def test_matrix_input_gives_the_same_figures(data):
    hs = data["hs"]
    R = pd.DataFrame(np.corrcoef(hs.to_numpy().T), index=hs.columns, columns=hs.columns)
    assert kmo(R).msa == pytest.approx(REF["hs"]["msa"], abs=1e-6)
    assert bartlett(R, n_obs=301).chisq == pytest.approx(REF["hs"]["chisq"], rel=1e-6)
    with pytest.raises(UserError, match="sample size"):
        bartlett(R)


def test_kmo_labels_follow_kaiser_1974():
    assert [kmo_label(v) for v in (0.95, 0.85, 0.75, 0.65, 0.55, 0.45)] == [
        "marvelous",
        "meritorious",
        "middling",
        "mediocre",
        "miserable",
        "unacceptable",
    ]


def test_singular_matrix_falls_back_like_psych():
    # x3 = x1 + x2: R is singular; psych then uses R in place of its inverse.
    rng = np.random.default_rng(0)
    x = rng.standard_normal((200, 2))
    d = pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], "x3": x[:, 0] + x[:, 1]})
    res = kmo(d)
    assert res.singular
    assert 0 <= res.msa <= 1


def test_constant_item_is_named():
    d = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 2, 2, 2], "c": [1, 3, 2, 4]})
    with pytest.raises(DataError, match="'b'"):
        kmo(d)
