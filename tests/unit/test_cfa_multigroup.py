"""Multi-group CFA against lavaan 0.6.14: Holzinger-Swineford by school, configural to strict.

Reference figures: tests/reference/cfa_multigroup.json (Rscript tests/reference/cfa_multigroup.R).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from moscale.analysis.cfa import cfa

from .test_cfa_reference import FIML_ML_ROBUST, ML_FIT, ROBUST_FIT, assert_close

ROOT = Path(__file__).resolve().parents[2]


@cache
def _ref() -> dict:
    return json.loads((ROOT / "tests" / "reference" / "cfa_multigroup.json").read_text())


@cache
def _data(with_missing: bool) -> pd.DataFrame:
    hs = pd.read_csv(ROOT / "tests" / "data" / "holzinger_swineford_1939.csv")
    if (
        with_missing
    ):  # the same cells the R script sets to NA (1-based seq(1, n, 7) and seq(3, n, 11))
        hs = hs.copy()
        hs.loc[hs.index[0::7], "x2"] = np.nan
        hs.loc[hs.index[2::11], "x6"] = np.nan
    return hs


@cache
def _fit(key: str):
    r = _ref()[key]
    kw: dict = {"group": "school", "group_equal": tuple(r["group_equal"])}
    if "mlr" in key:
        kw["estimator"] = "MLR"
    if "stdlv" in key:
        kw["std_lv"] = True
    if "fiml" in key:
        kw["missing"] = "fiml"
    return cfa(r["model"], _data("fiml" in key), **kw)


KEYS = [
    "configural",
    "metric",
    "scalar",
    "strict",
    "scalar_mlr",
    "metric_stdlv",
    "scalar_fiml",
    "scalar_fiml_mlr",
]


@pytest.mark.parametrize("key", KEYS)
def test_multigroup_estimates_and_fit(key):
    r = _ref()[key]
    res = _fit(key)
    assert res.group_labels == _ref()["group_labels"]
    assert res.nobs == [int(v) for v in r["nobs"]]
    pe = res.parameter_estimates()
    ref = pd.DataFrame(r["est"])
    ref = ref[ref["op"] != "=="]
    m = ref.merge(pe, on=["lhs", "op", "rhs", "group"], suffixes=("_r", ""))
    assert len(m) == len(ref) == len(pe)
    assert_close(m["est"], m["est_r"], f"{key} est")
    assert_close(m["se"], m["se_r"], f"{key} se")
    fm = res.fit_measures()
    for k in ML_FIT:
        assert_close(fm[k], r["fit"][k], f"{key} {k}")
    if "mlr" in key:
        for k in ROBUST_FIT:
            assert_close(fm[k], r["fit"][k], f"{key} {k}", rel=1e-3)
    elif "fiml" in key:
        for k in FIML_ML_ROBUST:
            assert_close(fm[k], r["fit"][k], f"{key} {k}", rel=1e-3)
    std = res.standardized()
    rs = pd.DataFrame(r["std"])
    rs = rs[rs["op"] != "=="]
    m = rs.merge(std, on=["lhs", "op", "rhs", "group"], suffixes=("_r", ""))
    assert len(m) == len(rs)
    assert_close(m["est.std"], m["est.std_r"], f"{key} std.all")
    assert_close(m["se"], m["se_r"], f"{key} std.all se")


@pytest.mark.parametrize("key", ["configural", "scalar"])
def test_multigroup_modindices_and_per_group_accessors(key):
    r = _ref()[key]
    res = _fit(key)
    mi = res.modification_indices()
    ref = pd.DataFrame(r["mi"])
    m = ref.merge(mi, on=["lhs", "op", "rhs", "group"], suffixes=("_r", ""))
    assert len(m) == len(ref) == len(mi)
    assert_close(m["mi"], m["mi_r"], f"{key} mi")
    assert_close(m["sepc.all"], m["sepc.all_r"], f"{key} sepc.all")
    # per-group accessors: dicts keyed by group label, or one group on request
    r2 = res.r_squared()
    assert set(r2) == {"Pasteur", "Grant-White"}
    for label in res.group_labels:
        want = pd.Series(r["r2"][label])
        assert_close(r2[label][want.index], want, f"{key} r2 {label}")
        rc = r["resid_cor"][label]["cov"]
        wantr = pd.DataFrame(np.array(rc["values"]), index=rc["rows"], columns=rc["cols"])
        got = res.residuals(group=label).loc[wantr.index, wantr.columns]
        assert_close(got.to_numpy(), wantr.to_numpy(), f"{key} residuals {label}")
    lam = res.loadings(group="Grant-White")
    assert lam.shape == (9, 3)


def test_equal_loadings_are_equal_and_labels_per_group():
    res = _fit("metric")
    pe = res.parameter_estimates()
    loads = pe[pe["op"] == "=~"].pivot_table(index=["lhs", "rhs"], columns="group", values="est")
    assert np.allclose(loads[1], loads[2])
    d = _data(False)
    # c() gives group-specific labels; one label for all groups ties them (with a note)
    free = cfa("visual =~ x1 + c(a1, a2)*x2 + x3\ntextual =~ x4 + x5 + x6", d, group="school")
    tied = cfa("visual =~ x1 + a*x2 + x3\ntextual =~ x4 + x5 + x6", d, group="school")
    est_f = free.parameter_estimates().query("rhs == 'x2' and op == '=~'")["est"].to_numpy()
    est_t = tied.parameter_estimates().query("rhs == 'x2' and op == '=~'")["est"].to_numpy()
    assert est_f[0] != pytest.approx(est_f[1])
    assert est_t[0] == pytest.approx(est_t[1])
    assert any("single label" in w for w in tied.warnings)
    assert tied.fit_measures()["df"] == free.fit_measures()["df"] + 1
