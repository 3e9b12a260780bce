"""Write the response fixtures in this folder (run from the repository root:
``python tests/data/responses/make_fixtures.py``). Deterministic; the files are committed.

All files hold the same 12 respondents of ``study.yaml`` (tiny scale: 3 five-point items, tiny_a2
reverse-keyed; duo scale: 7 seven-point items in two dimensions, duo_cu3 reverse-keyed; an attention
check duo_check expecting 6; firm (cluster), industry (group), channel (multiple choice)), in the
shapes the reader must recognise, plus malformed files, one problem each.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

HERE = Path(__file__).parent
TINY = ["tiny_a1", "tiny_a2", "tiny_a3"]
DUO = ["duo_cu1", "duo_cu2", "duo_cu3", "duo_cu4", "duo_co1", "duo_co2", "duo_co3"]
ITEMS = TINY + DUO
EN7 = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Somewhat disagree",
    4: "Neither",
    5: "Somewhat agree",
    6: "Agree",
    7: "Strongly agree",
}


def base() -> pd.DataFrame:
    rng = np.random.default_rng(20240601)
    n = 12
    firm = np.repeat([1, 2, 3, 4], 3)
    level = np.array([0.8, -0.6, 0.2, -0.2])[firm - 1] + rng.normal(0, 0.5, n)
    data: dict[str, object] = {
        "respondent_id": [f"r{i + 1:02d}" for i in range(n)],
        "lang": ["en", "fi"] * 6,
        "started": [f"2026-03-02T09:{i:02d}:00Z" for i in range(n)],
    }
    dur = rng.integers(150, 400, n)
    dur[10] = 12  # a speeder: about 1 s per item
    data["submitted"] = [
        (pd.Timestamp(s) + pd.Timedelta(seconds=int(d))).strftime("%Y-%m-%dT%H:%M:%SZ")
        for s, d in zip(data["started"], dur, strict=True)
    ]
    data["duration_s"] = dur
    for item in ITEMS:
        pts = 5 if item in TINY else 7
        mid = (pts + 1) / 2
        rev = item in ("tiny_a2", "duo_cu3")
        z = level + rng.normal(0, 0.6, n)
        x = np.clip(np.rint(mid + (-z if rev else z) * (pts - 1) / 4), 1, pts).astype(int)
        data[item] = x
    df = pd.DataFrame(data)
    df.loc[10, ITEMS] = [3, 3, 3, 4, 4, 4, 4, 4, 4, 4]  # the speeder straight-lines
    df["duo_check"] = 6
    df.loc[[4, 10], "duo_check"] = [2, 4]
    df["firm"] = firm
    df["industry"] = np.where(firm % 2 == 1, 1, 2)
    df["channel_1"] = (np.arange(n) % 2).astype(int)
    df["channel_2"] = (np.arange(n) % 3 == 0).astype(int)
    cols = ["respondent_id", "lang", "started", "submitted", "duration_s"]
    cols += TINY + ["duo_cu1", "duo_cu2", "duo_check", "duo_cu3", "duo_cu4"] + DUO[4:]
    cols += ["firm", "industry", "channel_1", "channel_2"]
    return df[cols]


def write_csv(df: pd.DataFrame, name: str, **kw) -> None:
    df.to_csv(HERE / name, index=False, lineterminator="\n", **kw)


def qualtrics(df: pd.DataFrame) -> None:
    """Three header rows; items under Qualtrics-style export tags; a preview and an unfinished row;
    answers exported as choice text."""
    tags = {i: i.upper().replace("_", "_") for i in ITEMS}  # DUO_CU1 etc.: matched ignoring case
    meta = {
        "StartDate": ("Start Date", '{"ImportId":"startDate","timeZone":"Europe/Helsinki"}'),
        "EndDate": ("End Date", '{"ImportId":"endDate","timeZone":"Europe/Helsinki"}'),
        "Status": ("Response Type", '{"ImportId":"status"}'),
        "IPAddress": ("IP Address", '{"ImportId":"ipAddress"}'),
        "Progress": ("Progress", '{"ImportId":"progress"}'),
        "Duration (in seconds)": ("Duration (in seconds)", '{"ImportId":"duration"}'),
        "Finished": ("Finished", '{"ImportId":"finished"}'),
        "RecordedDate": ("Recorded Date", '{"ImportId":"recordedDate"}'),
        "ResponseId": ("Response ID", '{"ImportId":"_recordId"}'),
        "UserLanguage": ("User Language", '{"ImportId":"userLanguage"}'),
    }
    out = pd.DataFrame(
        {
            "StartDate": df["started"],
            "EndDate": df["submitted"],
            "Status": "IP Address",
            "IPAddress": "192.0.2.1",
            "Progress": 100,
            "Duration (in seconds)": df["duration_s"],
            "Finished": "True",
            "RecordedDate": df["submitted"],
            "ResponseId": ["R_" + r for r in df["respondent_id"]],
            "UserLanguage": df["lang"].str.upper(),
        }
    )
    header2 = [meta[c][0] for c in out.columns]
    header3 = [meta[c][1] for c in out.columns]
    for q, item in enumerate(ITEMS + ["duo_check"], start=1):
        tag = tags.get(item, item.upper())
        out[tag] = df[item]
        header2.append(f"Please rate - statement {q}")
        header3.append(json.dumps({"ImportId": f"QID{q}_1"}, separators=(",", ":")))
    for col in ("firm", "industry"):
        out[col] = df[col]
        header2.append(col.title())
        header3.append(json.dumps({"ImportId": f"QID9{col[0]}"}, separators=(",", ":")))
    out = out.astype(object)
    # choice text instead of codes for respondent 2's duo answers
    for item in DUO:
        tag = tags[item]
        out.loc[1, tag] = EN7[int(df.loc[1, item])]
    out.loc[0, "Status"] = "Survey Preview"
    out.loc[3, "Finished"] = "False"
    out.loc[3, "Progress"] = 55
    rows = [list(out.columns), header2, header3] + out.astype(str).values.tolist()
    text = "\n".join(",".join(_q(c) for c in r) for r in rows) + "\n"
    (HERE / "qualtrics.csv").write_text(text, encoding="utf-8-sig")


def _q(c: str) -> str:
    if any(ch in c for ch in ',"\n'):
        return '"' + c.replace('"', '""') + '"'
    return c


def limesurvey(df: pd.DataFrame) -> None:
    """``QCODE[SQCODE]`` headings, ``submitdate`` empty for an incomplete response, semicolons."""
    out = pd.DataFrame(
        {
            "id": range(1, len(df) + 1),
            "submitdate": df["submitted"].str.replace("T", " ").str.replace("Z", ""),
            "lastpage": 3,
            "startlanguage": df["lang"],
            "seed": 12345,
            "startdate": df["started"],
        }
    )
    for item in ITEMS:
        block, code = item.split("_", 1)
        out[f"{block.upper()}[{code.upper()}]"] = df[item]
    out["DUO[CHECK]"] = df["duo_check"]
    out["firm"] = df["firm"]
    out["industry"] = df["industry"]
    out.loc[5, "submitdate"] = None
    out.loc[5, "lastpage"] = 1
    write_csv(out, "limesurvey.csv", sep=";")


def main() -> None:
    df = base()
    write_csv(df, "moscale_download.csv")

    # UTF-8 with BOM, semicolons, Finnish answer labels and "don't know" as text and as -99
    bom = df.astype(object).copy()
    bom.loc[1, "duo_cu1"] = "Samaa mieltä"
    bom.loc[2, "duo_co2"] = "En osaa sanoa"
    bom.loc[3, "duo_co3"] = -99
    bom.loc[5, "tiny_a1"] = "Täysin samaa mieltä"
    bom.to_csv(HERE / "bom_semicolon.csv", index=False, sep=";", encoding="utf-8-sig")

    # cp1252 with a tab delimiter and a text column that is not valid UTF-8
    cp = df.copy()
    cp["comment"] = ["Hyvä", "", "Näin €", "", "", "", "", "", "", "", "", "Öljy"]
    cp.to_csv(HERE / "cp1252_tab.csv", index=False, sep="\t", encoding="cp1252")

    qualtrics(df)
    limesurvey(df)

    df.to_excel(HERE / "responses.xlsx", index=False)
    df.to_parquet(HERE / "responses.parquet", index=False)
    labels7 = {float(k): v for k, v in EN7.items()} | {-99.0: "Don't know"}
    labels5 = {1.0: "Strongly disagree", 5.0: "Strongly agree", -99.0: "Don't know"}
    vvl = {i: labels5 for i in TINY} | {i: labels7 for i in DUO}
    sav = df.copy()
    sav.loc[0, "duo_cu4"] = -99  # user-missing in SPSS
    pyreadstat.write_sav(
        sav,
        HERE / "responses.sav",
        variable_value_labels=vvl,
        missing_ranges={i: [-99] for i in ITEMS},
    )
    pyreadstat.write_sav(sav, HERE / "responses.zsav", compress=True, variable_value_labels=vvl)
    pyreadstat.write_dta(df, HERE / "responses.dta", variable_value_labels=vvl | {})

    # malformed files, one problem each
    bad = df.copy().astype(object)
    bad.loc[2, "duo_cu2"] = 9  # file line 4
    bad.loc[6, "tiny_a3"] = 0  # file line 8
    write_csv(bad, "bad_out_of_range.csv")
    bad = df.copy().astype(object)
    bad.loc[4, "duo_co1"] = "abc"  # line 6
    write_csv(bad, "bad_non_numeric.csv")
    bad = df.copy()
    bad.loc[7, "respondent_id"] = "r03"  # lines 4 and 9
    write_csv(bad, "bad_duplicate_id.csv")
    bad = df.copy().astype(object)
    bad["duo_co3"] = 5  # no variance
    bad.loc[[0, 1, 2], "tiny_a1"] = None  # 25 % missing
    bad.loc[8, ITEMS[:6]] = None  # respondent on line 10 misses 6 of 10
    bad["extra_col"] = 1
    write_csv(bad, "bad_quality.csv")
    text = (HERE / "moscale_download.csv").read_text().splitlines()
    text[5] = text[5] + ",7,7"
    (HERE / "bad_ragged.csv").write_text("\n".join(text) + "\n")
    (HERE / "bad_quote.csv").write_text('a,b\n1,"2\n3,4\n')
    write_csv(df.rename(columns=lambda c: "x_" + c), "bad_no_items.csv")
    (HERE / "bad_header_only.csv").write_text(",".join(df.columns) + "\n")
    (HERE / "bad_empty.csv").write_text("")
    (HERE / "bad_not_excel.xlsx").write_bytes(b"this is not a zip file")


if __name__ == "__main__":
    main()
