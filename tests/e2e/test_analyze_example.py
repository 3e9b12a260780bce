"""``moscale demo`` end to end: the report and its JSON find what the demo's population model planted.

analysis/data/demo_population.yaml plants, in 400 respondents of 120 firms in three industries:
about 3 % of the answers missing, 6 straight-liners, one weak item (mktor_cp3 loads .25), and one
loading that differs between industries (ccrm_a1 loads .30 in industry 2, .70 elsewhere). The
expected figures below are computed here from the bundled CSV itself (counts of empty cells, rows
with one answer throughout, firms), never typed in.
"""

from __future__ import annotations

import hashlib
import io
import json

import pandas as pd
import pytest

import moscale
from moscale.analysis.pipeline import AnalysisOptions
from moscale.analysis.report import SCHEMA_VERSION

from .conftest import SECTION_IDS, demo_csv_bytes

pytestmark = pytest.mark.slow  # one `moscale demo` run (about 10 s) shared by the module


@pytest.fixture(scope="module")
def planted() -> dict:
    """What the bundled responses contain, counted directly from the CSV."""
    frame = pd.read_csv(io.BytesIO(demo_csv_bytes()))
    items = [
        c for c in frame.columns if c.startswith(("mktor_", "ccrm_")) and not c.endswith("_order")
    ]
    answers = frame[items]
    same_answer = answers.apply(lambda row: row.dropna().nunique() == 1, axis=1)
    return {
        "n": len(frame),
        "items": items,
        "missing_cells": int(answers.isna().to_numpy().sum()),
        "cells": answers.size,
        "straightliners": int(same_answer.sum()),
        "firms": int(frame["firm_id"].nunique()),
        "industries": sorted(frame["industry"].dropna().astype(int).unique().tolist()),
    }


def test_demo_writes_the_whole_journey(demo_run):
    out = demo_run.folder
    for name in ("report.html", "results.json", "responses.csv", "population.yaml"):
        assert (out / name).is_file(), name
    assert (out / "responses.csv").read_bytes() == demo_csv_bytes()
    assert any(p.suffix == ".html" and p.name != "report.html" for p in out.iterdir())  # forms
    assert "report.html" in demo_run.result.stderr


def test_json_carries_versions_checksum_and_every_option(demo_run, planted):
    report = demo_run.report
    assert report["schema_version"] == SCHEMA_VERSION
    meta = report["meta"]
    assert meta["moscale_version"] == moscale.__version__
    assert meta["input"]["sha256"] == hashlib.sha256(demo_csv_bytes()).hexdigest()
    # every option: the defaults with the demo's groups and cluster; missing="auto" resolves to
    # FIML, since the items are treated as continuous and some answers are missing
    assert meta["ordinal"] is False and planted["missing_cells"] > 0
    given = AnalysisOptions(groups=("industry",), cluster="firm_id", missing="fiml")
    expected = json.loads(json.dumps(given.to_dict()))
    assert meta["options"] == expected
    assert set(meta["options"]) == set(AnalysisOptions.__dataclass_fields__)
    repro = report["results"]["reproducibility"]
    assert repro["options"] == expected
    assert repro["input"]["sha256"] == meta["input"]["sha256"]
    assert repro["moscale_version"] == moscale.__version__
    assert json.loads(demo_run.json_path.read_text(encoding="utf-8")) == report  # strict JSON


def test_report_has_every_part_and_nothing_external(demo_run):
    page = demo_run.page
    assert page.lang == "en"
    assert page.sections == ["summary", *SECTION_IDS]
    assert page.external_references() == []
    assert all(page.titles[s] for s in page.sections)


def test_sample_size_and_missing_share(demo_run, planted):
    quality = demo_run.report["results"]["quality"]
    assert quality["sample"]["n_read"] == planted["n"]
    assert quality["sample"]["n_analysed"] == planted["n"]  # nobody excluded by default
    missing = quality["missing"]
    assert missing["n_missing_cells"] == planted["missing_cells"]
    share = 100 * planted["missing_cells"] / planted["cells"]
    assert missing["pct_missing"] == pytest.approx(share, abs=1e-9)
    assert 2.0 <= missing["pct_missing"] <= 4.0  # planted: about 3 %
    assert any(f"{share:.1f}%" in s for s in demo_run.report["summary"])


def test_straightliners_are_flagged(demo_run, planted):
    careless = demo_run.report["results"]["quality"]["careless"]
    assert planted["straightliners"] == 6  # as the population model says
    assert careless["flagged"]["longstring"] == planted["straightliners"]
    assert careless["excluded"] == {}  # flagged and reported, not excluded, by default
    rows = demo_run.report["tables"]["quality_careless"]["rows"]
    (row,) = [r for r in rows if r["Rule"].startswith("Straight-lining")]
    assert row["Flagged"] == planted["straightliners"]


def test_weak_item_is_found(demo_run):
    report = demo_run.report
    cfa = report["results"]["cfa"]
    loadings = {row["item"]: row["std_all"] for row in cfa["loadings"]}
    weakest = min(loadings, key=lambda item: abs(loadings[item]))
    assert weakest == "mktor_cp3"
    assert abs(loadings["mktor_cp3"]) < 0.40  # planted .25; every other item of its factor .70
    assert "mktor_cp3" in [w["item"] for w in cfa["weak_items"]]
    assert any("mktor_cp3" in w for w in report["warnings"])  # in the summary's warnings
    cfa_section = demo_run.html.split('<section id="cfa">', 1)[1].split("</section>", 1)[0]
    assert "mktor_cp3" in cfa_section


def test_invariance_ladder_releases_the_planted_loading(demo_run, planted):
    groups = demo_run.report["results"]["groups"]["variables"]["industry"]
    assert sorted(int(g) for g in groups["sizes"]) == planted["industries"]
    units = groups["invariance"]["units"]
    core = units["ccrm_collab_core"]  # the factor of ccrm_a1
    steps = core["steps"]
    assert [s["step"] for s in steps[:2]] == ["configural", "metric"]
    assert steps[0]["decision"] == "holds"
    assert steps[1]["released"] == "" and steps[1]["decision"] == "fails"  # full metric fails
    assert core["full_level_reached"] == "configural"
    first = core["search"][0]
    assert (first["step"], first["parameter"]) == ("metric", "ccrm_collab_core =~ ccrm_a1")
    assert "ccrm_collab_core =~ ccrm_a1" in core["released"]
    assert core["partial"] is True
    assert groups["invariance"]["partial_levels"]["ccrm.collab_core"] in (
        "metric",
        "scalar",
        "strict",
    )
    assert any("Collaborative core" in w for w in demo_run.report["warnings"])
    assert "ccrm_a1" in demo_run.page.text


def test_firm_level_agreement_section(demo_run, planted):
    firm = demo_run.report["results"]["firm"]
    assert firm["cluster"] == "firm_id"
    assert firm["n_firms"] == planted["firms"]
    dims = {row["dimension"] for row in firm["summary"]}
    assert len(dims) == 7
    for row in firm["icc"]:
        assert {"icc1", "icc2", "F", "p"} <= set(row)
    assert len(firm["firm_scores"]) == planted["firms"]
    assert "firm_agreement" in demo_run.report["tables"]
    assert "firm" in demo_run.page.sections


def test_worker_processes_change_no_figure(demo_run, monkeypatch):
    """The demo ran with the machine's cores (model fits in a forked worker beside the main
    process, on Linux with two or more cores); run one after the other in one process, the
    analysis gives the same JSON, figure for figure."""
    from importlib import resources

    monkeypatch.setenv("MOSCALE_WORKERS", "1")
    parallel = demo_run.report
    path = resources.files("moscale.analysis") / "data" / "demo_responses.csv"
    with resources.as_file(path) as csv:
        report = moscale.analyze(
            csv,
            instrument="example",
            options=AnalysisOptions(groups=("industry",), cluster="firm_id"),
            command=parallel["meta"]["command"],
        )
    sequential = json.loads(report.to_json())
    for key in ("summary", "warnings", "results", "tables"):
        assert sequential[key] == parallel[key], key
