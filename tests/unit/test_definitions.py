"""Invalid scale and study files give a DefinitionError that says where (file, line, field path),
what is wrong and what to do; valid but unusual text (markup) loads unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from moscale.errors import DefinitionError
from moscale.instrument import load_instrument, load_scale_file
from moscale.instrument.loader import parse_scale, parse_study_text

DEFS = Path(__file__).resolve().parents[1] / "data" / "definitions"


def _error(loader, name: str) -> DefinitionError:
    with pytest.raises(DefinitionError) as info:
        loader(DEFS / name)
    return info.value


# (file, loader, line, field path, words of the message, words of the hint)
CASES = [
    ("bad_yaml.yaml", load_scale_file, 4, None, "not valid YAML", "quoting"),
    (
        "scale_duplicate_item.yaml",
        load_scale_file,
        24,
        "dimensions[0].items[2].id",
        "'bad_a1' is used twice",
        "rename",
    ),
    (
        "scale_missing_translation.yaml",
        load_scale_file,
        23,
        "dimensions[0].items[1].text",
        "no text in fi",
        "'fi:'",
    ),
    (
        "scale_label_outside.yaml",
        load_scale_file,
        14,
        "response.labels.en[6]",
        "point 6, which is outside the scale 1..5",
        "points",
    ),
    (
        "scale_unknown_key.yaml",
        load_scale_file,
        24,
        "dimensions[0].items[1].reversed",
        "not permitted",
        "spelling",
    ),
    (
        "study_unknown_scale.yaml",
        load_instrument,
        7,
        "sections[1].scale",
        "unknown scale 'nosuch'",
        "mktor",
    ),
    (
        "study_unknown_dimension.yaml",
        load_instrument,
        9,
        "sections[0].dimensions[1]",
        "no dimension 'customer_focus'",
        "customer_orientation",
    ),
    (
        "study_duplicate_item.yaml",
        load_instrument,
        8,
        "sections[1]",
        "'tiny_a1' appears twice in the study",
        "rename",
    ),
    (
        "study_attention_after.yaml",
        load_instrument,
        11,
        "sections[0].attention_checks[0].after",
        "'tiny_a9' is not an item of this section",
        "tiny_a1, tiny_a2, tiny_a3",
    ),
    (
        "study_attention_expect.yaml",
        load_instrument,
        10,
        "sections[0].attention_checks[0].expect",
        "6 is not a point of the scale (1..5)",
        "code",
    ),
    (
        "study_missing_translation.yaml",
        load_instrument,
        3,
        "title",
        "no text in fi",
        "'fi:'",
    ),
]


@pytest.mark.parametrize(
    ("name", "loader", "line", "path", "message", "hint"), CASES, ids=[c[0] for c in CASES]
)
def test_located_error(name, loader, line, path, message, hint):
    err = _error(loader, name)
    assert err.location is not None
    assert err.location.startswith(str(DEFS / name))
    assert f"line {line}" in err.location
    if path is not None:
        assert err.message.startswith(f"{path}: ")
    assert message in err.message
    assert err.hint and hint in err.hint
    # what the command line prints: where, what, and what to do
    shown = err.render()
    assert name in shown and f"line {line}" in shown and "What to do:" in shown


def test_markup_in_item_text_loads_unchanged():
    scale = load_scale_file(DEFS / "scale_markup_text.yaml")
    first = scale.dimensions[0].items[0]
    assert first.text["en"] == "<script>alert('x')</script> Item one"
    assert first.text["fi"] == "<b>Väittämä</b> yksi & <i>muuta</i>"


def test_duplicate_item_id_across_two_scales_in_a_study(tmp_path):
    # a user's copy of MKTOR that keeps an id of the built-in MKTOR, fielded with it
    (tmp_path / "mine.yaml").write_text(
        (DEFS / "tiny_scale.yaml")
        .read_text(encoding="utf-8")
        .replace("id: tiny\n", "id: mine\n")
        .replace("tiny_a2", "mktor_co2"),
        encoding="utf-8",
    )
    study = (
        "id: s\ntitle: {en: S, fi: S}\nlanguages: [en, fi]\nsections:\n"
        "  - scale: mktor\n  - scale: mine.yaml\n"
    )
    with pytest.raises(DefinitionError) as info:
        parse_study_text(study, "study.yaml", base=tmp_path)
    err = info.value
    assert err.location == "study.yaml, line 6"
    assert "'mktor_co2' appears twice" in err.message and "also in mktor" in err.message


def test_broken_scale_file_reported_at_its_own_line(tmp_path):
    # the error points into the scale file, not at the study line that names it
    study = (
        "id: s\ntitle: {en: S, fi: S}\nlanguages: [en, fi]\nsections:\n"
        f"  - scale: {DEFS / 'scale_label_outside.yaml'}\n"
    )
    with pytest.raises(DefinitionError) as info:
        parse_study_text(study, "study.yaml", base=tmp_path)
    assert info.value.location.endswith("scale_label_outside.yaml, line 14")


def test_not_a_mapping():
    with pytest.raises(DefinitionError) as info:
        parse_scale("- just\n- a list\n", "list.yaml")
    assert info.value.location == "list.yaml"
    assert "mapping" in info.value.message and info.value.hint


def test_study_language_the_scale_lacks():
    study = "id: s\ntitle: {en: S, sv: S}\nlanguages: [en, sv]\nsections:\n  - scale: mktor\n"
    with pytest.raises(DefinitionError) as info:
        parse_study_text(study, "sv.yaml")
    assert info.value.location == "sv.yaml, line 5"
    assert "no sv version" in info.value.message


def test_respondent_id_must_be_text_or_number():
    text = """
id: s
title: {en: S}
languages: [en]
sections: [{scale: mktor}]
background:
  - id: rid
    type: single
    role: respondent_id
    text: {en: Your id}
    options: [{code: 1, label: {en: one}}]
"""
    with pytest.raises(DefinitionError, match="respondent id must be a text or number") as exc:
        parse_study_text(text, "s.yaml")
    assert "background[0].type" in str(exc.value) and "line 8" in str(exc.value)
