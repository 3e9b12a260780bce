"""Ordinal measurement invariance (WLSMV, Wu & Estabrook 2016) against lavaan 0.6.14 / semTools 0.5.6.

tests/reference/invariance_ordinal.R (semTools::datCat, two groups) and invariance_bfi.R (bfi by
gender, 25 items ordered) wrote the figures. Tolerance for robust/ordinal figures: 1e-3.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from moscale.analysis.invariance import ORDINAL_STEPS, invariance, score_tests, wu_estabrook_syntax
from moscale.errors import ModelError

REF = Path(__file__).resolve().parents[1] / "reference"
DATA = Path(__file__).resolve().parents[1] / "data"
ITEMS = [f"u{i}" for i in range(1, 9)]
COLS = {  # steps column -> lavaan fitMeasures name (WLSMV: scaled indices)
    "chisq": "chisq",
    "df": "df",
    "pvalue": "pvalue",
    "chisq.scaled": "chisq.scaled",
    "df.scaled": "df.scaled",
    "pvalue.scaled": "pvalue.scaled",
    "cfi": "cfi.scaled",
    "tli": "tli.scaled",
    "rmsea": "rmsea.scaled",
    "rmsea.ci.lower": "rmsea.ci.lower.scaled",
    "rmsea.ci.upper": "rmsea.ci.upper.scaled",
    "srmr": "srmr",
}


@pytest.fixture(scope="module")
def ref():
    return json.loads((REF / "invariance_ordinal.json").read_text())


@pytest.fixture(scope="module")
def dat(ref):
    return pd.DataFrame(ref["data"])


@pytest.fixture(scope="module")
def delta_ladder(ref, dat):
    return invariance(
        ref["model"], dat, "g", estimator="WLSMV", ordered=True, stop_on_failure=False
    )


def _check(res, ladder: dict) -> int:
    n = 0
    for _, row in res.steps.iterrows():
        fm = ladder["fits"][row["step"]]["fit"]
        for ours, theirs in COLS.items():
            if fm.get(theirs) is None:
                continue
            assert row[ours] == pytest.approx(fm[theirs], abs=1e-3), (row["step"], ours)
        assert row["npar"] == fm["npar"]
        assert row["indices"] == "scaled"
        if row["step"] in ladder["lrt"]:
            lrt = ladder["lrt"][row["step"]]
            assert row["test"] == "satorra.2000"
            assert row["diff.stat"] == pytest.approx(lrt["chisq_diff"], abs=1e-3)
            assert row["diff.df"] == lrt["df_diff"]
            assert row["diff.pvalue"] == pytest.approx(lrt["pvalue"], abs=1e-3)
            assert row["diff.scale"] == pytest.approx(lrt["scale"], abs=1e-3)
            assert row["diff.shift"] == pytest.approx(lrt["shift"], abs=1e-3)
        n += 1
    return n


@pytest.mark.parametrize("param", ["delta", "theta"])
def test_wu_estabrook_ladder_matches_lavaan(ref, dat, param):
    ladder = ref[f"we_{param}"]
    res = invariance(
        ref["model"],
        dat,
        "g",
        estimator="WLSMV",
        ordered=True,
        parameterization=param,
        stop_on_failure=False,
    )
    expected = ["configural", "thresholds", "metric", "scalar"] + (
        ["strict"] if param == "theta" else []
    )
    assert list(res.steps["step"]) == expected
    assert _check(res, ladder) == len(expected)
    # Chen (2007) on lavaan's scaled figures: RMSEA rises by .027 at the scalar step
    assert res.decisions["metric"] == "holds" and res.decisions["scalar"] == "fails"
    assert res.level_reached == "metric"


def test_loadings_and_thresholds_match_lavaan(ref, delta_ladder):
    res = delta_ladder
    checked = 0
    for step in ("configural", "thresholds", "metric", "scalar"):
        ours = res.fits[step].partable
        theirs = pd.DataFrame(ref["we_delta"]["fits"][step]["partable"])
        theirs = theirs[theirs["op"].isin(["=~", "|"])]
        for _, r in theirs.iterrows():
            hit = ours[
                (ours["lhs"] == r["lhs"]) & (ours["op"] == r["op"]) & (ours["rhs"] == r["rhs"])
            ]
            hit = hit[hit["group"] == r["group"]]
            assert len(hit) == 1
            assert hit.iloc[0]["est"] == pytest.approx(r["est"], abs=1e-3), (
                step,
                r["lhs"],
                r["op"],
                r["rhs"],
            )
            checked += 1
    assert checked == 4 * 2 * (8 + 32)


def test_syntax_is_semtools_model(ref):
    """Our generated syntax fits the same models as semTools::measEq.syntax (checked above by the
    fit); here the identification pattern of each step, by hand from Wu & Estabrook (2016)."""
    nth = dict.fromkeys(ITEMS, 4)
    conf = wu_estabrook_syntax(ref["model"], nth, 2, ORDINAL_STEPS["configural"])
    assert "u1 ~ c(0.0, 0.0)*c(nu.u1.g1, nu.u1.g2)*1" in conf
    assert "u1 ~*~ c(1.0, 1.0)*u1" in conf
    th = wu_estabrook_syntax(ref["model"], nth, 2, ORDINAL_STEPS["thresholds"])
    assert "c(NA, NA)*c(we.th.u1.t1, we.th.u1.t1)*t1" in th
    assert "u1 ~ c(0.0, NA)*" in th and "u1 ~*~ c(1.0, NA)*u1" in th
    metric = wu_estabrook_syntax(ref["model"], nth, 2, ORDINAL_STEPS["metric"])
    assert "FU1 ~~ c(1.0, NA)*c(psi.FU1.FU1.g1, psi.FU1.FU1.g2)*FU1" in metric
    scalar = wu_estabrook_syntax(ref["model"], nth, 2, ORDINAL_STEPS["scalar"])
    assert "u1 ~ c(0.0, 0.0)*" in scalar and "FU1 ~ c(0.0, NA)*" in scalar
    released = wu_estabrook_syntax(
        ref["model"], nth, 2, ORDINAL_STEPS["scalar"], released=[("u3", "~1", "")]
    )
    assert "u3 ~ c(0.0, NA)*" in released and "u4 ~ c(0.0, 0.0)*" in released
    strict = wu_estabrook_syntax(
        ref["model"], nth, 2, ORDINAL_STEPS["strict"], parameterization="theta"
    )
    assert "u1 ~~ c(1.0, 1.0)*" in strict
    with pytest.raises(ModelError, match="theta"):
        wu_estabrook_syntax(ref["model"], nth, 2, ORDINAL_STEPS["strict"])


@pytest.mark.parametrize("step", ["metric", "scalar"])
def test_score_tests_match_lavtestscore(ref, delta_ladder, step):
    ours = score_tests(delta_ladder.fits[step])
    uni = pd.DataFrame(ref["we_delta"]["score"][step]["uni"])
    for _, r in uni.iterrows():
        hit = ours[(ours["lhs"] == r["lhs"]) & (ours["op"] == r["op"]) & (ours["rhs"] == r["rhs"])]
        assert len(hit) == 1
        assert hit.iloc[0]["X2"] == pytest.approx(r["X2"], abs=1e-3)
    if step == "scalar":
        # intercepts fixed at 0 in the second group: the score test equals lavaan's modification index
        mi = pd.DataFrame(ref["we_delta"]["mi_intercepts"])
        ints = ours[ours["kind"] == "intercepts"].set_index("lhs")
        assert len(ints) == 8
        for _, r in mi.iterrows():
            assert ints.loc[r["lhs"], "X2"] == pytest.approx(r["mi"], abs=1e-3)


def test_lavaan_default_ladder_scalar_is_the_same_model(ref):
    # lavaan's group.equal = c("loadings", "thresholds") and W&E's scalar model are equivalent
    ours = ref["we_delta"]["fits"]["scalar"]["fit"]
    lav = ref["lavaan_delta"]["fits"]["scalar"]["fit"]
    assert ours["chisq"] == pytest.approx(lav["chisq"], abs=1e-6)
    assert ours["df"] == lav["df"]


def _simulate_ordinal(seed: int, n=(500, 500), shift=0.8) -> pd.DataFrame:
    """One factor, six five-category items; item y3's latent response is 0.8 higher in g2 at the same
    factor score (a non-invariant intercept); the factor mean is 0.2 higher in g2."""
    rng = np.random.default_rng(seed)
    tau = np.array([-1.5, -0.5, 0.4, 1.3])
    lam = np.array([0.8, 0.7, 0.75, 0.7, 0.65, 0.7])
    frames = []
    for g, ng in enumerate(n):
        eta = rng.normal(0.2 * g, 1.0, size=ng)
        ystar = eta[:, None] * lam + rng.normal(size=(ng, 6)) * np.sqrt(1 - lam**2)
        if g == 1:
            ystar[:, 2] += shift
        y = 1 + (ystar[:, :, None] > tau).sum(axis=2)
        d = pd.DataFrame(y, columns=[f"y{i + 1}" for i in range(6)])
        d["grp"] = f"g{g + 1}"
        frames.append(d)
    return pd.concat(frames, ignore_index=True)


def test_ordinal_partial_search_finds_the_planted_intercept():
    data = _simulate_ordinal(2)
    res = invariance(
        "F =~ y1 + y2 + y3 + y4 + y5 + y6",
        data,
        "grp",
        estimator="WLSMV",
        ordered=True,
        search_partial=True,
    )
    assert res.decisions == {
        "configural": "holds",
        "thresholds": "holds",
        "metric": "holds",
        "scalar": "holds (partial)",
    }
    assert res.released == ["y3 ~ 1"]
    assert res.level_reached == "scalar" and res.partial
    assert res.score_tests["scalar"].iloc[0]["parameter"] == "y3 ~ 1"
    # latent mean difference (0.2 in the population) once partial scalar invariance holds
    assert res.latent_means.iloc[0]["mean"] == pytest.approx(0.2, abs=0.15)


def test_ordinal_bad_options(ref, dat):
    with pytest.raises(ModelError, match="theta"):
        invariance(
            ref["model"], dat, "g", estimator="WLSMV", ordered=True, steps=["configural", "strict"]
        )
    with pytest.raises(ModelError, match="step"):
        invariance(
            ref["model"], dat, "g", estimator="WLSMV", ordered=True, steps=["configural", "weak"]
        )
    with pytest.raises(ModelError, match="parameterization"):
        invariance(
            ref["model"], dat, "g", estimator="WLSMV", ordered=True, parameterization="gamma"
        )
    with pytest.raises(ModelError, match="fiml"):
        invariance(ref["model"], dat, "g", estimator="WLSMV", ordered=True, missing="fiml")


@pytest.mark.slow
def test_bfi_gender_wlsmv_ladder_matches_lavaan():
    ref = json.loads((REF / "invariance_bfi.json").read_text())
    bfi = pd.read_csv(DATA / "bfi.csv")
    res = invariance(
        ref["model"], bfi, "gender", estimator="WLSMV", ordered=True, stop_on_failure=False
    )
    ladder = ref["wlsmv_we"]
    assert _check(res, ladder) == 4
    # W&E's scalar model is lavaan's group.equal = c("loadings", "thresholds")
    lav = ref["wlsmv"]["fits"]["scalar"]["fit"]
    row = res.steps.set_index("step").loc["scalar"]
    assert row["chisq.scaled"] == pytest.approx(lav["chisq.scaled"], abs=1e-3)
    # thresholds and loadings of the scalar model
    ours = res.fits["scalar"].partable
    theirs = pd.DataFrame(ladder["fits"]["scalar"]["partable"])
    theirs = theirs[theirs["op"].isin(["=~", "|"])]
    merged = theirs.merge(ours, on=["lhs", "op", "rhs", "group"], suffixes=("_r", ""))
    assert len(merged) == len(theirs) == 2 * (25 + 125)
    assert np.max(np.abs(merged["est"] - merged["est_r"])) < 1e-3


def test_result_syntax_is_what_lavaan_reads(ref, delta_ladder):
    # lavaan keeps one modifier per term, so fixed values and labels go in separate terms, as
    # semTools::measEq.syntax writes them (this syntax reproduces our chi-square in R)
    syn = delta_ladder.syntax["thresholds"].splitlines()
    assert "u1 ~ c(0.0, NA)*1 + c(nu.u1.g1, nu.u1.g2)*1" in syn
    assert any(
        line.startswith("u1 | c(NA, NA)*t1 + c(we.th.u1.t1, we.th.u1.t1)*t1 + ") for line in syn
    )
    semtools = ref["we_delta"]["syntax"]["thresholds"]
    assert "u1 ~ c(0, NA)*1 + c(nu.1.g1, nu.1.g2)*1" in semtools
