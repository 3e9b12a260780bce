"""The built-in scale library and the example study: structure, translations, keys, citations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import moscale
from moscale.instrument import builtin_scale_ids, builtin_scales, load_scale
from moscale.instrument.checks import _texts
from moscale.instrument.describe import describe_scale
from moscale.instrument.schema import GROUP_KINDS

LIBRARY = ["ccrm", "crm_enablers", "dyncap", "ext_crm", "marker", "markor", "mktor", "vci"]
#: Scales whose published structure fixes the item counts (not 3-5 per dimension).
PUBLISHED_COUNTS = {"mktor": [6, 4, 5], "markor": [6, 5, 9]}
#: Scales whose constructs allow negatively worded items; MKTOR's original has none.
WITH_REVERSE = {"markor", "ccrm", "crm_enablers", "ext_crm", "dyncap", "vci", "marker"}


def test_library_has_every_scale():
    assert builtin_scale_ids() == LIBRARY
    assert [s.id for s in builtin_scales()] == LIBRARY


@pytest.mark.parametrize("scale_id", LIBRARY)
def test_every_text_in_english_and_finnish(scale_id):
    scale = load_scale(scale_id)
    assert scale.languages == ["en", "fi"]
    texts = list(_texts(scale, ()))
    assert len(texts) > 10
    for path, text in texts:
        assert set(text) == {"en", "fi"}, path
        assert all(t.strip() for t in text.values()), path
    # an untranslated copy would slip through the loader's check: Finnish must differ from English
    for dim in scale.dimensions:
        assert dim.name["fi"] != dim.name["en"], dim.id
        for item in dim.items:
            assert item.text["fi"] != item.text["en"], item.id
    assert scale.definition["fi"] != scale.definition["en"]
    assert scale.wording_note["fi"] != scale.wording_note["en"]


@pytest.mark.parametrize("scale_id", LIBRARY)
def test_every_point_labelled_and_dont_know(scale_id):
    r = load_scale(scale_id).response
    assert r.points in (5, 7)
    for lang in ("en", "fi"):
        assert sorted(r.labels[lang]) == r.codes
        assert len(set(r.labels[lang].values())) == r.points  # no two points share a label
    assert r.dont_know is not None
    assert r.dont_know.code == -99
    assert r.dont_know.label["en"] and r.dont_know.label["fi"]


def test_published_structures():
    mktor = load_scale("mktor")
    assert [len(d.items) for d in mktor.dimensions] == [6, 4, 5]
    assert mktor.response.points == 7
    assert [d.id for d in mktor.dimensions] == [
        "customer_orientation",
        "competitor_orientation",
        "interfunctional_coordination",
    ]
    assert mktor.higher_order is not None and len(mktor.higher_order.dimensions) == 3

    markor = load_scale("markor")
    assert [len(d.items) for d in markor.dimensions] == [6, 5, 9]
    assert sum(len(d.items) for d in markor.dimensions) == 20
    assert markor.response.points == 5
    assert markor.higher_order is not None and len(markor.higher_order.dimensions) == 3


def test_ccrm_structure():
    ccrm = load_scale("ccrm")
    core = [d for d in ccrm.dimensions if not d.optional]
    assert [d.id for d in core] == ["collab_core", "crm_strategy", "customer_focus", "market_intel"]
    assert all(d.role == "core" for d in core)
    assert all(3 <= len(d.items) <= 5 for d in core)
    optional = {d.id: d.role for d in ccrm.dimensions if d.optional}
    assert optional == {
        "reward_alignment": "enabler",
        "connectedness": "enabler",
        "risk_tolerance": "enabler",
        "crm_results": "outcome",
        "mutual_value": "outcome",
    }
    assert ccrm.higher_order is not None
    assert ccrm.higher_order.dimensions == [d.id for d in core]
    # every core pillar mixes keys, but mostly positively worded
    for d in core:
        n_rev = sum(i.reverse for i in d.items)
        assert 1 <= n_rev <= len(d.items) // 2, d.id


@pytest.mark.parametrize("scale_id", [s for s in LIBRARY if s not in PUBLISHED_COUNTS])
def test_new_scales_have_three_to_five_items_per_dimension(scale_id):
    for d in load_scale(scale_id).dimensions:
        assert 3 <= len(d.items) <= 5, d.id


def test_seed_structures():
    enablers = load_scale("crm_enablers")
    assert [d.id for d in enablers.dimensions] == [
        "leadership",
        "cult_customer",
        "cult_development",
        "cult_people",
        "data_analytics",
    ]
    assert enablers.higher_order.dimensions == ["cult_customer", "cult_development", "cult_people"]
    ext = load_scale("ext_crm")
    assert [d.id for d in ext.dimensions] == [
        "info_sharing",
        "involvement",
        "partnership",
        "joint_problem_solving",
        "crm_technology",
    ]
    dyncap = load_scale("dyncap")
    assert dyncap.higher_order.dimensions == ["sensing", "seizing", "transforming"]
    # every capability is asked about both markets and technology
    for d in dyncap.dimensions:
        if d.optional:
            assert d.role == "enabler"
            continue
        domains = " ".join(i.note or "" for i in d.items)
        assert "market" in domains and "technology" in domains, d.id
    vci = load_scale("vci")
    assert [d.id for d in vci.dimensions] == [
        "actor_involvement",
        "orchestration",
        "differentiation",
    ]


def test_marker_scale():
    marker = load_scale("marker")
    assert len(marker.dimensions) == 1
    dim = marker.dimensions[0]
    assert dim.role == "marker"
    assert 3 <= len(dim.items) <= 4
    assert marker.higher_order is None
    # the marker shares the method (format) of the CCRM items it is meant to be fielded with
    assert marker.response == load_scale("ccrm").response


def test_item_ids_unique_across_library_and_prefixed():
    seen: dict[str, str] = {}
    for scale in builtin_scales():
        for dim in scale.dimensions:
            for item in dim.items:
                assert item.id not in seen, f"{item.id} in {scale.id} and {seen.get(item.id)}"
                seen[item.id] = scale.id
                assert item.id.startswith(f"{scale.id}_"), item.id
                assert len(item.id) <= 20, item.id  # LimeSurvey question codes
    assert len(seen) == sum(len(d.items) for s in builtin_scales() for d in s.dimensions)


@pytest.mark.parametrize("scale_id", LIBRARY)
def test_reverse_keys(scale_id):
    scale = load_scale(scale_id)
    items = [i for d in scale.dimensions for i in d.items]
    n_rev = sum(i.reverse for i in items)
    if scale_id in WITH_REVERSE:
        assert 1 <= n_rev <= len(items) // 2
    else:
        assert n_rev == 0  # as in the published original
    if scale_id == "markor":
        assert n_rev == 7


@pytest.mark.parametrize("scale_id", LIBRARY)
def test_citations_and_wording_note(scale_id):
    scale = load_scale(scale_id)
    assert scale.citations
    for c in scale.citations:
        assert re.search(r"\((\d{4}|n\.d\.)", c.text), c.key  # a year (APA)
        if c.doi:
            assert f"https://doi.org/{c.doi}" in c.text, c.key
    assert "own wording" in scale.wording_note["en"]
    assert set(scale.group_variables) <= set(GROUP_KINDS)


def test_key_dois():
    dois = {s.id: {c.doi for c in s.citations} for s in builtin_scales()}
    assert "10.1177/002224299005400403" in dois["mktor"]
    assert {"10.1177/002224379303000406", "10.1177/002224299005400201"} <= dois["markor"]
    assert {
        "10.1177/002224299005400201",
        "10.1177/002224299005400403",
        "10.1509/jmkg.2005.69.4.167",
    } <= dois["ccrm"]
    assert "10.1002/smj.640" in dois["dyncap"]
    assert {"10.1037/0021-9010.86.1.114", "10.1177/1094428110366036"} <= dois["marker"]
    ccrm_texts = " ".join(c.text for c in load_scale("ccrm").citations)
    assert "Juuso" in ccrm_texts and "Lappeenranta" in ccrm_texts


# --- the example study -----------------------------------------------------------------------


def test_example_study_loads():
    inst = moscale.load_instrument("example")
    assert inst.languages == ["en", "fi"]
    assert [b.id for b in inst.blocks] == ["mktor", "ccrm"]
    mktor, ccrm = inst.blocks
    assert len(mktor.items) == 15
    assert mktor.randomize and mktor.seed == 4242
    [check] = mktor.attention_checks
    assert check.expect in mktor.response.codes
    ids = [x.id for x in mktor.sequence()]
    assert 0 < ids.index(check.id) < len(ids) - 1  # inside the block, not first or last
    assert [d.id for d in ccrm.dimensions] == [
        "collab_core",
        "crm_strategy",
        "customer_focus",
        "market_intel",
    ]
    assert len(ccrm.items) == 20
    for text in (inst.study.title, inst.study.introduction, inst.study.closing):
        assert set(text) == {"en", "fi"}


def test_example_background_questions():
    inst = moscale.load_instrument("example")
    groups = {q.kind: q for q in inst.group_questions()}
    assert set(groups) == {
        "industry",
        "firm_size",
        "function",
        "hierarchy",
        "customer_facing",
        "country",
        "b2b_b2c",
    }
    for q in groups.values():
        assert q.type == "single"
        assert len(q.options) >= 2
    assert len(groups["industry"].options) >= 3
    functions = " ".join(o.label["en"] for o in groups["function"].options).lower()
    for f in ("marketing", "sales", "research", "service", "management"):
        assert f in functions
    cluster = inst.question_with_role("cluster")
    assert cluster is not None and cluster.id == "firm_id"
    assert inst.question_with_role("respondent_id") is None  # the HTML form makes the id


# --- describe_scale ----------------------------------------------------------------------------


@pytest.mark.parametrize("scale_id", LIBRARY)
def test_describe_lists_everything(scale_id):
    scale = load_scale(scale_id)
    text = describe_scale(scale, "en")
    flat = " ".join(text.split())
    assert scale.version in text
    for c in scale.citations:
        assert " ".join(c.text.split()) in flat
    for dim in scale.dimensions:
        assert f"[{dim.id}]" in text
        for item in dim.items:
            assert item.id in text
            assert " ".join(item.text["en"].split()) in flat
    for code, label in scale.response.labels["en"].items():
        assert re.search(rf"^\s*{code}\s+{re.escape(label)}$", text, re.M), label
    assert "-99" in text
    n_rev = sum(i.reverse for d in scale.dimensions for i in d.items)
    assert text.count("(R)") == n_rev + (1 if n_rev else 0)  # each item + the legend
    if scale.higher_order is not None:
        assert f"[{scale.higher_order.id}]" in text
    assert max(len(line) for line in text.splitlines()) <= 80


def test_describe_in_finnish_and_optional_marked():
    ccrm = load_scale("ccrm")
    text = describe_scale(ccrm, "fi")
    flat = " ".join(text.split())
    assert "Väittämien muotoilu" in text
    assert " ".join(ccrm.dimensions[0].items[0].text["fi"].split()) in flat
    assert "En osaa sanoa" in text
    assert text.count("valinnainen") == sum(d.optional for d in ccrm.dimensions)
    en = describe_scale(ccrm, "en")
    assert "optional enabler" in en and "optional outcome" in en


def test_docs_table_matches_the_library():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "scales.md").read_text(encoding="utf-8")
    rows = {
        cells[1].strip("` "): cells
        for line in doc.splitlines()
        if line.startswith("| `") and (cells := line.split("|"))
    }
    assert sorted(rows) == LIBRARY
    for scale in builtin_scales():
        cells = [c.strip() for c in rows[scale.id]]
        core = sum(len(d.items) for d in scale.dimensions if not d.optional)
        rev = sum(i.reverse for d in scale.dimensions for i in d.items)
        assert cells[4].split()[0] == str(core), scale.id
        assert cells[5] == str(rev), scale.id
        assert cells[6] == str(scale.response.points), scale.id
        assert cells[8] == scale.version, scale.id
        for dim in scale.dimensions:
            assert f"{dim.name['en']} ({len(dim.items)}" in cells[3], dim.id
