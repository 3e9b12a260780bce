"""End-to-end fixtures: the command line run through click's CliRunner, and the report's HTML parsed.

The expensive runs (``moscale demo``, ``moscale analyze`` on bfi) happen once a session and are
shared by the tests that read their outputs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from moscale.analysis.pipeline import SECTION_MODULES
from moscale.cli import main

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
BFI = DATA / "bfi.csv"
BFI_MODEL = DATA / "bfi_five.lav"
#: The ten numbered sections of a report, in order (section ids are the module names).
SECTION_IDS: tuple[str, ...] = SECTION_MODULES

#: The exact options of the bfi run; tests that recompute its figures use the same ones.
BFI_BOOTSTRAP = 200
BFI_ARGS = ("--group", "gender", "--ordinal", "yes", "--bootstrap", str(BFI_BOOTSTRAP))


def demo_csv_bytes() -> bytes:
    return (resources.files("moscale.analysis") / "data" / "demo_responses.csv").read_bytes()


def invoke(*args: str) -> Result:
    """``moscale <args>`` in-process; stdout and stderr are kept apart (click >= 8.2)."""
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def ok(result: Result) -> Result:
    assert result.exit_code == 0, f"exit code {result.exit_code}\n{result.output}"
    return result


# --------------------------------------------------------------------------------------------------
# The report's HTML, parsed


_SCHEME = re.compile(r"^\s*(?:[a-z][a-z0-9+.\-]*:|//)", re.IGNORECASE)
_URL_ATTRS = {"src", "href", "xlink:href", "action", "formaction", "poster", "data", "srcset"}
_CSS_URL = re.compile(r"url\(\s*['\"]?\s*([^'\")\s]*)", re.IGNORECASE)


@dataclass
class ParsedReport:
    """What the tests need from a report page."""

    html: str
    lang: str | None = None
    sections: list[str] = field(default_factory=list)  # ids of <section> elements, in order
    titles: dict[str, str] = field(default_factory=dict)  # section id -> text of its <h2>
    urls: list[tuple[str, str, str]] = field(default_factory=list)  # (tag, attribute, value)
    css: list[str] = field(default_factory=list)  # <style> contents and style="" attributes
    scripts: list[str] = field(default_factory=list)  # inline script bodies
    tags: list[str] = field(default_factory=list)  # every start tag, in order
    text: str = ""  # the visible text, entities decoded

    def external_references(self) -> list[str]:
        """Every reference the page would load or link outside itself (``data:`` and ``#`` stay)."""
        found = [
            f"<{tag} {attr}={value!r}>"
            for tag, attr, value in self.urls
            if _SCHEME.match(value) and not value.strip().lower().startswith("data:")
        ]
        for css in self.css:
            if "@import" in css:
                found.append("@import in CSS")
            for target in _CSS_URL.findall(css):
                if _SCHEME.match(target) and not target.lower().startswith("data:"):
                    found.append(f"url({target}) in CSS")
        return found


class _Parser(HTMLParser):
    def __init__(self, page: ParsedReport):
        super().__init__(convert_charrefs=True)
        self.page = page
        self._raw: str | None = None  # "script" or "style" while inside one
        self._h2_of: str | None = None
        self._h2: list[str] = []
        self._section: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        page = self.page
        page.tags.append(tag)
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            page.lang = a.get("lang")
        if tag == "section" and "id" in a:
            page.sections.append(a["id"])
            self._section = a["id"]
        if tag == "h2" and self._section and self._section not in page.titles:
            self._h2_of, self._h2 = self._section, []
        if tag in ("script", "style"):
            self._raw = tag
            if tag == "script" and a.get("src"):
                page.urls.append((tag, "src", a["src"]))
        for k, v in a.items():
            if k in _URL_ATTRS:
                page.urls.append((tag, k, v))
            if k == "style":
                page.css.append(v)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._raw = None
        if tag == "h2" and self._h2_of:
            self.page.titles[self._h2_of] = " ".join("".join(self._h2).split())
            self._h2_of = None

    def handle_data(self, data: str) -> None:
        if self._raw == "script":
            self.page.scripts.append(data)
        elif self._raw == "style":
            self.page.css.append(data)
        else:
            self._text.append(data)
            if self._h2_of:
                self._h2.append(data)

    def close(self) -> None:
        super().close()
        self.page.text = " ".join(" ".join(self._text).split())


def parse_report(html: str) -> ParsedReport:
    page = ParsedReport(html=html)
    parser = _Parser(page)
    parser.feed(html)
    parser.close()
    return page


# --------------------------------------------------------------------------------------------------
# Runs shared by the tests


@dataclass
class Run:
    folder: Path
    html_path: Path
    json_path: Path
    result: Result

    @property
    def html(self) -> str:
        return self.html_path.read_text(encoding="utf-8")

    @property
    def page(self) -> ParsedReport:
        return parse_report(self.html)

    @property
    def report(self) -> dict[str, Any]:
        return json.loads(self.json_path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> Run:
    """``moscale demo -o <tmp>/out``: the whole journey on the bundled example."""
    out = tmp_path_factory.mktemp("demo") / "out"
    result = ok(invoke("demo", "-o", out))
    return Run(out, out / "report.html", out / "results.json", result)


@pytest.fixture(scope="session")
def bfi_run(tmp_path_factory) -> Run:
    """``moscale analyze tests/data/bfi.csv --model tests/data/bfi_five.lav --group gender
    --ordinal yes --bootstrap 200``."""
    out = tmp_path_factory.mktemp("bfi")
    html, js = out / "bfi.html", out / "bfi.json"
    result = ok(
        invoke("analyze", BFI, "--model", BFI_MODEL, *BFI_ARGS, "--json", js, "-o", html, "--quiet")
    )
    return Run(out, html, js, result)


@pytest.fixture(scope="session")
def bfi_data() -> pd.DataFrame:
    return pd.read_csv(BFI)


@pytest.fixture(scope="session")
def bfi_model() -> str:
    return BFI_MODEL.read_text(encoding="utf-8")
