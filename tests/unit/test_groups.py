"""Group comparisons against R (t.test, oneway.test, kruskal.test, wilcox.test, effectsize,
rstatix::games_howell_test, TukeyHSD, p.adjust); figures from tests/reference/groups.R."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from moscale.analysis.groups import adjust_pvalues, compare_groups
from moscale.errors import DataError

HERE = Path(__file__).resolve().parents[1]
REF = json.loads((HERE / "reference" / "groups.json").read_text())


@pytest.fixture(scope="module")
def bfi() -> pd.DataFrame:
    d = pd.read_csv(HERE / "data" / "bfi.csv")
    d["agree"] = pd.concat([7 - d.A1, d.A2, d.A3, d.A4, d.A5], axis=1).mean(axis=1, skipna=False)
    return d


def test_two_groups_welch_matches_r(bfi):
    res = compare_groups(bfi, "agree", "gender")
    t = res.tests.iloc[0]
    r = REF["two"]
    assert t["test"] == "Welch t"
    assert t["statistic"] == pytest.approx(r["welch_t"], abs=1e-6)
    assert t["df1"] == pytest.approx(r["welch_df"], abs=1e-6)
    assert t["p"] == pytest.approx(r["welch_p"], rel=1e-6)
    assert [t["diff_ci_lower"], t["diff_ci_upper"]] == pytest.approx(r["welch_ci"], abs=1e-6)
    assert t["effect_size"] == pytest.approx(r["hedges_g"], abs=1e-6)
    assert [t["effect_ci_lower"], t["effect_ci_upper"]] == pytest.approx(r["hedges_ci"], abs=1e-6)
    assert t["rank_p"] == pytest.approx(r["mwu_p"], rel=1e-6)
    assert t["rank_effect_size"] == pytest.approx(r["rank_biserial"], abs=1e-6)
    ci = [t["rank_effect_ci_lower"], t["rank_effect_ci_upper"]]
    assert ci == pytest.approx(r["rank_biserial_ci"], abs=1e-6)
    d = res.descriptives
    assert d["mean"].tolist() == pytest.approx([r["mean_x"], r["mean_y"]], abs=1e-9)
    assert d["n"].tolist() == [r["n_x"], r["n_y"]]
    assert [d["ci_lower"].iloc[0], d["ci_upper"].iloc[0]] == pytest.approx(r["ci_x"], abs=1e-9)


def test_two_groups_student_matches_r(bfi):
    t = compare_groups(bfi, "agree", "gender", test="student").tests.iloc[0]
    assert t["statistic"] == pytest.approx(REF["two"]["student_t"], abs=1e-6)
    assert t["df1"] == pytest.approx(REF["two"]["student_df"], abs=1e-9)
    assert t["p"] == pytest.approx(REF["two"]["student_p"], rel=1e-6)


def test_many_groups_welch_anova_and_effects_match_r(bfi):
    res = compare_groups(bfi, "agree", "education")
    t = res.tests.iloc[0]
    r = REF["many"]
    assert t["test"] == "Welch ANOVA"
    assert t["statistic"] == pytest.approx(r["welch_F"], abs=1e-6)
    assert t["df2"] == pytest.approx(r["welch_df2"], abs=1e-6)
    assert t["p"] == pytest.approx(r["welch_p"], rel=1e-6)
    assert t["rank_statistic"] == pytest.approx(r["kw_H"], abs=1e-6)
    assert t["rank_p"] == pytest.approx(r["kw_p"], rel=1e-6)
    assert t["effect_size"] == pytest.approx(r["eta2"], abs=1e-6)
    ci = [t["effect_ci_lower"], t["effect_ci_upper"]]
    assert ci == pytest.approx(r["eta2_ci"], abs=1e-6)
    assert t["omega2"] == pytest.approx(r["omega2"], abs=1e-6)


def test_classic_anova_matches_r(bfi):
    t = compare_groups(bfi, "agree", "education", test="student").tests.iloc[0]
    assert t["statistic"] == pytest.approx(REF["many"]["anova_F"], abs=1e-6)
    assert t["p"] == pytest.approx(REF["many"]["anova_p"], rel=1e-6)


def test_games_howell_matches_rstatix(bfi):
    ph = compare_groups(bfi, "agree", "education").posthoc
    r = REF["many"]
    ours = {(a, b): row for a, b, row in zip(ph.group_a, ph.group_b, ph.itertuples(), strict=True)}
    for g1, g2, diff, p in zip(
        r["gh_group1"], r["gh_group2"], r["gh_diff"], r["gh_p"], strict=True
    ):
        row = ours[(g1 + ".0", g2 + ".0")] if (g1 + ".0", g2 + ".0") in ours else ours[(g1, g2)]
        # rstatix reports mean(group2) - mean(group1); pingouin mean(A) - mean(B)
        assert -row.diff == pytest.approx(diff, abs=1e-6)
        assert row.p == pytest.approx(p, abs=1e-6)


def test_tukey_matches_r(bfi):
    ph = compare_groups(bfi, "agree", "education", posthoc="tukey").posthoc
    r = REF["many"]
    for pair, diff, p in zip(r["tukey_pairs"], r["tukey_diff"], r["tukey_p"], strict=True):
        b, a = pair.split("-")
        row = ph[(ph.group_a.str.startswith(a)) & (ph.group_b.str.startswith(b))].iloc[0]
        assert -row["diff"] == pytest.approx(diff, abs=1e-6)
        assert row["p"] == pytest.approx(p, abs=1e-4)


def test_p_adjustment_matches_p_adjust():
    p = np.array(REF["adjust"]["p"])
    assert adjust_pvalues(p, "holm") == pytest.approx(REF["adjust"]["holm"], abs=1e-12)
    assert adjust_pvalues(p, "fdr_bh") == pytest.approx(REF["adjust"]["bh"], abs=1e-12)


def test_several_scores_are_adjusted_and_invariance_is_stated(bfi):
    bfi = bfi.assign(c2=bfi.C2.astype(float))
    res = compare_groups(bfi, ["agree", "c2"], "gender", invariance={"agree": "metric"})
    assert "Holm" in res.notes[0]
    assert any("only metric invariance" in n for n in res.notes)
    assert any("c2: measurement invariance across groups was not tested" in n for n in res.notes)
    p = res.tests["p"].to_numpy()
    assert res.tests["p_adjusted"].to_numpy() == pytest.approx(adjust_pvalues(p, "holm"))


def test_small_group_is_a_clear_error():
    df = pd.DataFrame({"s": [1.0, 2, 3, 4, 5], "g": ["a", "a", "a", "a", "b"]})
    with pytest.raises(DataError, match="fewer than 2 respondents"):
        compare_groups(df, "s", "g")
    with pytest.raises(DataError, match="not found"):
        compare_groups(df, "nope", "g")
