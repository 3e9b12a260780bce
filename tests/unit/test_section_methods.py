"""The report's methods paragraph: the numbers it fills in are those the other sections show
(taken from the same result objects and formatted the same way), in English and Finnish; it adapts
when sections are missing; the references list every method cited and the instrument's scales; the
closing verdict goes to the summary.

The statistics themselves are tested against R where they are computed (test_cfa_reference.py,
test_reliability.py, test_validity.py, test_invariance*.py, test_multilevel.py, test_efa*.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from moscale.analysis.cfa.api import cfa
from moscale.analysis.efa import efa
from moscale.analysis.factorability import bartlett, kmo
from moscale.analysis.nfactors import parallel_analysis
from moscale.analysis.reliability import reliability
from moscale.analysis.responses import read_responses
from moscale.analysis.sections import firm, groups, methods
from moscale.analysis.tables import format_value
from moscale.analysis.validity import discriminant_validity

from .section_helpers import DEMO, context, demo_design_responses, reflective_items

KEEP = ["ccrm.collab_core", "ccrm.crm_strategy"]


@pytest.fixture(scope="module")
def dataset():
    df = demo_design_responses()
    return read_responses(df, instrument="example", groups=["industry"], cluster="firm_id")


@pytest.fixture(scope="module")
def found(dataset):
    """What the earlier sections leave in ctx.found / ctx.results, computed directly."""
    ctx = context(dataset, keep=KEEP)
    x = reflective_items(ctx)
    rel = {
        k: reliability(dataset.items[dataset.dimensions[k]], n_boot=0, ordinal=False) for k in KEEP
    }
    fit = cfa(ctx.model, x, estimator="MLR")
    dv = discriminant_validity(fit, x)
    fitted = efa(x, 2)
    lam = fitted.loadings.abs() >= 0.30
    efa_results = {
        "kmo": kmo(x).to_dict(),
        "bartlett": bartlett(x).to_dict(),
        "parallel": parallel_analysis(x, seed=1).to_dict(),
        "efa": fitted.to_dict(),
        "salient": 0.30,
        # as the EFA section lists them: items with two salient loadings / with none
        "cross_loadings": {
            i: list(lam.columns[lam.loc[i]]) for i in lam.index if lam.loc[i].sum() > 1
        },
        "no_salient": [i for i in lam.index if not lam.loc[i].any()],
    }
    return {"reliability": rel, "cfa": fit, "validity": dv, "efa": efa_results}


def _full(dataset, found, lang="en"):
    ctx = context(dataset, keep=KEEP, lang=lang, groups=("industry",), cluster="firm_id")
    ctx.found.update({k: v for k, v in found.items() if k != "efa"})
    ctx.results["efa"] = found["efa"]
    groups.build(ctx)
    firm.build(ctx)
    sec = methods.build(ctx)
    return ctx, sec


@pytest.fixture(scope="module")
def english(dataset, found):
    return _full(dataset, found, "en")


@pytest.fixture(scope="module")
def finnish(dataset, found):
    return _full(dataset, found, "fi")


def _numbers(found, ctx):
    fm = found["cfa"].fit_measures()
    rel = found["reliability"]
    alphas = [r.alpha for r in rel.values()]
    htmt = found["validity"].htmt.matrix.iloc[0, 1]
    agg = ctx.found["firm"]
    return {
        # the CFA section prints the robust indices of an MLR fit with three decimals
        "cfi": format_value(fm["cfi.robust"], "bounded", 3),
        "tli": format_value(fm["tli.robust"], "bounded", 3),
        "rmsea": format_value(fm["rmsea.robust"], "bounded", 3),
        "srmr": format_value(fm["srmr"], "bounded", 3),
        "chisq": f"χ²({int(fm['df'])}) = {fm['chisq.scaled']:.2f}",
        # the reliability section prints α and ω with two decimals
        "alpha_lo": format_value(min(alphas), "bounded", 2),
        "alpha_hi": format_value(max(alphas), "bounded", 2),
        "kmo": format_value(found["efa"]["kmo"]["msa"], "bounded", 2),
        "htmt": format_value(htmt, "bounded", 2),
        "icc1": format_value(agg.icc["icc1"].min(), "bounded", 3),
        "icc2": format_value(agg.icc["icc2"].max(), "bounded", 2),
    }


@pytest.mark.parametrize("lang", ["en", "fi"])
def test_paragraph_has_the_numbers_shown_elsewhere(lang, english, finnish, found):
    ctx, sec = english if lang == "en" else finnish
    text = " ".join(ctx.results["methods"]["paragraphs"])
    for name, value in _numbers(found, ctx).items():
        assert value in text, (name, value)
    # the same figures are in the JSON, at full precision
    values = ctx.results["methods"]["values"]
    assert values["fit"]["cfi"] == pytest.approx(found["cfa"].fit_measures()["cfi.robust"])
    assert values["alpha"] == {k: pytest.approx(r.alpha) for k, r in found["reliability"].items()}
    # the EFA as the EFA section ran it
    ex = found["efa"]
    if lang == "en":
        assert (
            "An exploratory factor analysis with 2 factors (minimum residual extraction, oblimin "
            f"rotation, Pearson correlations) gave {len(ex['cross_loadings'])} cross-loading item(s) "
            f"and {len(ex['no_salient'])} item(s)"
        ) in text
    assert values["parallel_analysis_factors"] == ex["parallel"]["n_factors"]
    # the partial-invariance search found the planted loading, and the paragraph says so
    assert "ccrm_collab_core → ccrm_a1" in text
    # the groups section's levels, the firm section's figures
    assert (
        values["groups"]["industry"]["levels"]
        == ctx.results["groups"]["variables"]["industry"]["invariance"]["levels"]
    )
    assert values["firm"]["icc2"][1] == pytest.approx(ctx.found["firm"].icc["icc2"].max())


def test_english_wording_and_citations(english):
    ctx, sec = english
    text = " ".join(ctx.results["methods"]["paragraphs"])
    for phrase in (
        "Cronbach, 1951",
        "MLR; Yuan & Bentler, 2000",
        "Hu and Bentler (1999)",
        "Henseler, Ringle & Sarstedt, 2015",
        "Chen, 2007",
        "Satorra & Bentler, 2001",
        "Welch's ANOVA (Welch, 1951)",
        "Holm's (1979)",
        "James, Demaree & Wolf, 1984",
        "Narver & Slater, 1990",
    ):
        assert phrase in text, phrase
    refs = ctx.results["methods"]["references"]
    assert refs == sorted(refs, key=lambda r: r.lstrip("[").lower())
    for key in ctx.results["methods"]["cited"]:
        if key in methods.REFERENCES:
            assert methods.REFERENCES[key][1] in refs
    assert any(r.startswith("Narver, J. C., & Slater, S. F. (1990)") for r in refs)
    assert any(r.startswith("Welch, B. L. (1951)") for r in refs)
    assert not any(r.startswith("Welch, B. L. (1947)") for r in refs)  # three groups: no t test
    # every in-text citation of a method has its reference
    for key, (cite, ref) in methods.REFERENCES.items():
        if cite in text.replace("Hu and Bentler (1999)", "Hu & Bentler, 1999"):
            assert ref in refs, key
    assert sec.paragraphs[-len(refs) - 1] == "References"


def test_finnish_wording(finnish):
    ctx, sec = finnish
    text = " ".join(ctx.results["methods"]["paragraphs"])
    assert sec.title == "Menetelmäkuvaus"
    for phrase in ("Sisäistä johdonmukaisuutta", "vahvistavalla faktorianalyysilla", "Holmin"):
        assert phrase in text
    assert "Lähteet" in sec.paragraphs
    assert ctx.summary[-1].startswith("Yhteenvetona: ")


def test_closing_verdict_in_the_summary(english, found):
    ctx, _ = english
    verdict = ctx.summary[-1]
    assert verdict == ctx.results["methods"]["verdict"]
    assert verdict.startswith("In sum: the measurement model fits")
    assert _numbers(found, ctx)["cfi"] in verdict
    assert "discriminant validity holds" in verdict
    levels = ctx.results["groups"]["variables"]["industry"]["invariance"]["levels"]
    if all(v in ("scalar", "strict") for v in levels.values()):
        assert "means can be compared" in verdict
    else:
        assert "Collaborative core" in verdict  # the dimension with the planted loading


def test_uses_the_fit_the_cfa_section_reported(dataset, found):
    ctx = context(dataset, keep=KEEP)
    ctx.found["cfa"] = found["cfa"]
    ctx.found["cfa_fit"] = {
        "chisq": 12.5,
        "df": 8,
        "pvalue": 0.13,
        "cfi": 0.9876,
        "tli": 0.97,
        "rmsea": 0.045,
        "rmsea_lower": 0.0,
        "rmsea_upper": 0.09,
        "srmr": 0.03,
        "verdict": "good",
    }
    methods.build(ctx)
    text = " ".join(ctx.results["methods"]["paragraphs"])
    assert "CFI = .988" in text and "χ²(8) = 12.50, p = .130" in text


def test_adapts_when_sections_are_missing(dataset):
    ctx = context(dataset, keep=KEEP)
    sec = methods.build(ctx)
    res = ctx.results["methods"]
    # only the sample and the scales are described; nothing is invented
    assert len(res["paragraphs"]) == 1
    assert "All 400 responses were analysed (N = 400)." in res["paragraphs"][0]
    assert res["verdict"] is None and not ctx.summary
    assert "References" in sec.paragraphs
    assert all("Cronbach" not in r for r in res["references"])
    # a CFA that failed is said to have failed
    ctx = context(dataset, keep=KEEP)
    ctx.results["cfa"] = {"fitted": False, "error": "the model did not converge"}
    methods.build(ctx)
    assert "could not be estimated (the model did not converge)" in " ".join(
        ctx.results["methods"]["paragraphs"]
    )


def test_exclusions_and_fiml_are_described():
    ctx = context(DEMO, "example", keep=KEEP, exclude_careless=("longstring",), missing="fiml")
    methods.build(ctx)
    text = ctx.results["methods"]["paragraphs"][0]
    # the demo plants six straight-liners
    assert "6 were excluded as careless respondents by the longstring rule" in text
    assert "N = 394" in text
    assert "full-information maximum likelihood" in text


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        (
            "Narver, J. C., & Slater, S. F. (1990). The effect of a market orientation.",
            "Narver & Slater, 1990",
        ),
        ("Juuso, O.-J. (2014). Collaborative CRM [Master's thesis].", "Juuso, 2014"),
        (
            "Lin, R.-J., Chen, R.-H., & Chiu, K. K.-S. (2010). Customer relationship management.",
            "Lin et al., 2010",
        ),
        (
            "Serbin Wikner, S. (2009, September 3–5). Behind the scene [Paper presentation].",
            "Serbin Wikner, 2009",
        ),
        (
            "[Master's thesis on innovating with B2B2B users]. (n.d.).",
            "Master's thesis on innovating…, n.d.",
        ),
    ],
)
def test_in_text_citation(reference, expected):
    assert methods.in_text_citation(reference) == expected


def test_fit_verdict_cutoffs():
    good = {"cfi": 0.95, "tli": 0.95, "rmsea": 0.06, "srmr": 0.08}
    assert methods.fit_verdict(good) == "good"
    assert methods.fit_verdict({**good, "cfi": 0.949}) == "acceptable"
    assert methods.fit_verdict({**good, "rmsea": 0.081}) == "poor"
    assert methods.fit_verdict({"cfi": None}) == "unknown"


def test_json_is_strict(english):
    ctx, sec = english
    from moscale.analysis.report import Report

    Report(title="t", sections=[sec], results=ctx.results).to_json()
    assert isinstance(
        pd.DataFrame(ctx.results["groups"]["variables"]["industry"]["comparison"]["tests"]),
        pd.DataFrame,
    )


@pytest.mark.parametrize(
    ("lang", "all_text", "some_text"),
    [
        (
            "en",
            "Not even configural invariance held for any dimension.",
            "Not even configural invariance held for {dim}.",
        ),
        (
            "fi",
            "Millään ulottuvuudella ei saavutettu edes konfiguraalista invarianssia.",
            "Ulottuvuuksilla {dim} ei saavutettu edes konfiguraalista invarianssia.",
        ),
    ],
)
def test_failed_configural_invariance_is_worded_as_a_failure(
    lang, all_text, some_text, english, finnish
):
    """Level "none" (even the configural model fails the rule) must not read "no invariance
    held for every dimension" (or "Ei invarianssia piti")."""
    import copy
    import dataclasses

    ctx, _ = english if lang == "en" else finnish
    found = dict(ctx.found)
    info = copy.copy(found["groups"]["industry"])
    found["groups"] = {**found["groups"], "industry": info}
    dims = list(info["levels"])
    info["partial_levels"] = {}
    info["levels"] = dict.fromkeys(dims, "none")
    failed = dataclasses.replace(
        ctx, found=found, summary=[], warnings=[], results=dict(ctx.results)
    )
    text = " ".join(methods.build(failed).paragraphs)
    assert all_text in text
    assert "no invariance held" not in text and "Ei invarianssia piti" not in text
    info["levels"] = {**info["levels"], dims[0]: "strict"}
    text = " ".join(methods.build(failed).paragraphs)
    assert some_text.format(dim=ctx.label(dims[1])) in text
