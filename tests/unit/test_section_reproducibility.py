"""The report's reproducibility section: command, versions, every option with its default, the
input checksum and n, the seed, the lavaan model and the R code that refits it.

The R code was run by hand on the bundled demo file (``Rscript`` with lavaan 0.6.14): the
(partial) scalar invariance model it writes for ccrm_collab_core across industry gives
chisq = 23.315 and chisq.scaled = 25.428, the figures of the groups section's scalar step
(see test_groups_section_matches_lavaan_on_the_demo in test_section_groups.py for the check that
runs in CI against the stored lavaan output)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import fields

import pandas as pd
import pytest

import moscale as ms
from moscale.analysis import pipeline
from moscale.analysis.pipeline import AnalysisOptions
from moscale.analysis.report import Report
from moscale.analysis.sections import reproducibility as section

from .section_helpers import DEMO, context, example_responses


def test_checksum_n_versions_options(tmp_path):
    ctx = context(DEMO, "example", groups=("industry",), cluster="firm_id", seed=7)
    sec = section.build(ctx)
    res = ctx.results["reproducibility"]
    # the checksum is the file's own SHA-256, computed here independently
    expected = hashlib.sha256(DEMO.read_bytes()).hexdigest()
    assert res["input"]["sha256"] == expected and res["input"]["sha256_of"] == "file"
    assert res["input"]["n_read"] == 400 and res["input"]["n_analysed"] == 400
    text = " ".join(sec.paragraphs)
    assert expected in text and "sha256sum demo_responses.csv" in text
    assert res["seed"] == 7 and "seed 7" in text
    # every option, its value and its default, explained
    opts = next(t for t in sec.tables if t.id == "reproducibility_options").frame
    assert list(opts["Option"]) == [f.name for f in fields(AnalysisOptions)]
    assert set(res["options"]) == set(res["defaults"]) == {f.name for f in fields(AnalysisOptions)}
    assert res["defaults"]["seed"] == pipeline.DEFAULT_SEED
    assert res["defaults"]["bootstrap"] == pipeline.DEFAULT_BOOTSTRAP
    assert opts.set_index("Option").loc["seed", "Value"] == "7"
    assert all(opts["Meaning"].str.len() > 10)
    # versions of moscale and the libraries the numbers depend on
    assert res["versions"]["moscale"] == ms.__version__ == res["moscale_version"]
    assert {"numpy", "scipy", "pandas", "pingouin"} <= set(res["versions"])
    # no command given (made from Python): the equivalent command line is shown
    assert not res["command_given"]
    assert res["command"].startswith("moscale analyze ")
    for part in ("--instrument example", "--group industry", "--cluster firm_id", "--seed 7"):
        assert part in res["command"]
    assert "--bootstrap" not in res["command"]  # defaults are not repeated
    # missing="auto" (the default) resolved to FIML here, but the command repeats what was asked
    assert ctx.options.missing == "fiml" and "--missing" not in res["command"]
    json.dumps(res, allow_nan=False)
    Report(title="t", sections=[sec], results=ctx.results).to_json()


def test_given_command_is_shown_as_is():
    cmd = "moscale analyze responses.csv --instrument example -o report.html"
    ctx = context(DEMO, "example", command=cmd)
    sec = section.build(ctx)
    assert ctx.results["reproducibility"]["command"] == cmd
    assert f"Command: {cmd}" in sec.paragraphs


def test_lavaan_model_and_r_code():
    ctx = context(DEMO, "example")
    sec = section.build(ctx)
    res = ctx.results["reproducibility"]
    model = next(t for t in sec.tables if t.id == "reproducibility_model").frame["lavaan"]
    assert "\n".join(model) == ctx.model
    code = res["lavaan_r_code"]
    assert code[0] == "library(lavaan)"
    assert 'na.strings = c("", "NA", "-99")' in code[1]
    # the four reverse-keyed items of the example study, reversed as moscale did (8 - x)
    reversed_lines = [c for c in code if "reverse-keyed" in c]
    assert len(reversed_lines) == len(ctx.dataset.reversed) == 4
    assert "data$ccrm_a2 <- 8 - data$ccrm_a2  # reverse-keyed" in code
    # the demo has missing answers and continuous items: missing="auto" means FIML, as lavaan's
    assert 'fit <- cfa(model, data = data, estimator = "MLR", missing = "fiml")' in code
    ctx = context(DEMO, "example", missing="listwise")
    section.build(ctx)
    assert (
        'fit <- cfa(model, data = data, estimator = "MLR")'
        in (ctx.results["reproducibility"]["lavaan_r_code"])
    )
    # the model inside the R code is ctx.model
    start, end = code.index("model <- '"), code.index("'")
    assert [c.strip() for c in code[start + 1 : end]] == ctx.model.splitlines()


def test_in_memory_data_gets_a_checksum_of_its_csv_form():
    df = example_responses(50, 3)
    ctx = context(df, "example")
    sec = section.build(ctx)
    res = ctx.results["reproducibility"]
    assert res["input"]["sha256_of"] == "data as CSV" and len(res["input"]["sha256"]) == 64
    assert res["input"]["sha256"] in " ".join(sec.paragraphs)
    # the same data give the same checksum
    ctx2 = context(df.copy(), "example")
    section.build(ctx2)
    assert ctx2.results["reproducibility"]["input"]["sha256"] == res["input"]["sha256"]


def test_excluded_respondents_are_dropped_in_the_r_code():
    ctx = context(DEMO, "example", exclude_careless=("longstring",))
    section.build(ctx)
    code = ctx.results["reproducibility"]["lavaan_r_code"]
    # the demo plants six straight-liners
    assert ctx.screening.excluded.get("total", 0) == 6 == 400 - ctx.dataset.n_kept
    line = next(c for c in code if c.startswith('data <- data[!data[["respondent_id"]] %in%'))
    gone = set(ctx.dataset_all.background["respondent_id"]) - set(
        ctx.dataset.background["respondent_id"]
    )
    assert all(f'"{g}"' in line for g in gone) and line.count('"r00') == len(gone) == 6
    assert "# 6 respondent(s) excluded by the screening" in code


def test_finnish():
    ctx = context(DEMO, "example", lang="fi")
    sec = section.build(ctx)
    assert sec.title == "Toistettavuus"
    assert "tarkistussumma" in " ".join(sec.paragraphs)
    assert "Asetus" in next(t for t in sec.tables if t.id == "reproducibility_options").frame


@pytest.mark.parametrize("lang", ["en", "fi"])
def test_without_a_model(lang):
    ctx = context(DEMO, "example", lang=lang)
    ctx.model = None  # no model (the pipeline always has one here): a state made on purpose
    sec = section.build(ctx)
    assert ctx.results["reproducibility"]["lavaan_r_code"] == []
    assert not any(t.id == "reproducibility_r_code" for t in sec.tables)


def test_model_comments_stay_out_of_the_r_code():
    """lavaan comments run to the end of the line: joined into the one-line invariance models
    they would swallow every statement after them, and an apostrophe would end the R string."""
    items = {f: [f"ccrm_{f}{i}" for i in range(1, 6)] for f in "ab"}
    model = "# collaborative CRM, the researcher's two core dimensions\n" + "\n".join(
        f"{f} =~ {' + '.join(its)}  ! dimension {f}" for f, its in items.items()
    )
    data = pd.read_csv(DEMO)
    ctx = context(data, None, model, groups=("industry",))
    from moscale.analysis.sections import groups

    groups.build(ctx)
    section.build(ctx)
    code = ctx.results["reproducibility"]["lavaan_r_code"]
    start, end = code.index("model <- '"), code.index("'")
    assert [c.strip() for c in code[start + 1 : end]] == [
        f"{f} =~ {' + '.join(its)}" for f, its in items.items()
    ]
    one_line = [c for c in code if c.startswith("m_industry_")]
    assert one_line and all(
        "#" not in c and "!" not in c and "researcher" not in c for c in one_line
    )
    for line in one_line:  # each unit's statements survive the join
        assert " =~ " in line.split("<-", 1)[1]
