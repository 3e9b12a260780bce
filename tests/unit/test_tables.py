"""APA formatting of report tables."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from moscale.analysis.tables import Table, format_value


@pytest.mark.parametrize(
    ("value", "kind", "dec", "expected"),
    [
        (0.8512, "bounded", 2, ".85"),
        (-0.0512, "bounded", 3, "\u2212.051"),
        (1.0, "bounded", 2, "1.00"),
        (-0.001, "bounded", 2, ".00"),  # no "negative zero"
        (0.0004, "p", 3, "< .001"),
        (0.0456, "p", 3, ".046"),
        (1.0, "p", 3, "1.000"),
        (12.3456, "stat", 2, "12.35"),
        (-2.5, "stat", 1, "\u22122.5"),
        (2800, "int", 0, "2\u2009800"),
        (0.031, "percent", 1, "3.1%"),
        (math.nan, "stat", 2, "—"),
        (None, "bounded", 2, "—"),
        ("<b>x</b>", "text", 2, "<b>x</b>"),  # escaping is the template's job
    ],
)
def test_format_value(value, kind, dec, expected):
    assert format_value(value, kind, dec) == expected


def test_table_formats_columns_and_keeps_full_precision():
    t = Table(
        id="rel",
        title="Reliability",
        frame=pd.DataFrame({"scale": ["CO"], "alpha": [0.8765], "n": [300], "p": [0.2]}),
        kinds={"alpha": "bounded", "n": "int", "p": "p"},
    )
    f = t.formatted()
    assert f.loc[0, "alpha"] == ".88" and f.loc[0, "n"] == "300" and f.loc[0, "p"] == ".200"
    assert "0.8765" in t.to_csv()
    assert t.to_dict()["rows"][0]["alpha"] == 0.8765
