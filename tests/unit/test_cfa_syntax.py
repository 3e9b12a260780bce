"""lavaan model syntax parser and the parameter table it becomes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from moscale.analysis.cfa import build_partable, parse_model
from moscale.errors import ModelError

REF = Path(__file__).resolve().parents[2] / "tests" / "reference"


def _triples(m):
    return [(s.lhs, s.op, s.rhs) for s in m.statements]


def test_statements_lines_comments_and_separators():
    m = parse_model(
        """# three factors
        visual =~ x1 + x2 +
                  x3            ! a continued line
        textual =~ x4 + x5 + x6; speed =~ x7 + x8
          + x9
        x7 ~~ x8
        x1 ~ 1
        """
    )
    assert _triples(m)[:3] == [
        ("visual", "=~", "x1"),
        ("visual", "=~", "x2"),
        ("visual", "=~", "x3"),
    ]
    assert ("speed", "=~", "x9") in _triples(m)
    assert ("x7", "~~", "x8") in _triples(m)
    assert ("x1", "~1", "") in _triples(m)
    assert m.latent_names == ["visual", "textual", "speed"]
    assert m.variable_names == [f"x{i}" for i in range(1, 10)]


def test_modifiers():
    m = parse_model(
        "F =~ 1*x1 + NA*x2 + a*x3 + -0.5*x4 + start(.7)*x5 + c(b1, b2)*x6 + c(1, NA)*x7 "
        '+ equal("a")*x8 + 0.3?x9'
    )
    mods = {s.rhs: s.modifier for s in m.statements}
    assert mods["x1"].fixed == (1.0,)
    assert mods["x2"].fixed == (None,)
    assert mods["x3"].label == ("a",)
    assert mods["x4"].fixed == (-0.5,)
    assert mods["x5"].start == (0.7,)
    assert mods["x6"].label == ("b1", "b2")
    assert mods["x7"].fixed == (1.0, None)
    assert mods["x8"].label == ("a",)
    assert mods["x9"].start == (0.3,)


def test_equality_statement_and_intercept_modifier():
    m = parse_model("F =~ x1 + a*x2 + b*x3\na == b\nx2 ~ 0*1")
    assert ("a", "==", "b") in _triples(m)
    x2 = [s for s in m.statements if s.op == "~1"][0]
    assert x2.modifier.fixed == (0.0,)


@pytest.mark.parametrize(
    ("text", "line", "token"),
    [
        ("F =~ x1 + x2\nG =~ x3 + + x4", 2, "+"),
        ("F =~ x1 x2", 1, "x2"),
        ("F =~ x1 + 2$*x2", 1, "$"),
        ("F =~ x1\ny ~ x2", 2, "~"),
        ("F =~ x1\nG := a*b", 2, ":="),
        ("F =~ foo(1)*x1", 1, "foo"),
    ],
)
def test_syntax_errors_name_line_and_token(text, line, token):
    with pytest.raises(ModelError) as err:
        parse_model(text)
    msg = str(err.value)
    assert f"line {line}" in msg
    assert token in msg
    assert "What to do" in msg


def test_empty_model():
    with pytest.raises(ModelError, match="empty"):
        parse_model("   \n")
    with pytest.raises(ModelError, match="no statements"):
        parse_model("# only a comment\n")


def test_regression_explains_cfa_scope():
    with pytest.raises(ModelError, match="regressions"):
        parse_model("F =~ x1 + x2 + x3\nF ~ x4")


# -- parameter table ------------------------------------------------------------------------------
def _lavaan_partable(key):
    r = json.loads((REF / "cfa_basic.json").read_text())[key]
    pt = pd.DataFrame(r["partable"])
    return r["model"], pt[pt["op"] != "=="].reset_index(drop=True)


@pytest.mark.parametrize(
    ("key", "std_lv"),
    [
        ("hs_ml", False),
        ("hs_stdlv", True),
        ("hs_labels", False),
        ("hs_rescov", False),
        ("hs_second", False),
        ("pd_ml", False),
    ],
)
def test_partable_matches_lavaan_structure(key, std_lv):
    model, lav = _lavaan_partable(key)
    pt = build_partable(parse_model(model), std_lv=std_lv)
    mine = pt.frame
    assert len(mine) == len(lav)
    m = lav.merge(mine, on=["lhs", "op", "rhs"], suffixes=("_r", ""))
    assert len(m) == len(lav)  # same rows (lavaan's lhs/rhs order for covariances too)
    # free vs fixed, and the fixed values
    assert ((m["free_r"] > 0) == (m["free"] > 0)).all()
    fixed = m["free"] == 0
    assert np.allclose(m.loc[fixed, "value"], m.loc[fixed, "est"])
    # equality constraints: lavaan's labelled rows share one parameter here
    assert pt.npar == int(json.loads((REF / "cfa_basic.json").read_text())[key]["fit"]["npar"])
    # same order of items and factors as lavaan's matrices
    r = json.loads((REF / "cfa_basic.json").read_text())[key]
    assert pt.ov_names == r["implied_cov"][0]["rows"]


def test_labels_tie_parameters():
    pt = build_partable(parse_model("F =~ x1 + a*x2 + a*x3 + x4"))
    f = pt.frame[pt.frame["op"] == "=~"].set_index("rhs")
    assert f.loc["x2", "free"] == f.loc["x3", "free"] > 0
    assert f.loc["x1", "free"] == 0 and f.loc["x1", "value"] == 1.0
    # a label on the marker fixes its partner too (as lavaan)
    pt = build_partable(parse_model("F =~ a*x1 + a*x2 + x3"))
    f = pt.frame[pt.frame["op"] == "=~"].set_index("rhs")
    assert f.loc["x2", "free"] == 0 and f.loc["x2", "value"] == 1.0


def test_second_order_has_no_first_order_covariances():
    pt = build_partable(parse_model("A =~ a1+a2+a3\nB =~ b1+b2+b3\nC =~ c1+c2+c3\nG =~ A + B + C"))
    f = pt.frame
    covs = f[(f["op"] == "~~") & (f["lhs"] != f["rhs"])]
    assert covs.empty
    assert pt.higher_order == ["G"] and pt.exogenous_lv == ["G"]


def test_meanstructure_and_groups():
    pt = build_partable(
        parse_model("F =~ x1 + x2 + x3"), ngroups=2, group_equal=("loadings", "intercepts")
    )
    f = pt.frame
    assert pt.meanstructure
    loads = f[(f["op"] == "=~") & (f["rhs"] == "x2")]
    assert loads["free"].nunique() == 1
    means = f[(f["op"] == "~1") & (f["lhs"] == "F")].set_index("group")
    assert means.loc[1, "free"] == 0 and means.loc[2, "free"] > 0  # freed when intercepts are equal
    ints = f[(f["op"] == "~1") & (f["lhs"] == "x3")]
    assert ints["free"].nunique() == 1


def test_duplicate_and_mixed_statements_rejected():
    with pytest.raises(ModelError, match="twice"):
        build_partable(parse_model("F =~ x1 + x2 + x3\nx1 ~~ x2\nx2 ~~ x1"))
    with pytest.raises(ModelError, match="mixes a factor"):
        build_partable(parse_model("F =~ x1 + x2 + x3\nF ~~ x1"))
    with pytest.raises(ModelError, match="not used"):
        build_partable(parse_model("F =~ x1 + a*x2 + x3\na == zz"))
