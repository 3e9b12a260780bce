"""Report section 2, data quality: the sample, data problems, missing answers, careless responding.

Everything here is read from what reading and screening recorded (:class:`~moscale.analysis.responses.
Dataset` issues and exclusions, :class:`~moscale.analysis.screening.Screening` flags and cut-offs) and
from :func:`~moscale.analysis.itemstats.item_statistics` (missing answers per item); the section only
counts and phrases them. Little's MCAR test is not computed (no tested implementation): the report
says so instead of guessing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from moscale.analysis.itemstats import item_statistics
from moscale.analysis.plots_quality import missingness_map
from moscale.analysis.report import Figure, Section
from moscale.analysis.screening import RULES
from moscale.analysis.tables import Table, format_value
from moscale.errors import UserError

from .engine_fi import engine_text

STEP = "data quality"

#: Issue kinds counted per cell, per column or per row (the unit of ``n`` in the issue table).
_CELL_KINDS = {"out_of_range", "non_numeric"}
_ROW_KINDS = {"duplicate_id", "incomplete_row", "respondent_missing"}

TEXT: dict[str, dict[str, Any]] = {
    "en": {
        "title": "Data quality",
        "sample_title": "Sample: responses read, dropped, excluded and analysed",
        "step": "Step",
        "n": "n",
        "n_read": "Rows read from the data",
        "dropped": "Dropped when reading: {kind}",
        "kept_read": "Responses kept after reading",
        "excluded_rule": "Excluded by screening rule: {rule}",
        "excluded_other": "Excluded: {reason}",
        "excluded_total": "Excluded by screening in total",
        "analysed": "Respondents analysed",
        "sample_note": (
            "Rows are dropped when reading only as the data policy says (preview, test and "
            "unfinished responses, repeated respondent ids); careless respondents are excluded only "
            "by the screening rules the analysis was asked to apply. A respondent flagged by two "
            "excluding rules is counted under both rules but once in the total."
        ),
        "issues_title": "Data problems found when reading, and what was done",
        "problem": "Problem",
        "action": "What was done",
        "unit": "Counted as",
        "columns": "Columns",
        "unit_cell": "cells",
        "unit_column": "columns",
        "unit_row": "rows",
        "issues_note": (
            "Out-of-range and non-numeric answers were set missing and are counted as missing "
            "answers below; declared missing codes (e.g. 'don't know') are missing answers by "
            "definition. Nothing was changed silently: every cell is listed in the JSON results "
            "(Dataset.issues)."
        ),
        "no_issues": (
            "No data problems were found when reading: every answer was a point of its response "
            "scale, no column was unexpected and no respondent id repeated."
        ),
        "missing_items_title": "Missing answers per item",
        "item": "Item",
        "dimension": "Dimension",
        "n_missing": "n missing",
        "pct_missing": "% missing",
        "missing_items_note": (
            "Share of the {n} respondents analysed with no answer to the item (declared missing "
            "codes and answers set missing because they were invalid included). Items above "
            "{threshold:.0f} % are flagged in the warnings."
        ),
        "missing_dims_title": "Missing answers per dimension",
        "k": "Items",
        "pct_cells": "% answers missing",
        "n_complete": "Complete responses",
        "pct_complete": "% complete",
        "worst_item": "Most-missed item",
        "worst_pct": "% missing (item)",
        "missing_dims_note": (
            "Complete responses: respondents who answered every item of the dimension; these are "
            "the respondents the listwise analyses of the dimension (reliability, CFA) rest on."
        ),
        "resp_title": "Missing answers per respondent",
        "resp_group": "Respondents",
        "pct": "%",
        "resp_complete": "answered every item",
        "resp_some": "missed some items (at most {threshold:.0f} %)",
        "resp_many": "missed more than {threshold:.0f} % of the items",
        "resp_none": "answered no item",
        "resp_note": (
            "Out of the {n} respondents analysed and {k} items. Little's MCAR test is not "
            "reported: moscale has no implementation verified against R, so whether the answers "
            "are missing completely at random is not tested here."
        ),
        "map_title": "Missing answers by respondent and item",
        "map_xlabel": "respondents (n = {n}), in file order; dark = missing",
        "map_caption": (
            "Each column of pixels is a respondent, each row an item; lines separate the "
            "dimensions. Vertical dark bands are respondents who stopped answering, horizontal "
            "ones items that were often skipped."
        ),
        "careless_title": "Careless-responding indices: rules, cut-offs, flagged and excluded",
        "rule": "Rule",
        "cutoff": "Cut-off",
        "flagged": "Flagged",
        "pct_flagged": "% flagged",
        "excluded": "Excluded",
        "any_rule": "Any rule",
        "careless_note": (
            "Indices as defined in the R package careless (Yentes & Wilhelm, 2023): longest run of "
            "identical answers (Johnson, 2005), intra-individual response variability (Dunn et "
            "al., 2018), Mahalanobis D² (Meade & Craig, 2012), even-odd consistency (Johnson, "
            "2005), psychometric synonyms and antonyms (Meade & Craig, 2012), instructed-response "
            "items and seconds per item (Huang et al., 2012). % of the {n} respondents screened. "
            "{excl}"
        ),
        "excl_none": "Flags are reported only; nobody was excluded.",
        "excl_some": "Respondents flagged by {rules} were excluded before every other analysis.",
        "not_applied": "Not applied: {items}.",
        "rule_names": {
            "longstring": "Straight-lining (longest run)",
            "irv": "Low response variability (IRV)",
            "mahad": "Multivariate outlier (Mahalanobis D²)",
            "evenodd": "Even-odd inconsistency",
            "psychsyn": "Psychometric synonyms",
            "psychant": "Psychometric antonyms",
            "attention": "Failed attention check",
            "speeding": "Speeding",
        },
        "rule_short": {
            "longstring": "straight-lining",
            "irv": "low variability (IRV)",
            "mahad": "Mahalanobis D²",
            "evenodd": "even-odd inconsistency",
            "psychsyn": "psychometric synonyms",
            "psychant": "psychometric antonyms",
            "attention": "failed attention check",
            "speeding": "speeding",
        },
        "rule_missing": {
            "longstring": "no items to compare",
            "irv": "no generally accepted cut-off exists, so none was set",
            "mahad": "the item covariance matrix could not be inverted",
            "evenodd": "needs at least two dimensions",
            "psychsyn": "no item pair correlates above the synonym criterion",
            "psychant": "no item pair correlates below the antonym criterion",
            "attention": "the data have no attention-check items",
            "speeding": "the data have no completion times",
        },
        "kinds": {
            "out_of_range": "Value outside the response scale",
            "non_numeric": "Answer that is neither a code nor an answer label",
            "declared_missing": "Declared missing code (e.g. don't know)",
            "duplicate_id": "Repeated respondent id",
            "preview_row": "Survey preview response",
            "test_row": "Survey test response",
            "spam_row": "Response marked as spam",
            "incomplete_row": "Unfinished response",
            "range_inferred": "Response scale inferred from the answers",
            "zero_variance": "Item without variance",
            "item_missing": "Item with many missing answers",
            "respondent_missing": "Respondent with many missing answers",
            "unknown_column": "Column not in the codebook",
            "missing_column": "Item of the instrument without a column",
            "column_map": "Exporter's column map applied",
        },
        "actions": {
            "set missing": "set missing",
            "dropped": "dropped",
            "flagged": "flagged",
            "ignored": "ignored",
            "applied": "applied",
            "used the observed range": "used the observed range",
        },
        "s_sample": "{n_read} questionnaires were read and {n} respondents analysed.",
        "s_sample_dropped": (
            "{n_read} questionnaires were read; {dropped} dropped when reading ({what}) and "
            "{n} respondents analysed."
        ),
        "s_flags": "Careless-responding screening flagged {n} respondent(s) ({flags}); {excl}.",
        "s_flag_item": "{rule}: {n}",
        "s_excl_none": "none were excluded",
        "s_excl_some": "{n} excluded ({what})",
        "s_no_flags": "No respondent was flagged for careless responding.",
        "s_missing": "{pct} of item answers are missing; {n_complete} respondents answered every item.",
        "w_item_missing": "Item {item}: {pct} of answers missing (more than {threshold:.0f} %).",
        "w_resp_missing": (
            "{n} respondent(s) missed more than {threshold:.0f} % of the items; consider whether "
            "their answers can be used."
        ),
        "w_zero_variance": "Item {item} has no variance: every respondent gave the same answer.",
        "w_missing_column": "Item {item} of the instrument has no column in the data.",
        "p_intro": (
            "This section shows what was read, what was done to the data, how much is missing and "
            "which respondents look careless. The statistics in the following sections rest on the "
            "{n} respondents analysed."
        ),
    },
    "fi": {
        "title": "Aineiston laatu",
        "sample_title": "Otos: luetut, pudotetut, poistetut ja analysoidut vastaukset",
        "step": "Vaihe",
        "n": "n",
        "n_read": "Aineistosta luetut rivit",
        "dropped": "Pudotettu luettaessa: {kind}",
        "kept_read": "Luettaessa säilytetyt vastaukset",
        "excluded_rule": "Poistettu seulontasäännöllä: {rule}",
        "excluded_other": "Poistettu: {reason}",
        "excluded_total": "Seulonnassa poistettu yhteensä",
        "analysed": "Analysoidut vastaajat",
        "sample_note": (
            "Rivejä pudotetaan luettaessa vain aineistokäytännön mukaan (esikatselu-, testi- ja "
            "keskeneräiset vastaukset sekä toistuvat vastaajatunnukset); huolimattomasti vastanneet "
            "poistetaan vain niillä seulontasäännöillä, joita analyysissa pyydettiin käyttämään. "
            "Kahden poistavan säännön merkitsemä vastaaja lasketaan kummankin säännön kohdalla, "
            "mutta yhteismäärään vain kerran."
        ),
        "issues_title": "Luettaessa havaitut aineiston ongelmat ja niiden käsittely",
        "problem": "Ongelma",
        "action": "Käsittely",
        "unit": "Yksikkö",
        "columns": "Sarakkeet",
        "unit_cell": "soluja",
        "unit_column": "sarakkeita",
        "unit_row": "rivejä",
        "issues_note": (
            "Asteikon ulkopuoliset ja muut kuin numeeriset vastaukset muutettiin puuttuviksi, ja "
            "ne lasketaan alla puuttuviin vastauksiin; ilmoitetut puuttuvan tiedon koodit (esim. "
            "'en osaa sanoa') ovat määritelmän mukaan puuttuvia vastauksia. Mitään ei muutettu "
            "huomaamatta: jokainen solu on lueteltu JSON-tuloksissa (Dataset.issues)."
        ),
        "no_issues": (
            "Aineistoa luettaessa ei havaittu ongelmia: jokainen vastaus oli vastausasteikon piste, "
            "odottamattomia sarakkeita ei ollut eikä mikään vastaajatunnus toistunut."
        ),
        "missing_items_title": "Puuttuvat vastaukset väittämittäin",
        "item": "Väittämä",
        "dimension": "Ulottuvuus",
        "n_missing": "n puuttuu",
        "pct_missing": "% puuttuu",
        "missing_items_note": (
            "Niiden analysoitujen {n} vastaajan osuus, jotka eivät vastanneet väittämään (mukana "
            "ilmoitetut puuttuvan tiedon koodit ja virheellisinä puuttuviksi muutetut vastaukset). "
            "Yli {threshold:.0f} %:n väittämät mainitaan varoituksissa."
        ),
        "missing_dims_title": "Puuttuvat vastaukset ulottuvuuksittain",
        "k": "Väittämiä",
        "pct_cells": "% vastauksista puuttuu",
        "n_complete": "Täydelliset vastaukset",
        "pct_complete": "% täydellisiä",
        "worst_item": "Useimmin ohitettu väittämä",
        "worst_pct": "% puuttuu (väittämä)",
        "missing_dims_note": (
            "Täydelliset vastaukset: vastaajat, jotka vastasivat ulottuvuuden jokaiseen väittämään; "
            "ulottuvuuden listwise-analyysit (reliabiliteetti, CFA) perustuvat heihin."
        ),
        "resp_title": "Puuttuvat vastaukset vastaajittain",
        "resp_group": "Vastaajat",
        "pct": "%",
        "resp_complete": "vastasi jokaiseen väittämään",
        "resp_some": "jätti osan väittämistä vastaamatta (enintään {threshold:.0f} %)",
        "resp_many": "jätti yli {threshold:.0f} % väittämistä vastaamatta",
        "resp_none": "ei vastannut yhteenkään väittämään",
        "resp_note": (
            "Analysoiduista {n} vastaajasta ja {k} väittämästä. Littlen MCAR-testiä ei raportoida: "
            "moscalessa ei ole R:ää vasten tarkistettua toteutusta, joten sitä, puuttuvatko "
            "vastaukset täysin satunnaisesti, ei tässä testata."
        ),
        "map_title": "Puuttuvat vastaukset vastaajittain ja väittämittäin",
        "map_xlabel": "vastaajat (n = {n}) aineiston järjestyksessä; tumma = puuttuu",
        "map_caption": (
            "Jokainen pikselisarake on vastaaja ja jokainen rivi väittämä; viivat erottavat "
            "ulottuvuudet. Pystysuorat tummat juovat ovat vastaajia, jotka lopettivat vastaamisen, "
            "vaakasuorat usein ohitettuja väittämiä."
        ),
        "careless_title": (
            "Huolimattoman vastaamisen indeksit: säännöt, raja-arvot, merkityt ja poistetut"
        ),
        "rule": "Sääntö",
        "cutoff": "Raja-arvo",
        "flagged": "Merkitty",
        "pct_flagged": "% merkitty",
        "excluded": "Poistettu",
        "any_rule": "Mikä tahansa sääntö",
        "careless_note": (
            "Indeksit R-paketin careless määritelmien mukaan (Yentes & Wilhelm, 2023): pisin "
            "samojen vastausten jono (Johnson, 2005), vastaajan sisäinen vastausten vaihtelu (Dunn "
            "ym., 2018), Mahalanobiksen D² (Meade & Craig, 2012), parillisten ja parittomien "
            "väittämien johdonmukaisuus (Johnson, 2005), psykometriset synonyymit ja antonyymit "
            "(Meade & Craig, 2012), tarkistuskysymykset ja sekunnit väittämää kohden (Huang ym., "
            "2012). % seulotuista {n} vastaajasta. {excl}"
        ),
        "excl_none": "Merkinnät vain raportoidaan; ketään ei poistettu.",
        "excl_some": (
            "Säännöillä {rules} merkityt vastaajat poistettiin ennen kaikkia muita analyyseja."
        ),
        "not_applied": "Ei käytetty: {items}.",
        "rule_names": {
            "longstring": "Suoraviivainen vastaaminen (pisin jono)",
            "irv": "Vähäinen vastausten vaihtelu (IRV)",
            "mahad": "Monimuuttujapoikkeama (Mahalanobiksen D²)",
            "evenodd": "Parillisten ja parittomien epäjohdonmukaisuus",
            "psychsyn": "Psykometriset synonyymit",
            "psychant": "Psykometriset antonyymit",
            "attention": "Epäonnistunut tarkistuskysymys",
            "speeding": "Liian nopea vastaaminen",
        },
        "rule_short": {
            "longstring": "suoraviivainen vastaaminen",
            "irv": "vähäinen vaihtelu (IRV)",
            "mahad": "Mahalanobiksen D²",
            "evenodd": "parillisten ja parittomien epäjohdonmukaisuus",
            "psychsyn": "psykometriset synonyymit",
            "psychant": "psykometriset antonyymit",
            "attention": "epäonnistunut tarkistuskysymys",
            "speeding": "liian nopea vastaaminen",
        },
        "rule_missing": {
            "longstring": "ei vertailtavia väittämiä",
            "irv": "yleisesti hyväksyttyä raja-arvoa ei ole, joten sitä ei asetettu",
            "mahad": "väittämien kovarianssimatriisia ei voitu kääntää",
            "evenodd": "vaatii vähintään kaksi ulottuvuutta",
            "psychsyn": "mikään väittämäpari ei korreloi synonyymikriteeriä enempää",
            "psychant": "mikään väittämäpari ei korreloi antonyymikriteeriä vähemmän",
            "attention": "aineistossa ei ole tarkistuskysymyksiä",
            "speeding": "aineistossa ei ole vastausaikoja",
        },
        "kinds": {
            "out_of_range": "Arvo vastausasteikon ulkopuolella",
            "non_numeric": "Vastaus, joka ei ole koodi eikä vastausvaihtoehdon nimi",
            "declared_missing": "Ilmoitettu puuttuvan tiedon koodi (esim. en osaa sanoa)",
            "duplicate_id": "Toistuva vastaajatunnus",
            "preview_row": "Kyselyn esikatseluvastaus",
            "test_row": "Kyselyn testivastaus",
            "spam_row": "Roskapostiksi merkitty vastaus",
            "incomplete_row": "Keskeneräinen vastaus",
            "range_inferred": "Vastausasteikko päätelty vastauksista",
            "zero_variance": "Väittämä ilman vaihtelua",
            "item_missing": "Väittämä, josta puuttuu paljon vastauksia",
            "respondent_missing": "Vastaaja, jolta puuttuu paljon vastauksia",
            "unknown_column": "Sarake, jota ei ole koodikirjassa",
            "missing_column": "Mittarin väittämä, jolle ei ole saraketta",
            "column_map": "Vientityökalun sarakekartta käytetty",
        },
        "actions": {
            "set missing": "muutettu puuttuvaksi",
            "dropped": "pudotettu",
            "flagged": "merkitty",
            "ignored": "ohitettu",
            "applied": "käytetty",
            "used the observed range": "käytetty havaittua vaihteluväliä",
        },
        "s_sample": "Kyselylomakkeita luettiin {n_read}, ja analyysissa on {n} vastaajaa.",
        "s_sample_dropped": (
            "Kyselylomakkeita luettiin {n_read}; luettaessa pudotettiin {dropped} ({what}), ja "
            "analyysissa on {n} vastaajaa."
        ),
        "s_flags": ("Huolimattoman vastaamisen seulonta merkitsi {n} vastaajaa ({flags}); {excl}."),
        "s_flag_item": "{rule}: {n}",
        "s_excl_none": "ketään ei poistettu",
        "s_excl_some": "poistettiin {n} ({what})",
        "s_no_flags": "Yhtään vastaajaa ei merkitty huolimattomasta vastaamisesta.",
        "s_missing": (
            "Väittämien vastauksista puuttuu {pct}; {n_complete} vastaajaa vastasi jokaiseen "
            "väittämään."
        ),
        "w_item_missing": ("Väittämä {item}: vastauksista puuttuu {pct} (yli {threshold:.0f} %)."),
        "w_resp_missing": (
            "{n} vastaajaa jätti yli {threshold:.0f} % väittämistä vastaamatta; harkitkaa, "
            "voiko heidän vastauksiaan käyttää."
        ),
        "w_zero_variance": "Väittämässä {item} ei ole vaihtelua: kaikki vastasivat samoin.",
        "w_missing_column": "Mittarin väittämälle {item} ei ole saraketta aineistossa.",
        "p_intro": (
            "Tässä osassa kerrotaan, mitä luettiin, mitä aineistolle tehtiin, paljonko vastauksia "
            "puuttuu ja ketkä vastaajista vaikuttavat huolimattomilta. Seuraavien osien tulokset "
            "perustuvat {n} analysoituun vastaajaan."
        ),
    },
}


def _text(ctx: Any) -> dict[str, Any]:
    return TEXT.get(ctx.lang, TEXT["en"])


def cutoff_text(cutoff: str, lang: str) -> str:
    """A screening cut-off in the report language (screening.py states them in English)."""
    return engine_text(cutoff, lang)


def withheld_text(reason: str, lang: str) -> str:
    """Why a careless-responding rule was computed but not flagged, in the report language."""
    return engine_text(reason, lang)


def _lower_first(text: str) -> str:
    """'Unfinished response' -> 'unfinished response' for use inside a sentence (not 'IRV')."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _pct(share: float) -> str:
    """A share as a percentage for sentences (one decimal)."""
    return format_value(share, "percent", 1)


def _sample(ctx: Any, t: dict[str, Any]) -> tuple[dict[str, Any], Table]:
    ds_all, ds, scr = ctx.dataset_all, ctx.dataset, ctx.screening
    issues = ds_all.issues
    dropped = issues[issues["action"] == "dropped"]
    dropped_by_kind = {
        str(k): int(v) for k, v in dropped.groupby("kind", sort=False).size().items()
    }
    excluded = dict(scr.excluded) if scr is not None else {}
    other = {str(r): int(n) for r, n in ds.exclusions.items() if not str(r).startswith("screening")}
    rows = [(t["n_read"], int(ds_all.n_read))]
    rows += [
        (t["dropped"].format(kind=t["kinds"].get(k, k)), n) for k, n in dropped_by_kind.items()
    ]
    rows.append((t["kept_read"], int(ds_all.n_kept)))
    rows += [(t["excluded_other"].format(reason=r), n) for r, n in other.items()]
    rows += [
        (t["excluded_rule"].format(rule=t["rule_names"].get(r, r)), int(n))
        for r, n in excluded.items()
        if r != "total"
    ]
    if excluded:
        rows.append((t["excluded_total"], int(excluded.get("total", 0))))
    rows.append((t["analysed"], int(ds.n_kept)))
    table = Table(
        id="quality_sample",
        title=t["sample_title"],
        frame=pd.DataFrame(rows, columns=[t["step"], t["n"]]),
        kinds={t["n"]: "int", t["step"]: "text"},
        note=t["sample_note"],
    )
    result = {
        "n_read": int(ds_all.n_read),
        "dropped_when_reading": dropped_by_kind,
        "n_kept_after_reading": int(ds_all.n_kept),
        "excluded_other": other,
        "excluded_by_screening": excluded,
        "n_analysed": int(ds.n_kept),
    }
    return result, table


def _issues(ctx: Any, t: dict[str, Any]) -> tuple[list[dict[str, Any]], Table | None]:
    ds_all = ctx.dataset_all
    summary = ds_all.issue_summary()
    records = []
    for _, r in summary.iterrows():
        kind, action = str(r["kind"]), str(r["action"])
        sel = ds_all.issues[(ds_all.issues["kind"] == kind) & (ds_all.issues["action"] == action)]
        cols = [str(c) for c in dict.fromkeys(sel["column"].dropna())]
        unit = (
            "cell"
            if kind in _CELL_KINDS
            else "row"
            if kind in _ROW_KINDS or kind.endswith("_row")
            else "column"
        )
        records.append(
            {"kind": kind, "action": action, "n": int(r["n"]), "unit": unit, "columns": cols}
        )
    if not records:
        return records, None

    def cols_text(cols: list[str]) -> str:
        return ", ".join(cols[:8]) + (f", … (+{len(cols) - 8})" if len(cols) > 8 else "")

    frame = pd.DataFrame(
        {
            t["problem"]: [t["kinds"].get(r["kind"], r["kind"]) for r in records],
            t["n"]: [r["n"] for r in records],
            t["unit"]: [t[f"unit_{r['unit']}"] for r in records],
            t["action"]: [t["actions"].get(r["action"], r["action"]) for r in records],
            t["columns"]: [cols_text(r["columns"]) for r in records],
        }
    )
    table = Table(
        id="quality_issues",
        title=t["issues_title"],
        frame=frame,
        kinds={t["n"]: "int"},
        note=t["issues_note"],
    )
    return records, table


def _missing(
    ctx: Any, t: dict[str, Any], section: Section, warnings: list[str]
) -> tuple[dict[str, Any], str]:
    """Missing answers per item (item_statistics), per dimension and per respondent (counts),
    the missingness map; returns the JSON part and the summary sentence."""
    ds = ctx.dataset
    n = int(ds.n_kept)
    threshold = 100.0 * float(ds.policy.max_item_missing)
    resp_threshold = 100.0 * float(ds.policy.max_respondent_missing)
    item_dim = ds.item_dimension
    order = [i for d in ctx.dimensions.values() for i in d if i in ds.items.columns]
    order += [i for i in ds.items.columns if i not in order]
    items = ds.items[order]
    missing_result: dict[str, Any] = {"n_respondents": n, "n_items": len(order)}
    missing_sentence = ""
    if order and n:
        st = item_statistics(items)
        tab = st.table
        missing_result["items"] = {
            i: {
                "dimension": item_dim.get(i),
                "n_missing": int(tab.loc[i, "n_missing"]),
                "pct_missing": float(tab.loc[i, "pct_missing"]),
            }
            for i in order
        }
        section.tables.append(
            Table(
                id="quality_missing_items",
                title=t["missing_items_title"],
                frame=pd.DataFrame(
                    {
                        t["item"]: order,
                        t["dimension"]: [ctx.label(item_dim.get(i, "")) for i in order],
                        t["n_missing"]: [int(tab.loc[i, "n_missing"]) for i in order],
                        t["pct_missing"]: [float(tab.loc[i, "pct_missing"]) for i in order],
                    }
                ),
                kinds={t["n_missing"]: "int", t["pct_missing"]: "stat"},
                decimals={t["pct_missing"]: 1},
                note=t["missing_items_note"].format(n=n, threshold=threshold),
            )
        )
        for i in order:
            if tab.loc[i, "pct_missing"] > threshold:
                warnings.append(
                    t["w_item_missing"].format(
                        item=i, pct=_pct(tab.loc[i, "pct_missing"] / 100), threshold=threshold
                    )
                )
        # per dimension: counts of missing cells and of complete rows
        miss = items.isna()
        dims_out: dict[str, Any] = {}
        rows = []
        for key, its in ctx.dimensions.items():
            its = [i for i in its if i in items.columns]
            if not its:
                continue
            cells = int(tab.loc[its, "n_missing"].sum())
            complete = int((~miss[its].any(axis=1)).sum())
            worst = str(tab.loc[its, "pct_missing"].idxmax())
            dims_out[key] = {
                "k": len(its),
                "n_missing_cells": cells,
                "pct_missing": 100.0 * cells / (n * len(its)),
                "n_complete": complete,
                "pct_complete": 100.0 * complete / n,
                "most_missing_item": worst,
                "most_missing_pct": float(tab.loc[worst, "pct_missing"]),
            }
            d = dims_out[key]
            rows.append(
                {
                    t["dimension"]: ctx.label(key),
                    t["k"]: d["k"],
                    t["pct_cells"]: d["pct_missing"],
                    t["n_complete"]: complete,
                    t["pct_complete"]: d["pct_complete"],
                    t["worst_item"]: worst,
                    t["worst_pct"]: d["most_missing_pct"],
                }
            )
        missing_result["dimensions"] = dims_out
        section.tables.append(
            Table(
                id="quality_missing_dimensions",
                title=t["missing_dims_title"],
                frame=pd.DataFrame(rows),
                kinds={t["k"]: "int", t["n_complete"]: "int", t["worst_item"]: "text"},
                decimals={t["pct_cells"]: 1, t["pct_complete"]: 1, t["worst_pct"]: 1},
                note=t["missing_dims_note"],
            )
        )
        # per respondent
        share = miss.mean(axis=1)
        counts = {
            "complete": int((share == 0).sum()),
            "some": int(((share > 0) & (share <= resp_threshold / 100)).sum()),
            "many": int(((share > resp_threshold / 100) & (share < 1)).sum()),
            "none_answered": int((share == 1).sum()),
        }
        total_cells = int(miss.to_numpy().sum())
        missing_result["respondents"] = {
            **counts,
            "pct": {k: 100.0 * v / n for k, v in counts.items()},
            "threshold_pct": resp_threshold,
            "max_share_missing": float(share.max()),
        }
        missing_result["n_missing_cells"] = total_cells
        missing_result["pct_missing"] = 100.0 * total_cells / (n * len(order))
        missing_result["mcar_test"] = None
        labels = {
            "complete": t["resp_complete"],
            "some": t["resp_some"].format(threshold=resp_threshold),
            "many": t["resp_many"].format(threshold=resp_threshold),
            "none_answered": t["resp_none"],
        }
        section.tables.append(
            Table(
                id="quality_missing_respondents",
                title=t["resp_title"],
                frame=pd.DataFrame(
                    {
                        t["resp_group"]: [labels[k] for k in counts],
                        t["n"]: list(counts.values()),
                        t["pct"]: [100.0 * v / n for v in counts.values()],
                    }
                ),
                kinds={t["n"]: "int", t["resp_group"]: "text"},
                decimals={t["pct"]: 1},
                note=t["resp_note"].format(n=n, k=len(order)),
            )
        )
        if counts["many"] + counts["none_answered"]:
            warnings.append(
                t["w_resp_missing"].format(
                    n=counts["many"] + counts["none_answered"], threshold=resp_threshold
                )
            )
        groups = [len([i for i in its if i in items.columns]) for its in ctx.dimensions.values()]
        groups = [g for g in groups if g]
        try:
            svg = missingness_map(
                miss,
                xlabel=t["map_xlabel"].format(n=n),
                groups=groups if sum(groups) == len(order) else None,
            )
            section.figures.append(
                Figure(
                    id="quality_missingness",
                    title=t["map_title"],
                    svg=svg,
                    caption=t["map_caption"],
                )
            )
        except (UserError, ValueError) as exc:  # a figure never stops the report
            warnings.append(engine_text(str(exc), ctx.lang))
        missing_sentence = t["s_missing"].format(
            pct=_pct(total_cells / (n * len(order))), n_complete=counts["complete"]
        )
    return missing_result, missing_sentence


def build(ctx: Any) -> Section:
    """The data-quality section (see the module docstring)."""
    t = _text(ctx)
    ds = ctx.dataset
    section = Section(id="quality", title=t["title"])
    n = int(ds.n_kept)
    section.paragraphs.append(t["p_intro"].format(n=n))
    warnings: list[str] = []

    # --- sample and data problems
    sample, sample_table = _sample(ctx, t)
    section.tables.append(sample_table)
    issue_records, issue_table = _issues(ctx, t)
    if issue_table is None:
        section.paragraphs.append(t["no_issues"])
    else:
        section.tables.append(issue_table)
    for rec in issue_records:
        if rec["kind"] == "zero_variance":
            warnings += [t["w_zero_variance"].format(item=c) for c in rec["columns"]]
        if rec["kind"] == "missing_column":
            warnings += [t["w_missing_column"].format(item=c) for c in rec["columns"]]

    # --- missing answers
    missing_result, missing_sentence = _missing(ctx, t, section, warnings)

    # --- careless responding
    careless: dict[str, Any] = {}
    scr = ctx.screening
    if scr is not None:
        careless_table, careless = _careless(ctx, t, scr)
        section.tables.append(careless_table)

    # --- sentences
    dropped_n = sum(sample["dropped_when_reading"].values())
    if dropped_n:
        what = ", ".join(
            f"{_lower_first(t['kinds'].get(k, k))}: {v}"
            for k, v in sample["dropped_when_reading"].items()
        )
        first = t["s_sample_dropped"].format(
            n_read=sample["n_read"], dropped=dropped_n, what=what, n=sample["n_analysed"]
        )
    else:
        first = t["s_sample"].format(n_read=sample["n_read"], n=sample["n_analysed"])
    ctx.summary.append(first)
    if scr is not None:
        ctx.summary.append(_careless_sentence(t, scr))
    if missing_sentence:
        ctx.summary.append(missing_sentence)

    for w in warnings:
        ctx.warn(w)
    section.warnings.extend(warnings)
    ctx.results["quality"] = {
        "sample": sample,
        "issues": issue_records,
        "missing": missing_result,
        "careless": careless,
    }
    ctx.found["quality"] = ctx.results["quality"]
    return section


def _careless(ctx: Any, t: dict[str, Any], scr: Any) -> tuple[Table, dict[str, Any]]:
    n_screened = int(len(scr.flags)) if len(scr.flags) else int(ctx.dataset_all.n_kept)
    applied = [r for r in RULES if r in scr.flags.columns]
    excluded = dict(scr.excluded)
    rows = []
    for r in applied:
        rows.append(
            {
                t["rule"]: t["rule_names"].get(r, r),
                t["cutoff"]: cutoff_text(scr.cutoffs.get(r, ""), ctx.lang),
                t["flagged"]: int(scr.flagged[r]),
                t["pct_flagged"]: 100.0 * scr.flagged[r] / n_screened if n_screened else np.nan,
                t["excluded"]: int(excluded.get(r, 0)),
            }
        )
    rows.append(
        {
            t["rule"]: t["any_rule"],
            t["cutoff"]: "",
            t["flagged"]: int(scr.flagged.get("any", 0)),
            t["pct_flagged"]: 100.0 * scr.flagged.get("any", 0) / n_screened
            if n_screened
            else np.nan,
            t["excluded"]: int(excluded.get("total", 0)),
        }
    )
    withheld = getattr(scr, "withheld", {}) or {}
    not_applied = {
        r: withheld_text(withheld[r], ctx.lang) if r in withheld else t["rule_missing"][r]
        for r in RULES
        if r not in applied
    }
    excl_rules = [r for r in excluded if r != "total"]
    excl = (
        t["excl_some"].format(rules=", ".join(t["rule_names"].get(r, r) for r in excl_rules))
        if excl_rules
        else t["excl_none"]
    )
    note = t["careless_note"].format(n=n_screened, excl=excl)
    if not_applied:
        note += " " + t["not_applied"].format(
            items="; ".join(f"{t['rule_names'][r]} ({why})" for r, why in not_applied.items())
        )
    table = Table(
        id="quality_careless",
        title=t["careless_title"],
        frame=pd.DataFrame(rows),
        kinds={t["flagged"]: "int", t["excluded"]: "int", t["cutoff"]: "text"},
        decimals={t["pct_flagged"]: 1},
        note=note,
    )
    result = {
        **scr.to_dict(),
        "n_screened": n_screened,
        "pct_flagged": {
            r: 100.0 * v / n_screened if n_screened else None for r, v in scr.flagged.items()
        },
        "rules_applied": applied,
        "rules_not_applied": {
            r: withheld.get(r, TEXT["en"]["rule_missing"][r]) for r in not_applied
        },
    }
    return table, result


def _careless_sentence(t: dict[str, Any], scr: Any) -> str:
    rules = [r for r in RULES if r in scr.flags.columns and scr.flagged.get(r, 0)]
    if not rules:
        return t["s_no_flags"]
    flags = ", ".join(
        t["s_flag_item"].format(n=scr.flagged[r], rule=t["rule_short"][r]) for r in rules
    )
    excl_rules = [r for r in scr.excluded if r != "total"]
    if excl_rules:
        excl = t["s_excl_some"].format(
            n=scr.excluded.get("total", 0),
            what=", ".join(f"{t['rule_short'][r]}: {scr.excluded[r]}" for r in excl_rules),
        )
    else:
        excl = t["s_excl_none"]
    return t["s_flags"].format(n=scr.flagged.get("any", 0), flags=flags, excl=excl)


__all__ = ["STEP", "TEXT", "build", "cutoff_text"]
