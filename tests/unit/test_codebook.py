"""The codebook: variables, canonical column order, multiple-choice expansion, files, round trip."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest

import moscale as ms
from moscale.errors import DataError, DefinitionError
from moscale.instrument.codebook import (
    CODEBOOK_SCHEMA_VERSION,
    VARIABLE_ROLES,
    VARIABLE_TYPES,
    Variable,
    codebook_files,
    codebook_frame,
    codebook_json,
    codebook_variables,
    column_names,
    read_codebook_json,
)
from moscale.instrument.loader import builtin_study_ids, parse_study_text

DATA = Path(__file__).resolve().parents[1] / "data"
STUDIES = DATA / "studies"

TINY_COLUMNS = [
    # meta
    "respondent_id",
    "lang",
    "started",
    "submitted",
    "duration_s",
    # block "first": items in definition order, then its attention check, then its order
    "tiny_a1",
    "tiny_a2",
    "tiny_a3",
    "ac1",
    "first_order",
    # block "second" (not randomised: no order column)
    "sev_p1",
    "sev_p2",
    "sev_q1",
    "sev_q2",
    # background at the end (the default position)
    "industry",
    "channels_1",
    "channels_2",
    "channels_3",
    "employees",
    "firm",
]


@pytest.fixture(scope="module")
def tiny():
    return ms.load_instrument(STUDIES / "tiny_study.yaml")


@pytest.fixture(scope="module")
def post():
    return ms.load_instrument(STUDIES / "post_study.yaml")


def by_name(instrument) -> dict[str, Variable]:
    return {v.name: v for v in codebook_variables(instrument)}


def test_columns_in_canonical_order(tiny):
    assert column_names(tiny) == TINY_COLUMNS
    assert [v.name for v in codebook_variables(tiny)] == TINY_COLUMNS


def test_background_first_and_respondent_id_question(post):
    # background_position: start, and the study asks for the id itself: no generated id column
    assert column_names(post) == [
        "lang",
        "started",
        "submitted",
        "duration_s",
        "rid",
        "tiny_a1",
        "tiny_a2",
        "tiny_a3",
    ]
    v = by_name(post)["rid"]
    assert (v.type, v.role, v.question_id) == ("text", "respondent_id", "rid")


def test_types_and_roles(tiny):
    got = {v.name: (v.type, v.role) for v in codebook_variables(tiny)}
    assert got["respondent_id"] == ("id", "respondent_id")
    assert got["lang"] == ("text", "meta")
    assert got["started"] == ("timestamp", "meta")
    assert got["submitted"] == ("timestamp", "meta")
    assert got["duration_s"] == ("number", "meta")
    assert got["tiny_a1"] == ("likert", "item")
    assert got["ac1"] == ("attention_check", "attention")
    assert got["first_order"] == ("order", "order")
    assert got["industry"] == ("single", "group")
    assert got["channels_2"] == ("multiple_option", "background")
    assert got["employees"] == ("number", "background")
    assert got["firm"] == ("text", "cluster")
    for v in codebook_variables(tiny):
        assert v.type in VARIABLE_TYPES and v.role in VARIABLE_ROLES


def test_item_variables(tiny):
    v = by_name(tiny)
    a2 = v["tiny_a2"]
    assert a2.reverse is True and v["tiny_a1"].reverse is False
    assert (a2.scale_id, a2.dimension_id, a2.block_id) == ("tiny", "a", "first")
    assert a2.text == {"en": "Item two", "fi": "Väittämä kaksi"}
    assert a2.label == "Item two"
    assert (a2.minimum, a2.maximum) == (1, 5)
    assert a2.missing_codes == [-99]
    # every point and the don't-know code, in both languages
    assert list(a2.value_labels) == [1, 2, 3, 4, 5, -99]
    assert a2.value_labels[1] == {"en": "Strongly disagree", "fi": "Täysin eri mieltä"}
    assert a2.value_labels[-99] == {"en": "Don't know", "fi": "En osaa sanoa"}
    # a scale without a don't-know option has no missing code
    q2 = v["sev_q2"]
    assert q2.missing_codes == [] and list(q2.value_labels) == [1, 2, 3, 4, 5, 6, 7]
    assert (q2.scale_id, q2.dimension_id, q2.block_id) == ("seven", "q", "second")


def test_attention_check_and_order_variables(tiny):
    v = by_name(tiny)
    ac = v["ac1"]
    assert ac.expected == 4
    assert ac.block_id == "first" and ac.scale_id == "tiny"
    assert ac.missing_codes == [-99] and ac.value_labels[4]["en"] == "Agree"
    assert ac.text["en"] == "Please choose Agree here."
    order = v["first_order"]
    assert order.block_id == "first" and order.value_labels == {}
    assert "second_order" not in v


def test_multiple_choice_expansion(tiny):
    v = by_name(tiny)
    assert "channels" not in v
    for code, label in [(1, "Email"), (2, "Phone"), (3, "Visits")]:
        col = v[f"channels_{code}"]
        assert col.question_id == "channels" and col.option_code == code
        assert col.label == f"Which channels do you use?: {label}"
        assert col.text["fi"] == "Mitä kanavia käytätte?"
        assert col.value_labels == {
            0: {"en": "not selected", "fi": "ei valittu"},
            1: {"en": "selected", "fi": "valittu"},
        }
        assert (col.minimum, col.maximum) == (0, 1)


def test_background_variables(tiny):
    v = by_name(tiny)
    ind = v["industry"]
    assert ind.value_labels == {
        1: {"en": "Manufacturing", "fi": "Teollisuus"},
        2: {"en": "Services", "fi": "Palvelut"},
        3: {"en": "Trade", "fi": "Kauppa"},
    }
    assert (ind.minimum, ind.maximum) == (1, 3)
    assert (v["employees"].minimum, v["employees"].maximum) == (1, 100000)
    assert v["firm"].value_labels == {}


def test_texts_limited_to_the_study_languages(post):
    # the tiny scale has en and fi, the posting study only en
    a1 = by_name(post)["tiny_a1"]
    assert a1.text == {"en": "Item <b>one</b>"}
    assert all(set(t) == {"en"} for t in a1.value_labels.values())


def test_round_trip(tiny, post):
    for inst in (tiny, post):
        variables = codebook_variables(inst)
        again = read_codebook_json(codebook_json(inst))
        assert again == variables
        # and a second trip gives the same text
        doc = json.loads(codebook_json(inst))
        doc2 = {**doc, "variables": [v.to_dict() for v in again]}
        assert doc2 == doc


def test_json_file(tiny):
    files = codebook_files(tiny)
    assert set(files) == {"codebook.csv", "codebook.json"}
    doc = json.loads(files["codebook.json"])
    assert doc["format"] == "moscale-codebook"
    assert doc["schema_version"] == CODEBOOK_SCHEMA_VERSION
    assert doc["study"] == {
        "id": "tinystudy",
        "title": {"en": "Tiny test study", "fi": "Pieni testitutkimus"},
    }
    assert doc["languages"] == ["en", "fi"]
    assert [v["name"] for v in doc["variables"]] == TINY_COLUMNS
    a2 = next(v for v in doc["variables"] if v["name"] == "tiny_a2")
    assert a2["value_labels"]["-99"] == {"en": "Don't know", "fi": "En osaa sanoa"}
    assert a2["reverse"] is True and a2["missing_codes"] == [-99]
    assert set(a2) == {f for f in Variable.__dataclass_fields__}


def test_csv_file_and_frame(tiny):
    frame = codebook_frame(tiny)
    assert list(frame["name"]) == TINY_COLUMNS
    text = codebook_files(tiny)["codebook.csv"]
    back = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    assert list(back["name"]) == TINY_COLUMNS
    assert list(back.columns[:6]) == ["name", "label", "type", "role", "text_en", "text_fi"]
    row = back.set_index("name").loc["tiny_a2"]
    assert row["value_labels"] == (
        "1=Strongly disagree; 2=Disagree; 3=Neither; 4=Agree; 5=Strongly agree; -99=Don't know"
    )
    assert json.loads(row["value_labels_json"])["3"] == {
        "en": "Neither",
        "fi": "Ei samaa eikä eri mieltä",
    }
    assert row["missing_codes"] == "-99"
    assert row["reverse"] == "True"
    assert (row["minimum"], row["maximum"]) == ("1", "5")
    assert row["text_fi"] == "Väittämä kaksi"
    ac = back.set_index("name").loc["ac1"]
    assert ac["expected"] == "4" and ac["type"] == "attention_check"
    ch = back.set_index("name").loc["channels_3"]
    assert (ch["question_id"], ch["option_code"]) == ("channels", "3")


def test_bare_scale_codebook():
    inst = ms.load_instrument(DATA / "definitions" / "tiny_scale.yaml")
    assert column_names(inst) == [
        "respondent_id",
        "lang",
        "started",
        "submitted",
        "duration_s",
        "tiny_a1",
        "tiny_a2",
        "tiny_a3",
    ]


def test_column_name_clash_is_reported():
    text = (STUDIES / "post_study.yaml").read_text(encoding="utf-8") + (
        "  - {id: lang, type: text, text: {en: Your language}}\n"
    )
    inst = parse_study_text(text, "clash.yaml", base=STUDIES)
    with pytest.raises(DefinitionError, match="'lang'") as err:
        codebook_variables(inst)
    assert "reserved" in err.value.hint


def test_option_column_clash_is_reported():
    text = (STUDIES / "post_study.yaml").read_text(encoding="utf-8") + (
        "  - {id: q, type: multiple, text: {en: Q}, options: [{code: 1, label: {en: A}}]}\n"
        "  - {id: q_1, type: text, text: {en: Q1}}\n"
    )
    inst = parse_study_text(text, "clash.yaml", base=STUDIES)
    with pytest.raises(DefinitionError, match="'q_1'"):
        codebook_variables(inst)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"variables": []}', "not a moscale codebook"),
        ('{"format": "moscale-codebook", "schema_version": "9.0", "variables": []}', "9.0"),
        ('{"format": "moscale-codebook", "schema_version": "1.0", "variables": {}}', "list"),
        (
            '{"format": "moscale-codebook", "schema_version": "1.0", "variables": '
            '[{"name": "x", "label": "X", "type": "likert"}]}',
            r"variables\[0\]\.role",
        ),
        (
            '{"format": "moscale-codebook", "schema_version": "1.0", "variables": '
            '[{"name": "x", "label": "X", "type": "slider", "role": "item"}]}',
            "slider",
        ),
        (
            '{"format": "moscale-codebook", "schema_version": "1.0", "variables": '
            '[{"name": "x", "label": "X", "type": "likert", "role": "item", "colour": 1}]}',
            "colour",
        ),
        (
            '{"format": "moscale-codebook", "schema_version": "1.0", "variables": '
            '[{"name": "x", "label": "X", "type": "likert", "role": "item", '
            '"value_labels": {"one": {"en": "One"}}}]}',
            "'one' is not an integer",
        ),
    ],
)
def test_read_codebook_json_rejects_bad_input(text, message):
    with pytest.raises(DataError, match=message) as err:
        read_codebook_json(text)
    assert err.value.hint


@pytest.mark.skipif("example" not in builtin_study_ids(), reason="example study not bundled yet")
def test_example_study_codebook():
    inst = ms.load_instrument("example")
    variables = codebook_variables(inst)
    names = [v.name for v in variables]
    assert len(names) == len(set(names))
    items = [v.name for v in variables if v.role == "item"]
    assert items == [i.id for i in inst.items()]
    assert read_codebook_json(codebook_json(inst)) == variables
