"""The HTML questionnaire: structure, accessibility rules, self-containment, escaping, and the CLI.

The page is parsed with Python's html.parser; the browser test (tests/browser/) checks what only a
browser can: layout at 320 px, keyboard use and the CSV download.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner

import moscale as ms
from moscale.cli import main
from moscale.errors import UserError
from moscale.instrument.codebook import column_names
from moscale.instrument.html import (
    TEMPLATE,
    render_html,
    render_html_files,
    template_environment,
)
from moscale.instrument.loader import builtin_study_ids, parse_study_text
from moscale.instrument.render import render_files

STUDIES = Path(__file__).resolve().parents[1] / "data" / "studies"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Node | None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self):
        for c in self.children:
            if isinstance(c, Node):
                yield c
                yield from c.iter()

    def find_all(self, tag: str, **attrs: str) -> list[Node]:
        return [
            n
            for n in self.iter()
            if n.tag == tag and all(n.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())
        ]

    def has_class(self, cls: str) -> bool:
        return cls in (self.attrs.get("class") or "").split()

    def ancestors(self):
        n = self.parent
        while n is not None:
            yield n
            n = n.parent

    def elements(self) -> list[Node]:
        return [c for c in self.children if isinstance(c, Node)]


class TreeBuilder(HTMLParser):
    """A small DOM: enough to check structure (the page is our own, well-formed output)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.current = self.root
        self.raw_texts: dict[str, list[str]] = {"script": [], "style": []}

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, dict(attrs), self.current))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        assert self.current.tag == tag, f"</{tag}> closes <{self.current.tag}>"
        self.current = self.current.parent

    def handle_data(self, data):
        self.current.children.append(data)
        if self.current.tag in self.raw_texts:
            self.raw_texts[self.current.tag].append(data)


def parse(html: str) -> tuple[Node, TreeBuilder]:
    builder = TreeBuilder()
    builder.feed(html)
    builder.close()
    assert builder.current is builder.root, "unclosed elements"
    return builder.root, builder


@pytest.fixture(scope="module")
def tiny():
    return ms.load_instrument(STUDIES / "tiny_study.yaml")


@pytest.fixture(scope="module")
def post():
    return ms.load_instrument(STUDIES / "post_study.yaml")


@pytest.fixture(scope="module")
def page(tiny) -> str:
    return render_html(tiny, "en")


@pytest.fixture(scope="module")
def doc(page):
    return parse(page)[0]


def style_text(page: str) -> str:
    return "".join(parse(page)[1].raw_texts["style"])


# --- document ------------------------------------------------------------------------------------


def test_document_basics(page, doc):
    assert page.startswith("<!DOCTYPE html>\n<html")
    (html,) = doc.find_all("html")
    assert html.attrs["lang"] == "en"
    assert doc.find_all("meta", charset="utf-8")
    assert doc.find_all("meta", name="viewport")
    assert doc.find_all("title")[0].text() == "Tiny test study"
    assert doc.find_all("h1")[0].text() == "Tiny test study"
    intro = [p.text() for p in doc.find_all("div", class_="ms-intro")[0].find_all("p")]
    assert intro == ["Thank you for taking part.", "Answering takes about two minutes."]
    closing = doc.find_all("section", id="ms-closing")[0]
    assert closing.text().strip() == "Thank you for your answers."
    assert "hidden" in closing.attrs  # shown after the answers are saved


def test_finnish_version(tiny):
    root = parse(render_html(tiny, "fi"))[0]
    assert root.find_all("html")[0].attrs["lang"] == "fi"
    assert root.find_all("h1")[0].text() == "Pieni testitutkimus"
    labels = [lab.text() for lab in root.find_all("label", for_="ms-tiny_a1-1")]
    assert labels == ["Täysin eri mieltä"]
    assert root.find_all("button", id="ms-submit")[0].text() == "Lataa vastaukseni"
    legend = root.find_all("fieldset", id="ms-q-tiny_a1")[0].find_all("legend")[0]
    assert legend.find_all("span", class_="ms-q-text")[0].text() == "Väittämä yksi"


def test_files_named_by_study_and_language(tiny):
    files = render_html_files(tiny, "fi")
    assert list(files) == ["tinystudy_fi.html"]
    assert files["tinystudy_fi.html"] == render_html(tiny, "fi")
    assert render_files(tiny, "html", "en") == {"tinystudy_en.html": render_html(tiny, "en")}


def test_unknown_language_is_a_user_error(tiny):
    with pytest.raises(UserError, match="'sv'"):
        render_html(tiny, "sv")


# --- self-contained --------------------------------------------------------------------------------


def test_no_external_resources(page, doc):
    assert not re.search(r"https?://", page, flags=re.I)
    assert not re.search(r"\bsrc\s*=", page, flags=re.I)
    for node in doc.iter():
        for name in ("src", "srcset", "data", "poster", "background"):
            assert name not in node.attrs, f"<{node.tag} {name}=...>"
    links = doc.find_all("link")
    assert [n.attrs["href"] for n in links] == ["data:,"]  # the empty favicon: no request
    css = style_text(page)
    assert "@import" not in css and "url(" not in css
    # CSS and JS are inlined, exactly as shipped
    shipped = resources.files("moscale.templates")
    assert css == shipped.joinpath("questionnaire.css").read_text(encoding="utf-8")
    scripts = doc.find_all("script")
    assert [s.attrs.get("type") for s in scripts] == ["application/json", None]
    assert scripts[1].text() == shipped.joinpath("questionnaire.js").read_text(encoding="utf-8")


def test_content_security_policy_allows_only_our_script(page, doc):
    (meta,) = doc.find_all("meta", **{"http-equiv": "Content-Security-Policy"})
    policy = dict(p.strip().split(" ", 1) for p in meta.attrs["content"].split(";"))
    assert policy["default-src"] == "'none'"
    assert policy["form-action"] == "'none'"  # no submit_url: nothing is posted anywhere
    script = doc.find_all("script")[1].text()
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert policy["script-src"] == f"'sha256-{digest}'"


def test_posting_study_uses_its_submit_url_only_in_the_form(post):
    html = render_html(post, "en")
    root = parse(html)[0]
    (form,) = root.find_all("form")
    url = "https://survey.example.org/submit?study=poststudy&x=1"
    assert form.attrs["method"] == "post" and form.attrs["action"] == url
    # every web address in the page is the submit URL (in the form and in the CSP's form-action)
    found = sorted(u.rstrip(";") for u in re.findall(r"https?://[^\s\"'<>]+", html))
    assert found == [
        "https://survey.example.org/submit",
        "https://survey.example.org/submit?study=poststudy&amp;x=1",
    ]
    (meta,) = root.find_all("meta", **{"http-equiv": "Content-Security-Policy"})
    assert "form-action https://survey.example.org/submit;" in meta.attrs["content"]
    assert root.find_all("button", id="ms-submit")[0].text() == "Send my answers"
    # the study asks for the respondent id itself: no generated one
    assert not root.find_all("input", name="respondent_id")
    config = json.loads(root.find_all("script", id="ms-config")[0].text())
    assert config["submit"] is True and config["id_field"] == "rid"
    assert config["generate_id"] is False


def test_submit_url_must_be_a_web_address():
    text = (
        (STUDIES / "post_study.yaml")
        .read_text(encoding="utf-8")
        .replace("https://survey.example.org/submit?study=poststudy&x=1", "'javascript:alert(1)'")
    )
    inst = parse_study_text(text, "bad.yaml", base=STUDIES)
    with pytest.raises(UserError, match="not a web address") as err:
        render_html(inst, "en")
    assert "https://" in err.value.hint


# --- accessibility -------------------------------------------------------------------------------


def test_every_radio_and_checkbox_has_a_label(doc):
    labels = {n.attrs.get("for"): n for n in doc.find_all("label")}
    boxes = [n for n in doc.find_all("input") if n.attrs.get("type") in ("radio", "checkbox")]
    assert len(boxes) == 4 * 6 + 4 * 7 + 3 + 3  # two blocks, industry, channels
    ids = [n.attrs["id"] for n in boxes]
    assert len(ids) == len(set(ids))
    for box in boxes:
        label = labels.get(box.attrs["id"])
        assert label is not None, box.attrs
        assert box.parent is label  # wrapped as well as pointed at: the whole label is the target
        assert label.text().strip(), box.attrs


def test_every_scale_point_is_named_in_its_label(doc, tiny):
    # endpoints included: screen-reader users hear what 1 and 5 mean
    for block in tiny.blocks:
        labels = block.response.labels["en"]
        for row in block.sequence():
            for code in block.response.codes:
                (label,) = doc.find_all("label", for_=f"ms-{row.id}-{code}")
                assert label.text() == labels[code]
                (box,) = label.find_all("input")
                assert (box.attrs["type"], box.attrs["name"], box.attrs["value"]) == (
                    "radio",
                    row.id,
                    str(code),
                )


def test_every_item_is_a_fieldset_with_its_text_as_legend(doc, tiny):
    fieldsets = [f for f in doc.find_all("fieldset") if f.has_class("ms-item")]
    assert len(fieldsets) == 4 + 4
    for fs in fieldsets:
        first = fs.elements()[0]
        assert first.tag == "legend"
        item_id = fs.attrs["data-ms-id"]
        text = first.find_all("span", class_="ms-q-text")[0].text()
        expected = (
            tiny.item(item_id).text["en"] if item_id != "ac1" else "Please choose Agree here."
        )
        assert text == expected
        radios = {n.attrs["name"] for n in fs.find_all("input")}
        assert radios == {item_id}  # one statement, one group
    for fs in doc.find_all("fieldset"):
        assert fs.elements()[0].tag == "legend"


def test_matrix_header_is_hidden_from_screen_readers(doc):
    heads = [n for n in doc.find_all("div") if n.has_class("ms-matrix-head")]
    assert len(heads) == 2
    assert all(h.attrs.get("aria-hidden") == "true" for h in heads)
    assert not any(n.tag in ("table", "th", "td") for n in doc.iter())


def test_css_rules(page):
    css = style_text(page)
    flat = re.sub(r"\s+", " ", css)
    # targets: every radio and checkbox at least 24 x 24 CSS px (WCAG 2.2 SC 2.5.8)
    rule = re.search(r'input\[type="radio"\], input\[type="checkbox"\] \{([^}]*)\}', flat)
    assert rule, "no size rule for radios and checkboxes"
    for prop in ("width: 24px", "min-width: 24px", "height: 24px", "min-height: 24px"):
        assert prop in rule.group(1)
    assert re.search(r"\.ms-opt \{[^}]*min-height: 44px", flat)
    # reflow: the stacked layout is the base, narrowed further at 320 px; the matrix from 48em
    assert "@media (max-width: 20em)" in flat  # 20em = 320 CSS px
    assert "@media screen and (min-width: 48em), print" in flat
    assert re.search(r"fieldset \{[^}]*min-width: 0", flat)  # fieldsets would not shrink
    # visible focus
    assert re.search(r"input:focus-visible[^{]*\{[^}]*outline: 3px solid", flat)
    # paper: buttons and messages hidden, answer boxes as plain squares
    printing = flat[flat.index("@media print {") :]
    assert re.search(
        r"\.ms-actions, \.ms-summary, \.ms-status, noscript \{ display: none", printing
    )
    assert "appearance: none" in printing and "border-radius: 0" in printing
    assert "break-inside: avoid" in printing


def test_required_levels(doc):
    first = [n for n in doc.find_all("input") if n.attrs.get("name", "").startswith("tiny_")]
    second = [n for n in doc.find_all("input") if n.attrs.get("name", "").startswith("sev_")]
    assert first and not any("required" in n.attrs for n in first)  # soft: no attribute
    assert second and all("required" in n.attrs for n in second)  # hard
    soft = {n.attrs["id"] for n in doc.iter() if n.attrs.get("data-ms-required") == "soft"}
    assert soft == {
        "ms-q-tiny_a1",
        "ms-q-tiny_a2",
        "ms-q-tiny_a3",
        "ms-q-ac1",
        "ms-q-industry",
        "ms-q-employees",
    }
    assert "required" in doc.find_all("input", name="firm")[0].attrs  # hard text question
    notes = [n.text() for n in doc.find_all("span", class_="ms-marker")]
    assert notes == ["(optional)", "(answer required)"]  # channels: none; firm: hard


def test_dont_know_is_separate_and_coded(doc):
    for item_id in ("tiny_a1", "ac1"):
        options = doc.find_all("fieldset", id=f"ms-q-{item_id}")[0].find_all("label")
        assert [o.has_class("ms-dk") for o in options] == [False] * 5 + [True]
        dk = options[-1]
        assert dk.text() == "Don't know"
        assert dk.find_all("input")[0].attrs["value"] == "-99"
    # the 7-point scale has no don't-know option
    assert not doc.find_all("fieldset", id="ms-q-sev_p1")[0].find_all(
        "label", class_="ms-opt ms-dk"
    )


def test_attention_check_sits_where_the_block_puts_it(doc, tiny):
    rows = doc.find_all("div", id="ms-rows-first")[0]
    shown = [fs.attrs["data-ms-id"] for fs in rows.elements()]
    assert (
        shown
        == [x.id for x in tiny.blocks[0].sequence()]
        == ["tiny_a1", "ac1", "tiny_a2", "tiny_a3"]
    )
    ac = doc.find_all("fieldset", id="ms-q-ac1")[0]
    assert len(ac.find_all("input")) == 6  # answered on the block's own scale
    assert "expect" not in json.dumps(ac.attrs)  # nothing in the page gives the answer away


def test_randomised_blocks_have_an_order_field(doc, tiny):
    rows = doc.find_all("div", id="ms-rows-first")[0]
    assert rows.attrs["data-ms-randomize"] == str(tiny.blocks[0].seed) == "4242"
    assert rows.attrs["data-ms-order"] == "first_order"
    (field,) = doc.find_all("input", name="first_order")
    assert field.attrs["type"] == "hidden"
    # without JavaScript the definition order is shown and recorded
    assert field.attrs["value"] == "tiny_a1;ac1;tiny_a2;tiny_a3"
    fixed = doc.find_all("div", id="ms-rows-second")[0]
    assert "data-ms-randomize" not in fixed.attrs
    assert not doc.find_all("input", name="second_order")


def test_background_questions(doc):
    industry = doc.find_all("fieldset", id="ms-q-industry")[0]
    assert [
        (i.attrs["type"], i.attrs["name"], i.attrs["value"]) for i in industry.find_all("input")
    ] == [
        ("radio", "industry", "1"),
        ("radio", "industry", "2"),
        ("radio", "industry", "3"),
    ]
    channels = doc.find_all("fieldset", id="ms-q-channels")[0]
    assert [
        (i.attrs["type"], i.attrs["name"], i.attrs["value"]) for i in channels.find_all("input")
    ] == [
        ("checkbox", "channels_1", "1"),
        ("checkbox", "channels_2", "1"),
        ("checkbox", "channels_3", "1"),
    ]
    assert channels.attrs["aria-describedby"] == "ms-hint-channels"
    (employees,) = doc.find_all("input", name="employees")
    assert (employees.attrs["type"], employees.attrs["min"], employees.attrs["max"]) == (
        "number",
        "1",
        "100000",
    )
    assert (
        doc.find_all("label", for_="ms-f-employees")[0]
        .find_all("span", class_="ms-q-text")[0]
        .text()
        == "Number of employees"
    )
    (firm,) = doc.find_all("input", name="firm")
    assert firm.attrs["type"] == "text"
    assert doc.find_all("label", for_="ms-f-firm")


def test_every_codebook_column_is_a_form_field(doc, tiny):
    config = json.loads(doc.find_all("script", id="ms-config")[0].text())
    assert config["columns"] == column_names(tiny)
    assert config["study"] == "tinystudy" and config["submit"] is False
    assert config["generate_id"] is True and config["id_field"] == "respondent_id"
    form = doc.find_all("form")[0]
    assert "action" not in form.attrs  # no submit_url: the answers are downloaded
    names = {n.attrs.get("name") for n in form.find_all("input")}
    assert set(column_names(tiny)) <= names
    hidden = {n.attrs["name"] for n in form.find_all("input", type="hidden")}
    assert hidden == {"respondent_id", "lang", "started", "submitted", "duration_s", "first_order"}
    assert form.find_all("input", name="lang")[0].attrs["value"] == "en"


def test_fields_follow_the_canonical_order(post):
    # no attention checks and no shuffling: the page asks in exactly the codebook's order
    form = parse(render_html(post, "en"))[0].find_all("form")[0]
    seen: list[str] = []
    for n in form.find_all("input"):
        if n.attrs["name"] not in seen:
            seen.append(n.attrs["name"])
    assert seen == column_names(post)


def test_download_and_submit_controls(doc):
    (submit,) = doc.find_all("button", id="ms-submit")
    assert submit.attrs["type"] == "submit" and submit.text() == "Download my answers"
    summary = doc.find_all("div", id="ms-unanswered")[0]
    assert "hidden" in summary.attrs and summary.attrs["tabindex"] == "-1"
    assert summary.find_all("button", id="ms-continue")[0].text() == "Continue anyway"
    assert (summary.attrs["role"], summary.attrs["aria-labelledby"]) == ("group", "ms-unanswered-h")
    assert doc.find_all("p", id="ms-status")[0].attrs["role"] == "status"


def test_hard_required_multiple_choice_is_marked_for_the_script():
    # a checkbox's own `required` would demand that very box; the script checks the group instead
    text = (STUDIES / "tiny_study.yaml").read_text(encoding="utf-8")
    text = text.replace("    required: none\n", "    required: hard\n", 1)
    root = parse(render_html(parse_study_text(text, "hard.yaml", base=STUDIES), "en"))[0]
    channels = root.find_all("fieldset", id="ms-q-channels")[0]
    assert "data-ms-hard-multiple" in channels.attrs
    assert not any("required" in n.attrs for n in channels.find_all("input"))
    assert channels.find_all("span", class_="ms-marker")[0].text() == "(answer required)"


# --- escaping ------------------------------------------------------------------------------------


def test_study_text_is_escaped(page, doc):
    # the item text holds a <script> element, quotes and an ampersand: all shown as text
    assert "<script>alert" not in page
    assert (
        "We &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; share &amp; compare &#34;notes&#34;."
        in page
    )
    assert len(doc.find_all("script")) == 2
    legend = doc.find_all("fieldset", id="ms-q-sev_p1")[0].find_all("span", class_="ms-q-text")[0]
    assert legend.text() == "We <script>alert('x')</script> share & compare \"notes\"."
    assert "Item &lt;b&gt;one&lt;/b&gt;" in page and not doc.find_all("b")


def test_json_config_cannot_end_its_script_element(tiny):
    # a column name cannot hold '<', but texts in the config can: tojson escapes them
    text = (
        (STUDIES / "post_study.yaml")
        .read_text(encoding="utf-8")
        .replace("id: poststudy", "id: poststudy\nclosing: {en: 'bye'}")
    )
    inst = parse_study_text(text, "x.yaml", base=STUDIES)
    html = render_html(inst, "en")
    start = html.index('<script type="application/json" id="ms-config">')
    end = html.index("</script>", start)
    assert "</" not in html[start + 10 : end]


def test_templates_are_autoescaped():
    env = template_environment()
    assert env.autoescape(TEMPLATE) is True
    assert env.autoescape("anything.j2") is True
    assert env.from_string("{{ x }}").render(x="<i>") == "&lt;i&gt;"
    source = resources.files("moscale.templates").joinpath(TEMPLATE).read_text(encoding="utf-8")
    assert "|safe" not in source.replace(" ", "") and "autoescape false" not in source


# --- command line --------------------------------------------------------------------------------


def test_cli_render_html_and_codebook(tmp_path):
    runner = CliRunner()
    study = str(STUDIES / "tiny_study.yaml")
    out = tmp_path / "x.html"
    result = runner.invoke(
        main, ["render", study, "--format", "html", "--lang", "fi", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert '<html lang="fi">' in html and "Pieni testitutkimus" in html

    folder = tmp_path / "cb"
    result = runner.invoke(main, ["render", study, "--format", "codebook", "-o", f"{folder}/"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == ["codebook.csv", "codebook.json"]
    doc = json.loads((folder / "codebook.json").read_text(encoding="utf-8"))
    assert [v["name"] for v in doc["variables"]] == column_names(ms.load_instrument(study))


def test_cli_render_reports_a_bad_language(tmp_path):
    result = CliRunner().invoke(
        main,
        [
            "render",
            str(STUDIES / "post_study.yaml"),
            "--lang",
            "fi",
            "-o",
            str(tmp_path / "x.html"),
        ],
    )
    assert result.exit_code == 2
    assert "no 'fi' version" in result.output


@pytest.mark.skipif("example" not in builtin_study_ids(), reason="example study not bundled yet")
def test_cli_demo_writes_questionnaires_and_codebook(tmp_path):
    result = CliRunner().invoke(main, ["demo", "--quiet", "-o", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    inst = ms.load_instrument("example")
    names = sorted(p.name for p in (tmp_path / "demo").iterdir())
    expected = [f"{inst.id}_{lang}.html" for lang in inst.languages]
    analysis = ["population.yaml", "report.html", "responses.csv", "results.json"]
    assert names == sorted(expected + ["codebook.csv", "codebook.json"] + analysis)


@pytest.mark.skipif("example" not in builtin_study_ids(), reason="example study not bundled yet")
def test_example_study_renders_in_every_language():
    inst = ms.load_instrument("example")
    for lang in inst.languages:
        root = parse(render_html(inst, lang))[0]
        assert root.find_all("html")[0].attrs["lang"] == lang
        items = {i.id for i in inst.items()}
        fieldsets = {
            f.attrs["data-ms-id"] for f in root.find_all("fieldset") if f.has_class("ms-item")
        }
        assert items <= fieldsets


def test_element_ids_are_unique_even_for_awkward_study_ids():
    # a question called "submit" and a section called "background" must not take the ids of the
    # page's own controls or of the background section
    text = (STUDIES / "post_study.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "  - scale: ../definitions/tiny_scale.yaml",
        "  - id: background\n    scale: ../definitions/tiny_scale.yaml",
    )
    text += '  - {id: submit, type: text, text: {en: "Submit what?"}}\n'
    text += "  - {id: form, type: number, text: {en: Form}}\n"
    inst = parse_study_text(text, "awkward.yaml", base=STUDIES)
    root = parse(render_html(inst, "en"))[0]
    ids = [n.attrs["id"] for n in root.iter() if "id" in n.attrs]
    assert len(ids) == len(set(ids))
    assert root.find_all("button", id="ms-submit")
    assert root.find_all("form", id="ms-form")
    # every label points at an existing control
    for label in root.find_all("label"):
        assert label.attrs["for"] in ids


def test_element_ids_are_unique(doc):
    ids = [n.attrs["id"] for n in doc.iter() if "id" in n.attrs]
    assert len(ids) == len(set(ids))
