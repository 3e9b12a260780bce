"""Omega (Schmid-Leiman) and one-factor omega total against psych 2.2.9 omega().

Figures from tests/reference/omega.R (Rscript tests/reference/omega.R). The omegas depend on the
minres loadings, which psych's optimiser leaves about 1e-6 from the optimum, so omega_h, omega_total
and omega.lim are compared to 1e-5 (the brief asks 1e-3); alpha and G6 are exact formulas (1e-10).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from moscale.analysis.omega import omega, omega_total_1f
from moscale.errors import ModelError, UserError

HERE = Path(__file__).resolve().parents[1]
REF = json.loads((HERE / "reference" / "omega.json").read_text())


@pytest.fixture(scope="module")
def bfi() -> pd.DataFrame:
    return pd.read_csv(HERE / "data" / "bfi.csv").iloc[:, :25]


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    d = pd.read_csv(HERE / "data" / "holzinger_swineford_1939.csv")
    return d[[f"x{i}" for i in range(1, 10)]]


def _cols(prefix: str) -> list[str]:
    return [f"{prefix}{i}" for i in range(1, 6)]


def _case(name, bfi, hs):
    ac = bfi[_cols("A") + _cols("C")]
    R_hs = pd.DataFrame(np.corrcoef(hs.to_numpy().T), index=hs.columns, columns=hs.columns)
    return {
        "bfi25_5": (bfi, 5, {}),
        "bfi25_3": (bfi, 3, {}),
        "bfi_ac_2_equal": (ac, 2, {}),
        "bfi_ac_2_first": (ac, 2, {"option": "first"}),
        "bfi_ac_2_second": (ac, 2, {"option": "second"}),
        "hs_3": (hs, 3, {}),
        "hs_3_ml": (hs, 3, {"method": "ml"}),
        "hs_3_matrix": (R_hs, 3, {"n_obs": 301}),
        "bfi_A_1": (bfi[_cols("A")], 1, {}),
        "bfi_N_1": (bfi[_cols("N")], 1, {}),
        "hs_visual_1": (hs.iloc[:, :3], 1, {}),
    }[name]


CASES = [k for k in REF if k not in ("versions", "omega_model")]


@pytest.mark.parametrize("name", CASES)
def test_omega_matches_psych(name, bfi, hs):
    r = REF[name]
    data, k, kw = _case(name, bfi, hs)
    res = omega(data, k, **kw)
    assert res.omega_h == pytest.approx(r["omega_h"], abs=1e-5)
    assert res.omega_total == pytest.approx(r["omega_tot"], abs=1e-5)
    assert res.omega_h_asymptotic == pytest.approx(r["omega_lim"], abs=1e-5)
    assert res.alpha == pytest.approx(r["alpha"], abs=1e-10)
    assert res.g6 == pytest.approx(r["g6"], abs=1e-10)
    assert res.ecv == pytest.approx(r["ecv"], abs=1e-5)
    assert list(res.schmid.columns) == ["g", *[f"F{i}*" for i in range(1, k + 1)], "h2", "u2", "p2"]
    np.testing.assert_allclose(res.schmid.to_numpy(), np.array(r["sl"], dtype=float), atol=1e-4)
    np.testing.assert_allclose(np.atleast_1d(r["gloading"]), res.general_loadings, atol=1e-4)
    if k > 1:
        np.testing.assert_allclose(res.phi.to_numpy(), np.array(r["phi"]), atol=1e-4)
    np.testing.assert_allclose(
        res.group.to_numpy(), np.array(r["group"], dtype=float), atol=1e-5, equal_nan=True
    )
    np.testing.assert_array_equal(res.keys.to_numpy(), np.atleast_1d(r["key"]))
    json.dumps(res.to_dict(), allow_nan=False)


def test_two_factor_option_is_recorded_and_explained(bfi):
    res = omega(bfi[_cols("A") + _cols("C")], 2)
    assert res.option == "equal"
    assert any("not identified" in n for n in res.notes)
    assert omega(bfi, 3).option == "n/a"


def test_reversed_items_are_reported(bfi):
    res = omega(bfi[_cols("A")], 1)
    assert res.flipped == ("A1",)
    kept = omega(bfi[_cols("A")], 1, flip=False)
    assert kept.flipped == ()
    assert kept.omega_total < res.omega_total


@pytest.mark.parametrize(
    ("name", "cols"),
    [("bfi_A", "A"), ("bfi_N", "N"), ("hs_visual", None)],
)
def test_omega_total_1f(name, cols, bfi, hs):
    data = bfi[_cols(cols)] if cols else hs.iloc[:, :3]
    res = omega_total_1f(data)
    ref = REF[f"{name}_1" if cols else "hs_visual_1"]
    assert res.omega_total == pytest.approx(ref["omega_tot"], abs=1e-5)
    assert res.omega_h == pytest.approx(ref["omega_h"], abs=1e-5)
    assert res.omega_model == pytest.approx(REF["omega_model"][name], abs=1e-5)
    json.dumps(res.to_dict(), allow_nan=False)


def test_omega_total_1f_hand_computation():
    # Four items loading .7 on one factor: R = .49 off the diagonal. Then lambda = .7 exactly,
    # psi = .51, (sum l)^2 = 7.84, omega = 7.84 / (7.84 + 2.04) = .793522...; V = 4 + 12 * .49 = 9.88
    # = 7.84 + 2.04, so the observed and the model-implied omegas coincide.
    R = np.full((4, 4), 0.49)
    np.fill_diagonal(R, 1.0)
    res = omega_total_1f(R)
    np.testing.assert_allclose(res.loadings, 0.7, atol=1e-7)
    assert res.omega_model == pytest.approx(7.84 / 9.88, abs=1e-7)
    assert res.omega_total == pytest.approx(7.84 / 9.88, abs=1e-7)


def test_errors(hs):
    with pytest.raises(ModelError):
        omega(hs, 9)
    with pytest.raises(UserError):
        omega(hs, 3, rotation="varimax")
    with pytest.raises(UserError):
        omega(hs, 2, option="middle")
    with pytest.raises(UserError):
        omega_total_1f(hs, method="alpha")
