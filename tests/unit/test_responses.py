"""Reading responses: formats, platform exports, column maps, coding, keying and the data policy.

Fixtures: tests/data/responses/ (written by make_fixtures.py there): the same 12 respondents of
study.yaml in every format, and one malformed file per problem.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import moscale as ms
from moscale.analysis.readers import decode_bytes, sniff_delimiter
from moscale.analysis.responses import DataPolicy, Dataset, model_structure, read_responses
from moscale.errors import DataError, UserError

DATA = Path(__file__).parents[1] / "data" / "responses"
ITEMS = ["tiny_a1", "tiny_a2", "tiny_a3", "duo_cu1", "duo_cu2", "duo_cu3", "duo_cu4"]
ITEMS += ["duo_co1", "duo_co2", "duo_co3"]


@pytest.fixture(scope="module")
def inst():
    return ms.load_instrument(DATA / "study.yaml")


@pytest.fixture(scope="module")
def base(inst) -> Dataset:
    return read_responses(DATA / "moscale_download.csv", instrument=inst)


@pytest.fixture(scope="module")
def given_answers() -> pd.DataFrame:
    df = pd.read_csv(DATA / "moscale_download.csv")
    df.index = pd.RangeIndex(2, len(df) + 2, name="line")  # file lines: header is line 1
    return df


# --- the dataset -----------------------------------------------------------------------------------


def test_dataset_holds_everything(base, given_answers, inst):
    assert base.format == "csv" and base.platform == "moscale" and base.row_label == "line"
    assert base.n_read == base.n_kept == 12
    assert base.item_names == ITEMS
    assert base.sha256 == hashlib.sha256((DATA / "moscale_download.csv").read_bytes()).hexdigest()
    assert base.source == DATA / "moscale_download.csv"
    assert base.instrument is inst
    assert base.dimensions == {
        "tiny.a": ITEMS[:3],
        "duo.cu": ITEMS[3:7],
        "duo.co": ITEMS[7:],
    }
    assert base.higher_order == {"duo.mo": ["duo.cu", "duo.co"]}
    assert base.blocks == {"tiny": ITEMS[:3], "duo": ITEMS[3:]}
    assert base.item_dimension["duo_cu3"] == "duo.cu"
    assert base.scale_range["tiny_a1"] == (1.0, 5.0) and base.scale_range["duo_co1"] == (1.0, 7.0)
    assert base.check_expect == {"duo_check": 6}
    assert base.cluster == "firm" and base.groups == ["industry"]
    assert base.respondent_id == "respondent_id" and base.duration == "duration_s"
    assert list(base.checks.columns) == ["duo_check"]
    assert {"channel_1", "channel_2", "lang", "started"} <= set(base.background.columns)
    assert base.issues.empty and list(base.issues.columns) == [
        "kind",
        "row",
        "column",
        "value",
        "action",
        "message",
    ]
    # the raw frame is what the file holds, indexed by file line
    assert base.raw.loc[2, "tiny_a2"] == "1"
    assert base.items.index.name == "line" and base.items.index[0] == 2


def test_reverse_keying_is_recorded_and_reversible(base, given_answers):
    assert base.reversed == {"tiny_a2": (1.0, 5.0), "duo_cu3": (1.0, 7.0)}
    # min + max - x
    np.testing.assert_array_equal(base.items["tiny_a2"], 6 - given_answers["tiny_a2"])
    np.testing.assert_array_equal(base.items["duo_cu3"], 8 - given_answers["duo_cu3"])
    np.testing.assert_array_equal(base.items["tiny_a1"], given_answers["tiny_a1"])
    pd.testing.assert_frame_equal(
        base.unkeyed_items(), given_answers[ITEMS].astype(float), check_names=False
    )
    assert "reverse-keyed (min + max - x): tiny_a2, duo_cu3" in base.summary()
    assert base.to_dict()["reversed"] == {"tiny_a2": [1.0, 5.0], "duo_cu3": [1.0, 7.0]}


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 7), min_size=2, max_size=20))
def test_reverse_keying_twice_is_identity(values):
    df = pd.DataFrame({"x": values, "y": values})
    once = read_responses(df, items=["x", "y"], reverse=["x"], scale_range=(1, 7))
    np.testing.assert_array_equal(once.items["x"], 8 - np.array(values))
    twice = read_responses(once.items, items=["x", "y"], reverse=["x"], scale_range=(1, 7))
    np.testing.assert_array_equal(twice.items["x"], values)


# --- formats ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt", "row_label", "first_row"),
    [
        ("responses.xlsx", "xlsx", "row", 2),
        ("responses.parquet", "parquet", "record", 1),
        ("responses.sav", "sav", "record", 1),
        ("responses.zsav", "sav", "record", 1),
        ("responses.dta", "dta", "record", 1),
        ("cp1252_tab.csv", "csv", "line", 2),
    ],
)
def test_formats_give_the_same_items(name, fmt, row_label, first_row, inst, base):
    ds = read_responses(DATA / name, instrument=inst)
    assert ds.format == fmt and ds.row_label == row_label
    assert ds.items.index[0] == first_row
    expect = base.items.to_numpy().copy()
    if name.endswith("sav"):
        expect[0, ITEMS.index("duo_cu4")] = np.nan  # -99 there: SPSS user-missing
    np.testing.assert_array_equal(ds.items.to_numpy(), expect)
    np.testing.assert_array_equal(ds.checks["duo_check"], base.checks["duo_check"])
    assert ds.background["firm"].tolist() == base.background["firm"].tolist()


def test_spss_user_missing_is_counted(inst):
    ds = read_responses(DATA / "responses.sav", instrument=inst)
    dm = ds.issues_of("declared_missing")
    assert dm["column"].tolist() == ["duo_cu4"] and dm["value"].tolist() == ["-99"]
    assert "1 answer(s)" in dm["message"].iloc[0]


def test_cp1252_tab_file(inst):
    ds = read_responses(DATA / "cp1252_tab.csv", instrument=inst)
    assert ds.info["encoding"] == "cp1252" and ds.info["delimiter"] == "\t"
    assert ds.raw.loc[4, "comment"] == "Näin €"
    unknown = ds.issues_of("unknown_column")
    assert unknown["column"].tolist() == ["comment"] and unknown["action"].tolist() == ["ignored"]


def test_bom_semicolons_and_answer_labels(inst, base):
    ds = read_responses(DATA / "bom_semicolon.csv", instrument=inst)
    assert ds.info["encoding"] == "utf-8-sig" and ds.info["delimiter"] == ";"
    assert list(ds.raw.columns)[0] == "respondent_id"  # the BOM is not part of the name
    # Finnish answer labels mapped through the codebook's value labels
    assert ds.items.loc[3, "duo_cu1"] == 6  # "Samaa mieltä" on the 7-point duo scale
    assert ds.items.loc[7, "tiny_a1"] == 5  # "Täysin samaa mieltä" on the 5-point tiny scale
    # "En osaa sanoa" (don't know) and -99 become missing, counted per column
    assert np.isnan(ds.items.loc[4, "duo_co2"]) and np.isnan(ds.items.loc[5, "duo_co3"])
    dm = ds.issues_of("declared_missing").set_index("column")
    assert dm.loc["duo_co2", "action"] == "set missing" and dm.loc["duo_co3", "value"] == "-99"
    untouched = [c for c in ITEMS if c not in ("duo_cu1", "tiny_a1", "duo_co2", "duo_co3")]
    pd.testing.assert_frame_equal(ds.items[untouched], base.items[untouched])


def test_decoding_and_sniffing():
    assert decode_bytes("a;b\n1;ä\n".encode("utf-16")) == ("a;b\n1;ä\n", "utf-16")
    assert decode_bytes(b"\xef\xbb\xbfa,b\n")[1] == "utf-8-sig"
    assert decode_bytes("ä".encode("cp1252"))[1] == "cp1252"
    assert decode_bytes(b"\x81\x8d")[1] == "latin-1"  # bytes undefined in cp1252
    assert sniff_delimiter('a;b;c\n1;"x;y";3\n') == ";"
    assert sniff_delimiter("a\tb\n1\t2\n") == "\t"
    assert sniff_delimiter("a,b\n1,2\n") == ","


def test_utf16_tab_qualtrics_export(tmp_path, inst):
    text = (DATA / "qualtrics.csv").read_text(encoding="utf-8-sig")
    rows = [
        r for r in pd.read_csv(DATA / "qualtrics.csv", header=None, dtype=str).fillna("").values
    ]
    tsv = "\n".join("\t".join(r) for r in rows) + "\n"
    path = tmp_path / "export.tsv"
    path.write_bytes(tsv.encode("utf-16"))
    ds = read_responses(path, instrument=inst)
    ref = read_responses(DATA / "qualtrics.csv", instrument=inst)
    assert ds.info["encoding"] == "utf-16" and ds.platform == "qualtrics" and text
    pd.testing.assert_frame_equal(ds.items, ref.items)


# --- platforms -------------------------------------------------------------------------------------


def test_qualtrics_export(inst, base):
    ds = read_responses(DATA / "qualtrics.csv", instrument=inst)
    assert ds.platform == "qualtrics" and ds.n_read == 12 and ds.n_kept == 10
    # data start on line 4 after the three header rows
    assert ds.raw.index[0] == 4
    prev = ds.issues_of("preview_row")
    assert prev["row"].tolist() == [4] and prev["action"].tolist() == ["dropped"]
    inc = ds.issues_of("incomplete_row")
    assert inc["row"].tolist() == [7] and inc["column"].tolist() == ["Finished"]
    assert ds.info["import_ids"]["TINY_A1"] == "QID1_1"
    assert ds.info["labels"]["ResponseId"] == "Response ID"
    # choice texts ("Agree") coded through the value labels; same numbers as the plain file
    kept = [3, 4, 6, 7, 8, 9, 10, 11, 12, 13]  # r02, r03, r05..r12 in the plain file
    np.testing.assert_array_equal(ds.items.to_numpy(), base.items.loc[kept].to_numpy())
    assert ds.background["respondent_id"].iloc[0] == "R_r02"
    assert ds.background["duration_s"].iloc[0] == 337


def test_qualtrics_policy_keeps_rows_when_asked(inst):
    ds = read_responses(
        DATA / "qualtrics.csv", instrument=inst, policy={"incomplete": "flag", "preview": "keep"}
    )
    assert ds.n_kept == 12
    assert ds.issues_of("incomplete_row")["action"].tolist() == ["flagged"]
    assert ds.issues_of("preview_row").empty


def test_limesurvey_export(inst, base):
    ds = read_responses(DATA / "limesurvey.csv", instrument=inst)
    assert ds.platform == "limesurvey" and ds.info["delimiter"] == ";"
    assert ds.n_kept == 11
    inc = ds.issues_of("incomplete_row")
    assert inc["row"].tolist() == [7] and inc["column"].tolist() == ["submitdate"]
    # TINY[A1] is matched to tiny_a1 ignoring case and punctuation
    kept = [i for i in base.items.index if i != 7]
    np.testing.assert_array_equal(ds.items.to_numpy(), base.items.loc[kept].to_numpy())
    assert ds.background["lang"].iloc[0] == "en"
    assert ds.respondent_id == "respondent_id"


def _map_for(inst, platform):
    mod = pytest.importorskip(f"moscale.instrument.exporters.{platform}")
    colmap = pytest.importorskip("moscale.instrument.exporters.colmap")
    files = mod.export(inst)
    name = next(n for n in files if n.endswith("_columns.json"))
    text = files[name]
    return name, text, colmap.ColumnMap.from_json(text)


def _platform_frame(cmap, given_answers):
    """The platform's export built from the map: our codes written as the platform's codes."""
    out = {}
    for col in cmap.columns:
        if col.variable not in given_answers.columns:
            continue
        values = given_answers[col.variable]
        if col.values is not None:
            back = {v: k for k, v in col.values.items() if v is not None}
            values = values.map(lambda v, b=back: b.get(int(v), "") if pd.notna(v) else "")
        out[col.column] = values.astype(str).to_numpy()
    return pd.DataFrame(out)


def test_qualtrics_export_read_back_through_the_column_map(tmp_path, inst, given_answers, base):
    name, text, cmap = _map_for(inst, "qualtrics")
    frame = _platform_frame(cmap, given_answers)
    meta = pd.DataFrame(
        {
            "StartDate": given_answers["started"].to_numpy(),
            "EndDate": given_answers["submitted"].to_numpy(),
            "Status": "IP Address",
            "Finished": "True",
            "ResponseId": [f"R_{i}" for i in range(12)],
            "UserLanguage": "EN",
            "Duration (in seconds)": given_answers["duration_s"].astype(str).to_numpy(),
        }
    )
    frame = pd.concat([meta, frame], axis=1)
    frame.loc[2, frame.columns[-1]] = "9"  # not a code the export defined
    labels = ["label"] * frame.shape[1]
    ids = [json.dumps({"ImportId": f"QID{i}"}) for i in range(frame.shape[1])]
    body = pd.DataFrame([labels, ids], columns=frame.columns)
    pd.concat([body, frame]).to_csv(tmp_path / "survey.csv", index=False)
    (tmp_path / name).write_text(text, encoding="utf-8")  # found beside the data
    ds = read_responses(tmp_path / "survey.csv", instrument=inst)
    assert ds.platform == "qualtrics"
    assert ds.issues_of("column_map")["action"].tolist() == ["applied"]
    np.testing.assert_array_equal(ds.items.to_numpy(), base.items.to_numpy())
    np.testing.assert_array_equal(ds.checks["duo_check"], base.checks["duo_check"])
    assert ds.background["respondent_id"].tolist()[:2] == ["R_0", "R_1"]
    assert ds.background["lang"].iloc[0] == "EN"
    assert ds.background["channel_1"].tolist() == base.background["channel_1"].tolist()
    bad = ds.issues_of("out_of_range")
    last = frame.columns[-1]
    assert bad["row"].tolist() == [6] and bad["column"].tolist() == [last]  # line 6 of the file
    with pytest.raises(DataError, match=r"line 6, column"):
        read_responses(tmp_path / "survey.csv", instrument=inst, policy="strict")


def test_limesurvey_export_read_back_through_the_column_map(tmp_path, inst, given_answers, base):
    name, text, cmap = _map_for(inst, "limesurvey")
    frame = _platform_frame(cmap, given_answers)
    meta = pd.DataFrame(
        {
            "id": range(1, 13),
            "submitdate": "2026-03-02 10:00:00",
            "lastpage": "3",
            "startlanguage": given_answers["lang"].to_numpy(),
        }
    )
    frame = pd.concat([meta, frame], axis=1)
    item_col = next(c.column for c in cmap.columns if c.variable == "duo_co2")
    frame.loc[0, item_col] = "DK"  # don't know
    frame.to_csv(tmp_path / "results-survey1.csv", index=False, sep=";")
    map_path = tmp_path / "elsewhere.json"
    map_path.write_text(text, encoding="utf-8")
    ds = read_responses(tmp_path / "results-survey1.csv", instrument=inst, column_map=map_path)
    assert ds.platform == "limesurvey"
    expect = base.items.to_numpy().copy()
    expect[0, ITEMS.index("duo_co2")] = np.nan
    np.testing.assert_array_equal(ds.items.to_numpy(), expect)
    dm = ds.issues_of("declared_missing")
    assert dm["column"].tolist() == ["duo_co2"] and dm["value"].tolist() == ["DK"]
    assert ds.background["respondent_id"].tolist()[:3] == ["1", "2", "3"]  # ids stay text
    assert ds.background["channel_2"].tolist() == base.background["channel_2"].tolist()
    # a map missing a column the export must have
    frame.drop(columns=[item_col]).to_csv(tmp_path / "short.csv", index=False, sep=";")
    with pytest.raises(DataError, match="has no column"):
        read_responses(tmp_path / "short.csv", instrument=inst, column_map=map_path)


def test_kobo_export_with_group_paths_finds_its_map(tmp_path, inst, given_answers, base):
    name, text, cmap = _map_for(inst, "xlsform")
    frame = _platform_frame(cmap, given_answers)
    # KoboToolbox "XML values and headers": items under their group path
    frame = frame.rename(
        columns={c.column: c.aliases[0] for c in cmap.columns if c.aliases and c.kind != "meta"}
    )
    frame.to_csv(tmp_path / "kobo.csv", index=False)
    (tmp_path / name).write_text(text, encoding="utf-8")
    ds = read_responses(tmp_path / "kobo.csv", instrument=inst)
    assert ds.issues_of("column_map")["action"].tolist() == ["applied"]
    np.testing.assert_array_equal(ds.items.to_numpy(), base.items.to_numpy())
    assert ds.background["channel_1"].tolist() == base.background["channel_1"].tolist()
    assert ds.background["respondent_id"].iloc[0] == "r01"  # from _uuid through the map


# --- problems and the policy -----------------------------------------------------------------------


def test_out_of_range_values_become_missing_and_flagged(inst):
    ds = read_responses(DATA / "bad_out_of_range.csv", instrument=inst)
    oor = ds.issues_of("out_of_range").sort_values("row")
    assert oor[["row", "column", "value"]].values.tolist() == [[4, "duo_cu2", 9], [8, "tiny_a3", 0]]
    assert set(oor["action"]) == {"set missing"}
    assert "outside the scale (1..7)" in oor["message"].iloc[0]
    assert np.isnan(ds.items.loc[4, "duo_cu2"]) and np.isnan(ds.items.loc[8, "tiny_a3"])
    # the raw frame keeps what the file said
    assert ds.raw.loc[4, "duo_cu2"] == "9"
    with pytest.raises(DataError) as err:
        read_responses(DATA / "bad_out_of_range.csv", instrument=inst, policy="strict")
    msg = str(err.value)
    assert "bad_out_of_range.csv, line 8, column 'tiny_a3'" in msg
    assert "value 0 is outside the scale (1..5)" in msg and "What to do:" in msg


def test_non_numeric_cell(inst):
    ds = read_responses(DATA / "bad_non_numeric.csv", instrument=inst)
    nn = ds.issues_of("non_numeric")
    assert nn[["row", "column", "value", "action"]].values.tolist() == [
        [6, "duo_co1", "abc", "set missing"]
    ]
    with pytest.raises(DataError, match=r"line 6, column 'duo_co1'"):
        read_responses(
            DATA / "bad_non_numeric.csv", instrument=inst, policy={"non_numeric": "error"}
        )


def test_duplicate_respondent_ids(inst):
    with pytest.raises(DataError) as err:
        read_responses(DATA / "bad_duplicate_id.csv", instrument=inst)
    assert "respondent id 'r03' appears more than once (lines 4, 9)" in str(err.value)
    assert "duplicate_id='flag'" in err.value.hint
    flagged = read_responses(DATA / "bad_duplicate_id.csv", instrument=inst, policy="lenient")
    dup = flagged.issues_of("duplicate_id")
    assert dup["row"].tolist() == [4, 9] and set(dup["action"]) == {"flagged"}
    assert flagged.n_kept == 12
    first = read_responses(
        DATA / "bad_duplicate_id.csv", instrument=inst, policy={"duplicate_id": "keep_first"}
    )
    assert first.n_kept == 11 and 9 not in first.items.index
    assert first.issues_of("duplicate_id")["action"].tolist() == ["flagged", "dropped"]


def test_quality_flags(inst):
    ds = read_responses(DATA / "bad_quality.csv", instrument=inst)
    kinds = ds.issues.set_index(["kind", "column"])
    assert kinds.loc[("zero_variance", "duo_co3"), "action"] == "flagged"
    # tiny_a1: 4 of 12 missing = 33.3 % > 10 %
    assert kinds.loc[("item_missing", "tiny_a1"), "value"] == pytest.approx(1 / 3, abs=1e-4)
    resp = ds.issues_of("respondent_missing")
    assert resp["row"].tolist() == [10] and resp["value"].iloc[0] == pytest.approx(0.6)
    assert ds.issues_of("unknown_column")["column"].tolist() == ["extra_col"]
    # nothing was changed: zero variance and missingness are only flagged
    assert ds.n_kept == 12 and (ds.items["duo_co3"] == 5).all()
    tight = read_responses(
        DATA / "bad_quality.csv", instrument=inst, policy={"max_item_missing": 0.5}
    )
    assert tight.issues_of("item_missing").empty
    with pytest.raises(DataError, match="extra_col"):
        read_responses(DATA / "bad_quality.csv", instrument=inst, policy="strict")


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("bad_ragged.csv", r"line 6: 22 fields but the header \(line 1\) has 20"),
        ("bad_quote.csv", r"line 2: .*record that starts on line 2"),
        ("bad_no_items.csv", "no item column matched"),
        ("bad_header_only.csv", "header but no responses"),
        ("bad_empty.csv", "the file is empty"),
        ("bad_not_excel.xlsx", "not readable as an Excel workbook"),
        ("nothing_here.csv", "file not found"),
        ("study.yaml", "cannot read '.yaml' files"),
    ],
)
def test_unreadable_files_raise_data_error(name, match, inst):
    with pytest.raises(DataError, match=match) as err:
        read_responses(DATA / name, instrument=inst)
    assert err.value.exit_code == 2 and err.value.hint
    assert name in str(err.value)


def test_missing_item_columns(inst, tmp_path):
    df = pd.read_csv(DATA / "moscale_download.csv").drop(columns=["duo_co3"])
    df.to_csv(tmp_path / "short.csv", index=False)
    ds = read_responses(tmp_path / "short.csv", instrument=inst)
    assert ds.issues_of("missing_column")["column"].tolist() == ["duo_co3"]
    assert ds.dimensions["duo.co"] == ["duo_co1", "duo_co2"]
    with pytest.raises(DataError, match="no column for item 'duo_co3'"):
        read_responses(tmp_path / "short.csv", instrument=inst, policy="strict")


def test_policy_values_are_checked():
    with pytest.raises(UserError, match="out_of_range"):
        DataPolicy(out_of_range="ignore")
    with pytest.raises(UserError, match="unknown policy setting"):
        DataPolicy.coerce({"nonsense": 1})
    with pytest.raises(UserError, match="unknown data policy"):
        DataPolicy.coerce("paranoid")
    with pytest.raises(UserError, match="share"):
        DataPolicy(max_item_missing=5)
    assert DataPolicy.coerce("strict").out_of_range == "error"
    assert DataPolicy.coerce(None) == DataPolicy()


# --- without an instrument -------------------------------------------------------------------------


def test_item_list_and_reverse_without_instrument():
    df = pd.DataFrame({"q1": [1, 2, 5, 4], "q2": [5, 4, 1, 2], "grp": ["a", "b", "a", "b"]})
    ds = read_responses(df, items=["q1", "q2"], reverse=["q2"], scale_range=(1, 5), groups=["grp"])
    assert ds.dimensions == {"items": ["q1", "q2"]}
    assert ds.items["q2"].tolist() == [1.0, 2.0, 5.0, 4.0]
    assert ds.reversed == {"q2": (1.0, 5.0)} and ds.groups == ["grp"]
    assert ds.background.columns.tolist() == ["grp"]
    # out-of-range against a stated range
    df.loc[0, "q1"] = 9
    ds = read_responses(df, items=["q1", "q2"], scale_range=(1, 5))
    assert ds.issues_of("out_of_range")["row"].tolist() == [1]


def test_observed_range_is_recorded_not_guessed_silently():
    df = pd.DataFrame({"q1": [2, 3, 4], "q2": [4, 3, 2]})
    ds = read_responses(df, items=["q1", "q2"], reverse=["q2"])
    inferred = ds.issues_of("range_inferred").set_index("column")
    assert inferred.loc["q2", "value"] == "2..4"
    assert "to reverse it" in inferred.loc["q2", "message"]
    assert ds.items["q2"].tolist() == [2.0, 3.0, 4.0]  # 2 + 4 - x


def test_spss_value_labels_give_the_range_without_instrument():
    ds = read_responses(DATA / "responses.sav", items=["duo_cu1", "duo_cu3"], reverse=["duo_cu3"])
    assert ds.scale_range["duo_cu3"] == (1, 7)  # labels 1..7; -99 is user-missing
    assert ds.issues_of("range_inferred").empty


def test_lavaan_model_says_which_columns_are_items():
    model = """
    # two factors and a second-order one
    CU =~ duo_cu1 + duo_cu2 + 0.5*duo_cu3
         + duo_cu4
    CO =~ duo_co1 + duo_co2 + NA*duo_co3; MO =~ CU + CO
    duo_cu1 ~~ duo_cu2
    """
    ds = read_responses(DATA / "moscale_download.csv", model=model)
    assert ds.dimensions == {"CU": ITEMS[3:7], "CO": ITEMS[7:]}
    assert ds.higher_order == {"MO": ["CU", "CO"]}
    assert ds.reversed == {}  # nothing reversed without being told
    dims, higher = model_structure("F =~ a + b\nG =~ c + d")
    assert dims == {"F": ["a", "b"], "G": ["c", "d"]} and higher == {}
    with pytest.raises(DataError, match=r"not in the data: duo_cu9(.|\n)*did you mean 'duo_cu4'"):
        read_responses(DATA / "moscale_download.csv", model="F =~ duo_cu1 + duo_cu9")
    with pytest.raises(UserError, match="'=~'"):
        model_structure("y ~ x")


def test_argument_errors(inst):
    with pytest.raises(UserError, match="which columns are items"):
        read_responses(DATA / "moscale_download.csv")
    with pytest.raises(UserError, match="not both"):
        read_responses(DATA / "moscale_download.csv", instrument=inst, items=["tiny_a1"])
    with pytest.raises(UserError, match="reverse= is for data without an instrument"):
        read_responses(DATA / "moscale_download.csv", instrument=inst, reverse=["tiny_a1"])
    with pytest.raises(UserError, match="not items"):
        read_responses(DATA / "moscale_download.csv", items=["tiny_a1"], reverse=["tiny_a3"])
    with pytest.raises(DataError, match="no cluster"):
        read_responses(DATA / "moscale_download.csv", items=["tiny_a1"], cluster="firma")


def test_subset_records_exclusions(base):
    keep = np.ones(base.n_kept, dtype=bool)
    keep[:3] = False
    sub = base.subset(keep, "manual")
    assert sub.n_kept == 9 and sub.exclusions == {"manual": 3}
    assert sub.background.index.equals(sub.items.index)
    assert "excluded by manual: 3" in sub.summary()
    with pytest.raises(UserError):
        base.subset([True], "x")


def test_instrument_path_and_json_summary(base):
    ds = read_responses(DATA / "moscale_download.csv", instrument=str(DATA / "study.yaml"))
    d = ds.to_dict()
    assert d["n_read"] == 12 and d["platform"] == "moscale" and d["cluster"] == "firm"
    json.dumps(d)  # JSON-ready
    assert ds.issue_summary().empty
