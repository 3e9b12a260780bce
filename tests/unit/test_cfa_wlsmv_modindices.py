"""Modification indices of ordinal CFA (DWLS/WLSMV) against lavaan 0.6.14 ``modindices()``.

Reference figures: ``Rscript tests/reference/modindices_wlsmv.R`` ->
``tests/reference/modindices_wlsmv.json`` (the bfi five-factor model in one group, by gender, and by
gender with equal thresholds and loadings; a second-order model, continuous and ordered indicators
together, and the theta parameterization in two groups).

Tolerance (brief, ordinal estimators): 1e-3, relative or absolute, at our own estimates. lavaan's
optimiser stops with a gradient of about 1e-5 (ours below 1e-9), which moves the indices by up to
about 4e-4 relative; at lavaan's own estimates the formula agrees to about 1e-5.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from moscale.analysis.cfa.wls import cfa_ordinal, ordinal_modification_indices

ROOT = Path(__file__).resolve().parents[2]
REF = json.loads((ROOT / "tests/reference/modindices_wlsmv.json").read_text())
BFI = pd.read_csv(ROOT / "tests/data/bfi.csv")
ITEMS25 = REF["items"]
BFI_CC = BFI.dropna(subset=ITEMS25)
MODEL = (ROOT / REF["model_file"]).read_text()
HSO = pd.read_csv(ROOT / "tests/data/hs_ordinal.csv")
HS = pd.read_csv(ROOT / "tests/data/holzinger_swineford_1939.csv")
HSM = pd.concat([HS[["x1", "x2", "x3"]], HSO[[f"x{i}" for i in range(4, 10)]]], axis=1)

COLS = ["mi", "epc", "sepc.lv", "sepc.all", "sepc.nox"]
TOL = 1e-3
THR_LOAD = ["thresholds", "loadings"]


def _case(key: str):
    r = REF[key]
    if key.startswith("bfi5"):
        data = BFI_CC[[*ITEMS25, "gender"]] if r["group"] else BFI_CC[ITEMS25]
        kw = {"group": r["group"], "group_equal": r["group_equal"] or ()}
        return MODEL, data, {"ordered": True, **kw}
    if key == "bfi_higher":
        return r["model"], BFI[r["items"]], {"ordered": True}
    if key == "hs_mixed":
        return r["model"], HSM, {"ordered": r["ordered"]}
    if key == "hs_mg_theta":
        kw = {"group": "school", "group_equal": THR_LOAD, "parameterization": "theta"}
        return r["model"], HSO, {"ordered": True, **kw}
    raise KeyError(key)


KEYS = ["bfi5", "bfi5_gender", "bfi5_gender_thr_load", "bfi_higher", "hs_mixed", "hs_mg_theta"]


@cache
def fitted(key: str):
    model, data, kw = _case(key)
    return cfa_ordinal(model, data, estimator="WLSMV", **kw)


def _keys(key: str) -> list[str]:
    return ["lhs", "op", "rhs", "group"] if REF[key]["group"] else ["lhs", "op", "rhs"]


def _ref_mi(key: str) -> pd.DataFrame:
    return pd.DataFrame(REF[key]["mi"])


def _merge(key: str, ours: pd.DataFrame) -> pd.DataFrame:
    ref = _ref_mi(key)
    m = ref.merge(ours, on=_keys(key), suffixes=("_r", ""), how="outer", indicator=True)
    assert (m["_merge"] == "both").all(), m.loc[m["_merge"] != "both", [*_keys(key), "_merge"]]
    return m


def _check(m: pd.DataFrame, what: str, rel: float, abs_: float) -> None:
    for col in COLS:
        got, want = m[col].to_numpy(float), m[f"{col}_r"].to_numpy(float)
        diff = np.abs(got - want)
        ok = (diff <= abs_) | (diff <= rel * np.abs(want))
        k = int(np.argmin(ok))
        assert ok.all(), (
            f"{what} {col}: {got[k]!r} vs lavaan {want[k]!r} at {m.iloc[k, :4].tolist()}"
        )


@pytest.mark.parametrize("key", KEYS)
def test_same_rows_as_lavaan(key):
    res = fitted(key)
    assert res.converged
    if REF[key]["group"]:
        assert res.group_labels == REF[key]["group_labels"]
    mi = res.modification_indices()
    ref = _ref_mi(key)
    assert len(mi) == len(ref)
    keys = _keys(key)
    assert set(map(tuple, mi[keys].to_numpy().tolist())) == set(
        map(tuple, ref[keys].to_numpy().tolist())
    )
    assert list(mi.columns) == [*keys, *COLS]
    # sorted by size, the strongest suggestion first (an intercept's index is the same in both
    # groups when the thresholds are equal: either may come first)
    assert mi["mi"].is_monotonic_decreasing
    top = ref[ref["mi"] > ref["mi"].iloc[0] - TOL]
    assert tuple(mi.iloc[0][keys]) in set(map(tuple, top[keys].to_numpy().tolist()))


@pytest.mark.parametrize("key", KEYS)
def test_values_match_lavaan(key):
    m = _merge(key, fitted(key).modification_indices())
    _check(m, key, rel=TOL, abs_=TOL)


@pytest.mark.parametrize("key", KEYS)
def test_values_at_lavaan_estimates(key):
    # The formula alone, without the optimisers' difference: every index at lavaan's estimates.
    res = fitted(key)
    lav = pd.DataFrame(REF[key]["partable"])
    lav = lav[lav["op"] != "=="]
    f = res._pt.frame.merge(
        lav[["lhs", "op", "rhs", "group", "est"]], on=["lhs", "op", "rhs", "group"], how="left"
    )
    free = f[f["free"] > 0]
    assert free["est"].notna().all()
    x = np.zeros(res.npar)
    x[free["free"].to_numpy() - 1] = free["est"].to_numpy()
    assert np.max(np.abs(x - res.x)) < 1e-3  # the same solution (the mapping is right)
    ours = ordinal_modification_indices(res._pt, res.sample, res.spec, x)
    if not REF[key]["group"]:
        ours = ours.drop(columns="group")
    _check(_merge(key, ours), f"{key} at lavaan's estimates", rel=1e-4, abs_=1e-5)


def test_what_is_listed():
    # one group: cross-loadings and residual covariances only (thresholds, intercepts, scale
    # factors, residual variances and marker loadings cannot be identified: no index)
    mi = fitted("bfi5").modification_indices()
    assert set(mi["op"]) == {"=~", "~~"}
    assert len(mi) == 5 * 20 + 25 * 24 // 2
    assert not ((mi["op"] == "~~") & (mi["lhs"] == mi["rhs"])).any()
    # equal thresholds and loadings: intercepts and marker loadings in both groups too
    mg = fitted("bfi5_gender_thr_load").modification_indices()
    assert set(mg["op"]) == {"=~", "~~", "~1"}
    assert set(mg.loc[mg["op"] == "~1", "lhs"]) == set(ITEMS25)
    # a second-order model: the first-order factors' covariances
    hi = fitted("bfi_higher").modification_indices()
    assert {("A", "E"), ("C", "N")} <= set(zip(hi["lhs"], hi["rhs"], strict=True))
    # theta parameterization, equal thresholds: lavaan's scale-factor rows
    th = fitted("hs_mg_theta").modification_indices()
    assert (th["op"] == "~*~").sum() == 18
    assert np.allclose(th.loc[th["op"] == "~*~", "sepc.all"].abs(), 1.0)


def test_minimum_and_cache():
    res = fitted("bfi5_gender")
    mi = res.modification_indices(minimum=100)
    assert (mi["mi"] >= 100).all() and len(mi) > 0
    assert "group" in mi
    assert res.modification_indices() is not res.modification_indices()  # filtered copies
    assert len(res.modification_indices()) == len(_ref_mi("bfi5_gender"))
    assert "group" not in fitted("bfi5").modification_indices()
