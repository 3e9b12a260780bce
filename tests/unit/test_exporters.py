"""Platform exports (LimeSurvey, Qualtrics, XLSForm, REDCap) and their column maps.

Each export is parsed back with the format's own reading rules (csv / openpyxl / the TXT tags) and
checked against the study definition: the header the format requires, question types, one row per
item in every language, answer codes, required flags, randomisation, safe texts. The column maps
are round-tripped and applied to synthetic platform-shaped responses.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from moscale.errors import DataError
from moscale.instrument import load_instrument
from moscale.instrument.exporters import colmap, limesurvey, qualtrics, redcap, xlsform
from moscale.instrument.exporters.colmap import ColumnMap, MappedColumn
from moscale.instrument.model import Instrument
from moscale.instrument.render import render_files
from moscale.instrument.schema import AttentionCheck

DATA = Path(__file__).resolve().parents[1] / "data"
STUDY = DATA / "studies_export" / "study.yaml"
TINY = DATA / "definitions" / "tiny_scale.yaml"
EXPORTERS = {"limesurvey": limesurvey, "qualtrics": qualtrics, "xlsform": xlsform, "redcap": redcap}


@pytest.fixture(scope="module")
def inst() -> Instrument:
    return load_instrument(STUDY)


def lines_of(block):
    return block.sequence()


def label_of(block, code: int, lang: str) -> str:
    r = block.response
    if r.dont_know is not None and code == r.dont_know.code:
        return r.dont_know.label[lang]
    return r.labels[lang][code]


def unhtml(text: str) -> str:
    return html.unescape(text.replace("<br />", "\n"))


# --- the fixture itself --------------------------------------------------------------------------


def test_fixture_covers_what_the_exports_must_handle(inst):
    assert len(inst.blocks) == 2
    assert [b.randomize for b in inst.blocks] == [True, False]
    assert inst.blocks[0].attention_checks and inst.blocks[0].response.dont_know is not None
    assert {q.type for q in inst.background} == {"single", "multiple", "number", "text"}
    assert {q.role for q in inst.background} >= {"group", "cluster"}
    assert inst.languages == ["en", "fi"]
    tricky = inst.item("second_b1").text["en"]
    assert all(c in tricky for c in ('"', "\t", "\n", "|", "{", "[[", "<", "${"))


# --- LimeSurvey ----------------------------------------------------------------------------------


def read_ls(files: dict, study: str) -> tuple[list[str], list[dict]]:
    raw = files[f"{study}_limesurvey.txt"]
    assert isinstance(raw, bytes) and raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    text = raw.decode("utf-8-sig")
    # no field needs quoting: one physical line per row, no quote characters at all
    assert '"' not in text
    reader = csv.reader(io.StringIO(text), delimiter="\t")
    header, *rows = list(reader)
    assert len(text.splitlines()) == len(rows) + 1
    assert all(len(r) == len(header) for r in rows)
    return header, [dict(zip(header, r, strict=True)) for r in rows]


def test_limesurvey_structure(inst):
    files = limesurvey.export(inst)
    assert set(files) == {
        "exportstudy_limesurvey.txt",
        "exportstudy_limesurvey_columns.json",
        "exportstudy_limesurvey_README.txt",
    }
    header, rows = read_ls(files, "exportstudy")
    assert header[:14] == [
        "id",
        "related_id",
        "class",
        "type/scale",
        "name",
        "relevance",
        "text",
        "help",
        "language",
        "validation",
        "mandatory",
        "other",
        "default",
        "same_default",
    ]
    assert header[14:] == sorted(header[14:])  # question attributes, alphabetical
    assert {r["class"] for r in rows} == {"S", "SL", "G", "Q", "SQ", "A"}
    settings = {r["name"]: r["text"] for r in rows if r["class"] == "S"}
    assert settings["language"] == "en" and settings["additional_languages"] == "fi"
    # all S and SL rows come before the first group
    first_g = next(i for i, r in enumerate(rows) if r["class"] == "G")
    assert all(r["class"] in ("S", "SL") for r in rows[:first_g])
    assert all(r["class"] not in ("S", "SL") for r in rows[first_g:])

    body = rows[first_g:]
    by_lang = {lang: [r for r in body if r["language"] == lang] for lang in inst.languages}
    assert sum(map(len, by_lang.values())) == len(body)
    # base language first, then a translated copy of identical shape
    assert body[: len(by_lang["en"])] == by_lang["en"]
    # same rows and codes (group names are texts, translated)
    shape = [
        [(r["class"], r["type/scale"], r["name"] if r["class"] != "G" else "") for r in by_lang[lg]]
        for lg in ("en", "fi")
    ]
    assert shape[0] == shape[1]

    for lang, lrows in by_lang.items():
        groups = [r for r in lrows if r["class"] == "G"]
        assert len(groups) == len(inst.blocks) + 1
        questions = [r for r in lrows if r["class"] == "Q"]
        assert [q["type/scale"] for q in questions] == ["F", "F", "L", "S", "M", "N", "N"]
        for q in questions:
            assert re.fullmatch(r"[A-Za-z][A-Za-z0-9]{0,19}", q["name"])
        assert len({q["name"] for q in questions}) == len(questions)
        # each array: one SQ per item/check in block order, texts in this language, answer rows
        for block in inst.blocks:
            start = lrows.index(questions[inst.blocks.index(block)])
            sq, ans = [], []
            for r in lrows[start + 1 :]:
                if r["class"] == "SQ":
                    sq.append(r)
                elif r["class"] == "A":
                    ans.append(r)
                else:
                    break
            lines = lines_of(block)
            assert len(sq) == len(lines)
            assert [unhtml(r["text"]) for r in sq] == [
                ln.text[lang].replace("\t", " ") for ln in lines
            ]
            assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9]{0,19}", r["name"]) for r in sq)
            assert all(re.fullmatch(r"[A-Za-z0-9]{1,5}", r["name"]) for r in ans)
            n_points = block.response.points + (block.response.dont_know is not None)
            assert len(ans) == n_points
    qrows = {r["name"]: r for r in by_lang["en"] if r["class"] == "Q"}
    assert qrows["tinyblock"]["mandatory"] == "Y"  # hard
    assert qrows["second"]["mandatory"] == "S"  # soft
    assert qrows["industry"]["mandatory"] == "Y" and qrows["channels"]["mandatory"] == "N"
    assert qrows["tinyblock"]["random_order"] == "1"
    assert qrows["second"]["random_order"] == ""
    # attributes are written once, on the base-language rows
    assert all(r["random_order"] == "" for r in by_lang["fi"])
    emp = qrows["employees"]
    assert (emp["min_num_value_n"], emp["max_num_value_n"], emp["num_value_int_only"]) == (
        "1",
        "100000",
        "1",
    )
    assert qrows["revenueshare"]["num_value_int_only"] == ""


def test_limesurvey_texts_are_escaped(inst):
    _, rows = read_ls(limesurvey.export(inst), "exportstudy")
    row = next(
        r for r in rows if r["class"] == "SQ" and r["name"] == "secondb1" and r["language"] == "en"
    )
    text = row["text"]
    assert "\t" not in text and "\n" not in text
    assert "<br />" in text and "&quot;customers first&quot;" in text
    # no raw expression braces, markup or [[ left
    assert not re.search(r"[{}\[\]<>]", text.replace("<br />", ""))
    assert unhtml(text) == inst.item("second_b1").text["en"].replace("\t", " ")


def test_limesurvey_answer_codes_map_to_our_codes(inst):
    files = limesurvey.export(inst)
    _, rows = read_ls(files, "exportstudy")
    cmap = ColumnMap.from_json(files["exportstudy_limesurvey_columns.json"])
    by_var = {c.variable: c for c in cmap.columns}
    for block in inst.blocks:
        q = next(
            i
            for i, r in enumerate(rows)
            if r["class"] == "Q"
            and r["language"] == "en"
            and r["type/scale"] == "F"
            and r["text"] == html.escape(colmap.block_question_text(block, "en"), quote=False)
        )
        answers = []
        for r in rows[q + 1 :]:
            if r["class"] == "A":
                answers.append(r)
            elif r["class"] not in ("SQ",):
                break
        for line in lines_of(block):
            col = by_var[line.id]
            kind = "attention" if isinstance(line, AttentionCheck) else "item"
            assert col.kind == kind
            for a in answers:
                ours = col.values[a["name"]]
                if ours is None:  # don't know -> missing
                    assert a["name"] == "DK"
                    assert unhtml(a["text"]) == block.response.dont_know.label["en"]
                else:
                    assert unhtml(a["text"]) == label_of(block, ours, "en")
    assert by_var["industry"].column == "industry"
    assert by_var["industry"].values == {"A1": 1, "A2": 2, "A3": 3}
    assert by_var["channels_5"].column == "channels[A5]"
    assert by_var["channels_5"].values == {"Y": 1, "": 0}
    assert by_var["employees"].values is None and by_var["firm_id"].values is None
    assert by_var["tiny_a1"].column == "tinyblock[tinya1]"


def test_limesurvey_answer_codes_fit_five_characters():
    codes = limesurvey.answer_codes(
        [(1, False), (0, False), (-3, False), (12345, False), (-99, True)]
    )
    assert codes == ["A1", "A0", "N3", "X4", "DK"]
    assert all(len(c) <= 5 for c in codes)


# --- Qualtrics -----------------------------------------------------------------------------------


def parse_qualtrics(text: str) -> list[dict]:
    """Questions of an Advanced Format file: type tag, ID, text, choices and answers."""
    lines = text.split("\n")
    assert lines[0] == "[[AdvancedFormat]]"
    questions: list[dict] = []
    cur = None
    mode = None
    block = None
    for line in lines[1:]:
        if not line:
            continue
        if line.startswith("[["):
            assert re.fullmatch(r"\[\[[^\[\]]+\]\]", line), line
            tag = line[2:-2]
            if tag.startswith("Block:"):
                block = tag[6:]
            elif tag.startswith("Question:"):
                cur = {"type": tag, "block": block, "text": [], "choices": [], "answers": []}
                questions.append(cur)
                mode = "text"
            elif tag.startswith("ID:"):
                cur["id"] = tag[3:]
            elif tag in ("AdvancedChoices", "AdvancedAnswers"):
                mode = tag
            elif tag.startswith("Choice"):
                cur["choices"].append([tag.partition(":")[2], None])
            elif tag.startswith("Answer"):
                cur["answers"].append([tag.partition(":")[2], None])
            else:
                raise AssertionError(f"unexpected tag {line}")
            continue
        assert "[[" not in line and "]]" not in line
        if mode == "text":
            cur["text"].append(line)
        elif mode == "AdvancedChoices":
            assert cur["choices"][-1][1] is None, "one line per choice"
            cur["choices"][-1][1] = line
        elif mode == "AdvancedAnswers":
            assert cur["answers"][-1][1] is None, "one line per answer"
            cur["answers"][-1][1] = line
    return questions


def test_qualtrics_files_and_question_types(inst):
    files = qualtrics.export(inst)
    assert set(files) == {
        "exportstudy_qualtrics_en.txt",
        "exportstudy_qualtrics_fi.txt",
        "exportstudy_qualtrics_columns.json",
        "exportstudy_qualtrics_README.txt",
    }
    parsed = {
        lang: parse_qualtrics(files[f"exportstudy_qualtrics_{lang}.txt"]) for lang in ("en", "fi")
    }
    for lang, qs in parsed.items():
        assert [(q["type"], q["id"]) for q in qs] == [
            ("Question:DB", "intro"),
            ("Question:Matrix", "TINY_BLOCK"),
            ("Question:Matrix", "SECOND"),
            ("Question:MC:SingleAnswer:Vertical", "industry"),
            ("Question:TE:SingleLine", "firm_id"),
            ("Question:MC:MultipleAnswer:Vertical", "channels"),
            ("Question:TE:SingleLine", "employees"),
            ("Question:TE:SingleLine", "revenue_share"),
        ]
        for block, q in zip(inst.blocks, qs[1:3], strict=True):
            # one statement per item / attention check, in this language
            assert [unhtml(t) for _, t in q["choices"]] == [
                ln.text[lang].replace("\t", " ") for ln in lines_of(block)
            ]
            assert all(code == "" for code, _ in q["choices"])  # statements numbered 1..k
            # answers carry our codes as recode values, labelled as the scale labels them
            for code, label in q["answers"]:
                assert unhtml(label) == label_of(block, int(code), lang)
            expected = [str(c) for c in block.response.codes]
            if block.response.dont_know:
                expected.append(str(block.response.dont_know.code))
            assert [c for c, _ in q["answers"]] == expected
        industry = qs[3]
        assert [(c, unhtml(t)) for c, t in industry["choices"]] == [
            (str(o.code), o.label[lang]) for o in inst.background[0].options
        ]
        assert [c for c, _ in qs[5]["choices"]] == ["1", "2", "5"]


def test_qualtrics_texts_are_escaped(inst):
    text = qualtrics.export(inst)["exportstudy_qualtrics_en.txt"]
    qs = parse_qualtrics(text)  # asserts no [[ inside texts, one line per choice
    statement = qs[2]["choices"][0][1]
    assert "${" not in statement and "\t" not in statement
    assert unhtml(statement) == inst.item("second_b1").text["en"].replace("\t", " ")


def test_qualtrics_readme_lists_manual_settings(inst):
    readme = qualtrics.export(inst)["exportstudy_qualtrics_README.txt"]
    assert "Randomize the order of all statements" in readme and "TINY_BLOCK." in readme
    assert "Force response on: TINY_BLOCK, industry." in readme
    assert "Request response on: SECOND, firm_id, employees, revenue_share." in readme
    assert "employees: Validation > Content type > Number, minimum 1, maximum 100000." in readme


def test_qualtrics_column_map(inst):
    cmap = qualtrics.column_map(inst)
    by_var = {c.variable: c for c in cmap.columns}
    assert [by_var[v].column for v in ("tiny_a1", "tiny_a2", "attn_tiny", "tiny_a3")] == [
        "TINY_BLOCK_1",
        "TINY_BLOCK_2",
        "TINY_BLOCK_3",
        "TINY_BLOCK_4",
    ]
    assert by_var["attn_tiny"].kind == "attention"
    assert by_var["tiny_a1"].values == {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "-99": None}
    order = by_var["tiny_block_order"]
    assert order.column == "TINY_BLOCK_DO" and order.kind == "meta" and order.separator == "|"
    assert order.sequence == {"1": "tiny_a1", "2": "tiny_a2", "3": "attn_tiny", "4": "tiny_a3"}
    assert "second_order" not in by_var  # not randomised
    assert by_var["channels_5"].column == "channels_5"
    assert by_var["industry"].values == {"1": 1, "2": 2, "3": 3}


# --- XLSForm -------------------------------------------------------------------------------------


def read_xlsform(files: dict, study: str) -> dict[str, list[dict]]:
    wb = load_workbook(io.BytesIO(files[f"{study}_xlsform.xlsx"]))
    assert wb.sheetnames == ["survey", "choices", "settings"]
    out = {}
    for ws in wb.worksheets:
        rows = [["" if v is None else str(v) for v in r] for r in ws.iter_rows(values_only=True)]
        out[ws.title] = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
        out[ws.title + "_header"] = rows[0]
    return out


def test_xlsform_sheets(inst):
    files = xlsform.export(inst)
    sheets = read_xlsform(files, "exportstudy")
    header = sheets["survey_header"]
    assert header[:2] == ["type", "name"]
    for name in ("English (en)", "Finnish (fi)"):
        assert f"label::{name}" in header and f"hint::{name}" in header
        assert f"label::{name}" in sheets["choices_header"]
    assert {"required", "appearance", "constraint"} <= set(header)
    survey = sheets["survey"]
    types = [r["type"] for r in survey]
    assert types[:2] == ["start", "end"]
    for block in inst.blocks:
        begin = next(
            i for i, r in enumerate(survey) if r["type"] == "begin_group" and r["name"] == block.id
        )
        assert survey[begin]["appearance"] == "table-list"
        lines = lines_of(block)
        inside = survey[begin + 1 : begin + 1 + len(lines)]
        assert [r["name"] for r in inside] == [ln.id for ln in lines]
        assert {r["type"] for r in inside} == {f"select_one {block.id}_points"}
        assert survey[begin + 1 + len(lines)]["type"] == "end_group"
        for lang, name in (("en", "English (en)"), ("fi", "Finnish (fi)")):
            assert [r[f"label::{name}"] for r in inside] == [
                ln.text[lang].replace("\t", " ").replace("${", "$ {") for ln in lines
            ]
        required = "yes" if block.required == "hard" else ""
        assert {r["required"] for r in inside} == {required}
        choices = [c for c in sheets["choices"] if c["list_name"] == f"{block.id}_points"]
        codes = [int(c["name"]) for c in choices]
        assert codes == list(block.response.codes) + (
            [block.response.dont_know.code] if block.response.dont_know else []
        )
        for c in choices:
            assert c["label::Finnish (fi)"] == label_of(block, int(c["name"]), "fi")
    bg = {r["name"]: r for r in survey}
    assert (
        bg["industry"]["type"] == "select_one industry_options"
        and bg["industry"]["required"] == "yes"
    )
    assert bg["channels"]["type"] == "select_multiple channels_options"
    assert bg["employees"]["type"] == "integer"
    assert bg["employees"]["constraint"] == ". >= 1 and . <= 100000"
    assert bg["revenue_share"]["type"] == "decimal"
    assert bg["firm_id"]["type"] == "text"
    settings = sheets["settings"][0]
    assert settings == {
        "form_title": "Export test study",
        "form_id": "exportstudy",
        "default_language": "English (en)",
    }


def test_xlsform_converts_with_pyxform(inst):
    pyxform = pytest.importorskip("pyxform.xls2xform")
    warnings: list[str] = []
    result = pyxform.convert(
        xlsform=io.BytesIO(xlsform.export(inst)["exportstudy_xlsform.xlsx"]),
        warnings=warnings,
        file_type=".xlsx",
    )
    xml = result.xform
    assert warnings == []
    assert 'lang="Finnish (fi)"' in xml and 'lang="English (en)"' in xml
    for block in inst.blocks:
        for line in lines_of(block):
            assert f'nodeset="/data/{block.id}/{line.id}"' in xml
    assert 'required="true()"' in xml


def test_xlsform_column_map(inst):
    by_var = {c.variable: c for c in xlsform.column_map(inst).columns}
    col = by_var["tiny_a1"]
    assert col.column == "tiny_a1"
    assert col.aliases == ("tiny_block/tiny_a1", "tiny_block-tiny_a1")
    assert col.values == {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "-99": None}
    assert by_var["channels_2"].column == "channels/2" and by_var["channels_2"].values == {
        "1": 1,
        "0": 0,
    }
    assert by_var["started"].column == "start" and by_var["submitted"].column == "end"
    assert by_var["respondent_id"].column == "_uuid" and "KEY" in by_var["respondent_id"].aliases


# --- REDCap --------------------------------------------------------------------------------------


def read_redcap(text: str) -> tuple[list[str], list[dict]]:
    reader = csv.reader(io.StringIO(text))
    header, *rows = list(reader)
    assert all(len(r) == len(header) for r in rows)
    return header, [dict(zip(header, r, strict=True)) for r in rows]


def parse_choices(text: str) -> list[tuple[int, str]]:
    out = []
    for part in text.split(" | "):
        code, _, label = part.partition(", ")
        out.append((int(code), label))
    return out


def test_redcap_dictionary(inst):
    files = redcap.export(inst)
    assert set(files) == {
        "exportstudy_redcap_en.csv",
        "exportstudy_redcap_fi.csv",
        "exportstudy_redcap_columns.json",
        "exportstudy_redcap_README.txt",
    }
    names = {}
    for lang in inst.languages:
        header, rows = read_redcap(files[f"exportstudy_redcap_{lang}.csv"])
        assert header == [
            "Variable / Field Name",
            "Form Name",
            "Section Header",
            "Field Type",
            "Field Label",
            "Choices, Calculations, OR Slider Labels",
            "Field Note",
            "Text Validation Type OR Show Slider Number",
            "Text Validation Min",
            "Text Validation Max",
            "Identifier?",
            "Branching Logic (Show field only if...)",
            "Required Field?",
            "Custom Alignment",
            "Question Number (surveys only)",
            "Matrix Group Name",
            "Matrix Ranking?",
            "Field Annotation",
        ]
        assert rows[0]["Variable / Field Name"] == "record_id"
        fields = {r["Variable / Field Name"]: r for r in rows}
        assert len(fields) == len(rows)
        assert all(re.fullmatch(r"[a-z][a-z0-9_]*", n) for n in fields)
        assert {r["Form Name"] for r in rows} == {"exportstudy"}
        names[lang] = list(fields)
        for block in inst.blocks:
            lines = lines_of(block)
            brow = [fields[ln.id.lower()] for ln in lines]
            assert {r["Field Type"] for r in brow} == {"radio"}
            assert {r["Matrix Group Name"] for r in brow} == {block.id.lower()}
            # matrix fields are consecutive and share identical choices
            idx = [rows.index(r) for r in brow]
            assert idx == list(range(idx[0], idx[0] + len(lines)))
            assert len({r["Choices, Calculations, OR Slider Labels"] for r in brow}) == 1
            assert brow[0]["Section Header"] and not any(r["Section Header"] for r in brow[1:])
            for code, label in parse_choices(brow[0]["Choices, Calculations, OR Slider Labels"]):
                assert unhtml(label) == label_of(block, code, lang)
            assert [unhtml(r["Field Label"]) for r in brow] == [
                ln.text[lang].replace("\t", " ") for ln in lines
            ]
            required = "y" if block.required == "hard" else ""
            assert {r["Required Field?"] for r in brow} == {required}
        assert fields["industry"]["Field Type"] == "radio"
        assert fields["industry"]["Required Field?"] == "y"
        assert fields["channels"]["Field Type"] == "checkbox"
        assert [
            c
            for c, _ in parse_choices(fields["channels"]["Choices, Calculations, OR Slider Labels"])
        ] == [1, 2, 5]
        emp = fields["employees"]
        assert (emp["Field Type"], emp["Text Validation Type OR Show Slider Number"]) == (
            "text",
            "integer",
        )
        assert (emp["Text Validation Min"], emp["Text Validation Max"]) == ("1", "100000")
        assert fields["revenue_share"]["Text Validation Type OR Show Slider Number"] == "number"
        assert fields["firm_id"]["Field Type"] == "text"
        # REDCap splits choices at '|' and code from label at the first comma: labels survive
        industry = parse_choices(fields["industry"]["Choices, Calculations, OR Slider Labels"])
        assert [(c, unhtml(label)) for c, label in industry] == [
            (o.code, o.label[lang]) for o in inst.background[0].options
        ]
    assert names["en"] == names["fi"]


def test_redcap_column_map(inst):
    by_var = {c.variable: c for c in redcap.column_map(inst).columns}
    assert by_var["tiny_a1"].column == "tiny_a1"
    assert by_var["tiny_a1"].values["-99"] is None
    assert by_var["channels_5"].column == "channels___5"
    assert by_var["channels_5"].values == {"1": 1, "0": 0}
    assert by_var["respondent_id"].column == "record_id"
    assert redcap.checkbox_column("race", -99) == "race____99"


# --- all platforms: maps against the codebook, round trip, recoding ------------------------------


@pytest.mark.parametrize("platform", list(EXPORTERS))
def test_column_map_round_trip(inst, platform):
    files = EXPORTERS[platform].export(inst)
    text = files[f"exportstudy_{platform}_columns.json"]
    doc = json.loads(text)
    assert doc["schema"] == 1 and doc["platform"] == platform and doc["study"] == "exportstudy"
    assert all(set(c) >= {"column", "variable", "values", "kind"} for c in doc["columns"])
    cmap = ColumnMap.from_json(text)
    assert cmap.to_json() == text
    assert ColumnMap.from_json(cmap.to_json()) == cmap
    kinds = {c.variable: c.kind for c in cmap.columns}
    assert kinds["tiny_a1"] == "item" and kinds["attn_tiny"] == "attention"
    assert kinds["industry"] == "background" and kinds["channels_1"] == "background"


@pytest.mark.parametrize("platform", list(EXPORTERS))
def test_map_variables_are_codebook_columns(inst, platform):
    from moscale.instrument.codebook import column_names

    names = set(column_names(inst))
    cmap = EXPORTERS[platform].column_map(inst)
    assert set(cmap.variables()) <= names
    # every item, check, background variable is covered
    needed = {
        v for v in names if v not in ("respondent_id", "lang", "started", "submitted", "duration_s")
    }
    needed -= {b.order_variable for b in inst.blocks}
    assert needed <= set(cmap.variables())


def synthetic(cmap: ColumnMap, n: int = 7) -> tuple[pd.DataFrame, dict[str, list]]:
    """A platform-shaped response frame built from the map, and what each cell must become."""
    frame: dict[str, list] = {}
    expected: dict[str, list] = {}
    for j, col in enumerate(cmap.columns):
        if col.sequence is not None:
            keys = list(col.sequence)
            cells = [
                col.separator.join(keys[(i + k) % len(keys)] for k in range(len(keys)))
                for i in range(n)
            ]
            frame[col.column] = cells
            expected[col.variable] = [
                ";".join(col.sequence[k] for k in c.split(col.separator)) for c in cells
            ]
        elif col.values is None:
            frame[col.column] = [float(i * 3 + j) for i in range(n)]
            expected[col.variable] = frame[col.column]
        else:
            keys = list(col.values)
            cells = [keys[(i + j) % len(keys)] for i in range(n)]
            frame[col.column] = cells
            expected[col.variable] = [
                np.nan if col.values[c] is None else float(col.values[c]) for c in cells
            ]
    frame["Status"] = ["0"] * n  # a platform column the map does not know
    return pd.DataFrame(frame), expected


@pytest.mark.parametrize("platform", list(EXPORTERS))
def test_rename_and_recode_synthetic_responses(inst, platform):
    cmap = EXPORTERS[platform].column_map(inst)
    df, expected = synthetic(cmap)
    out = cmap.rename_and_recode(df)
    assert list(out.columns[: len(cmap.columns)]) == cmap.variables()
    assert "Status" in out.columns  # kept for the response reader
    for var, exp in expected.items():
        got = out[var].tolist()
        if isinstance(exp[0], str):
            assert got == exp
        else:
            np.testing.assert_array_equal(
                np.asarray(got, dtype=float), np.asarray(exp, dtype=float)
            )
    only = cmap.rename_and_recode(df, keep_unmapped=False)
    assert list(only.columns) == cmap.variables()
    # don't-know is missing wherever the scale has one
    dk_cols = [c for c in cmap.columns if c.values and None in c.values.values()]
    assert dk_cols
    for c in dk_cols:
        dk_key = next(k for k, v in c.values.items() if v is None)
        rows = df[c.column] == dk_key
        assert rows.any() and out.loc[rows, c.variable].isna().all()


def test_rename_and_recode_reads_numbers_and_numeric_text():
    cmap = ColumnMap(
        "redcap",
        "s",
        [MappedColumn("q", "q", "item", {"1": 1, "2": 2, "-99": None})],
    )
    df = pd.DataFrame({"q": [1.0, 2.0, np.nan, -99.0]})
    np.testing.assert_array_equal(
        cmap.rename_and_recode(df)["q"].to_numpy(), [1, 2, np.nan, np.nan]
    )
    df = pd.DataFrame({"q": ["1", " 2 ", "", "-99.0"]})
    np.testing.assert_array_equal(
        cmap.rename_and_recode(df)["q"].to_numpy(), [1, 2, np.nan, np.nan]
    )
    df = pd.DataFrame({"q": pd.array([1, None, -99], dtype="Int64")})
    np.testing.assert_array_equal(cmap.rename_and_recode(df)["q"].to_numpy(), [1, np.nan, np.nan])


def test_rename_and_recode_unknown_code_names_column_row_and_value(inst):
    cmap = limesurvey.column_map(inst)
    df, _ = synthetic(cmap, n=4)
    df.loc[2, "tinyblock[tinya2]"] = "A9"
    with pytest.raises(DataError) as err:
        cmap.rename_and_recode(df)
    msg = err.value.message
    assert "tinyblock[tinya2]" in msg and "row 3" in msg and "'A9'" in msg
    assert err.value.hint


def test_rename_and_recode_missing_column_and_duplicates(inst):
    cmap = redcap.column_map(inst)
    df, _ = synthetic(cmap, n=3)
    with pytest.raises(DataError, match="no column 'tiny_a3'"):
        cmap.rename_and_recode(df.drop(columns=["tiny_a3"]))
    # meta columns may be absent
    out = cmap.rename_and_recode(df.drop(columns=["record_id"]))
    assert "respondent_id" not in out.columns
    dup = pd.concat([df, df[["tiny_a1"]]], axis=1)
    with pytest.raises(DataError, match="two columns named 'tiny_a1'"):
        cmap.rename_and_recode(dup)


def test_rename_and_recode_uses_aliases(inst):
    cmap = xlsform.column_map(inst)
    df, expected = synthetic(cmap, n=3)
    df = df.rename(columns={"tiny_a1": "tiny_block/tiny_a1", "second_b1": "second-second_b1"})
    out = cmap.rename_and_recode(df)
    np.testing.assert_array_equal(out["tiny_a1"].to_numpy(), np.asarray(expected["tiny_a1"], float))
    np.testing.assert_array_equal(
        out["second_b1"].to_numpy(), np.asarray(expected["second_b1"], float)
    )


def test_display_order_with_missing_cells(inst):
    cmap = qualtrics.column_map(inst)
    df, _ = synthetic(cmap, n=3)
    df["TINY_BLOCK_DO"] = pd.array(["4|3|2|1", pd.NA, ""], dtype="string")
    out = cmap.rename_and_recode(df)
    assert out["tiny_block_order"].iloc[0] == "tiny_a3;attn_tiny;tiny_a2;tiny_a1"
    assert out["tiny_block_order"].iloc[1:].isna().all()


def test_display_order_unknown_element(inst):
    cmap = qualtrics.column_map(inst)
    df, _ = synthetic(cmap, n=2)
    df.loc[1, "TINY_BLOCK_DO"] = "1|2|9"
    with pytest.raises(DataError, match="TINY_BLOCK_DO.*row 2.*'9'"):
        cmap.rename_and_recode(df)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("not json", "not valid JSON"),
        ('{"schema": 2, "platform": "x", "study": "s", "columns": []}', "schema version"),
        ('{"schema": 1, "platform": "x", "study": "s", "columns": [{"column": "a"}]}', "variable"),
        (
            '{"schema": 1, "platform": "x", "study": "s", "columns": [{"column": "a", '
            '"variable": "a", "kind": "weird", "values": null}]}',
            "kind",
        ),
        (
            '{"schema": 1, "platform": "x", "study": "s", "columns": [{"column": "a", '
            '"variable": "a", "kind": "item", "values": {"1": "one"}}]}',
            "integers or null",
        ),
        (
            '{"schema": 1, "platform": "x", "study": "s", "columns": ['
            '{"column": "a", "variable": "a", "kind": "item", "values": null},'
            '{"column": "a", "variable": "b", "kind": "item", "values": null}]}',
            "mapped twice",
        ),
    ],
)
def test_malformed_column_maps_are_data_errors(text, problem):
    with pytest.raises(DataError, match=problem):
        ColumnMap.from_json(text)


# --- other studies, dispatch and the command line ------------------------------------------------


def test_a_bare_scale_exports_on_every_platform():
    inst = load_instrument(TINY)
    for platform, module in EXPORTERS.items():
        files = module.export(inst)
        assert f"tiny_{platform}_columns.json" in files
        cmap = ColumnMap.from_json(files[f"tiny_{platform}_columns.json"])
        assert {"tiny_a1", "tiny_a2", "tiny_a3"} <= set(cmap.variables())


def test_unique_codes_survive_clashes():
    names = colmap.UniqueNames(6, reserved=["id"])
    assert [names.take(x) for x in ("ID", "abcdefgh", "abcdefxy", "abcdef")] == [
        "ID2",
        "abcdef",
        "abcde2",
        "abcde3",
    ]
    assert colmap.alnum_code("q_1_x", 20) == "q1x"
    assert colmap.alnum_code("_9", 20) == "q9"


@pytest.mark.parametrize("platform", list(EXPORTERS))
def test_render_dispatch(inst, platform):
    files = render_files(inst, platform)
    assert files.keys() == EXPORTERS[platform].export(inst).keys()


def test_cli_render_limesurvey(tmp_path):
    from moscale.cli import main

    out = tmp_path / "outdir"
    result = CliRunner().invoke(
        main, ["render", str(STUDY), "--format", "limesurvey", "-o", f"{out}/"]
    )
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in out.iterdir())
    assert written == [
        "exportstudy_limesurvey.txt",
        "exportstudy_limesurvey_README.txt",
        "exportstudy_limesurvey_columns.json",
    ]
    assert (out / "exportstudy_limesurvey.txt").read_bytes().startswith(b"\xef\xbb\xbf")
    cmap = ColumnMap.from_json((out / "exportstudy_limesurvey_columns.json").read_text("utf-8"))
    assert cmap.platform == "limesurvey"


@pytest.mark.parametrize("platform", ["qualtrics", "xlsform", "redcap"])
def test_cli_render_other_platforms(tmp_path, platform):
    from moscale.cli import main

    result = CliRunner().invoke(
        main, ["render", str(STUDY), "--format", platform, "-o", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / f"exportstudy_{platform}_columns.json").exists()


def _builtin_scales() -> list[str]:
    from moscale.instrument.loader import builtin_scale_ids

    return builtin_scale_ids()


@pytest.mark.parametrize("scale_id", _builtin_scales())
def test_builtin_scales_export_within_platform_limits(scale_id):
    inst = load_instrument(scale_id)
    _, rows = read_ls(limesurvey.export(inst), scale_id)
    for r in rows:
        if r["class"] in ("Q", "SQ"):
            assert re.fullmatch(r"[A-Za-z][A-Za-z0-9]{0,19}", r["name"]), r["name"]
        elif r["class"] == "A":
            assert re.fullmatch(r"[A-Za-z0-9]{1,5}", r["name"]), r["name"]
    for platform, module in EXPORTERS.items():
        cmap = module.column_map(inst)
        assert {i.id for i in inst.items()} <= set(cmap.variables()), platform
    for name in redcap.column_map(inst).variables():
        assert re.fullmatch(r"[a-z_][a-z0-9_]*", name.lower())
    pyxform = pytest.importorskip("pyxform.xls2xform")
    warnings: list[str] = []
    pyxform.convert(
        xlsform=io.BytesIO(xlsform.export(inst)[f"{scale_id}_xlsform.xlsx"]),
        warnings=warnings,
        file_type=".xlsx",
    )
    assert warnings == []


def test_redcap_notes_renamed_and_long_names(tmp_path):
    study = tmp_path / "study.yaml"
    study.write_text(
        STUDY.read_text("utf-8")
        .replace("id: firm_id", "id: Firm_ID")
        .replace("id: revenue_share", "id: revenue_share_of_exports_abroad")
        .replace("../definitions/tiny_scale.yaml", str(TINY))
        .replace("second_scale.yaml", str(STUDY.parent / "second_scale.yaml")),
        encoding="utf-8",
    )
    inst = load_instrument(study)
    cmap = redcap.column_map(inst)
    by_var = {c.variable: c for c in cmap.columns}
    assert by_var["Firm_ID"].column == "firm_id"
    notes = " ".join(cmap.notes)
    assert "Firm_ID -> firm_id" in notes
    assert "over 26 characters" in notes and "revenue_share_of_exports_abroad" in notes


@pytest.mark.parametrize("platform", ["limesurvey", "qualtrics"])
def test_responses_come_back_through_the_reader(inst, tmp_path, platform):
    """A platform-shaped CSV with the map beside it reads into our variables and codes."""
    responses = pytest.importorskip("moscale.analysis.responses")
    cmap = EXPORTERS[platform].column_map(inst)
    df, expected = synthetic(cmap, n=5)
    df = df.drop(columns=["Status"])
    if platform == "limesurvey":
        meta = {"id": range(1, 6), "submitdate": ["2024-05-01 10:00:00"] * 5}
        df = pd.concat([pd.DataFrame(meta), df], axis=1)
        df.to_csv(tmp_path / "results.csv", index=False)
    else:
        meta = {"ResponseId": [f"R_{i}" for i in range(5)], "StartDate": ["2024-05-01"] * 5}
        meta["Finished"] = ["1"] * 5
        df = pd.concat([pd.DataFrame(meta), df], axis=1).astype(str).replace("nan", "")
        extra = pd.DataFrame(
            [list(df.columns), [json.dumps({"ImportId": c}) for c in df.columns]],
            columns=df.columns,
        )
        pd.concat([extra, df]).to_csv(tmp_path / "results.csv", index=False)
    (tmp_path / f"exportstudy_{platform}_columns.json").write_text(cmap.to_json(), "utf-8")
    ds = responses.read_responses(tmp_path / "results.csv", instrument=inst)
    for item in ("tiny_a1", "second_b2"):  # not reverse-keyed: codes as they are
        np.testing.assert_array_equal(ds.items[item].to_numpy(), np.asarray(expected[item]))
    np.testing.assert_array_equal(
        ds.background["industry"].to_numpy(float), np.asarray(expected["industry"])
    )


def test_xlsform_workbook_bytes_do_not_depend_on_the_time_of_saving(monkeypatch):
    """openpyxl stamps the save time into docProps/core.xml and every zip entry; the exporter
    replaces it, so the same study gives the same file whenever it is rendered."""
    import datetime as dt
    import zipfile

    from openpyxl.writer import excel

    inst = load_instrument("example")
    first = xlsform.workbook_bytes(inst)

    class Later(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime(2031, 5, 6, 7, 8, 9, tzinfo=tz)

    # a save "years later": openpyxl's own clock moved, the output did not
    monkeypatch.setattr(excel.datetime, "datetime", Later)
    monkeypatch.setattr("time.localtime", lambda *a: dt.datetime(2031, 5, 6, 7, 8, 10).timetuple())
    assert xlsform.workbook_bytes(inst) == first
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert {i.date_time for i in z.infolist()} == {(2000, 1, 1, 0, 0, 0)}
    wb = load_workbook(io.BytesIO(first))
    assert wb.properties.modified == dt.datetime(2000, 1, 1)
    assert wb.sheetnames == ["survey", "choices", "settings"]
