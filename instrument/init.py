"""``moscale init``: write a complete, commented study file to start from.

The template explains every field of a study next to it: languages, texts, the submit URL, seeds,
sections with the dimensions of each scale (optional ones commented out), randomisation, required
answers, attention checks, and background questions with their roles and kinds. What it writes
loads as it is (:func:`moscale.instrument.loader.parse_study_text`), so a researcher can render a
questionnaire at once and edit from there.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from moscale._version import __version__
from moscale.errors import DefinitionError

from .loader import builtin_scale_ids, load_scale
from .schema import GROUP_KINDS, LANG_PATTERN, Scale

#: Background questions the template offers, by group ``kind``: id, type, text, options.
BACKGROUND: dict[str, dict] = {
    "industry": {
        "text": {
            "en": "In which industry does your company mainly operate?",
            "fi": "Millä toimialalla yrityksenne pääasiassa toimii?",
        },
        "options": [
            {"en": "Manufacturing", "fi": "Teollisuus"},
            {"en": "Business services", "fi": "Liike-elämän palvelut"},
            {
                "en": "Information and communication technology (ICT)",
                "fi": "Informaatio- ja viestintäteknologia (ICT)",
            },
            {"en": "Wholesale and distribution", "fi": "Tukkukauppa ja jakelu"},
            {"en": "Construction", "fi": "Rakentaminen"},
            {"en": "Other", "fi": "Muu"},
        ],
    },
    "firm_size": {
        "text": {
            "en": "How many people does your company employ?",
            "fi": "Montako henkilöä yrityksenne työllistää?",
        },
        "options": [
            {"en": "Fewer than 50", "fi": "Alle 50"},
            {"en": "50–249", "fi": "50–249"},
            {"en": "250–999", "fi": "250–999"},
            {"en": "1,000 or more", "fi": "1 000 tai enemmän"},
        ],
    },
    "function": {
        "text": {
            "en": "In which function do you mainly work?",
            "fi": "Missä toiminnossa työskentelette pääasiassa?",
        },
        "options": [
            {"en": "Marketing", "fi": "Markkinointi"},
            {"en": "Sales", "fi": "Myynti"},
            {"en": "Research and development", "fi": "Tutkimus ja tuotekehitys"},
            {"en": "Service and customer support", "fi": "Palvelu ja asiakastuki"},
            {"en": "General management", "fi": "Yleisjohto"},
            {"en": "Other", "fi": "Muu"},
        ],
    },
    "hierarchy": {
        "text": {
            "en": "What is your position in the organisation?",
            "fi": "Mikä on asemanne organisaatiossa?",
        },
        "options": [
            {"en": "Top management", "fi": "Ylin johto"},
            {"en": "Middle management", "fi": "Keskijohto"},
            {
                "en": "Expert or operational staff",
                "fi": "Asiantuntija- tai operatiivinen henkilöstö",
            },
        ],
    },
    "customer_facing": {
        "text": {
            "en": "Are you in regular, direct contact with customers in your work?",
            "fi": "Oletteko työssänne säännöllisesti suoraan yhteydessä asiakkaisiin?",
        },
        "options": [{"en": "Yes", "fi": "Kyllä"}, {"en": "No", "fi": "Ei"}],
        "codes": [1, 0],
    },
    "country": {
        "text": {
            "en": "In which country is your business unit located?",
            "fi": "Missä maassa liiketoimintayksikkönne sijaitsee?",
        },
        "options": [
            {"en": "Finland", "fi": "Suomi"},
            {"en": "Sweden", "fi": "Ruotsi"},
            {"en": "Another country", "fi": "Muu maa"},
        ],
    },
    "b2b_b2c": {
        "text": {
            "en": "Who are your business unit's customers?",
            "fi": "Keitä liiketoimintayksikkönne asiakkaat ovat?",
        },
        "options": [
            {
                "en": "Mainly businesses and organisations (B2B)",
                "fi": "Pääasiassa yritykset ja organisaatiot (B2B)",
            },
            {"en": "Mainly consumers (B2C)", "fi": "Pääasiassa kuluttajat (B2C)"},
            {"en": "Both about equally", "fi": "Molemmat suunnilleen yhtä paljon"},
        ],
    },
    "value_chain_tier": {
        "text": {
            "en": "Where is your company in the value chain of its main product?",
            "fi": "Missä kohdassa päätuotteensa arvoketjua yrityksenne on?",
        },
        "options": [
            {"en": "Producer or manufacturer", "fi": "Tuottaja tai valmistaja"},
            {"en": "Distributor or trading partner", "fi": "Jakelija tai kauppakumppani"},
            {"en": "User of the product (user firm)", "fi": "Tuotteen käyttäjä (käyttäjäyritys)"},
        ],
    },
    "crm_maturity": {
        "text": {
            "en": "Which describes customer relationship management in your company best?",
            "fi": "Mikä kuvaa yrityksenne asiakkuudenhallintaa parhaiten?",
        },
        "options": [
            {
                "en": "Mainly an IT system that supports existing processes",
                "fi": "Lähinnä tietojärjestelmä, joka tukee nykyisiä prosesseja",
            },
            {
                "en": "Moving from an IT system towards a company-wide strategy",
                "fi": "Siirtymässä tietojärjestelmästä koko yrityksen strategiaksi",
            },
            {
                "en": "A company-wide strategy that guides our decisions",
                "fi": "Koko yrityksen strategia, joka ohjaa päätöksiämme",
            },
        ],
    },
}

_FIRM_ID = {
    "en": "Company code (from your invitation), so that answers from the same company can be combined",
    "fi": "Yrityksen tunnus (kutsustanne), jotta saman yrityksen vastaukset voidaan yhdistää",
}
_RESPONDENT_ID = {"en": "Your respondent code", "fi": "Vastaajatunnuksenne"}
_EMPLOYEES = {
    "en": "How many people work in your business unit?",
    "fi": "Montako henkilöä liiketoimintayksikössänne työskentelee?",
}
_TITLE = {
    "en": "Survey on customers and markets in your company",
    "fi": "Kysely yrityksenne asiakkaista ja markkinoista",
}
_INTRO = {
    "en": (
        "Thank you for taking part. There are no right or wrong answers: please describe how "
        "things actually are in your company. Answering takes about 10 minutes."
    ),
    "fi": (
        "Kiitos osallistumisestanne. Oikeita tai vääriä vastauksia ei ole: kuvatkaa, miten asiat "
        "yrityksessänne todella ovat. Vastaaminen vie noin 10 minuuttia."
    ),
}
_CLOSING = {"en": "Thank you for your answers!", "fi": "Kiitos vastauksistanne!"}
_CHECK = {
    "en": "To show that you are reading carefully, please select '{label}' on this line.",
    "fi": "Osoittaaksenne, että luette huolellisesti, valitkaa tällä rivillä '{label}'.",
}


#: ends a line whose text still needs translating (another language's text stands in)
_TODO = "  # TODO: translate"


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _lt(texts: dict[str, str], langs: list[str]) -> tuple[str, bool]:
    """``{en: "...", fi: "..."}`` for ``langs``; True when a language had to borrow English."""
    parts, borrowed = [], False
    for lang in langs:
        if lang in texts:
            parts.append(f"{lang}: {_q(texts[lang])}")
        else:
            borrowed = True
            fallback = texts.get("en") or next(iter(texts.values()))
            parts.append(f"{lang}: {_q(fallback)}")
    return "{" + ", ".join(parts) + "}", borrowed


def _field(indent: str, key: str, texts: dict[str, str], langs: list[str]) -> str:
    value, borrowed = _lt(texts, langs)
    todo = _TODO if borrowed else ""
    return f"{indent}{key}: {value}{todo}"


def _comment_out(lines: list[str], indent: str = "  ") -> list[str]:
    """Comment lines out so that deleting ``# `` restores them with their indentation."""
    return [indent + "# " + line[len(indent) :] for line in lines]


def _question(kind: str, langs: list[str]) -> list[str]:
    spec = BACKGROUND[kind]
    codes = spec.get("codes") or list(range(1, len(spec["options"]) + 1))
    lines = [
        f"  - id: {kind}",
        "    type: single",
        "    role: group",
        f"    kind: {kind}",
        _field("    ", "text", spec["text"], langs),
        "    options:",
    ]
    for code, label in zip(codes, spec["options"], strict=True):
        value, borrowed = _lt(label, langs)
        todo = _TODO if borrowed else ""
        lines.append(f"      - {{code: {code}, label: {value}}}{todo}")
    return lines


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    if not slug or not slug[0].isalpha():
        slug = "study_" + slug if slug else "study"
    return slug[:40].rstrip("_")


def _check_languages(langs: list[str]) -> list[str]:
    if not langs:
        raise DefinitionError(
            "no languages given", hint="give at least one language, for example --lang en,fi"
        )
    bad = [lang for lang in langs if not re.match(LANG_PATTERN, lang)]
    if bad:
        raise DefinitionError(
            f"'{bad[0]}' is not a language code",
            hint="use two- or three-letter codes such as en, fi, sv (optionally en-GB)",
        )
    seen: list[str] = []
    for lang in langs:
        if lang not in seen:
            seen.append(lang)
    return seen


def _load(ref: str) -> Scale:
    try:
        return load_scale(ref)
    except DefinitionError as exc:
        if exc.location:  # a scale file that exists but is broken: its own message says where
            raise
        raise DefinitionError(
            f"unknown scale '{ref}'",
            hint=f"choose from the library: {', '.join(builtin_scale_ids())} "
            "('moscale scales' lists them), or give the path of a scale .yaml file",
        ) from None


def _ref_in_study(ref: str, base: Path | None) -> str:
    """How the study file names the scale: a library id as it is, a path relative to ``base``."""
    if ref in builtin_scale_ids():
        return ref
    path = Path(ref)
    if base is None:
        return path.as_posix()
    try:
        return Path(os.path.relpath(path.resolve(), Path(base).resolve())).as_posix()
    except ValueError:  # another drive (Windows): no relative path exists
        return path.resolve().as_posix()


def _section(scale: Scale, ref: str, langs: list[str], first: bool, base: Path | None) -> list[str]:
    r = scale.response
    cite = scale.citations[0].text.split(")")[0] + ")" if scale.citations else ""
    n_core = sum(len(d.items) for d in scale.dimensions if not d.optional)
    labels = r.labels.get(langs[0]) or r.labels.get("en") or next(iter(r.labels.values()))
    dk = f"; don't know = {r.dont_know.code} (missing)" if r.dont_know else ""
    name = scale.name.get("en") or next(iter(scale.name.values()))
    lines = [
        f"  # ---- {scale.id}: {name} ----",
        f"  # {cite}; {n_core} core items; {r.points} points "
        f"({r.minimum} = {labels[r.minimum]} ... {r.maximum} = {labels[r.maximum]}){dk}.",
        f"  # 'moscale show {scale.id}' describes the scale in full.",
        f"  - scale: {_q(_ref_in_study(ref, base)) if ref not in builtin_scale_ids() else ref}",
        f"    # id: {scale.id}_2        # section id; needed only when the same scale is used twice",
        f"    # title: {_lt(scale.name, langs)[0]}",
        "    #   (heading of the block; default: the scale's name, as here)",
        "    # Dimensions to include, in this order. Leave 'dimensions' out to get all core",
        "    # dimensions. Optional ones (enablers, outcomes) come in only when listed: delete the",
        "    # '# ' in front of one to include it.",
        "    dimensions:",
    ]
    core = [d for d in scale.dimensions if not d.optional] or list(scale.dimensions)
    width = max(len(d.id) for d in scale.dimensions) + 2
    for dim in scale.dimensions:
        dname = dim.name.get("en") or next(iter(dim.name.values()))
        role = "" if dim.role == "core" else f"{dim.role}: "
        note = f"# {role}{dname}, {len(dim.items)} items"
        if dim in core:
            lines.append(f"      - {dim.id:<{width}}{note}")
        else:
            lines.append(f"      # - {dim.id:<{width}}# optional {note[2:]}")
    lines += [
        "    # false: items in the order of the scale definition. true: every respondent gets the",
        "    # items (and attention checks) of this section in a random order, which spreads order",
        "    # effects; the order each respondent saw is saved in the column <section id>_order.",
        "    randomize: false",
        "    # seed: 12345   # fixes the random order; default: the study 'seed' + the section number",
        "    # Must items be answered? none (may skip) | soft (reminded, may still skip) | hard (must",
        "    # answer; raises drop-out, and without a don't-know option respondents pick the middle).",
        "    required: soft",
        "    # Attention checks: an instructed-response line among the items ('please select ...').",
        "    # 'expect' is the code a careful respondent picks; 'after' is the item it follows",
        "    # (default: the middle of the section). The analysis counts failures; you decide what",
        "    # to do about them, and should say so before collecting data. About one check per",
        "    # 50-100 items is usual.",
    ]
    items = [i for d in core for i in d.items]
    expect = r.maximum - 1 if r.points >= 4 else r.maximum
    texts = {}
    for lang in langs:
        lab = (r.labels.get(lang) or labels)[expect]
        texts[lang] = _CHECK.get(lang, _CHECK["en"]).format(label=lab)
    check_text, borrowed = _lt(texts, langs)
    todo = _TODO if borrowed or any(x not in _CHECK for x in langs) else ""
    after = items[max(len(items) // 2 - 1, 0)].id
    check = [
        "    attention_checks:",
        f"      - id: attn_{scale.id}",
        f"        text: {check_text}{todo}",
        f"        expect: {expect}        # '{labels[expect]}'",
        f"        after: {after}",
    ]
    if first:
        lines += check
    else:
        lines += _comment_out(check, "    ")
    return lines


def study_template(
    scales: list[str],
    langs: list[str],
    title: str | None = None,
    base: Path | None = None,
) -> str:
    """A complete, commented study definition (YAML) for the given scales and languages.

    Parameters
    ----------
    scales : list of str
        Built-in scale ids (``"mktor"``) or paths of scale files (relative to the current
        directory); each becomes one section, in this order.
    langs : list of str
        Questionnaire languages; every scale must offer all of them.
    title : str, optional
        Study title; used for every language (the file marks non-English copies for
        translation). Default: a generic title.
    base : Path, optional
        Folder the study file will be written to; scale paths are written relative to it.

    Returns
    -------
    str
        YAML text that :func:`moscale.instrument.loader.parse_study_text` loads as it is.

    Raises
    ------
    DefinitionError
        No scales, an unknown scale (the message lists the library), a scale listed twice, a bad
        language code, or a language that a scale does not offer.
    """
    if not scales:
        raise DefinitionError(
            "no scales given",
            hint=f"name one or more, for example --scales mktor,ccrm; the library has "
            f"{', '.join(builtin_scale_ids())}",
        )
    langs = _check_languages(list(langs))
    loaded: list[tuple[str, Scale]] = []
    for ref in scales:
        scale = _load(ref)
        if any(s.id == scale.id for _, s in loaded):
            raise DefinitionError(
                f"scale '{scale.id}' is listed twice",
                hint="list each scale once; to ask a scale twice, copy its section in the "
                "study file and give the copy its own 'id:' and item ids",
            )
        missing = [lang for lang in langs if lang not in scale.languages]
        if missing:
            common = [
                lang for lang in scale.languages if all(lang in s.languages for _, s in loaded)
            ]
            raise DefinitionError(
                f"scale '{scale.id}' has no {', '.join(missing)} version "
                f"(it offers {', '.join(scale.languages)})",
                hint="use --lang with languages that every chosen scale offers"
                + (f", for example --lang {','.join(common)}" if common else "")
                + ", or translate your own copy of the scale",
            )
        loaded.append((ref, scale))

    if title:
        title_texts = {lang: title for lang in langs}
        title_line = f"title: {_lt(title_texts, langs)[0]}"
        if any(lang != "en" for lang in langs):
            title_line += _TODO
    else:
        title_line = _field("", "title", _TITLE, langs)
    study_id = _slug(title) if title else "my_study"
    suggested = {g for _, s in loaded for g in s.group_variables}
    ids = ", ".join(s.id for _, s in loaded)

    out: list[str] = [
        "# moscale study definition",
        "# ==========================",
        f"# Written by 'moscale init' (moscale {__version__}) for: {ids}.",
        "# Edit it, then for example:",
        "#   moscale render THIS_FILE --format html --lang " + langs[0] + " -o questionnaire.html",
        "#   moscale render THIS_FILE --format codebook -o codebook/",
        "#   moscale simulate THIS_FILE -n 300 -o rehearsal.csv   (rehearse the analysis)",
        '# Texts are written once per language, e.g. {en: "...", fi: "..."}; every text needs',
        "# every language listed under 'languages'. Lines starting with '#' are comments: delete",
        "# the '# ' in front of a field to use it.",
        "",
        "# Short identifier (letters, digits, '_'; starts with a letter); names the output files.",
        f"id: {study_id}",
        "",
        "# Questionnaire languages. Every scale must offer them ('moscale show ID' lists a scale's",
        "# languages). The first is the default language of 'moscale render'.",
        f"languages: [{', '.join(langs)}]",
        "",
        "# Shown at the top of the questionnaire.",
        title_line,
        "",
        "# Optional texts shown before the first and after the last question; delete if unneeded.",
        "introduction:",
    ]
    for lang in langs:
        text = _INTRO.get(lang, _INTRO["en"])
        todo = _TODO if lang not in _INTRO else ""
        out.append(f"  {lang}: {_q(text)}{todo}")
    out += [
        _field("", "closing", _CLOSING, langs),
        "",
        "# Where the HTML form sends the answers: an https address that accepts a POST request.",
        "# Without it, each respondent downloads their answers as a CSV file to send to you.",
        "# submit_url: https://example.org/survey/submit",
        "",
        "# Random seed of randomised sections: every respondent's item order can be reproduced.",
        "seed: 20240601",
        "",
        "# Background questions at the 'start' or at the 'end' of the questionnaire.",
        "background_position: end",
        "",
        "# Sections: each is one block of items from one scale, in questionnaire order.",
        "sections:",
    ]
    for k, (ref, scale) in enumerate(loaded):
        out += _section(scale, ref, langs, first=k == 0, base=base)
        out.append("")

    out += [
        "# Background questions.",
        "#   type: single (one option) | multiple (any number; one 0/1 column per option)",
        "#         | number (with optional minimum / maximum) | text",
        "#   role: group         a comparison group: measurement invariance and group comparisons",
        "#                       (single-choice questions only); analyze --group ID picks one",
        "#         cluster       the firm (or unit) a respondent belongs to: several respondents",
        "#                       per firm are checked for agreement (rwg, ICC) before firm scores;",
        "#                       at most one question",
        "#         respondent_id your own respondent code (at most one); without it the HTML form",
        "#                       makes one for each respondent",
        "#         none          (default) described, not used to group",
        "#   kind: what a group variable measures: " + ", ".join(GROUP_KINDS[:5]) + ",",
        "#         " + ", ".join(GROUP_KINDS[5:]) + ".",
        "#   required: none | soft | hard, as for sections. Option codes are the values in the data.",
        "# Questions the chosen scales suggest as group variables are active below; the others are",
        "# commented out.",
        "background:",
    ]
    for kind in GROUP_KINDS:
        if kind not in BACKGROUND:
            continue
        lines = _question(kind, langs)
        out += lines if kind in suggested else _comment_out(lines)
    out += [
        "  - id: firm_id",
        "    type: text",
        "    role: cluster",
        "    required: none",
        _field("    ", "text", _FIRM_ID, langs),
    ]
    out += _comment_out(
        [
            "  - id: employees",
            "    type: number",
            "    minimum: 1",
            "    maximum: 1000000",
            _field("    ", "text", _EMPLOYEES, langs),
            "  - id: respondent",
            "    type: text",
            "    role: respondent_id",
            "    required: hard",
            _field("    ", "text", _RESPONDENT_ID, langs),
        ]
    )
    return "\n".join(out) + "\n"
