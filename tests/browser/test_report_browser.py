"""The demo report in a real browser: no request but the page itself, no console error, every SVG
figure drawn, a full-page screenshot, and a printed A4 PDF in which no table is split across pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from moscale.cli import main

pytestmark = pytest.mark.browser

# page.pdf() below prints A4 with 15 mm margins; CSS pixels are 1/96 in.
MM = 96 / 25.4
A4_WIDTH_MM, A4_HEIGHT_MM, MARGIN_MM = 210, 297, 15
PRINT_WIDTH = round((A4_WIDTH_MM - 2 * MARGIN_MM) * MM)  # 680 px
PRINT_HEIGHT = (A4_HEIGHT_MM - 2 * MARGIN_MM) * MM  # 1009.1 px

TABLE_BOXES = """() => [...document.querySelectorAll('figure.apa-table')].map(f => {
  const r = f.getBoundingClientRect();
  const t = f.querySelector('table');
  const head = t.querySelector('thead');
  const rows = [...t.querySelectorAll('tr')];
  return {id: f.id, height: r.height, display: getComputedStyle(f).display,
          breakInside: getComputedStyle(f).breakInside,
          tableWidth: t.scrollWidth, wrapWidth: t.parentElement.clientWidth,
          headDisplay: head ? getComputedStyle(head).display : null,
          rowBreak: [...new Set(rows.map(tr => getComputedStyle(tr).breakInside))],
          tallestRow: Math.max(...rows.map(tr => tr.getBoundingClientRect().height))};
})"""

SVG_BOXES = """() => [...document.querySelectorAll('svg')].map(s => {
  const r = s.getBoundingClientRect();
  const fig = s.closest('figure');
  return {figure: fig ? fig.id : null, width: r.width, height: r.height,
          drawn: s.querySelectorAll('path, rect, line, circle, polyline, polygon, text').length};
})"""


class Watch:
    """Everything the page asks the network for, and every console error."""

    def __init__(self, page):
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "out"
    result = CliRunner().invoke(main, ["demo", "-o", str(out), "--quiet"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out / "report.html"


@pytest.fixture
def screen_page(chromium_browser, demo_report):
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    watch = Watch(page)
    page.goto(demo_report.as_uri())
    page.wait_for_load_state("load")
    yield page, watch, demo_report.as_uri()
    context.close()


def test_report_loads_nothing_and_logs_no_error(screen_page, output_dir):
    page, watch, url = screen_page
    assert watch.requests == [url]  # the page itself; CSS, SVG and script are inline
    assert watch.errors == []
    assert page.evaluate("document.documentElement.lang") == "en"
    ids = page.evaluate("[...document.querySelectorAll('main > section')].map(s => s.id)")
    assert ids[0] == "summary" and len(ids) == 11, ids
    page.screenshot(path=str(output_dir / "report.png"), full_page=True)
    assert (output_dir / "report.png").stat().st_size > 10_000
    # the top of the report, 1280 px wide, for the README (docs/screenshots/report.png)
    top = {"x": 0, "y": 0, "width": 1280, "height": 1800}
    page.screenshot(path=str(output_dir / "report_top.png"), clip=top, full_page=True)


def test_every_svg_figure_is_drawn(screen_page):
    page, _, _ = screen_page
    boxes = page.evaluate(SVG_BOXES)
    figures = page.evaluate("document.querySelectorAll('figure.report-figure').length")
    assert figures >= 5, "the demo report has missingness, Likert, scree, path and group figures"
    in_figures = [b for b in boxes if b["figure"]]
    assert len({b["figure"] for b in in_figures}) == figures  # every figure holds an SVG
    empty = [b for b in boxes if not (b["width"] > 0 and b["height"] > 0 and b["drawn"] > 0)]
    assert empty == [], f"SVGs with an empty box or nothing drawn: {empty}"


@pytest.fixture(scope="module")
def print_layout(chromium_browser, demo_report):
    """The report laid out as printed on A4: print media, the printable width (15 mm margins)."""
    context = chromium_browser.new_context(viewport={"width": PRINT_WIDTH, "height": 1000})
    page = context.new_page()
    watch = Watch(page)
    page.goto(demo_report.as_uri())
    page.emulate_media(media="print")
    tables = page.evaluate(TABLE_BOXES)
    yield page, watch, tables
    context.close()


def test_tables_that_fit_a_page_are_not_split(print_layout):
    """A table no taller than a page asks not to be split (break-inside: avoid), so Chromium keeps
    it on one page."""
    _, _, tables = print_layout
    assert len(tables) >= 10
    hidden = [t["id"] for t in tables if t["display"] == "none" or t["height"] == 0]
    assert hidden == [], f"tables not printed: {hidden}"
    short = [t for t in tables if t["height"] < PRINT_HEIGHT]
    assert len(short) >= len(tables) // 2
    split = [(t["id"], t["breakInside"]) for t in short if t["breakInside"] != "avoid"]
    assert split == [], f"tables that fit a page but may be split: {split}"


def test_longer_tables_break_only_between_rows(print_layout):
    """A table taller than a page (35 loadings, 120 firms) must break; it may break only between
    rows (break-inside: avoid on every row, no row taller than a page) and repeats its header on
    every page (thead is a table-header-group)."""
    _, _, tables = print_layout
    problems = []
    for t in (t for t in tables if t["height"] >= PRINT_HEIGHT):
        if t["rowBreak"] != ["avoid"]:
            problems.append((t["id"], f"rows may split: break-inside {t['rowBreak']}"))
        if t["tallestRow"] >= PRINT_HEIGHT:
            problems.append((t["id"], "a row taller than a page"))
        if t["headDisplay"] != "table-header-group":
            problems.append((t["id"], f"header not repeated ({t['headDisplay']})"))
    assert problems == [], problems


def test_no_table_is_wider_than_the_page(print_layout):
    """Content wider than the page is clipped in print: every table fits the printable width."""
    _, _, tables = print_layout
    wide = [(t["id"], t["tableWidth"]) for t in tables if t["tableWidth"] > PRINT_WIDTH]
    assert wide == [], f"wider than the printable width of A4 ({PRINT_WIDTH} px): {wide}"


def test_prints_to_an_a4_pdf(print_layout, output_dir):
    page, watch, _ = print_layout
    margin = f"{MARGIN_MM}mm"
    pdf = page.pdf(
        format="A4",
        margin={"top": margin, "bottom": margin, "left": margin, "right": margin},
        print_background=True,
    )
    (output_dir / "report.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF-")
    pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    assert pages >= 5, f"{pages} pages"
    assert watch.errors == []
    assert len(watch.requests) == 1  # the page itself
