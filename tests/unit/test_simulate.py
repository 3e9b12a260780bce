"""Simulated responses: shape, codes, planted features, and recovery of the population model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from moscale.analysis.simulate import PopulationModel, simulate_responses
from moscale.errors import UserError
from moscale.instrument.loader import parse_study_text

DEFS = Path(__file__).resolve().parents[1] / "data" / "definitions"

STUDY = """
id: simstudy
title: {en: Simulation test, fi: Simulointitesti}
languages: [en, fi]
sections:
  - scale: tiny_scale.yaml
    randomize: true
    attention_checks:
      - {id: ac1, text: {en: Pick 4, fi: Valitse 4}, expect: 4}
background:
  - id: industry
    type: single
    role: group
    kind: industry
    text: {en: Industry, fi: Toimiala}
    options:
      - {code: 1, label: {en: A, fi: A}}
      - {code: 2, label: {en: B, fi: B}}
  - id: firm
    type: number
    role: cluster
    text: {en: Firm, fi: Yritys}
"""


@pytest.fixture(scope="module")
def inst():
    return parse_study_text(STUDY, "simstudy.yaml", base=DEFS)


def test_columns_and_codes(inst):
    df = simulate_responses(inst, 300, seed=2)
    assert df.shape[0] == 300
    for col in ["respondent_id", "tiny_a1", "tiny_a2", "tiny_a3", "ac1", "tiny_order", "industry"]:
        assert col in df.columns
    items = df[["tiny_a1", "tiny_a2", "tiny_a3"]]
    assert set(np.unique(items.to_numpy())) <= {1, 2, 3, 4, 5}
    assert (df["ac1"] == 4).all()  # no failures asked for
    assert df["tiny_order"].str.split(";").map(sorted).map(tuple).nunique() == 1
    assert (df["firm"] == np.arange(1, 301)).sum() < 300  # shuffled firm ids, one per respondent


def test_same_seed_same_data(inst):
    a = simulate_responses(inst, 50, seed=9)
    b = simulate_responses(inst, 50, seed=9)
    assert a.equals(b)


def test_reverse_keyed_item_correlates_negatively(inst):
    df = simulate_responses(inst, 2000, seed=4)
    r = df[["tiny_a1", "tiny_a2", "tiny_a3"]].corr()
    assert r.loc["tiny_a1", "tiny_a2"] < -0.2
    assert r.loc["tiny_a1", "tiny_a3"] > 0.2


def test_planted_features(inst):
    model = PopulationModel(
        missing_rate=0.05, straightliners=7, n_firms=40, group_shifts={"industry": {2: 0.8}}
    )
    df = simulate_responses(inst, 1000, seed=5, model=model)
    items = df[["tiny_a1", "tiny_a2", "tiny_a3"]]
    share = items.isna().to_numpy().mean()
    assert 0.03 < share < 0.07
    assert (items.nunique(axis=1) == 1).sum() >= 7
    assert df["firm"].nunique() == 40
    # industry is a firm-level question: constant within firm
    assert (df.groupby("firm")["industry"].nunique() == 1).all()
    m = df.assign(s=df.tiny_a1).groupby("industry")["s"].mean()
    assert m.loc[2] > m.loc[1] + 0.3


def test_bad_n(inst):
    with pytest.raises(UserError):
        simulate_responses(inst, 0)


def test_columns_follow_the_codebook(inst):
    from moscale.instrument.codebook import column_names

    df = simulate_responses(inst, 20, seed=1)
    names = column_names(inst)
    assert list(df.columns) == [c for c in names if c in df.columns]
    missing = set(names) - set(df.columns)
    assert not missing, missing


def test_population_file_plants_what_it_says(inst, tmp_path):
    from moscale.analysis.simulate import load_population

    f = tmp_path / "pop.yaml"
    f.write_text(
        "n_firms: 30\n"
        "group_levels: {industry: [2]}\n"
        "item_loadings: {tiny_a3: 0.2}\n"
        "group_loadings:\n"
        "  - {item: tiny_a1, group: industry, code: 2, loading: 0.3}\n"
    )
    model = load_population(f, missing_rate=0.1)
    assert model.n_firms == 30 and model.missing_rate == 0.1
    assert model.group_loadings == {("tiny_a1", "industry", 2): 0.3}
    df = simulate_responses(inst, 200, seed=3, model=model)
    assert set(df["industry"]) == {2}
    assert df["firm"].nunique() == 30


def test_population_file_errors_are_located(tmp_path):
    from moscale.analysis.simulate import load_population

    f = tmp_path / "pop.yaml"
    f.write_text("n_firm: 30\n")
    with pytest.raises(UserError, match="unknown field") as exc:
        load_population(f)
    assert "pop.yaml" in str(exc.value) and "n_firms" in str(exc.value)
    f.write_text("group_loadings: [{item: a}]\n")
    with pytest.raises(UserError, match="group_loadings entries need"):
        load_population(f)
