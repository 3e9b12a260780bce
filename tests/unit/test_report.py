"""The report container: self-contained HTML, escaping, JSON."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import numpy as np
import pandas as pd

from moscale.analysis import plots
from moscale.analysis.report import SCHEMA_VERSION, Figure, Report, Section
from moscale.analysis.tables import Table

EVIL = "<script>alert(1)</script>"


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self.scripts += 1


def _report() -> Report:
    t = Table(
        id="rel",
        title=f"Reliability of {EVIL}",
        frame=pd.DataFrame({"scale": [EVIL, "CO"], "alpha": [0.81234, np.nan]}),
        kinds={"alpha": "bounded"},
        note="α = Cronbach's alpha.",
    )
    fig = Figure(id="f1", title="Scree", svg=plots.scree_plot([2.0, 1.0, 0.5]))
    return Report(
        title=EVIL,
        summary=[f"One sentence about {EVIL}."],
        warnings=["KMO is low."],
        sections=[Section(id="reliability", title="Reliability", tables=[t], figures=[fig])],
        meta={"moscale_version": "0.1.0"},
        results={"alpha": np.float64(0.81234), "bad": np.nan, "arr": np.array([1, 2])},
    )


def test_html_is_self_contained_and_escaped():
    html = _report().to_html()
    p = _Collect()
    p.feed(html)
    assert p.scripts == 1  # our own inline copy-table script only
    assert EVIL not in html  # every user string escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    for _tag, attrs in p.tags:
        for k in ("src", "href"):
            v = attrs.get(k)
            if v:
                assert v.startswith(("#", "data:")), v
    assert "<svg" in html and ".81" in html and "Table 1" in html


def test_json_is_strict_and_versioned():
    data = json.loads(_report().to_json())
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["results"] == {"alpha": 0.81234, "bad": None, "arr": [1, 2]}
    assert data["tables"]["rel"]["rows"][1]["alpha"] is None


def test_table_access():
    r = _report()
    assert r.table("rel").shape == (2, 2)
    assert "reliability" == r.section("reliability").id


def test_finnish_interface_words():
    r = _report()
    r.lang = "fi"
    html = r.to_html()
    assert 'lang="fi"' in html and "Taulukko 1" in html and "Yhteenveto" in html
