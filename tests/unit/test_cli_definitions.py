"""The definition commands of the command line (scales, show, init) and the study template."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import moscale
from moscale.cli import main
from moscale.errors import DefinitionError
from moscale.instrument import builtin_scale_ids, load_scale
from moscale.instrument.init import study_template
from moscale.instrument.loader import parse_study_text

DEFS = Path(__file__).resolve().parents[1] / "data" / "definitions"
WIDE = {"COLUMNS": "200"}  # rich folds table cells in a narrow terminal


def _run(*args: str, **kw):
    return CliRunner().invoke(main, list(args), env=WIDE, **kw)


def _flat(text: str) -> str:
    return " ".join(text.split())


# --- scales and show -----------------------------------------------------------------------------


def test_scales_lists_the_library():
    result = _run("scales")
    assert result.exit_code == 0, result.output
    for scale_id in builtin_scale_ids():
        assert re.search(rf"[│|] {scale_id}\s+[│|]", result.output), scale_id
    assert "Narver, J. C., & Slater, S. F. (1990)" in result.output


def test_show_in_finnish():
    result = _run("show", "mktor", "--lang", "fi")
    assert result.exit_code == 0, result.output
    out = _flat(result.output)
    mktor = load_scale("mktor")
    for dim in mktor.dimensions:
        assert _flat(dim.name["fi"]) in out
        for item in dim.items:
            assert _flat(item.text["fi"]) in out
            assert _flat(item.text["en"]) not in out
    assert "Ei lainkaan" in out and "Erittäin suuressa määrin" in out


def test_show_unknown_scale_exits_2_without_traceback():
    result = _run("show", "nosuch")
    assert result.exit_code == 2
    assert "unknown scale 'nosuch'" in result.output
    assert "mktor" in result.output  # the library is listed
    assert "Traceback" not in result.output


def test_show_language_the_scale_lacks():
    result = _run("show", "mktor", "--lang", "sv")
    assert result.exit_code == 2
    assert "no 'sv' version" in result.output and "en, fi" in result.output


def test_every_command_has_help():
    result = _run("--help")
    assert result.exit_code == 0 and "Usage:" in result.output
    for name in main.commands:
        result = _run(name, "--help")
        assert result.exit_code == 0, name
        assert "Usage:" in result.output and name in result.output


# --- init ----------------------------------------------------------------------------------------


def test_init_writes_a_study_that_loads(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        main, ["init", "study.yaml", "--scales", "mktor,ccrm", "--lang", "en,fi"], env=WIDE
    )
    assert result.exit_code == 0, result.output
    assert "wrote study.yaml" in result.output
    inst = moscale.load_instrument("study.yaml")
    assert [b.id for b in inst.blocks] == ["mktor", "ccrm"]
    assert inst.languages == ["en", "fi"]
    assert len(inst.blocks[0].items) == 15
    assert len(inst.blocks[1].items) == 20  # core dimensions only
    assert inst.question_with_role("cluster") is not None


def test_init_refuses_to_overwrite(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("study.yaml").write_text("keep me\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["init", "study.yaml", "--scales", "mktor"], env=WIDE)
    assert result.exit_code == 2
    assert "exists already" in result.output and "--force" in result.output
    assert Path("study.yaml").read_text(encoding="utf-8") == "keep me\n"
    result = CliRunner().invoke(
        main, ["init", "study.yaml", "--scales", "mktor", "--force"], env=WIDE
    )
    assert result.exit_code == 0, result.output
    assert moscale.load_instrument("study.yaml").blocks[0].id == "mktor"


def test_init_unknown_scale_exits_2(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["init", "s.yaml", "--scales", "mktor,nosuch"], env=WIDE)
    assert result.exit_code == 2
    assert "unknown scale 'nosuch'" in result.output and "ccrm" in result.output
    assert not Path("s.yaml").exists()


def test_init_with_a_scale_file_in_another_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("scales").mkdir()
    Path("scales/tiny.yaml").write_text(
        (DEFS / "tiny_scale.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    Path("studies").mkdir()
    result = CliRunner().invoke(
        main, ["init", "studies/s.yaml", "--scales", "scales/tiny.yaml,mktor"], env=WIDE
    )
    assert result.exit_code == 0, result.output
    text = Path("studies/s.yaml").read_text(encoding="utf-8")
    assert '- scale: "../scales/tiny.yaml"' in text  # relative to the study file
    inst = moscale.load_instrument("studies/s.yaml")
    assert [b.id for b in inst.blocks] == ["tiny", "mktor"]


# --- study_template ------------------------------------------------------------------------------


def _enable_everything(text: str) -> str:
    """Switch on every commented-out option of the template (dimensions, checks, questions)."""
    out: list[str] = []
    block: str | None = None  # comment prefix of the block being uncommented
    for line in text.splitlines():
        if block is not None and line.startswith(block + "#   "):
            out.append(block + line[len(block) + 2 :])
            continue
        block = None
        m = re.match(r"^(\s*)# (- id: |attention_checks:$|- \w+\s+# optional )", line)
        if m:
            block = m.group(1)
            out.append(block + line[len(block) + 2 :])
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def test_template_loads_and_explains_every_field():
    text = study_template(["mktor", "ccrm"], ["en", "fi"])
    inst = parse_study_text(text, "study.yaml")
    assert [b.id for b in inst.blocks] == ["mktor", "ccrm"]
    for word in (
        "languages:",
        "submit_url:",
        "seed:",
        "randomize:",
        "required:",
        "none",
        "soft",
        "hard",
        "attention_checks:",
        "expect:",
        "after:",
        "role:",
        "cluster",
        "respondent_id",
        "kind:",
        "background_position:",
    ):
        assert word in text, word
    # every dimension is listed; the optional ones commented out
    for dim in load_scale("ccrm").dimensions:
        pattern = rf"^\s+# - {dim.id}\s" if dim.optional else rf"^\s+- {dim.id}\s"
        assert re.search(pattern, text, re.M), dim.id
    # the first section carries a working attention check, the later ones an example
    assert [len(b.attention_checks) for b in inst.blocks] == [1, 0]
    check = inst.blocks[0].attention_checks[0]
    assert check.expect == 6 and "'Suuressa määrin'" in check.text["fi"]


def test_template_options_are_valid_when_switched_on():
    text = _enable_everything(study_template(["mktor", "ccrm", "ext_crm"], ["en", "fi"]))
    inst = parse_study_text(text, "study.yaml")
    ccrm = inst.blocks[1]
    assert len(ccrm.dimensions) == len(load_scale("ccrm").dimensions)
    assert all(len(b.attention_checks) == 1 for b in inst.blocks)
    assert inst.question_with_role("respondent_id") is not None
    kinds = {q.kind for q in inst.group_questions()}
    assert {"value_chain_tier", "crm_maturity", "industry"} <= kinds
    assert any(q.type == "number" for q in inst.background)


def test_template_group_questions_follow_the_scales():
    text = study_template(["ext_crm"], ["en"])
    inst = parse_study_text(text, "s.yaml")
    kinds = {q.kind for q in inst.group_questions()}
    assert kinds == set(load_scale("ext_crm").group_variables)
    assert inst.languages == ["en"]
    marker_only = parse_study_text(study_template(["marker"], ["fi"]), "m.yaml")
    assert marker_only.group_questions() == []
    assert marker_only.question_with_role("cluster") is not None


def test_template_title_and_language_order():
    text = study_template(["mktor"], ["fi", "en"], title="Markkinaorientaatio 2025")
    assert "id: markkinaorientaatio_2025" in text
    assert "TODO: translate" in text.split("title:")[1].splitlines()[0]
    inst = parse_study_text(text, "s.yaml")
    assert inst.languages == ["fi", "en"]
    assert inst.study.title == {"fi": "Markkinaorientaatio 2025", "en": "Markkinaorientaatio 2025"}


def test_template_other_language_marks_borrowed_texts(tmp_path):
    scale = (DEFS / "tiny_scale.yaml").read_text(encoding="utf-8").replace("fi:", "sv:")
    path = tmp_path / "tiny_sv.yaml"
    path.write_text(scale.replace("languages: [en, fi]", "languages: [en, sv]"), encoding="utf-8")
    text = study_template([str(path)], ["en", "sv"], base=tmp_path)
    inst = parse_study_text(text, "s.yaml", base=tmp_path)
    assert inst.languages == ["en", "sv"]
    assert "TODO: translate" in text
    assert '- scale: "tiny_sv.yaml"' in text


@pytest.mark.parametrize(
    ("scales", "langs", "words"),
    [
        (["nosuch"], ["en"], ["unknown scale 'nosuch'", "ccrm, crm_enablers"]),
        ([], ["en"], ["no scales given", "--scales"]),
        (["mktor", "mktor"], ["en"], ["listed twice"]),
        (["mktor"], ["sv"], ["no sv version", "it offers en, fi", "--lang en,fi"]),
        (["mktor"], ["english"], ["not a language code"]),
        (["mktor"], [], ["no languages given"]),
    ],
)
def test_template_errors(scales, langs, words):
    with pytest.raises(DefinitionError) as info:
        study_template(scales, langs)
    shown = info.value.render()
    for word in words:
        assert word in shown, word
