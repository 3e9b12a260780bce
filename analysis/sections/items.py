"""Report section 3, items: descriptive statistics and the distribution of the answers, per dimension.

Statistics come from :func:`~moscale.analysis.itemstats.item_statistics` (psych ``describe``): on the
keyed items (reverse-keyed items recoded, as every later analysis uses them) for the table, and on the
answers as given (:meth:`~moscale.analysis.responses.Dataset.unkeyed_items`) for the diverging bar
chart, which shows what respondents ticked.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from moscale.analysis import plots
from moscale.analysis.itemstats import item_statistics
from moscale.analysis.report import Figure, Section
from moscale.analysis.tables import Table
from moscale.errors import UserError

from .engine_fi import engine_text

STEP = "item statistics"

#: Marked non-normality of an item (Curran, West & Finch, 1996).
SKEW_LIMIT = 2.0
KURTOSIS_LIMIT = 7.0

TEXT: dict[str, dict[str, Any]] = {
    "en": {
        "title": "Items",
        "table_title": "{dim}: item descriptive statistics",
        "item": "Item",
        "text": "Text",
        "n": "n",
        "mean": "M",
        "sd": "SD",
        "skew": "Skewness",
        "kurtosis": "Kurtosis",
        "pct_missing": "% missing",
        "floor": "Floor %",
        "ceiling": "Ceiling %",
        "note": (
            "n = valid answers of the {n} respondents analysed. M, SD, skewness (m₃/s³) and "
            "excess kurtosis (m₄/s⁴ − 3) as psych's describe (type 3; Joanes & Gill, 1998). "
            "{reverse}Floor and ceiling: % of valid answers in the lowest ({lo}) and highest "
            "({hi}) category. |Skewness| > 2 or kurtosis > 7 marks strong non-normality (Curran, "
            "West & Finch, 1996)."
        ),
        "note_reverse": (
            "(R) reverse-keyed item: statistics after recoding as {sum} − x, the direction every "
            "analysis uses. "
        ),
        "note_no_range": "Floor and ceiling need a declared response scale and are not given.",
        "chart_title": "{dim}: answers as given",
        "chart_caption": (
            "Share of each item's valid answers in each category, as the respondents answered "
            "(reverse-keyed items (R) are not recoded here, so their bars lean the other way). "
            "Disagreeing answers to the left of zero, agreeing ones to the right; the middle "
            "category is split at zero. Missing answers are left out."
        ),
        "no_chart": (
            "{dim}: no bar chart, because the answers are not a small set of response categories."
        ),
        "p_intro": (
            "Each dimension's items are described after reverse keying, the form every later "
            "analysis uses{reversed}. The bar charts show the answers as given. Item texts are in "
            "the report's language."
        ),
        "p_intro_reversed": " (reverse-keyed items, marked (R), were recoded as minimum + maximum − x: {items})",
        "p_nonnormal": (
            "Strongly non-normal items (|skewness| > 2 or kurtosis > 7): {items}. Estimates that "
            "assume normality (ML) are then biased; robust (MLR) or ordinal (WLSMV) estimation is "
            "preferable."
        ),
        "p_flat": "No variance (every respondent gave the same answer): {items}.",
        "s_items": "{n_items} items in {k} dimension(s) were described{reversed}.",
        "s_reversed": "; {n} reverse-keyed item(s) were recoded before analysis ({items})",
        "s_nonnormal": "{n} item(s) are strongly non-normal ({items}).",
        "w_failed": "Item statistics for {dim} could not be computed: {error}",
        "w_flat": "Item {item} has no variance: every respondent gave the same answer.",
    },
    "fi": {
        "title": "Väittämät",
        "table_title": "{dim}: väittämien tunnusluvut",
        "item": "Väittämä",
        "text": "Teksti",
        "n": "n",
        "mean": "ka",
        "sd": "kh",
        "skew": "Vinous",
        "kurtosis": "Huipukkuus",
        "pct_missing": "% puuttuu",
        "floor": "Lattia %",
        "ceiling": "Katto %",
        "note": (
            "n = analysoitujen {n} vastaajan kelvolliset vastaukset. ka = keskiarvo, kh = "
            "keskihajonta; vinous (m₃/s³) ja huipukkuus (m₄/s⁴ − 3) kuten psych-paketin describe "
            "(tyyppi 3; Joanes & Gill, 1998). {reverse}Lattia ja katto: kelvollisten vastausten % "
            "alimmassa ({lo}) ja ylimmässä ({hi}) luokassa. |Vinous| > 2 tai huipukkuus > 7 "
            "osoittaa voimakasta poikkeamaa normaalijakaumasta (Curran, West & Finch, 1996)."
        ),
        "note_reverse": (
            "(R) käänteisesti pisteytetty väittämä: tunnusluvut uudelleenkoodauksen {sum} − x "
            "jälkeen, samassa suunnassa kuin kaikissa analyyseissa. "
        ),
        "note_no_range": (
            "Lattia- ja kattovaikutusta ei anneta, koska vastausasteikkoa ei ole määritelty."
        ),
        "chart_title": "{dim}: vastaukset sellaisinaan",
        "chart_caption": (
            "Kunkin väittämän kelvollisten vastausten osuus kussakin luokassa sellaisina kuin "
            "vastaajat vastasivat (käänteisiä väittämiä (R) ei ole tässä uudelleenkoodattu, joten "
            "niiden palkit painottuvat toiseen suuntaan). Eri mieltä olevat vastaukset nollasta "
            "vasemmalle, samaa mieltä olevat oikealle; keskimmäinen luokka jaetaan nollan kohdalla. "
            "Puuttuvat vastaukset on jätetty pois."
        ),
        "no_chart": (
            "{dim}: pylväskuviota ei piirretty, koska vastaukset eivät ole pieni joukko "
            "vastausluokkia."
        ),
        "p_intro": (
            "Kunkin ulottuvuuden väittämät kuvataan käänteisen pisteytyksen jälkeen, siinä "
            "muodossa kuin kaikissa myöhemmissä analyyseissa{reversed}. Pylväskuviot näyttävät "
            "vastaukset sellaisinaan. Väittämien tekstit ovat raportin kielellä."
        ),
        "p_intro_reversed": (
            " (käänteisesti pisteytetyt väittämät, merkintä (R), koodattiin uudelleen muotoon "
            "minimi + maksimi − x: {items})"
        ),
        "p_nonnormal": (
            "Voimakkaasti normaalijakaumasta poikkeavat väittämät (|vinous| > 2 tai huipukkuus > "
            "7): {items}. Normaalisuutta olettavat estimaatit (ML) ovat tällöin harhaisia; robusti "
            "(MLR) tai ordinaalinen (WLSMV) estimointi on parempi."
        ),
        "p_flat": "Ei vaihtelua (kaikki vastasivat samoin): {items}.",
        "s_items": "Kuvattiin {n_items} väittämää {k} ulottuvuudessa{reversed}.",
        "s_reversed": "; {n} käänteisesti pisteytettyä väittämää koodattiin uudelleen ennen analyysia ({items})",
        "s_nonnormal": "{n} väittämää poikkeaa voimakkaasti normaalijakaumasta ({items}).",
        "w_failed": "Ulottuvuuden {dim} väittämien tunnuslukuja ei voitu laskea: {error}",
        "w_flat": "Väittämässä {item} ei ole vaihtelua: kaikki vastasivat samoin.",
    },
}


def _text(ctx: Any) -> dict[str, Any]:
    return TEXT.get(ctx.lang, TEXT["en"])


def table_id(prefix: str, key: str) -> str:
    """A stable table/figure id from a dimension key: letters, digits, '_' and '-' only."""
    return prefix + "_" + re.sub(r"[^A-Za-z0-9_-]+", "_", key)


def scale_range_of(dataset: Any, items: list[str]) -> tuple[float, float] | None:
    """The response scale of a dimension's items (lowest and highest code over them), if declared
    or inferred when the data were read."""
    ranges = [dataset.scale_range.get(i) for i in items]
    if not ranges or any(r is None for r in ranges):
        return None
    return float(min(r[0] for r in ranges)), float(max(r[1] for r in ranges))


def item_text(ctx: Any, item: str) -> str | None:
    """The item's wording in the report language (None without an instrument)."""
    if ctx.instrument is None:
        return None
    try:
        texts = ctx.instrument.item(item).text
    except KeyError:
        return None
    return texts.get(ctx.lang) or next(iter(texts.values()), None)


def item_label(ctx: Any, item: str) -> str:
    """Item id, with "(R)" for a reverse-keyed item."""
    return f"{item} (R)" if item in ctx.dataset.reversed else item


def _category_labels(ctx: Any, key: str, categories: list[str]) -> list[str]:
    """Labels of the response categories in the report language (the codes without an
    instrument)."""
    inst = ctx.instrument
    if inst is None:
        return categories
    block = next((b for b in inst.blocks if b.id == key.split(".", 1)[0]), None)
    if block is None:
        return categories
    labels = block.response.labels
    lang = labels.get(ctx.lang) or next(iter(labels.values()), {})
    out = []
    for c in categories:
        try:
            out.append(lang.get(int(float(c)), c))
        except ValueError:
            out.append(c)
    return out


def build(ctx: Any) -> Section:
    """The items section (see the module docstring)."""
    t = _text(ctx)
    ds = ctx.dataset
    n = int(ds.n_kept)
    section = Section(id="items", title=t["title"])
    warnings: list[str] = []
    results: dict[str, Any] = {"dimensions": {}, "reversed": {}}
    given = ds.unkeyed_items()
    nonnormal: list[str] = []
    flat: list[str] = []
    found: dict[str, Any] = {}
    n_items = 0
    for key, dim_items in ctx.dimensions.items():
        its = [i for i in dim_items if i in ds.items.columns]
        if not its:
            continue
        label = ctx.label(key)
        rng = scale_range_of(ds, its)
        try:
            st = item_statistics(ds.items[its], scale_range=rng)
            st_given = item_statistics(given[its], scale_range=rng)
        except UserError as exc:
            error = engine_text(exc.message, ctx.lang)
            warnings.append(t["w_failed"].format(dim=label, error=error))
            continue
        found[key] = st
        n_items += len(its)
        tab = st.table
        texts = {i: item_text(ctx, i) for i in its}
        frame = pd.DataFrame({t["item"]: [item_label(ctx, i) for i in its]})
        if ctx.instrument is not None:
            frame[t["text"]] = [texts[i] or "" for i in its]
        cols = {
            "n": ("n", "int", 0),
            "mean": ("mean", "stat", 2),
            "sd": ("sd", "stat", 2),
            "skew": ("skew", "stat", 2),
            "kurtosis": ("kurtosis", "stat", 2),
            "pct_missing": ("pct_missing", "stat", 1),
            "floor": ("floor_pct", "stat", 1),
            "ceiling": ("ceiling_pct", "stat", 1),
        }
        kinds, decimals = {t["item"]: "text", t["text"]: "text"}, {}
        for word, (col, kind, dec) in cols.items():
            frame[t[word]] = tab.loc[its, col].to_numpy()
            kinds[t[word]] = kind
            decimals[t[word]] = dec
        rev = [i for i in its if i in ds.reversed]
        reverse_note = ""
        if rev:
            lo, hi = ds.reversed[rev[0]]
            reverse_note = t["note_reverse"].format(sum=f"{lo + hi:g}")
        note = t["note"].format(
            n=n,
            reverse=reverse_note,
            lo=f"{rng[0]:g}" if rng else "—",
            hi=f"{rng[1]:g}" if rng else "—",
        )
        if rng is None:
            note += " " + t["note_no_range"]
        section.tables.append(
            Table(
                id=table_id("items", key),
                title=t["table_title"].format(dim=label),
                frame=frame,
                kinds=kinds,
                decimals=decimals,
                note=note,
            )
        )
        # the distribution as answered: what respondents ticked
        dist = st_given.distribution
        figure_result = None
        if dist is not None:
            shares = dist.drop(columns="missing").loc[its]
            shares = shares[shares.notna().all(axis=1)]
            if len(shares):
                cats = [str(c) for c in shares.columns]
                cat_labels = _category_labels(ctx, key, cats)
                chart = shares.copy()
                chart.index = [item_label(ctx, i) for i in chart.index]
                section.figures.append(
                    Figure(
                        id=table_id("items_chart", key),
                        title=t["chart_title"].format(dim=label),
                        svg=plots.likert_bars(chart, cat_labels),
                        caption=t["chart_caption"],
                    )
                )
                figure_result = {"categories": cats, "category_labels": cat_labels}
        else:
            section.paragraphs.append(t["no_chart"].format(dim=label))
        for i in its:
            sk, ku = tab.loc[i, "skew"], tab.loc[i, "kurtosis"]
            if (np.isfinite(sk) and abs(sk) > SKEW_LIMIT) or (
                np.isfinite(ku) and ku > KURTOSIS_LIMIT
            ):
                nonnormal.append(i)
            if tab.loc[i, "sd"] == 0:
                flat.append(i)
        stats = st.to_dict()
        for record in stats["items"]:
            # the items arrive keyed; say which ones were reversed when the data were read
            record["reversed"] = record["item"] in ds.reversed
        results["dimensions"][key] = {
            "label": label,
            "items": its,
            "texts": texts,
            "reverse_keyed": rev,
            "scale_range": list(rng) if rng else None,
            "statistics": stats["items"],
            "distribution": stats["distribution"],
            "distribution_as_answered": st_given.to_dict()["distribution"],
            "chart": figure_result,
            "notes": stats["notes"],
        }
    reversed_items = [i for i in ds.reversed if i in ds.items.columns]
    results["reversed"] = {i: list(ds.reversed[i]) for i in reversed_items}
    results["nonnormal"] = nonnormal
    results["no_variance"] = flat
    results["limits"] = {"skew": SKEW_LIMIT, "kurtosis": KURTOSIS_LIMIT}

    intro_rev = (
        t["p_intro_reversed"].format(items=", ".join(reversed_items)) if reversed_items else ""
    )
    section.paragraphs.insert(0, t["p_intro"].format(reversed=intro_rev))
    if nonnormal:
        section.paragraphs.append(t["p_nonnormal"].format(items=", ".join(nonnormal)))
    if flat:
        section.paragraphs.append(t["p_flat"].format(items=", ".join(flat)))
        warnings += [t["w_flat"].format(item=i) for i in flat]
    s_rev = (
        t["s_reversed"].format(n=len(reversed_items), items=", ".join(reversed_items))
        if reversed_items
        else ""
    )
    ctx.summary.append(t["s_items"].format(n_items=n_items, k=len(found), reversed=s_rev))
    if nonnormal:
        ctx.summary.append(t["s_nonnormal"].format(n=len(nonnormal), items=", ".join(nonnormal)))
    for w in warnings:
        ctx.warn(w)
    section.warnings.extend(warnings)
    ctx.results["items"] = results
    ctx.found["item_statistics"] = found
    return section


__all__ = ["STEP", "TEXT", "build", "item_label", "item_text", "scale_range_of", "table_id"]
