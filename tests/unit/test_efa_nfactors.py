"""Parallel analysis and Velicer's MAP against psych 2.2.9 fa.parallel and vss.

Figures from tests/reference/efa.R. Random eigenvalues depend on the random numbers, so we compare
what does not: the observed eigenvalues (components exactly; factors up to psych's optimiser
tolerance, 1e-6) and the suggested numbers, which psych gives the same for seeds 1-5 and which must
be the same for ours.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from moscale.analysis.nfactors import (
    _simulated_correlations,
    parallel_analysis,
    scree,
    velicer_map,
)
from moscale.errors import UserError

HERE = Path(__file__).resolve().parents[1]
REF = json.loads((HERE / "reference" / "efa.json").read_text())["parallel"]


@pytest.fixture(scope="module")
def data() -> dict[str, pd.DataFrame]:
    bfi = pd.read_csv(HERE / "data" / "bfi.csv").iloc[:, :25]
    hs = pd.read_csv(HERE / "data" / "holzinger_swineford_1939.csv")
    return {"bfi": bfi, "hs": hs[[f"x{i}" for i in range(1, 10)]]}


@pytest.mark.parametrize("name", ["bfi", "hs"])
def test_observed_eigenvalues_match_psych(data, name):
    r = REF[name]
    res = parallel_analysis(data[name], n_iter=5, seed=1)
    np.testing.assert_allclose(res.pc_values, r["pc_values"], atol=1e-10, rtol=0)
    np.testing.assert_allclose(res.fa_values, r["fa_values"], atol=1e-6, rtol=0)
    np.testing.assert_allclose(res.table["pc_observed"], r["pc_values"], atol=1e-10, rtol=0)


@pytest.mark.parametrize("name", ["bfi", "hs"])
def test_smc_and_ml_factor_eigenvalues_match_psych(data, name):
    r = REF[name]
    smc_res = parallel_analysis(data[name], n_iter=2, seed=1, use_smc=True)
    np.testing.assert_allclose(smc_res.fa_values, r["fa_values_smc"], atol=1e-10, rtol=0)
    ml_res = parallel_analysis(data[name], n_iter=2, seed=1, method="ml")
    np.testing.assert_allclose(ml_res.fa_values, r["fa_values_ml"], atol=1e-6, rtol=0)


@pytest.mark.parametrize("name", ["bfi", "hs"])
def test_suggestions_match_psych_and_are_stable_across_seeds(data, name):
    r = REF[name]
    # psych's own suggestions with seeds 1-5 (all equal), and with the seed behind the figures.
    psych_suggestions = {tuple(s) for s in r["suggestions_by_seed"]}
    assert psych_suggestions == {(r["nfact"], r["ncomp"])}
    ours = set()
    for seed in range(5):
        res = parallel_analysis(data[name], n_iter=20, seed=seed)
        ours.add((res.n_factors, res.n_components))
    assert ours == psych_suggestions


def test_random_eigenvalues_are_close_to_psychs(data):
    # Means of 20 random replications: different random numbers, same distribution. Their Monte
    # Carlo error is well below .05 for these sizes (the largest random eigenvalue of a 2800 x 25
    # normal sample is about 1.2 with an SD of about .02).
    r = REF["bfi"]
    res = parallel_analysis(data["bfi"], n_iter=20, seed=3)
    np.testing.assert_allclose(res.table["pc_simulated"], r["pc_sim"], atol=0.05)
    np.testing.assert_allclose(res.table["fa_simulated"], r["fa_sim"], atol=0.05)
    np.testing.assert_allclose(res.table["pc_resampled"], r["pc_simr"], atol=0.05)
    np.testing.assert_allclose(res.table["fa_resampled"], r["fa_simr"], atol=0.05)


def test_same_seed_same_result(data):
    a = parallel_analysis(data["hs"], n_iter=4, seed=11)
    b = parallel_analysis(data["hs"], n_iter=4, seed=11)
    pd.testing.assert_frame_equal(a.table, b.table)
    # Without a seed one is drawn and recorded: the run can be repeated from the result.
    c = parallel_analysis(data["hs"], n_iter=4)
    d = parallel_analysis(data["hs"], n_iter=4, seed=c.seed)
    pd.testing.assert_frame_equal(c.table, d.table)
    json.dumps(a.to_dict(), allow_nan=False)


def test_suggestion_counts_leading_values_above_the_quantile(data):
    res = parallel_analysis(data["hs"], n_iter=5, seed=2)
    t = res.table
    above = (t["fa_observed"] > t["fa_simulated_quantile"]).to_numpy()
    expected = int(np.argmin(above)) if not above.all() else len(above)
    assert res.n_factors == expected
    above = (t["pc_observed"] > t["pc_simulated_quantile"]).to_numpy()
    assert res.n_components == (int(np.argmin(above)) if not above.all() else len(above))


def test_components_only_and_factors_only(data):
    pc = parallel_analysis(data["hs"], n_iter=3, seed=1, fa="pc")
    assert pc.n_factors is None and pc.n_components == REF["hs"]["ncomp"]
    assert not any(c.startswith("fa_") for c in pc.table.columns)
    fa = parallel_analysis(data["hs"], n_iter=3, seed=1, fa="fa")
    assert fa.n_components is None and fa.n_factors == REF["hs"]["nfact"]


def test_correlation_matrix_needs_n_and_uses_simulation_only(data):
    hs = data["hs"]
    R = pd.DataFrame(np.corrcoef(hs.to_numpy().T), index=hs.columns, columns=hs.columns)
    with pytest.raises(UserError, match="sample size"):
        parallel_analysis(R)
    res = parallel_analysis(R, n_obs=301, n_iter=5, seed=1)
    assert res.simulated and not res.resampled
    assert "pc_resampled" not in res.table.columns
    np.testing.assert_allclose(res.pc_values, REF["hs"]["pc_values"], atol=1e-10)


def test_resampled_only(data):
    res = parallel_analysis(data["hs"], n_iter=5, seed=1, simulate=False)
    assert res.resampled and not res.simulated
    assert res.n_factors == REF["hs"]["nfact"]


@pytest.mark.parametrize(
    "kwargs", [{"fa": "bogus"}, {"quantile": 1.5}, {"n_iter": 0}, {"method": "alpha"}]
)
def test_bad_arguments(data, kwargs):
    with pytest.raises(UserError):
        parallel_analysis(data["hs"], **kwargs)


@pytest.mark.parametrize("name", ["bfi", "hs"])
def test_velicer_map_matches_psych(data, name):
    r = REF[name]
    res = velicer_map(data[name])
    np.testing.assert_allclose(res.map.to_numpy(), np.array(r["map"], dtype=float), atol=1e-10)
    assert res.n_factors == r["map_nfactors"]
    json.dumps(res.to_dict(), allow_nan=False)


def test_scree_component_values(data):
    s = scree(data["hs"])
    np.testing.assert_allclose(s["component"], REF["hs"]["pc_values"], atol=1e-10)
    np.testing.assert_allclose(
        s["factor_smc"],
        parallel_analysis(data["hs"], n_iter=1, use_smc=True, seed=0).fa_values,
        atol=1e-12,
    )


def test_wishart_draws_have_the_distribution_of_normal_data_correlations():
    """Simulated matrices come from Bartlett's decomposition of Wishart(n - 1, I), not from data.
    Their distribution must be that of correlations of n normal vectors: compare the mean and SD
    of the largest eigenvalue with matrices computed from drawn data (Monte Carlo SEs ~ .003),
    and the variance of an off-diagonal r with its exact value 1 / (n - 1) (Fisher 1915)."""
    n, p, reps = 40, 6, 4000
    w = _simulated_correlations(np.random.default_rng(5), reps, n, p)
    rng = np.random.default_rng(6)
    z = rng.standard_normal((reps, n, p))
    z -= z.mean(axis=1, keepdims=True)
    c = np.swapaxes(z, 1, 2) @ z
    d = 1 / np.sqrt(np.diagonal(c, axis1=1, axis2=2))
    direct = c * d[:, :, None] * d[:, None, :]
    top_w = np.linalg.eigvalsh(w)[:, -1]
    top_d = np.linalg.eigvalsh(direct)[:, -1]
    se = np.sqrt(top_w.var() / reps + top_d.var() / reps)
    assert abs(top_w.mean() - top_d.mean()) < 4 * se
    assert top_w.std() == pytest.approx(top_d.std(), rel=0.08)
    iu = np.triu_indices(p, 1)
    off = w[:, iu[0], iu[1]]
    per_matrix = off.mean(axis=1)
    assert abs(per_matrix.mean()) < 4 * per_matrix.std() / np.sqrt(reps)
    assert off.var() == pytest.approx(1 / (n - 1), rel=0.05)
    np.testing.assert_allclose(np.diagonal(w, axis1=1, axis2=2), 1.0)


def test_small_samples_draw_data_instead_of_wishart():
    # n - 1 < p: the Wishart matrix would be singular; the data path gives valid correlations.
    w = _simulated_correlations(np.random.default_rng(1), 3, 5, 8)
    assert w.shape == (3, 8, 8)
    np.testing.assert_allclose(np.diagonal(w, axis1=1, axis2=2), 1.0)
    assert np.all(np.abs(w) <= 1 + 1e-12)


def test_parallel_analysis_on_polychoric_correlations(data):
    """cor="polychoric": observed eigenvalues of the polychoric matrix, resampled data correlated
    polychorically too (as psych); simulated data stay normal with Pearson correlations."""
    pytest.importorskip("moscale.analysis.polychoric")
    from moscale.analysis.polychoric import polychoric

    items = data["bfi"][["A1", "A2", "A3", "A4", "A5"]]
    res = parallel_analysis(items, n_iter=3, seed=1, cor="polychoric")
    R = polychoric(items, mimic="psych", missing="pairwise").matrix.to_numpy()
    np.testing.assert_allclose(res.pc_values, np.linalg.eigvalsh(R)[::-1], atol=1e-12)
    assert res.resampled and res.n_factors is not None
