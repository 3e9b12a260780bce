"""The self-contained HTML questionnaire.

:func:`render_html` turns an :class:`~moscale.instrument.model.Instrument` into one HTML page in one
language: CSS and JavaScript inlined, no font, image, CDN or any other external request (a Content
Security Policy in the page enforces it), so the file can be e-mailed, put on any static web host or
opened from a USB stick.

Design, following current web-questionnaire practice:

* accessibility in the spirit of WCAG 2.2 AA: ``<html lang>``; one ``<fieldset>`` per statement with
  the statement as ``<legend>``; every radio wrapped in its ``<label for>``, which holds the point's
  label (visually hidden in the wide matrix, where the column header shows it, so that screen-reader
  users hear every point, endpoints included); native radios (arrow keys move within a statement);
  visible focus; targets at least 24 x 24 CSS px; one statement at a time with stacked answers on
  narrow screens (reflows at 320 CSS px, no horizontal scrolling) and a CSS-grid matrix from 48em
  up -- no ``<table>``; a print stylesheet gives the paper version with boxes to tick;
* the don't-know option sits apart from the scale points, coded with the scale's ``dont_know.code``;
* ``required: hard`` becomes the ``required`` attribute; ``soft`` a list of unanswered questions on
  submission with the choice to continue anyway; ``none`` neither;
* randomised blocks are shuffled per respondent in the browser and the order shown is stored in the
  hidden ``<block id>_order`` field. Seeding: the script draws one 32-bit number ``r`` per
  respondent (``crypto.getRandomValues``) and starts each block's generator at
  ``fmix32(block_seed XOR fmix32(r))`` (``fmix32``: MurmurHash3's finaliser; ``block_seed``: the
  section's ``seed``, else the study seed plus the section's index); the generator is a Weyl
  sequence through ``fmix32`` and the shuffle Fisher-Yates. Attention checks are shuffled with the
  statements (as :meth:`Block.shuffled` does) and listed in the order column. Without JavaScript
  the definition order (:meth:`Block.sequence`) is shown and recorded;
* the form's field names are the codebook's column names; with a ``submit_url`` the form posts
  there, otherwise "Download my answers" writes a one-row CSV whose header is the codebook's column
  list (embedded as JSON).

Every study text goes through Jinja2's autoescape; only moscale's own CSS and JS files are inserted
as they are. The Content Security Policy allows exactly the inline script by its SHA-256 hash:
editing the script in a rendered page disables it, so change ``templates/questionnaire.js`` and
render again instead.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from moscale._version import __version__
from moscale.errors import UserError

from .codebook import codebook_variables
from .model import Block, Instrument
from .schema import Question

TEMPLATE = "questionnaire.html.j2"

#: Interface texts; a language not listed here gets the English ones.
UI_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "background": "About you and your organisation",
        "download": "Download my answers",
        "send": "Send my answers",
        "print": "Print or save as PDF",
        "required": "(answer required)",
        "optional": "(optional)",
        "required_block": "Please answer every statement in this section.",
        "optional_block": "Answering the statements in this section is optional.",
        "select_all": "Select all that apply.",
        "choose_one": "Please select at least one option.",
        "unanswered_title": "Some questions are not answered",
        "unanswered_text": "You can go back and answer them, or continue anyway.",
        "continue": "Continue anyway",
        "saved": "Your answers were saved in the file {file}. Please send this file to the "
        "researchers as the instructions say.",
        "noscript_download": "Your browser does not run JavaScript, so this page cannot save your "
        "answers. You can still print it and answer on paper.",
        "noscript_post": "Your browser does not run JavaScript: the statements appear in a fixed "
        "order and the time you took is not recorded.",
    },
    "fi": {
        "background": "Taustatiedot",
        "download": "Lataa vastaukseni",
        "send": "Lähetä vastaukseni",
        "print": "Tulosta tai tallenna PDF:nä",
        "required": "(vastaus pakollinen)",
        "optional": "(vapaaehtoinen)",
        "required_block": "Vastaa jokaiseen tämän osion väittämään.",
        "optional_block": "Tämän osion väittämiin vastaaminen on vapaaehtoista.",
        "select_all": "Valitse kaikki sopivat.",
        "choose_one": "Valitse vähintään yksi vaihtoehto.",
        "unanswered_title": "Osaan kysymyksistä ei ole vastattu",
        "unanswered_text": "Voit palata vastaamaan niihin tai jatkaa silti.",
        "continue": "Jatka silti",
        "saved": "Vastauksesi tallennettiin tiedostoon {file}. Lähetä tiedosto tutkijoille "
        "ohjeiden mukaisesti.",
        "noscript_download": "Selaimesi ei suorita JavaScriptiä, joten tämä sivu ei voi tallentaa "
        "vastauksiasi. Voit silti tulostaa sen ja vastata paperilla.",
        "noscript_post": "Selaimesi ei suorita JavaScriptiä: väittämät näytetään kiinteässä "
        "järjestyksessä eikä vastausaikaa tallenneta.",
    },
}


def ui_text(lang: str) -> dict[str, str]:
    """The interface texts in ``lang`` (English where there is no translation)."""
    base = dict(UI_TEXT["en"])
    base.update(UI_TEXT.get(lang.split("-")[0], {}))
    return base


# --- templates and assets ------------------------------------------------------------------------


def _read_template_file(name: str) -> str:
    return resources.files("moscale.templates").joinpath(name).read_text(encoding="utf-8")


@functools.cache
def template_environment() -> jinja2.Environment:
    """The Jinja2 environment for moscale's templates: autoescape on for every template.

    ``select_autoescape`` is told about ``.j2`` explicitly (``questionnaire.html.j2`` would not be
    escaped by the default, which looks at the last extension only) and defaults to escaping.
    """
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(_read_template_file),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "htm", "xml", "j2"),
            default_for_string=True,
            default=True,
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@functools.cache
def _asset(name: str, closing_tag: str) -> Markup:
    """moscale's own CSS/JS file, to be inlined verbatim (never user text)."""
    text = _read_template_file(name)
    if closing_tag in text.lower():
        # would end the inline element early; a packaging mistake, not user input
        raise RuntimeError(f"{name} contains '{closing_tag}' and cannot be inlined")
    return Markup(text)


def _csp(script: str, submit_url: str | None) -> str:
    """Content Security Policy: nothing may load from anywhere; only our script may run."""
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    if submit_url:
        parts = urlsplit(submit_url)
        action = f"{parts.scheme}://{parts.netloc}{parts.path or '/'}"
    else:
        action = "'none'"
    return (
        "default-src 'none'; "
        f"script-src 'sha256-{digest}'; "
        "style-src 'unsafe-inline'; "
        "img-src data:; "
        f"form-action {action}; "
        "base-uri 'none'"
    )


def _check_submit_url(instrument: Instrument) -> str | None:
    url = instrument.study.submit_url
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise UserError(
            f"submit_url '{url}' is not a web address",
            location=str(instrument.source) if instrument.source else None,
            hint="use an https:// address of the server that collects the answers, or remove "
            "submit_url so that respondents download their answers as a CSV file",
        )
    return url


# --- context -------------------------------------------------------------------------------------


def _text(text: dict[str, str] | None, lang: str) -> str:
    if not text:
        return ""
    return text.get(lang) or next(iter(text.values()))


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


def _number(x: float | None) -> str | None:
    if x is None:
        return None
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _block_context(block: Block, lang: str) -> dict[str, Any]:
    resp = block.response
    points = [{"code": c, "label": resp.labels[lang][c]} for c in resp.codes]
    dont_know = (
        {"code": resp.dont_know.code, "label": _text(resp.dont_know.label, lang)}
        if resp.dont_know is not None
        else None
    )
    columns = f"repeat({len(points)}, minmax(0, 1fr))"
    if dont_know:
        columns += " minmax(0, 1.3fr)"
    sequence = block.sequence()
    return {
        "id": block.id,
        "title": _text(block.title, lang),
        "stem": _text(block.scale.stem, lang) if block.scale.stem else "",
        "required": block.required,
        "randomize": block.randomize,
        "seed": block.seed % 2**32,
        "order_variable": block.order_variable,
        "default_order": ";".join(x.id for x in sequence),
        "points": points,
        "dont_know": dont_know,
        "columns": columns,
        "rows": [{"id": x.id, "text": _text(x.text, lang)} for x in sequence],
    }


def _question_context(q: Question, lang: str) -> dict[str, Any]:
    return {
        "id": q.id,
        "type": q.type,
        "text": _text(q.text, lang),
        "required": q.required,
        "options": [{"code": o.code, "label": _text(o.label, lang)} for o in q.options],
        "minimum": _number(q.minimum),
        "maximum": _number(q.maximum),
    }


def questionnaire_context(instrument: Instrument, lang: str) -> dict[str, Any]:
    """Everything the template needs, as plain data (texts in ``lang``, not yet escaped)."""
    if lang not in instrument.languages:
        raise UserError(
            f"the study has no '{lang}' version",
            hint=f"use one of: {', '.join(instrument.languages)}",
        )
    study = instrument.study
    submit_url = _check_submit_url(instrument)
    ui = ui_text(lang)
    blocks = [{"kind": "block", "block": _block_context(b, lang)} for b in instrument.blocks]
    background = (
        [
            {
                "kind": "background",
                "questions": [_question_context(q, lang) for q in instrument.background],
            }
        ]
        if instrument.background
        else []
    )
    sections = background + blocks if study.background_position == "start" else blocks + background
    id_question = instrument.question_with_role("respondent_id")
    columns = [v.name for v in codebook_variables(instrument)]
    js = _asset("questionnaire.js", "</script")
    return {
        "lang": lang,
        "version": __version__,
        "title": _text(study.title, lang),
        "intro": _paragraphs(_text(study.introduction, lang)),
        "closing": _paragraphs(_text(study.closing, lang)),
        "submit_url": submit_url,
        "generate_id": id_question is None,
        "sections": sections,
        "ui": ui,
        "css": _asset("questionnaire.css", "</style"),
        "js": js,
        "csp": _csp(str(js), submit_url),
        "config": {
            "study": study.id,
            "lang": lang,
            "columns": columns,
            "submit": submit_url is not None,
            "generate_id": id_question is None,
            "id_field": id_question.id if id_question is not None else "respondent_id",
            "ui": {k: ui[k] for k in ("saved", "choose_one")},
        },
    }


# --- public --------------------------------------------------------------------------------------


def render_html(instrument: Instrument, lang: str) -> str:
    """The questionnaire as one self-contained HTML page in ``lang``.

    Parameters
    ----------
    instrument : Instrument
        The resolved study (:func:`moscale.load_instrument`).
    lang : str
        One of the study's languages.

    Returns
    -------
    str
        The HTML document.

    Examples
    --------
    >>> import moscale as ms
    >>> page = render_html(ms.load_instrument("example"), "fi")
    >>> page.startswith("<!DOCTYPE html>")
    True
    """
    context = questionnaire_context(instrument, lang)
    return template_environment().get_template(TEMPLATE).render(**context)


def render_html_files(instrument: Instrument, lang: str) -> dict[str, bytes | str]:
    """``{"<study id>_<lang>.html": page}`` for ``moscale render --format html``."""
    return {f"{instrument.id}_{lang}.html": render_html(instrument, lang)}
