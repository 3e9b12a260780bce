"""Report figures: well-formed standalone SVG, no external reference, user text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from moscale.analysis import plots

EVIL = "<script>alert(1)</script>"


def _check(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # well-formed XML
    assert root.tag.endswith("svg")
    assert "<script" not in svg
    for attr in ("href", "xlink:href", "src"):
        for el in root.iter():
            for k, v in el.attrib.items():
                if k.endswith(attr):
                    assert v.startswith(("#", "data:")), f"external reference {v}"
    assert "http://" not in svg.replace("http://www.w3.org/", "")
    assert "https://" not in svg
    return root


def _texts(root: ET.Element) -> str:
    return " ".join("".join(el.itertext()) for el in root.iter() if el.tag.endswith("text"))


def test_likert_bars_escapes_item_names():
    p = pd.DataFrame([[0.1, 0.2, 0.4, 0.3], [0.25, 0.25, 0.25, 0.25]], index=[EVIL, "b$x$"])
    root = _check(plots.likert_bars(p, ["1", "2", "3", "4"], title="T"))
    assert EVIL in _texts(root)  # shown as text, escaped in the markup


@pytest.mark.parametrize("k", [5, 7])
def test_likert_bars_odd_categories(k):
    p = pd.DataFrame(np.full((3, k), 1 / k), index=list("abc"))
    _check(plots.likert_bars(p, [str(i) for i in range(k)]))


def test_scree_plot():
    _check(plots.scree_plot([3.1, 1.4, 0.9, 0.5], [1.2, 1.1, 1.0, 0.9], suggested=2))


def test_loadings_heatmap_marks_cross_loadings():
    lam = pd.DataFrame(
        [[0.7, 0.05], [0.45, 0.41], [0.02, 0.8]], index=["a", EVIL, "c"], columns=["F1", "F2"]
    )
    svg = plots.loadings_heatmap(lam)
    root = _check(svg)
    assert ".41" in _texts(root)


def test_group_means_and_ladder_and_missingness():
    d = pd.DataFrame(
        {
            "score": ["s", "s", "t", "t"],
            "group": ["a", EVIL, "a", EVIL],
            "mean": [3.0, 3.5, 4.0, 4.2],
            "ci_lower": [2.8, 3.2, 3.8, 4.0],
            "ci_upper": [3.2, 3.8, 4.2, 4.4],
        }
    )
    _check(plots.group_means(d))
    steps = pd.DataFrame(
        {
            "step": ["configural", "metric", "scalar"],
            "cfi": [0.95, 0.949, 0.93],
            "rmsea": [0.05, 0.05, 0.06],
        }
    )
    _check(plots.invariance_ladder(steps))
    miss = pd.DataFrame(np.random.default_rng(1).random((50, 4)) < 0.1, columns=list("abcd"))
    _check(plots.missingness_map(miss))


def test_path_diagram_escapes_and_labels():
    svg = plots.path_diagram(
        {"F1": {"x1": 0.71, "x2": 0.65, EVIL: 0.5}, "F2": {"x4": 0.8, "x5": 0.77}},
        pd.DataFrame([[1, 0.45], [0.45, 1]], index=["F1", "F2"], columns=["F1", "F2"]),
    )
    root = _check(svg)
    text = _texts(root)
    assert ".71" in text and ".45" in text and EVIL in text


def test_same_input_same_svg():
    p = pd.DataFrame([[0.2, 0.3, 0.5]], index=["a"])
    assert plots.likert_bars(p, ["1", "2", "3"]) == plots.likert_bars(p, ["1", "2", "3"])


def test_missingness_map_bins_many_respondents():
    from moscale.analysis.plots_quality import MAX_COLUMNS, _binned, missingness_map

    m = np.zeros((MAX_COLUMNS * 3, 2), dtype=bool)
    m[:3, 0] = True  # the first bin holds three rows, all missing on the first item
    shade = _binned(m, MAX_COLUMNS)
    assert shade.shape == (MAX_COLUMNS, 2)
    assert shade[0, 0] == 1.0 and shade[1:, 0].sum() == 0 and shade[:, 1].sum() == 0
    small = np.eye(3, dtype=bool)
    assert (_binned(small, MAX_COLUMNS) == small).all()
    _check(missingness_map(pd.DataFrame(m, columns=["a", "b"]), xlabel="respondents"))
