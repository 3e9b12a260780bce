"""Report section "firm": several respondents per firm — within-firm agreement rwg(j), ICC(1),
ICC(2), and firm-level scores kept where the firm's respondents agree.

Everything is computed by :func:`moscale.analysis.multilevel.aggregate` (rwg(j) as
``multilevel::rwg.j``, ICC(1)/ICC(2) as ``multilevel::ICC1``/``ICC2``); this module phrases the
results: the guides it applies are rwg(j) ≥ .70 for agreement (James, Demaree & Wolf, 1984;
LeBreton & Senter, 2008), ICC(1) above .05 for a firm effect worth modelling and ICC(2) ≥ .70 for
reliable firm means (Bliese, 2000).

JSON: ``ctx.results["firm"]`` (``docs/results/firm.md``); ``ctx.found["firm"]`` is the
:class:`~moscale.analysis.multilevel.Aggregation`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from moscale.errors import UserError

from ..report import Section
from ..tables import Table
from .engine_fi import engine_text

STEP = "firm-level agreement and aggregation"

#: Aggregation rule: a firm's score is kept when its respondents agree at least this much.
RWG_MIN = 0.70
#: Guides for the intraclass correlations (Bliese, 2000).
ICC1_GUIDE = 0.05
ICC2_GUIDE = 0.70

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Firm level: agreement, ICC and firm scores",
        "failed": "Firm-level aggregation on {cluster} failed: {message}",
        "hint": "What to do: {hint}",
        "sample": (
            "{n} respondents with a firm id ({cluster}) come from {firms} firms: {k} respondents "
            "per firm on average (median {median}, range {min}–{max}); {singles} firm(s) have "
            "only one respondent and cannot show agreement."
        ),
        "no_id": "{n} respondent(s) without a firm id are left out of this section.",
        "rule": (
            "Aggregation rule: a firm's score on a dimension is the mean of its respondents' "
            "dimension scores, kept when the firm has at least {min_size} respondents and their "
            "within-firm agreement rwg(j) is at least {rwg} on that dimension (uniform null "
            "distribution; James, Demaree & Wolf, 1984). Guides: ICC(1) above .05 shows a firm "
            "effect worth modelling and ICC(2) of .70 or more reliable firm means (Bliese, 2000); "
            "ICC(1) values of .01, .10 and .25 are small, medium and large (LeBreton & Senter, "
            "2008)."
        ),
        "kept": (
            "Firm scores kept, of {firms} firms ({size} with fewer than {min_size} respondents; "
            "the others left out fell below the agreement cut-off): {dims}."
        ),
        "kept_item": "{dim} {kept}",
        "verdict_ok": (
            "Aggregation to the firm level is supported for {dims}: the respondents of a firm agree "
            "(median rwg(j) ≥ .70), firms differ (ICC(1) > .05) and firm means are reliable "
            "(ICC(2) ≥ .70)."
        ),
        "verdict_unreliable": (
            "For {dims} firms differ (ICC(1) > .05) and respondents agree, but firm means are not "
            "reliable (ICC(2) < .70) with this many respondents per firm; use them with care or "
            "model the nesting (multilevel models) instead."
        ),
        "verdict_no_effect": (
            "For {dims} firms hardly differ (ICC(1) ≤ .05): the variance lies within firms, so "
            "firm-level scores add little over the respondents' own."
        ),
        "verdict_disagree": (
            "For {dims} respondents of the same firm do not agree (median rwg(j) < .70): their "
            "firm means are not a shared property of the firm."
        ),
        "summary_title": "Within-firm agreement and intraclass correlations",
        "summary_note": (
            "rwg(j) = within-firm agreement on the dimension's items against a uniform null "
            "(James, Demaree & Wolf, 1984), 0 where the observed variance exceeds the null; share "
            "≥ .70 = proportion of firms with at least two respondents that reach .70. ICC(1) and "
            "ICC(2) from the one-way ANOVA of the respondents' dimension scores on firm (Bliese, "
            "2000); k = mean respondents per firm. Kept = firm scores that met the aggregation "
            "rule."
        ),
        "scores_title": "Firm-level dimension scores",
        "scores_note": (
            "Means of the firm's respondents' dimension scores; — = not kept (fewer than {min_size} "
            "respondents or rwg(j) < {rwg} on that dimension). Download the CSV for further "
            "analysis."
        ),
        "col_dimension": "Dimension",
        "col_firms": "Firms",
        "col_rwg_mean": "rwg(j) M",
        "col_rwg_median": "rwg(j) Mdn",
        "col_share": "Share ≥ .70",
        "col_kept": "Kept",
        "col_firm": "Firm",
    },
    "fi": {
        "title": "Yritystaso: yksimielisyys, ICC ja yrityskohtaiset pistemäärät",
        "failed": "Yritystason yhdistäminen muuttujalla {cluster} epäonnistui: {message}",
        "hint": "Mitä tehdä: {hint}",
        "sample": (
            "{n} vastaajaa, joilla on yritystunnus ({cluster}), edustaa {firms} yritystä: "
            "keskimäärin {k} vastaajaa yritystä kohden (mediaani {median}, vaihteluväli "
            "{min}–{max}); {singles} yrityksestä on vain yksi vastaaja, joten niiden "
            "yksimielisyyttä ei voi arvioida."
        ),
        "no_id": "{n} vastaajaa ilman yritystunnusta jätettiin tämän osion ulkopuolelle.",
        "rule": (
            "Yhdistämissääntö: yrityksen pistemäärä ulottuvuudella on sen vastaajien "
            "pistemäärien keskiarvo, ja se otetaan mukaan, kun yrityksestä on vähintään "
            "{min_size} vastaajaa ja heidän yksimielisyytensä rwg(j) on ulottuvuudella vähintään "
            "{rwg} (tasajakauma nollajakaumana; James, Demaree & Wolf, 1984). Ohjearvot: "
            "ICC(1) yli .05 kertoo mallintamisen arvoisesta yritysvaikutuksesta ja ICC(2) .70 tai "
            "enemmän luotettavista yrityskeskiarvoista (Bliese, 2000); ICC(1):n arvot .01, .10 ja "
            ".25 ovat pieni, keskisuuri ja suuri (LeBreton & Senter, 2008)."
        ),
        "kept": (
            "Mukaan otetut yrityspistemäärät {firms} yrityksestä ({size} yrityksessä alle "
            "{min_size} vastaajaa; muut pois jätetyt alittivat yksimielisyysrajan): {dims}."
        ),
        "kept_item": "{dim} {kept}",
        "verdict_ok": (
            "Yritystasolle yhdistäminen on perusteltua ulottuvuuksilla {dims}: yrityksen vastaajat "
            "ovat yksimielisiä (rwg(j):n mediaani ≥ .70), yritykset eroavat toisistaan "
            "(ICC(1) > .05) ja yrityskeskiarvot ovat luotettavia (ICC(2) ≥ .70)."
        ),
        "verdict_unreliable": (
            "Ulottuvuuksilla {dims} yritykset eroavat (ICC(1) > .05) ja vastaajat ovat "
            "yksimielisiä, mutta yrityskeskiarvot eivät ole luotettavia (ICC(2) < .70) näin "
            "pienellä vastaajamäärällä yritystä kohden; käytä niitä varoen tai mallinna "
            "hierarkkisuus (monitasomallit)."
        ),
        "verdict_no_effect": (
            "Ulottuvuuksilla {dims} yritykset tuskin eroavat (ICC(1) ≤ .05): vaihtelu on "
            "yritysten sisällä, joten yritystason pistemäärät tuovat vähän lisää vastaajien omiin "
            "nähden."
        ),
        "verdict_disagree": (
            "Ulottuvuuksilla {dims} saman yrityksen vastaajat eivät ole yksimielisiä (rwg(j):n "
            "mediaani < .70): yrityskeskiarvo ei kuvaa yrityksen yhteistä ominaisuutta."
        ),
        "summary_title": "Yritysten sisäinen yksimielisyys ja sisäkorrelaatiot",
        "summary_note": (
            "rwg(j) = yrityksen vastaajien yksimielisyys ulottuvuuden osioissa tasajakaumaan "
            "verrattuna (James, Demaree & Wolf, 1984), 0 kun havaittu varianssi ylittää "
            "nollajakauman varianssin; osuus ≥ .70 = vähintään kahden vastaajan yritysten osuus, "
            "joilla arvo on vähintään .70. ICC(1) ja ICC(2) vastaajien pistemäärien "
            "yksisuuntaisesta varianssianalyysista yrityksen mukaan (Bliese, 2000); k = vastaajia "
            "keskimäärin yritystä kohden. Mukana = yhdistämissäännön täyttäneet yrityspistemäärät."
        ),
        "scores_title": "Yritystason pistemäärät ulottuvuuksittain",
        "scores_note": (
            "Yrityksen vastaajien pistemäärien keskiarvot; — = ei mukana (alle {min_size} "
            "vastaajaa tai rwg(j) < {rwg} ulottuvuudella). Lataa CSV jatkoanalyyseja varten."
        ),
        "col_dimension": "Ulottuvuus",
        "col_firms": "Yrityksiä",
        "col_rwg_mean": "rwg(j) ka.",
        "col_rwg_median": "rwg(j) Md",
        "col_share": "Osuus ≥ .70",
        "col_kept": "Mukana",
        "col_firm": "Yritys",
    },
}


def _join(words: list[str], lang: str) -> str:
    from .groups import join_words

    return join_words(words, lang)


def _num(v: float, decimals: int) -> str:
    from .groups import _num as num

    return num(v, decimals)


def _natural_order(ids: pd.Series) -> np.ndarray:
    """Firm ids in natural order (2 before 10) when they are numbers, else as text."""
    numbers = pd.to_numeric(ids, errors="coerce")
    if numbers.notna().all():
        return np.argsort(numbers.to_numpy(float), kind="stable")
    return np.argsort(ids.astype(str).to_numpy(), kind="stable")


def build(ctx: Any) -> Section | None:
    cluster = ctx.options.cluster
    if not cluster:
        return None
    from ..multilevel import aggregate

    t = TEXT[ctx.lang]
    section = Section(id="firm", title=t["title"])
    dims = {k: v for k, v in ctx.dimensions.items() if v}
    try:
        agg = aggregate(ctx.dataset, cluster, rwg_min=RWG_MIN, dimensions=dims)
    except UserError as exc:
        msg = t["failed"].format(cluster=cluster, message=engine_text(exc.message, ctx.lang))
        if exc.hint:
            msg += " " + t["hint"].format(hint=engine_text(exc.hint, ctx.lang))
        ctx.warn(msg)
        section.warnings.append(msg)
        ctx.results["firm"] = {"cluster": cluster, "error": exc.message, "hint": exc.hint}
        return section
    ctx.found["firm"] = agg

    sizes = agg.firm_scores["n"].astype(int)
    n_with_id = int(sizes.sum())
    n_without = int(ctx.dataset.n_kept - n_with_id)
    icc = agg.icc
    k_mean = float(icc["k"].iloc[0]) if len(icc) else float(sizes.mean())
    per_firm = {
        "mean": k_mean,
        "median": float(sizes.median()),
        "min": int(sizes.min()),
        "max": int(sizes.max()),
        "single": int((sizes < 2).sum()),
    }
    section.paragraphs.append(
        t["sample"].format(
            n=n_with_id,
            cluster=cluster,
            firms=len(sizes),
            k=_dec(k_mean, 1, ctx.lang),
            median=f"{per_firm['median']:g}",
            min=per_firm["min"],
            max=per_firm["max"],
            singles=per_firm["single"],
        )
    )
    if n_without > 0:
        section.paragraphs.append(t["no_id"].format(n=n_without))
    rule = agg.rule
    section.paragraphs.append(
        t["rule"].format(min_size=rule["min_size"], rwg=_num(rule["rwg_min"] or RWG_MIN, 2))
    )
    summ = agg.summary
    if len(summ):
        section.paragraphs.append(
            t["kept"].format(
                firms=int(summ["firms"].iloc[0]),
                size=int(summ["dropped_size"].iloc[0]),
                min_size=rule["min_size"],
                dims="; ".join(
                    t["kept_item"].format(dim=ctx.label(d), kept=int(summ.loc[d, "kept"]))
                    for d in summ.index
                ),
            )
        )

    # verdicts per dimension
    verdicts: dict[str, str] = {}
    for d in summ.index:
        rwg_med = summ.loc[d, "rwg_median"]
        icc1 = icc.loc[d, "icc1"] if d in icc.index else np.nan
        icc2 = icc.loc[d, "icc2"] if d in icc.index else np.nan
        if not rwg_med >= RWG_MIN:
            verdicts[d] = "disagree"
        elif not icc1 > ICC1_GUIDE:
            verdicts[d] = "no_effect"
        elif not icc2 >= ICC2_GUIDE:
            verdicts[d] = "unreliable"
        else:
            verdicts[d] = "ok"
    for key in ("ok", "unreliable", "no_effect", "disagree"):
        dims_k = [ctx.label(d) for d, v in verdicts.items() if v == key]
        if dims_k:
            section.paragraphs.append(t[f"verdict_{key}"].format(dims=_join(dims_k, ctx.lang)))

    # table: agreement and ICCs
    rows = []
    for d in summ.index:
        r = summ.loc[d]
        i = icc.loc[d] if d in icc.index else None
        rows.append(
            {
                t["col_dimension"]: ctx.label(d),
                t["col_firms"]: int(r["firms"]),
                t["col_rwg_mean"]: float(r["rwg_mean"]),
                t["col_rwg_median"]: float(r["rwg_median"]),
                t["col_share"]: float(r["share_agree"]),
                "ICC(1)": float(i["icc1"]) if i is not None else np.nan,
                "ICC(2)": float(i["icc2"]) if i is not None else np.nan,
                "F": float(i["F"]) if i is not None else np.nan,
                "df₁": float(i["df1"]) if i is not None else np.nan,
                "df₂": float(i["df2"]) if i is not None else np.nan,
                "p": float(i["p"]) if i is not None else np.nan,
                "k": float(i["k"]) if i is not None else np.nan,
                t["col_kept"]: int(r["kept"]),
            }
        )
    section.tables.append(
        Table(
            id="firm_agreement",
            title=t["summary_title"],
            frame=pd.DataFrame(rows),
            kinds={
                t["col_firms"]: "int",
                t["col_rwg_mean"]: "bounded",
                t["col_rwg_median"]: "bounded",
                t["col_share"]: "bounded",
                "ICC(1)": "bounded",
                "ICC(2)": "bounded",
                "F": "stat",
                "df₁": "int",
                "df₂": "int",
                "p": "p",
                "k": "stat",
                t["col_kept"]: "int",
            },
            decimals={"ICC(1)": 3, "ICC(2)": 2, "k": 1},
            note=t["summary_note"],
        )
    )
    # table: firm scores
    fs = agg.firm_scores.reset_index()
    firm_col = fs.columns[0]
    fs = fs.iloc[_natural_order(fs[firm_col])]
    frame = pd.DataFrame({t["col_firm"]: fs[firm_col].astype(str).to_numpy(), "n": fs["n"]})
    for d in dims:
        if d in fs.columns:
            frame[ctx.label(d)] = fs[d].to_numpy(float)
    section.tables.append(
        Table(
            id="firm_scores",
            title=t["scores_title"],
            frame=frame,
            kinds={"n": "int", t["col_firm"]: "text"},
            note=t["scores_note"].format(
                min_size=rule["min_size"], rwg=_num(rule["rwg_min"] or RWG_MIN, 2)
            ),
        )
    )

    result = agg.to_dict()
    result.update(
        cluster=cluster,
        n_respondents=n_with_id,
        n_without_id=n_without,
        n_firms=int(len(sizes)),
        respondents_per_firm=per_firm,
        guides={"rwg_min": RWG_MIN, "icc1": ICC1_GUIDE, "icc2": ICC2_GUIDE},
        verdicts=verdicts,
        firm_scores=agg.firm_scores.reset_index().to_dict(orient="records"),
        agreement=agg.agreement.reset_index().to_dict(orient="records"),
    )
    ctx.results["firm"] = result
    return section


def _dec(v: float, decimals: int, lang: str) -> str:
    # points in both languages, as in the tables (APA style)
    return f"{v:.{decimals}f}"
