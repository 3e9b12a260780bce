"""A plain-text description of one scale, for ``moscale show ID --lang L``.

Everything a researcher needs to decide whether to use a scale and how to cite it: name, version,
sources, how the wording relates to the published items, the construct definition, the question
stem, the response format with every label and the don't-know option, the measurement model, every
dimension with its definition and numbered items (reverse-keyed ones marked ``(R)``), optional
dimensions, the higher-order factor and the suggested group variables. Headings are in English or
Finnish; texts are in the requested language.
"""

from __future__ import annotations

import textwrap

from .schema import Dimension, Scale

WIDTH = 78

_HEADINGS: dict[str, dict[str, str]] = {
    "en": {
        "version": "version",
        "model": "model",
        "languages": "languages",
        "sources": "Sources",
        "wording": "Wording",
        "definition": "Construct definition",
        "stem": "Question stem",
        "response": "Response format: {points} points (codes {lo}–{hi})",
        "missing": "recorded as missing",
        "dimensions": "Dimensions: {n} ({items} items, {rev} reverse-keyed)",
        "items": "items",
        "optional": "optional",
        "optional_hint": "left out unless a study lists it under 'dimensions:'",
        "higher": "Higher-order factor",
        "measured_by": "measured by",
        "groups": "Suggested group variables",
        "reverse_note": "(R) reverse-keyed: scored as {sum} − answer ({lo} + {hi} − answer) before analysis.",
        "no_reverse": "No item is reverse-keyed.",
        "reflective": "reflective",
        "formative": "formative",
        "index": "index",
        "core": "core",
        "enabler": "enabler",
        "outcome": "outcome",
        "marker": "marker",
    },
    "fi": {
        "version": "versio",
        "model": "malli",
        "languages": "kielet",
        "sources": "Lähteet",
        "wording": "Väittämien muotoilu",
        "definition": "Käsitteen määritelmä",
        "stem": "Kysymyksen johdanto",
        "response": "Vastausasteikko: {points} vaihtoehtoa (koodit {lo}–{hi})",
        "missing": "tallennetaan puuttuvana tietona",
        "dimensions": "Ulottuvuudet: {n} ({items} väittämää, joista {rev} käänteisesti pisteytettäviä)",
        "items": "väittämää",
        "optional": "valinnainen",
        "optional_hint": "mukana vain, jos tutkimus nimeää sen kohdassa 'dimensions:'",
        "higher": "Ylemmän tason faktori",
        "measured_by": "ulottuvuudet",
        "groups": "Ehdotetut ryhmittelymuuttujat",
        "reverse_note": "(R) käänteisesti pisteytettävä: pisteet ovat {sum} − vastaus ({lo} + {hi} − vastaus) ennen analyysiä.",
        "no_reverse": "Mittarissa ei ole käänteisesti pisteytettäviä väittämiä.",
        "reflective": "reflektiivinen",
        "formative": "formatiivinen",
        "index": "indeksi",
        "core": "ydin",
        "enabler": "edellytys",
        "outcome": "seuraus",
        "marker": "merkkimuuttuja",
    },
}


def _text(texts: dict[str, str] | None, lang: str) -> str:
    """The text in ``lang``; the English (or first) one if that language is missing."""
    if not texts:
        return ""
    return texts.get(lang) or texts.get("en") or next(iter(texts.values()))


def _wrap(text: str, indent: str, first: str | None = None) -> list[str]:
    first = indent if first is None else first
    return textwrap.wrap(
        " ".join(text.split()),
        width=WIDTH,
        initial_indent=first,
        subsequent_indent=indent,
        break_on_hyphens=False,
    ) or [first.rstrip()]


def _dimension_lines(number: int, dim: Dimension, lang: str, h: dict[str, str]) -> list[str]:
    tags = []
    if dim.optional:
        tags.append(h["optional"])
    if dim.role != "core":
        tags.append(h[dim.role])
    tag = f"{' '.join(tags)}, " if tags else ""
    head = f"{number}. "
    lines = _wrap(
        f"{_text(dim.name, lang)} [{dim.id}]: {tag}{len(dim.items)} {h['items']}",
        " " * len(head),
        head,
    )
    if dim.optional:
        lines.extend(_wrap(f"({h['optional_hint']})", "   "))
    if dim.definition:
        lines.extend(_wrap(_text(dim.definition, lang), "   "))
    width = len(str(len(dim.items)))
    id_width = max(len(i.id) for i in dim.items)
    for k, item in enumerate(dim.items, start=1):
        head = f"   {k:>{width}}. {item.id:<{id_width}}  "
        body = _text(item.text, lang) + (" (R)" if item.reverse else "")
        lines.extend(_wrap(body, " " * len(head), head))
    return lines


def describe_scale(scale: Scale, lang: str) -> str:
    """Describe a scale in full, as plain text, with its texts in ``lang``.

    Parameters
    ----------
    scale : Scale
        A validated scale definition.
    lang : str
        Language of the texts (``"en"``, ``"fi"``, ...); headings are English unless a
        translation of them exists (Finnish).

    Returns
    -------
    str
        Lines of at most about 78 characters, ending with a newline.
    """
    h = _HEADINGS.get(lang, _HEADINGS["en"])
    r = scale.response
    title = _text(scale.name, lang)
    if scale.short_name and scale.short_name.lower() not in title.lower():
        title = f"{scale.short_name}: {title}"
    out: list[str] = [title, "=" * min(len(title), WIDTH)]
    out.append(
        f"id {scale.id} · {h['version']} {scale.version} · {h['model']} {h[scale.model]} · "
        f"{h['languages']} {', '.join(scale.languages)}"
    )

    out += ["", h["sources"]]
    for c in scale.citations:
        text = c.text
        if c.doi and c.doi not in text:
            text = f"{text} https://doi.org/{c.doi}"
        out.extend(_wrap(text, "    ", "  - "))

    for key, body in (
        ("wording", scale.wording_note),
        ("definition", scale.definition),
        ("stem", scale.stem),
    ):
        if body:
            out += ["", h[key]]
            out.extend(_wrap(_text(body, lang), "  "))

    out += ["", h["response"].format(points=r.points, lo=r.minimum, hi=r.maximum)]
    labels = r.labels.get(lang) or r.labels.get("en") or next(iter(r.labels.values()))
    codes = list(r.codes) + ([r.dont_know.code] if r.dont_know else [])
    code_width = max(len(str(c)) for c in codes)
    for code in r.codes:
        out.append(f"  {code:>{code_width}}  {labels.get(code, '')}")
    if r.dont_know is not None:
        out.append(
            f"  {r.dont_know.code:>{code_width}}  {_text(r.dont_know.label, lang)} ({h['missing']})"
        )

    n_items = sum(len(d.items) for d in scale.dimensions)
    n_rev = sum(i.reverse for d in scale.dimensions for i in d.items)
    out += ["", h["dimensions"].format(n=len(scale.dimensions), items=n_items, rev=n_rev)]
    for number, dim in enumerate(scale.dimensions, start=1):
        out.append("")
        out.extend(_dimension_lines(number, dim, lang, h))

    if scale.higher_order is not None:
        ho = scale.higher_order
        out += ["", f"{h['higher']}: {_text(ho.name, lang)} [{ho.id}]"]
        out.extend(_wrap(f"{h['measured_by']}: {', '.join(ho.dimensions)}", "    ", "  "))

    if scale.group_variables:
        out += ["", f"{h['groups']}:"]
        out.extend(_wrap(", ".join(scale.group_variables), "  "))

    out.append("")
    if n_rev:
        out.extend(
            _wrap(
                h["reverse_note"].format(sum=r.minimum + r.maximum, lo=r.minimum, hi=r.maximum),
                "",
            )
        )
    else:
        out.append(h["no_reverse"])
    return "\n".join(out) + "\n"
