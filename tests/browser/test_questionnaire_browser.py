"""The questionnaire in a real browser: no requests, no errors, reflow at 320 px, answered with the
keyboard alone, and the downloaded (or posted) answers carry the codebook's columns and the codes
chosen."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from urllib.parse import parse_qs

import pytest

import moscale as ms
from moscale.instrument.codebook import column_names
from moscale.instrument.html import render_html
from moscale.instrument.loader import parse_study_text

pytestmark = pytest.mark.browser

STUDIES = Path(__file__).resolve().parents[1] / "data" / "studies"
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

FOCUS = """() => {
  const e = document.activeElement;
  return {tag: e.tagName, type: e.type || null, name: e.name || null, id: e.id || null};
}"""


class Watch:
    """Everything the page asks the network for, and every console error."""

    def __init__(self, page):
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))


def open_page(browser, tmp_path: Path, study, width: int = 1100):
    inst = (
        study if isinstance(study, ms.Instrument) else ms.load_instrument(STUDIES / f"{study}.yaml")
    )
    path = tmp_path / f"{inst.id}_en.html"
    path.write_text(render_html(inst, "en"), encoding="utf-8")
    context = browser.new_context(viewport={"width": width, "height": 900}, accept_downloads=True)
    page = context.new_page()
    watch = Watch(page)
    page.goto(path.as_uri())
    return inst, page, watch, path.as_uri()


def answer_with_keyboard(page, radios=None, checks=(), typed=None, stop="ms-submit") -> list[str]:
    """Tab through the form until ``stop`` has focus, answering on the way with Space, the arrow
    keys and typing only. Returns the names of the fields passed, in tab order."""
    radios, typed = radios or {}, typed or {}
    passed: list[str] = []
    for _ in range(300):
        page.keyboard.press("Tab")
        f = page.evaluate(FOCUS)
        if f["id"] == stop:
            return passed
        name = f["name"]
        if f["type"] == "radio":
            values = page.evaluate(
                "n => [...document.getElementsByName(n)].map(e => e.value)", name
            )
            # tabbing into a group with nothing checked lands on its first option
            assert f["id"] == f"ms-{name}-{values[0]}", f
            if name in radios:
                page.keyboard.press("Space")  # checks the first option
                for _ in range(values.index(str(radios[name]))):
                    page.keyboard.press("ArrowDown")  # moves to, and checks, the next option
        elif f["type"] == "checkbox":
            if name in checks:
                page.keyboard.press("Space")
        elif f["type"] in ("text", "number"):
            if name in typed:
                page.keyboard.type(typed[name])
        else:
            raise AssertionError(f"unexpected focus stop {f}")
        passed.append(name)
    raise AssertionError(f"{stop} never received focus")


def tab_to(page, element_id: str, limit: int = 50) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUS)["id"] == element_id:
            return
    raise AssertionError(f"#{element_id} never received focus")


def read_download(download) -> tuple[str, list[str], list[str]]:
    raw = Path(download.path()).read_bytes().decode("utf-8")
    header, row = list(csv.reader(io.StringIO(raw, newline="")))
    return raw, header, row


def shown_order(page, block_id: str) -> str:
    return page.evaluate(
        "b => [...document.querySelectorAll('#ms-rows-' + b + ' > [data-ms-id]')]"
        ".map(e => e.dataset.msId).join(';')",
        block_id,
    )


def box_sizes(page) -> list[list[float]]:
    return page.evaluate(
        "() => [...document.querySelectorAll('input[type=radio], input[type=checkbox]')]"
        ".map(e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; })"
    )


def test_fill_with_keyboard_and_download(chromium_browser, tmp_path, output_dir):
    inst, page, watch, url = open_page(chromium_browser, tmp_path, "tiny_study")
    form_valid = "document.getElementById('ms-form').checkValidity()"
    assert page.evaluate(form_valid) is False  # hard-required statements are still open

    # wide screen: the matrix (statement beside its answers), every box at least 24 x 24 px
    assert all(w >= 24 and h >= 24 for w, h in box_sizes(page))
    legend_w, fieldset_w = page.evaluate(
        "() => [document.querySelector('#ms-q-tiny_a1 legend').offsetWidth,"
        " document.querySelector('#ms-q-tiny_a1').offsetWidth]"
    )
    assert legend_w < 0.5 * fieldset_w
    # the point labels are hidden under the column header but still name every radio
    group = page.get_by_role("group", name="Item two", exact=True)
    assert group.get_by_role("radio", name="Strongly agree", exact=True).count() == 1
    assert group.get_by_role("radio", name="Don't know", exact=True).count() == 1

    radios = {
        "tiny_a1": 2,
        "tiny_a2": -99,  # don't know
        "tiny_a3": 5,
        "ac1": 4,
        "sev_p1": 7,
        "sev_p2": 1,
        "sev_q1": 3,
        "sev_q2": 6,
        "industry": 2,
    }
    typed = {"employees": "250", "firm": 'Acme, "Oy"'}
    passed = answer_with_keyboard(page, radios, checks={"channels_1", "channels_3"}, typed=typed)
    order = shown_order(page, "first")
    assert sorted(order.split(";")) == ["ac1", "tiny_a1", "tiny_a2", "tiny_a3"]
    # tab order follows the order shown
    assert passed[:4] == order.split(";")
    assert page.evaluate(form_valid) is True

    page.evaluate("window.scrollTo(0, 0)")  # sticky column headers drawn where they belong
    page.screenshot(path=str(output_dir / "questionnaire_wide.png"), full_page=True)

    with page.expect_download() as info:
        page.keyboard.press("Enter")  # the focused "Download my answers" button
    download = info.value
    raw, header, row = read_download(download)
    assert header == column_names(inst)
    data = dict(zip(header, row, strict=True))
    for name, code in radios.items():
        assert data[name] == str(code), name
    assert (data["channels_1"], data["channels_2"], data["channels_3"]) == ("1", "0", "1")
    assert data["employees"] == "250"
    assert data["firm"] == 'Acme, "Oy"'
    assert '"Acme, ""Oy"""' in raw  # RFC 4180 quoting
    assert raw.endswith("\r\n") and raw.count("\r\n") == 2
    assert data["first_order"] == order
    assert re.fullmatch(r"[0-9a-f]{16}", data["respondent_id"])
    assert data["lang"] == "en"
    assert ISO.match(data["started"]) and ISO.match(data["submitted"])
    assert data["started"] <= data["submitted"]
    assert int(data["duration_s"]) >= 0
    assert download.suggested_filename == f"tinystudy_{data['respondent_id']}.csv"
    assert download.suggested_filename in page.text_content("#ms-status")
    assert page.is_visible("#ms-closing")

    # narrow screen: stacked answers, no horizontal scrolling, targets still 24 x 24
    page.set_viewport_size({"width": 320, "height": 700})
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.body.scrollWidth]"
    )
    assert max(widths) <= 320, widths
    assert all(w >= 24 and h >= 24 for w, h in box_sizes(page))
    assert page.evaluate(
        "() => document.querySelector('#ms-q-tiny_a1 legend').offsetWidth"
        " >= document.querySelector('#ms-q-tiny_a1').offsetWidth - 1"
    )
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(output_dir / "questionnaire_320.png"), full_page=True)

    assert watch.errors == []
    assert watch.requests == [url]  # the page itself, nothing else
    page.context.close()


def test_soft_prompt_lists_unanswered_and_allows_continuing(chromium_browser, tmp_path):
    inst, page, watch, url = open_page(chromium_browser, tmp_path, "soft_study", width=320)
    answer_with_keyboard(page, {"tiny_a1": 1})
    page.keyboard.press("Enter")
    # the list of unanswered statements appears and takes focus; nothing is downloaded yet
    assert page.evaluate(FOCUS)["id"] == "ms-unanswered"
    assert page.text_content("#ms-unanswered [data-ms-count]") == "2"
    links = page.eval_on_selector_all("#ms-unanswered a", "as => as.map(a => a.textContent)")
    assert links == ["Item two", "Item three"]
    # a link takes the respondent to the statement
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate(FOCUS)["id"] == "ms-tiny_a2-1"
    page.keyboard.press("Space")
    tab_to(page, "ms-continue")
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    _, header, row = read_download(info.value)
    assert header == column_names(inst)
    data = dict(zip(header, row, strict=True))
    assert (data["tiny_a1"], data["tiny_a2"], data["tiny_a3"]) == ("1", "1", "")  # empty = missing
    assert page.is_hidden("#ms-unanswered")
    assert page.text_content("#ms-closing").strip() == "Thanks!"
    assert watch.errors == []
    assert watch.requests == [url]
    page.context.close()


def test_form_posts_the_codebook_fields_to_the_submit_url(chromium_browser, tmp_path):
    inst, page, watch, url = open_page(chromium_browser, tmp_path, "post_study")
    posted: list[str] = []

    def collect(route):
        # nothing leaves the machine: the "server" is this handler
        posted.append(route.request.post_data or "")
        route.fulfill(status=200, content_type="text/plain", body="received")

    page.route("https://survey.example.org/**", collect)
    answer_with_keyboard(page, {"tiny_a1": 3, "tiny_a3": -99}, typed={"rid": "P-017"})
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert len(posted) == 1
    fields = {k: v[0] for k, v in parse_qs(posted[0], keep_blank_values=True).items()}
    # an unanswered statement (tiny_a2) posts nothing, as with any HTML form
    assert set(fields) == set(column_names(inst)) - {"tiny_a2"}
    assert (fields["rid"], fields["tiny_a1"], fields["tiny_a3"]) == ("P-017", "3", "-99")
    assert ISO.match(fields["started"]) and ISO.match(fields["submitted"])
    assert fields["lang"] == "en" and int(fields["duration_s"]) >= 0
    assert watch.requests == [url, "https://survey.example.org/submit?study=poststudy&x=1"]
    assert watch.errors == []
    page.context.close()


def test_focus_is_not_hidden_under_the_sticky_header(chromium_browser, tmp_path):
    # WCAG 2.2 SC 2.4.11: put a statement right under the column header, then move focus to it
    _, page, watch, _ = open_page(chromium_browser, tmp_path, "tiny_study")
    page.set_viewport_size({"width": 1100, "height": 400})
    page.evaluate(
        "() => { const r = document.querySelector('#ms-sev_p2-7').getBoundingClientRect();"
        " window.scrollBy(0, r.top - 10); }"
    )
    header = "#ms-block-second .ms-matrix-head"
    top, bottom = page.evaluate(
        "s => { const h = document.querySelector(s).getBoundingClientRect(); return [h.top, h.bottom]; }",
        header,
    )
    target = page.evaluate(
        "() => document.querySelector('#ms-sev_p2-7').getBoundingClientRect().top"
    )
    assert top <= target < bottom  # hidden under the header now
    page.evaluate("() => document.querySelector('#ms-sev_q1-1').focus({preventScroll: true})")
    page.keyboard.press("Shift+Tab")  # back to the previous statement (its last option)
    assert page.evaluate(FOCUS)["id"] == "ms-sev_p2-7"
    box, head = page.evaluate(
        "s => [document.activeElement.getBoundingClientRect().top,"
        " document.querySelector(s).getBoundingClientRect().bottom]",
        header,
    )
    assert box >= head
    assert watch.errors == []
    page.context.close()


def test_hard_required_multiple_choice_needs_one_box(chromium_browser, tmp_path):
    text = (STUDIES / "tiny_study.yaml").read_text(encoding="utf-8")
    text = text.replace("    required: none\n", "    required: hard\n", 1)
    inst = parse_study_text(text, "hard.yaml", base=STUDIES)
    _, page, watch, _ = open_page(chromium_browser, tmp_path, inst)
    first = "#ms-f-channels_1"
    assert page.eval_on_selector(first, "e => e.validity.customError") is True
    tab_to(page, "ms-f-channels_2")
    page.keyboard.press("Space")  # any one box satisfies the question
    assert page.eval_on_selector(first, "e => e.validity.valid") is True
    page.keyboard.press("Space")
    assert page.eval_on_selector(first, "e => e.validationMessage") == (
        "Please select at least one option."
    )
    assert watch.errors == []
    page.context.close()


@pytest.mark.parametrize(("lang", "width"), [("en", 1280), ("fi", 320)])
def test_example_study_layout(chromium_browser, tmp_path, lang, width):
    # the bundled study: long Finnish labels, an 8-column matrix, many background questions
    inst = ms.load_instrument("example")
    path = tmp_path / f"example_{lang}.html"
    path.write_text(render_html(inst, lang), encoding="utf-8")
    page = chromium_browser.new_page(viewport={"width": width, "height": 800})
    watch = Watch(page)
    page.goto(path.as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert all(w >= 24 and h >= 24 for w, h in box_sizes(page))
    shown = page.evaluate(
        "() => document.querySelector('input[name=mktor_order]').value.split(';').sort()"
    )
    assert shown == sorted(x.id for x in inst.blocks[0].sequence())
    assert watch.errors == []
    assert watch.requests == [path.as_uri()]
    page.close()
