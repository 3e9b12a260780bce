"""``moscale analyze`` on psych's bfi end to end: the JSON's figures are those of the statistical
functions (each tested against R) called directly on the same data with the same options; the HTML
is complete, self-contained and escapes what the user supplied; the command line's options, quiet
mode and errors behave.

The run: ``moscale analyze tests/data/bfi.csv --model tests/data/bfi_five.lav --group gender
--ordinal yes --bootstrap 200`` (2,800 respondents, 25 six-point items as ordinal, WLSMV).
"""

from __future__ import annotations

import hashlib
import importlib
import math
import shutil
from typing import Any

import numpy as np
import pandas as pd
import pytest

from moscale.analysis.pipeline import DEFAULT_SEED, AnalysisOptions
from moscale.analysis.report import Report

from .conftest import (
    BFI,
    BFI_BOOTSTRAP,
    BFI_MODEL,
    SECTION_IDS,
    invoke,
    ok,
    parse_report,
)

pytestmark = pytest.mark.slow  # one ordinal analysis of 2,800 respondents shared by the module

FACTORS = {f: [f"{f}{i}" for i in range(1, 6)] for f in "ACENO"}
ITEMS = [i for items in FACTORS.values() for i in items]


def as_json(obj: Any) -> Any:
    """``obj`` as the report's JSON carries it (numpy to Python, NaN to None)."""
    return Report(title="", results={"x": obj}).to_dict()["results"]["x"]


def assert_same(ours: Any, direct: Any, path: str = "") -> None:
    """Equal structures; floats equal to 1e-9 relative (the same computation, the same data)."""
    if isinstance(direct, dict):
        assert isinstance(ours, dict), path
        missing = set(direct) - set(ours)
        assert not missing, f"{path}: keys missing from the report's JSON: {sorted(missing)}"
        for k, v in direct.items():
            assert_same(ours[k], v, f"{path}.{k}")
    elif isinstance(direct, list):
        assert isinstance(ours, list) and len(ours) == len(direct), path
        for i, (a, b) in enumerate(zip(ours, direct, strict=True)):
            assert_same(a, b, f"{path}[{i}]")
    elif isinstance(direct, float) and not isinstance(ours, bool):
        assert isinstance(ours, int | float), f"{path}: {ours!r} vs {direct!r}"
        assert ours == pytest.approx(direct, rel=1e-9, abs=1e-12), path
    else:
        assert ours == direct, f"{path}: {ours!r} != {direct!r}"


@pytest.fixture(scope="module")
def results(bfi_run) -> dict:
    return bfi_run.report["results"]


@pytest.fixture(scope="module")
def by_gender(bfi_data) -> pd.DataFrame:
    """Rows with a gender, gender as its code text, groups in code order (as the groups section)."""
    d = bfi_data.dropna(subset=["gender"]).copy()
    d["gender"] = d["gender"].astype(int).astype(str)
    return d.sort_values("gender", kind="stable")


# --------------------------------------------------------------------------------------------------
# Every figure traced to the function tested against R


def test_provenance(bfi_run):
    report = bfi_run.report
    meta = report["meta"]
    assert meta["input"]["sha256"] == hashlib.sha256(BFI.read_bytes()).hexdigest()
    assert meta["input"]["n_read"] == 2800
    # missing="auto" resolves to listwise: ordinal items (WLSMV) have no FIML
    expected = AnalysisOptions(
        ordinal="yes", bootstrap=BFI_BOOTSTRAP, groups=("gender",), missing="listwise"
    ).to_dict()
    assert meta["options"] == {
        k: list(v) if isinstance(v, tuple) else v for k, v in expected.items()
    }
    assert meta["estimator"] == "WLSMV" and meta["ordinal"] is True
    assert meta["model"].strip() == BFI_MODEL.read_text(encoding="utf-8").strip()


def test_cfa_equals_the_direct_fit(results, bfi_data, bfi_model):
    """The ordinal CFA (WLSMV) of the report = cfa() on the items with ordered=True (the WLSMV
    engine, tested against lavaan in tests/unit/test_cfa_wlsmv.py)."""
    from moscale.analysis.cfa.api import cfa as cfa_fit

    fit = cfa_fit(bfi_model, bfi_data[ITEMS], estimator="WLSMV", ordered=True)
    cfa = results["cfa"]
    assert cfa["estimator"] == "WLSMV" and cfa["ordered"] is True
    assert cfa["n"] == len(bfi_data[ITEMS].dropna())  # listwise: 2,436 complete rows
    assert_same(cfa["fit_measures"], as_json(fit.fit_measures()))
    std = fit.standardized()
    loadings = std[std["op"] == "=~"]
    by_item = {row["item"]: row["std_all"] for row in cfa["loadings"]}
    for _, row in loadings.iterrows():
        assert by_item[row["rhs"]] == pytest.approx(row["est.std"], rel=1e-9)


def test_cr_and_ave_equal_the_direct_calls(results, bfi_data, bfi_model):
    """CR (ordinal, Green & Yang 2009, as semTools compRelSEM) and AVE of the CFA table = the
    functions called on the same fit."""
    from moscale.analysis.cfa.api import cfa as cfa_fit
    from moscale.analysis.cfa.wls import ordinal_composite_reliability
    from moscale.analysis.validity import ave

    fit = cfa_fit(bfi_model, bfi_data[ITEMS], estimator="WLSMV", ordered=True)
    cr = ordinal_composite_reliability(fit).set_index("factor")["omega"]
    cfa = results["cfa"]
    for factor in FACTORS:
        assert cfa["composite_reliability"][factor] == pytest.approx(cr[factor], rel=1e-9)
        assert cfa["ave"][factor] == pytest.approx(float(ave(fit)[factor]), rel=1e-9)


def test_efa_equals_the_direct_calls(results, bfi_data):
    """KMO, Bartlett, parallel analysis (20 polychoric resamples, the report's seed) and the
    five-factor minres/oblimin EFA on polychoric correlations = the functions tested against psych."""
    from moscale.analysis.efa import efa
    from moscale.analysis.factorability import bartlett, kmo
    from moscale.analysis.nfactors import parallel_analysis
    from moscale.analysis.sections.efa import N_ITER

    x = bfi_data[ITEMS]
    ours = results["efa"]
    assert ours["cor"] == "polychoric" and ours["items"] == ITEMS
    assert_same(ours["kmo"], as_json(kmo(x, cor="polychoric").to_dict()))
    assert_same(ours["bartlett"], as_json(bartlett(x, cor="polychoric").to_dict()))
    pa = parallel_analysis(x, n_iter=N_ITER, seed=DEFAULT_SEED, cor="polychoric")
    assert_same(ours["parallel"], as_json(pa.to_dict()))
    fa = efa(x, n_factors=5, method="minres", rotation="oblimin", cor="polychoric")
    assert_same(ours["efa"], as_json(fa.to_dict()))


def test_reliability_equals_the_direct_call(results, bfi_data):
    """Alpha, omega, ordinal alpha/omega, bootstrap intervals and item tables = reliability() (tested
    against psych) with the report's options: ordinal, 200 resamples, the default seed."""
    from moscale.analysis.reliability import reliability

    rel = results["reliability"]
    assert rel["settings"]["n_boot"] == BFI_BOOTSTRAP and rel["settings"]["seed"] == DEFAULT_SEED
    for factor in ("N", "O"):  # two of the five: each call bootstraps
        direct = reliability(
            bfi_data[FACTORS[factor]],
            scale_range=(1, 6),
            name=factor,
            ordinal=True,
            n_boot=BFI_BOOTSTRAP,
            seed=DEFAULT_SEED,
        )
        ours = rel["dimensions"][factor]
        assert_same(ours, as_json(direct.to_dict()))
        assert ours["coefficients"]["alpha"] == pytest.approx(direct.alpha, rel=1e-12)


def test_htmt_equals_the_direct_call(results, bfi_data, bfi_model):
    """HTMT (Pearson, with its 200-resample percentile interval) and the polychoric point HTMT =
    htmt() directly (tested against semTools)."""
    from moscale.analysis.validity import htmt

    direct = htmt(bfi_model, bfi_data[ITEMS], bootstrap=BFI_BOOTSTRAP, seed=DEFAULT_SEED)
    ours = results["validity"]["discriminant"]["htmt"]
    assert ours["bootstrap"] == BFI_BOOTSTRAP and ours["seed"] == DEFAULT_SEED
    assert_same(ours, as_json(direct.to_dict()))
    poly = htmt(bfi_model, bfi_data[ITEMS], ordered=True)
    for pair in results["validity"]["discriminant"]["pairs"]:
        a, b = pair["factor1"], pair["factor2"]
        assert pair["htmt"] == pytest.approx(float(direct.matrix.loc[a, b]), rel=1e-12)
        assert pair["htmt_polychoric"] == pytest.approx(float(poly.matrix.loc[a, b]), rel=1e-12)


def test_invariance_equals_the_direct_call(results, by_gender, bfi_model):
    """The invariance ladder across gender = invariance() (tested against lavaan/semTools) on the
    whole model, WLSMV with ordered items, as the groups section calls it."""
    from moscale.analysis.invariance import invariance

    groups = results["groups"]["variables"]["gender"]
    inv = groups["invariance"]
    assert inv["unit"] == "model"  # 805 men, 160 parameters a group: enough for the joint model
    direct = invariance(
        bfi_model,
        by_gender[[*ITEMS, "gender"]],
        "gender",
        estimator="WLSMV",
        ordered=True,
        missing="listwise",
        std_lv=True,
        search_partial=True,
    )
    ours = inv["units"]["model"]
    assert_same(ours, as_json(direct.to_dict()))
    assert [s["step"] for s in ours["steps"]][0] == "configural"
    assert ours["level_reached"] == direct.level_reached


def test_group_comparisons_equal_the_direct_call(results, bfi_model):
    """Welch t, Mann-Whitney U, Hedges' g, rank-biserial r, Holm-adjusted p of the dimension scores
    across gender = compare_groups() (tested against R) on the scores moscale computes."""
    from moscale.analysis.groups import compare_groups
    from moscale.analysis.responses import read_responses
    from moscale.analysis.scoring import score

    dataset = read_responses(BFI, model=bfi_model, groups=["gender"])
    scores = score(dataset).scores[list(FACTORS)]
    gender = dataset.background["gender"]
    data = scores[gender.notna()].copy()
    data["gender"] = gender[gender.notna()].astype(int).astype(str)
    data = data.sort_values("gender", kind="stable")
    comparison = results["groups"]["variables"]["gender"]["comparison"]
    direct = compare_groups(
        data, list(FACTORS), "gender", invariance=comparison["invariance"], adjust="holm"
    )
    assert_same(comparison, as_json(direct.to_dict()))
    assert {t["test"] for t in comparison["tests"]} == {"Welch t"}


# --------------------------------------------------------------------------------------------------
# The HTML


def test_html_has_every_part_and_nothing_external(bfi_run):
    page = bfi_run.page
    assert page.lang == "en"
    # no cluster variable, so no firm-level section; every other part is there, in order
    assert page.sections == ["summary", *[s for s in SECTION_IDS if s != "firm"]]
    assert "firm" not in bfi_run.report["results"]
    assert page.external_references() == []
    assert page.tags.count("script") == 1  # the report's own copy-table script, inline
    assert not any(t in page.tags for t in ("link", "iframe", "object", "embed", "img"))


def test_user_strings_are_escaped(tmp_path, bfi_data):
    """An item column named like a script, and group codes that are markup: the report shows them
    as text and never as markup. (lavaan syntax cannot name such a column, so the items are given
    with --items, and the one-factor model is built from them.)"""
    evil = "<script>alert(1)</script>"
    frame = bfi_data[[*FACTORS["N"], "gender"]].iloc[:400].rename(columns={"N1": evil})
    frame["gender"] = frame["gender"].map({1: '<img src=x onerror="alert(2)">', 2: "<b>two</b>"})
    data = tmp_path / "evil.csv"
    frame.to_csv(data, index=False)
    out = tmp_path / "evil.html"
    items = ",".join([evil, "N2", "N3", "N4", "N5"])
    ok(
        invoke(
            "analyze", data, "--items", items, "--group", "gender", "--bootstrap", "0",
            "-o", out, "--quiet",
        )
    )  # fmt: skip
    html = out.read_text(encoding="utf-8")
    page = parse_report(html)
    assert evil not in html
    assert "<img src=x" not in html and "<b>two</b>" not in html
    assert page.tags.count("script") == 1 and "img" not in page.tags and "b" not in page.tags
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown, escaped
    assert evil in page.text  # and readable as text
    assert page.external_references() == []


# --------------------------------------------------------------------------------------------------
# Command-line behaviour


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple:
    """600 rows and two factors of bfi: quick runs for the options and the errors."""
    folder = tmp_path_factory.mktemp("small")
    data = folder / "small.csv"
    pd.read_csv(BFI)[[*FACTORS["A"], *FACTORS["N"], "gender"]].iloc[:600].to_csv(data, index=False)
    model = folder / "small.lav"
    model.write_text("A =~ A1 + A2 + A3 + A4 + A5\nN =~ N1 + N2 + N3 + N4 + N5\n")
    return folder, data, model


@pytest.fixture(scope="module")
def finnish(small):
    folder, data, model = small
    out = folder / "raportti.html"
    result = ok(
        invoke(
            "analyze", data, "--model", model, "--group", "gender", "--lang", "fi",
            "--bootstrap", "100", "-o", out, "--quiet",
        )
    )  # fmt: skip
    return result, parse_report(out.read_text(encoding="utf-8"))


def test_finnish_report(finnish):
    _, page = finnish
    assert page.lang == "fi"
    assert page.titles["summary"] == "Yhteenveto"
    assert page.sections == ["summary", *[s for s in SECTION_IDS if s != "firm"]]
    for section in page.sections[1:]:
        module = importlib.import_module(f"moscale.analysis.sections.{section}")
        fi = module.TEXT["fi"]["title"]
        assert fi != module.TEXT["en"]["title"]
        assert page.titles[section].endswith(fi), (section, page.titles[section])


def test_quiet_prints_nothing_but_errors(finnish):
    result, _ = finnish
    assert result.stdout == ""
    assert result.stderr == ""


def test_progress_and_warnings_without_quiet(small):
    folder, data, model = small
    out = folder / "loud.html"
    result = ok(invoke("analyze", data, "--model", model, "--bootstrap", "0", "-o", out))
    assert "wrote" in result.stderr and str(out) in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["analyze", "{folder}/nothing.csv", "--model", "{model}"], "file not found"),
        (["analyze", "{data}"], "which columns are items"),
        (["analyze", "{data}", "--model", "{model}", "--group", "sex"], "group column"),
        (["analyze", "{data}", "--model", "{folder}/none.lav"], "not a file"),
    ],
    ids=["missing-file", "no-items", "unknown-group", "missing-model-file"],
)
def test_bad_input_exits_2_with_a_message(small, args, message):
    folder, data, model = small
    args = [a.format(folder=folder, data=data, model=model) for a in args]
    result = invoke(*args, "-o", str(folder / "x.html"), "--quiet")
    assert result.exit_code == 2, result.output
    assert "error:" in result.stderr and message in result.stderr
    assert "Traceback" not in result.output
    assert not (folder / "x.html").exists()


@pytest.mark.parametrize("flag", ["-o", "--json"])
def test_output_over_the_input_is_refused(small, tmp_path, flag):
    _, data, model = small
    copy = tmp_path / "data.csv"
    shutil.copy(data, copy)
    before = copy.read_bytes()
    result = invoke("analyze", copy, "--model", model, "--bootstrap", "0", flag, copy, "--quiet")
    assert result.exit_code == 2, result.output
    assert "error:" in result.stderr
    assert copy.read_bytes() == before


def test_json_is_strict(bfi_run):
    text = bfi_run.json_path.read_text(encoding="utf-8")
    assert "NaN" not in text and "Infinity" not in text

    def walk(o):
        if isinstance(o, dict):
            for v in o.values():
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)
        elif isinstance(o, float):
            assert math.isfinite(o)

    walk(bfi_run.report)
    assert np.isfinite(bfi_run.report["results"]["cfa"]["fit_measures"]["cfi.scaled"])
