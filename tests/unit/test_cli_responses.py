"""Malformed response files through the command line: one clear message, exit code 2, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from moscale.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "responses"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("bad_ragged.csv", "line 6: 22 fields but the header (line 1) has 20"),
        ("bad_no_items.csv", "no item column matched"),
        ("bad_header_only.csv", "header but no responses"),
        ("bad_empty.csv", "the file is empty"),
        ("bad_not_excel.xlsx", "not readable as an Excel workbook"),
        ("bad_duplicate_id.csv", "duplicate"),
    ],
)
def test_malformed_file_exits_2_with_its_message(name, message, tmp_path):
    result = CliRunner().invoke(
        main,
        [
            "analyze",
            str(DATA / name),
            "--instrument",
            str(DATA / "study.yaml"),
            "--quiet",
            "-o",
            str(tmp_path / "r.html"),
        ],
    )
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert name in result.output  # the message names the file
    assert not (tmp_path / "r.html").exists()  # nothing written


def test_missing_data_file_and_missing_item_source(tmp_path):
    runner = CliRunner()
    r = runner.invoke(main, ["analyze", str(tmp_path / "nope.csv"), "--model", "F =~ a + b + c"])
    assert r.exit_code == 2 and "file not found" in r.output
    f = tmp_path / "d.csv"
    f.write_text("a,b,c\n1,2,3\n")
    r = runner.invoke(main, ["analyze", str(f)])
    assert r.exit_code == 2 and "--instrument" in r.output
