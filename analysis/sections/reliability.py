"""Report section 4, reliability: alpha with its intervals, omega, ordinal variants, item analysis.

Every figure comes from :func:`moscale.analysis.reliability.reliability` (psych ``alpha``,
``alpha.ci``, ``omega``; boot's BCa interval), called once per reflective dimension on the keyed
items (reverse-keyed items already recoded when the data were read), listwise within the dimension.
For a scale with a higher-order construct the call is made once for the whole scale with its
dimensions as ``subscales``: that gives omega hierarchical and omega total from the Schmid-Leiman
solution, and the dimensions' own results (the same call the dimension would get on its own). The
section only arranges the numbers and says what they mean, in psych's manner.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from moscale.analysis.reliability import NO_ALPHA_REASON, reliability
from moscale.analysis.report import Section
from moscale.analysis.tables import Table, format_value
from moscale.errors import UserError

from .engine_fi import engine_text
from .items import item_label, scale_range_of, table_id

STEP = "reliability (bootstrap)"

#: George & Mallery (2003) labels of alpha, from the lower bound of each band.
ALPHA_BANDS = (
    (0.90, "excellent"),
    (0.80, "good"),
    (0.70, "acceptable"),
    (0.60, "questionable"),
    (0.50, "poor"),
    (-np.inf, "unacceptable"),
)
#: Fewest bootstrap resamples for an interval (reliability() refuses fewer).
MIN_BOOT = 100
#: Corrected item-total correlation below this is weak (Nunnally & Bernstein, 1994).
WEAK_ITEM_REST = 0.30
#: Omega hierarchical from which a total score is essentially unidimensional (Rodriguez, Reise &
#: Haviland, 2016).
OMEGA_H_STRONG = 0.80

TEXT: dict[str, dict[str, Any]] = {
    "en": {
        "title": "Reliability",
        "bands": {
            "excellent": "excellent",
            "good": "good",
            "acceptable": "acceptable",
            "questionable": "questionable",
            "poor": "poor",
            "unacceptable": "unacceptable",
        },
        "summary_title": "Internal consistency of the dimensions",
        "dimension": "Dimension",
        "k": "k",
        "n": "n",
        "alpha": "α",
        "feldt_lo": "Feldt LL",
        "feldt_hi": "Feldt UL",
        "bca_lo": "BCa LL",
        "bca_hi": "BCa UL",
        "std_alpha": "Std. α",
        "omega": "ω total",
        "ord_alpha": "Ordinal α",
        "ord_omega": "Ordinal ω",
        "average_r": "Mean r",
        "verdict": "α is",
        "summary_note": (
            "k = items; n = respondents who answered every item of the dimension (listwise). "
            "α = Cronbach's alpha with its 95% confidence interval by Feldt, Woodruff & Salih "
            "(1987) and by the bias-corrected and accelerated bootstrap (BCa; Efron, 1987) "
            "{boot}; LL and UL = lower and upper limit. Std. α = alpha of the correlations. "
            "ω total = McDonald's (1999) omega from a one-factor model. {ordinal}Mean r = average "
            "inter-item correlation. Labels of α after George & Mallery (2003): ≥ .90 excellent, "
            "≥ .80 good, ≥ .70 acceptable, ≥ .60 questionable, ≥ .50 poor. — = not available "
            "(ω needs at least three items)."
        ),
        "boot": "with {b} resamples (seed {seed})",
        "no_boot": "(not computed: no bootstrap was requested)",
        "ordinal_note": (
            "Ordinal α and ω = the same coefficients of the polychoric correlations (Zumbo, "
            "Gadermann & Zeisser, 2007), which suit items with few response categories. "
        ),
        "items_title": "{dim}: item analysis",
        "item": "Item",
        "r_drop": "Item-rest r",
        "alpha_del": "α if deleted",
        "omega_del": "ω if deleted",
        "remark": "Remark",
        "items_note": (
            "Item-rest r = correlation of the item with the sum of the other items (corrected "
            "item-total correlation); below .30 it is weak (Nunnally & Bernstein, 1994). α and ω "
            "if deleted: the coefficient of the other items; above the dimension's α ({alpha}) the "
            "dimension would be more consistent without the item. {omega_short}{reverse}n = {n}."
        ),
        "items_note_reverse": "(R) reverse-keyed, recoded before analysis. ",
        "omega_short": "ω if deleted needs at least four items (three remaining). ",
        "remarks": {
            "negative": "negative: check keying",
            "weak": "weak",
            "raises": "α rises if deleted",
            "flat": "no variance, left out",
        },
        "ho_title": "Higher-order scales: omega hierarchical (Schmid–Leiman)",
        "scale": "Scale",
        "dimensions": "Dimensions",
        "omega_t_sl": "ω total",
        "omega_h": "ω hierarchical",
        "ecv": "ECV",
        "ho_note": (
            "From a Schmid–Leiman transformation of an oblique (oblimin) minres solution with one "
            "group factor per dimension, as psych's omega (Revelle & Zinbarg, 2009). ω "
            "hierarchical = share of the total score's variance due to the general factor; ECV = "
            "explained common variance of the general factor. n = respondents who answered every "
            "item of the scale. ω hierarchical ≥ .80 means the total score can be treated as "
            "essentially unidimensional (Rodriguez, Reise & Haviland, 2016)."
        ),
        "na_title": "Dimensions without internal-consistency coefficients",
        "model": "Measurement model",
        "reason": "Why no α or ω",
        "models": {"formative": "formative", "index": "index"},
        "na_reason": NO_ALPHA_REASON,
        "na_note": "These dimensions are described in the items section and scored as indices.",
        "p_method": (
            "Reliability was estimated for each reflective dimension on the keyed items{reversed}, "
            "with listwise deletion within the dimension. Cronbach's α is given with two 95% "
            "confidence intervals (Feldt's analytic interval and a bootstrap BCa interval), beside "
            "McDonald's ω total, which does not assume equal loadings{ordinal}."
        ),
        "p_method_reversed": " (the reverse-keyed items {items} were recoded as minimum + maximum − x when the data were read)",
        "p_method_ordinal": (
            ", and the ordinal versions of both from polychoric correlations, which suit rating "
            "items with few response categories"
        ),
        "p_guide": (
            "How to read the coefficients: .70 is the usual minimum for research use, .80 is good "
            "and about .90 is expected when decisions about individuals rest on a score "
            "(Nunnally, 1978; Lance, Butts & Michels, 2006); values above .95 suggest redundant "
            "items rather than a better scale."
        ),
        "p_all_ok": "Every dimension reaches α ≥ .70.",
        "p_below": "Below the usual minimum of .70: {items}.",
        "p_negative": (
            "{dim}: {item} correlates negatively with the other items (r = {r}). If the item is "
            "worded in reverse, mark it reverse-keyed in the definition; otherwise consider "
            "dropping it. It was not reversed automatically."
        ),
        "p_weak": "Weak items (item-rest r < .30): {items}.",
        "p_ho": (
            "{scale}: ω hierarchical = {omega_h} ({verdict}); ω total = {omega_t}, α = {alpha} "
            "(n = {n})."
        ),
        "ho_strong": "the total score mainly reflects the general factor",
        "ho_weak": (
            "the dimensions carry much reliable variance of their own, so report their scores "
            "beside the total"
        ),
        "p_notes": "{dim}: {note}",
        "progress": "reliability: {what}",
        "progress_ho": "{scale} and its dimensions",
        "s_range": (
            "Cronbach's α ranged from {lo} ({lo_dim}) to {hi} ({hi_dim}){omega}; {n_ok} of {k} "
            "dimension(s) reach .70."
        ),
        "s_one": "Cronbach's α of {dim} is {alpha}{omega}.",
        "s_omega_range": ", ω total from {lo} to {hi}",
        "s_omega_one": ", ω total {omega}",
        "s_ho": "ω hierarchical of the higher-order scale(s): {items}.",
        "w_negative": (
            "{dim}: item {item} correlates negatively with the rest of its dimension (r = {r}); "
            "check whether it is reverse-keyed."
        ),
        "w_low": "{dim}: α = {alpha} is below .60 ({band}).",
        "w_failed": "Reliability of {dim} could not be computed: {error}",
        "w_few_boot": (
            "{b} bootstrap resamples are too few for a confidence interval, so no bootstrap "
            "interval was computed; use 2,000 (the default) or at least 100."
        ),
        "w_ho_failed": "Omega hierarchical of {scale} could not be computed: {error}",
    },
    "fi": {
        "title": "Reliabiliteetti",
        "bands": {
            "excellent": "erinomainen",
            "good": "hyvä",
            "acceptable": "hyväksyttävä",
            "questionable": "kyseenalainen",
            "poor": "heikko",
            "unacceptable": "riittämätön",
        },
        "summary_title": "Ulottuvuuksien sisäinen johdonmukaisuus",
        "dimension": "Ulottuvuus",
        "k": "k",
        "n": "n",
        "alpha": "α",
        "feldt_lo": "Feldt AR",
        "feldt_hi": "Feldt YR",
        "bca_lo": "BCa AR",
        "bca_hi": "BCa YR",
        "std_alpha": "Stand. α",
        "omega": "ω (kokonais)",
        "ord_alpha": "Ordinaalinen α",
        "ord_omega": "Ordinaalinen ω",
        "average_r": "Keskim. r",
        "verdict": "α on",
        "summary_note": (
            "k = väittämät; n = vastaajat, jotka vastasivat ulottuvuuden jokaiseen väittämään "
            "(listwise). α = Cronbachin alfa ja sen 95 %:n luottamusväli Feldtin, Woodruffin ja "
            "Salihin (1987) menetelmällä sekä harhakorjatulla ja kiihdytetyllä bootstrapilla "
            "(BCa; Efron, 1987) {boot}; AR ja YR = ala- ja yläraja. Stand. α = korrelaatioista "
            "laskettu alfa. ω (kokonais) = McDonaldin (1999) omega yhden faktorin mallista. "
            "{ordinal}Keskim. r = väittämien välisten korrelaatioiden keskiarvo. α:n sanalliset "
            "tasot George & Malleryn (2003) mukaan: ≥ .90 erinomainen, ≥ .80 hyvä, ≥ .70 "
            "hyväksyttävä, ≥ .60 kyseenalainen, ≥ .50 heikko. — = ei saatavilla (ω vaatii "
            "vähintään kolme väittämää)."
        ),
        "boot": "{b} otoksella (siemenluku {seed})",
        "no_boot": "(ei laskettu: bootstrapia ei pyydetty)",
        "ordinal_note": (
            "Ordinaalinen α ja ω = samat kertoimet polykorisista korrelaatioista (Zumbo, "
            "Gadermann & Zeisser, 2007), jotka sopivat väittämille, joissa on vähän "
            "vastausluokkia. "
        ),
        "items_title": "{dim}: väittämäanalyysi",
        "item": "Väittämä",
        "r_drop": "Korjattu r",
        "alpha_del": "α ilman",
        "omega_del": "ω ilman",
        "remark": "Huomio",
        "items_note": (
            "Korjattu r = väittämän korrelaatio muiden väittämien summan kanssa (korjattu "
            "osio–kokonaispistemäärä-korrelaatio); alle .30 se on heikko (Nunnally & Bernstein, "
            "1994). α ja ω ilman: kerroin ilman kyseistä väittämää; jos se ylittää ulottuvuuden "
            "α:n ({alpha}), ulottuvuus olisi johdonmukaisempi ilman väittämää. {omega_short}"
            "{reverse}n = {n}."
        ),
        "items_note_reverse": (
            "(R) käänteisesti pisteytetty, koodattu uudelleen ennen analyysia. "
        ),
        "omega_short": "ω ilman vaatii vähintään neljä väittämää (kolme jäljelle). ",
        "remarks": {
            "negative": "negatiivinen: tarkista pisteytyssuunta",
            "weak": "heikko",
            "raises": "α nousee ilman",
            "flat": "ei vaihtelua, jätetty pois",
        },
        "ho_title": "Ylemmän tason mittarit: hierarkkinen omega (Schmid–Leiman)",
        "scale": "Mittari",
        "dimensions": "Ulottuvuudet",
        "omega_t_sl": "ω (kokonais)",
        "omega_h": "ω (hierarkkinen)",
        "ecv": "ECV",
        "ho_note": (
            "Schmid–Leiman-muunnoksesta vinosti (oblimin) rotatoidusta minres-ratkaisusta, jossa "
            "on yksi ryhmäfaktori kutakin ulottuvuutta kohden, kuten psych-paketin omega "
            "(Revelle & Zinbarg, 2009). Hierarkkinen ω = yleisfaktorin osuus kokonaispistemäärän "
            "varianssista; ECV = yleisfaktorin selittämä osuus yhteisestä varianssista. n = "
            "vastaajat, jotka vastasivat mittarin jokaiseen väittämään. Hierarkkinen ω ≥ .80 "
            "tarkoittaa, että kokonaispistemäärää voi pitää olennaisesti yksiulotteisena "
            "(Rodriguez, Reise & Haviland, 2016)."
        ),
        "na_title": "Ulottuvuudet, joille ei lasketa sisäisen johdonmukaisuuden kertoimia",
        "model": "Mittausmalli",
        "reason": "Miksi ei α:aa tai ω:aa",
        "models": {"formative": "formatiivinen", "index": "indeksi"},
        "na_reason": {
            "formative": (
                "Formatiivinen mittari: sen väittämät ovat konstruktin syitä eivätkä sen "
                "heijastumia, eikä niiden tarvitse korreloida, joten sisäinen johdonmukaisuus "
                "(alfa, omega) ei kerro sen laadusta (Bollen & Lennox, 1991; Diamantopoulos & "
                "Winklhofer, 2001). Arvioikaa väittämiä sisällön kattavuuden, multikollineaarisuuden "
                "(VIF) ja ulkoisen validiteetin perusteella."
            ),
            "index": (
                "Indeksi: pistemäärä laskee yhteen erillisiä osia, joiden ei tarvitse korreloida, "
                "joten sisäinen johdonmukaisuus (alfa, omega) ei sovellu (Diamantopoulos & "
                "Winklhofer, 2001)."
            ),
        },
        "na_note": "Nämä ulottuvuudet kuvataan väittämäosassa, ja ne pisteytetään indekseinä.",
        "p_method": (
            "Reliabiliteetti arvioitiin jokaiselle reflektiiviselle ulottuvuudelle samansuuntaisiksi "
            "pisteytetyistä väittämistä{reversed} poistaen puutteelliset vastaukset ulottuvuuden "
            "sisällä (listwise). Cronbachin α esitetään kahden 95 %:n luottamusvälin kanssa "
            "(Feldtin analyyttinen väli ja bootstrap-BCa-väli), ja sen rinnalla McDonaldin ω, "
            "joka ei oleta yhtä suuria latauksia{ordinal}."
        ),
        "p_method_reversed": (
            " (käänteiset väittämät {items} koodattiin aineistoa luettaessa muotoon minimi + "
            "maksimi − x)"
        ),
        "p_method_ordinal": (
            ", sekä kummankin ordinaalinen versio polykorisista korrelaatioista, jotka sopivat "
            "arviointiasteikoille, joissa on vähän vastausluokkia"
        ),
        "p_guide": (
            "Kertoimien tulkinta: .70 on tavallinen vähimmäistaso tutkimuskäytössä, .80 on hyvä, "
            "ja noin .90:tä edellytetään, kun pistemäärän perusteella tehdään yksilöä koskevia "
            "päätöksiä (Nunnally, 1978; Lance, Butts & Michels, 2006); yli .95:n arvot viittaavat "
            "pikemmin päällekkäisiin väittämiin kuin parempaan mittariin."
        ),
        "p_all_ok": "Jokainen ulottuvuus saavuttaa tason α ≥ .70.",
        "p_below": "Alle tavallisen vähimmäistason .70: {items}.",
        "p_negative": (
            "{dim}: {item} korreloi negatiivisesti muiden väittämien kanssa (r = {r}). Jos "
            "väittämä on muotoiltu käänteisesti, merkitkää se määrittelyssä käänteiseksi; muuten "
            "harkitkaa sen poistamista. Sitä ei käännetty automaattisesti."
        ),
        "p_weak": "Heikot väittämät (korjattu r < .30): {items}.",
        "p_ho": (
            "{scale}: hierarkkinen ω = {omega_h} ({verdict}); kokonais-ω = {omega_t}, α = {alpha} "
            "(n = {n})."
        ),
        "ho_strong": "kokonaispistemäärä heijastaa pääosin yleisfaktoria",
        "ho_weak": (
            "ulottuvuuksilla on paljon omaa reliaabelia varianssia, joten raportoikaa niiden "
            "pistemäärät kokonaispistemäärän rinnalla"
        ),
        "p_notes": "{dim}: {note}",
        "progress": "reliabiliteetti: {what}",
        "progress_ho": "{scale} ja sen ulottuvuudet",
        "s_range": (
            "Cronbachin α vaihteli välillä {lo} ({lo_dim}) – {hi} ({hi_dim}){omega}; {n_ok}/{k} "
            "ulottuvuutta saavuttaa tason .70."
        ),
        "s_one": "Ulottuvuuden {dim} Cronbachin α on {alpha}{omega}.",
        "s_omega_range": ", kokonais-ω välillä {lo} – {hi}",
        "s_omega_one": ", kokonais-ω {omega}",
        "s_ho": "Ylemmän tason mittarien hierarkkinen ω: {items}.",
        "w_negative": (
            "{dim}: väittämä {item} korreloi negatiivisesti ulottuvuutensa muiden väittämien "
            "kanssa (r = {r}); tarkistakaa, onko se käänteinen."
        ),
        "w_low": "{dim}: α = {alpha} on alle .60 ({band}).",
        "w_failed": "Ulottuvuuden {dim} reliabiliteettia ei voitu laskea: {error}",
        "w_few_boot": (
            "{b} bootstrap-otosta on liian vähän luottamusväliin, joten bootstrap-väliä ei "
            "laskettu; käyttäkää 2 000:ta (oletus) tai vähintään 100:aa."
        ),
        "w_ho_failed": "Mittarin {scale} hierarkkista omegaa ei voitu laskea: {error}",
    },
}


def _text(ctx: Any) -> dict[str, Any]:
    return TEXT.get(ctx.lang, TEXT["en"])


def alpha_band(value: float | None) -> str | None:
    """George & Mallery's (2003) band of an alpha: excellent ... unacceptable (English key)."""
    if value is None or not np.isfinite(value):
        return None
    return next(label for bound, label in ALPHA_BANDS if value >= bound)


def _b(value: float | None) -> str:
    """A coefficient bounded by 1 as printed in the tables (.85)."""
    return format_value(value, "bounded", 2)


def _ci(res: Any, coefficient: str, method: str) -> tuple[float, float]:
    sel = res.ci[(res.ci["coefficient"] == coefficient) & (res.ci["method"] == method)]
    if sel.empty:
        return float("nan"), float("nan")
    return float(sel["lower"].iloc[0]), float(sel["upper"].iloc[0])


def _num(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def n_boot_used(ctx: Any) -> int:
    """Bootstrap resamples: the option, or none when it is too few for an interval (under 100,
    which :func:`reliability` refuses)."""
    b = int(ctx.options.bootstrap)
    return b if b == 0 or b >= MIN_BOOT else 0


def higher_order_label(ctx: Any, key: str) -> str:
    """Readable name of a higher-order construct in the report language (its key otherwise)."""
    inst = ctx.instrument
    if inst is not None and "." in key:
        block_id, ho_id = key.split(".", 1)
        block = next((b for b in inst.blocks if b.id == block_id), None)
        ho = getattr(getattr(block, "scale", None), "higher_order", None)
        if ho is not None and ho.id == ho_id:
            return ho.name.get(ctx.lang) or next(iter(ho.name.values()), key)
    return key


def _model_kind(ctx: Any, key: str) -> str:
    inst = ctx.instrument
    if inst is None:
        return "reflective"
    block = next((b for b in inst.blocks if b.id == key.split(".", 1)[0]), None)
    return block.scale.model if block is not None else "reflective"


def compute(ctx: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, str], dict[str, str]]:
    """Run :func:`reliability` for every reflective dimension and higher-order scale.

    Returns ``(by dimension, by higher-order scale, failed dimensions, failed higher-order
    scales)``; failures carry the error message (the report goes on without them).
    """
    t = _text(ctx)
    ds = ctx.dataset
    opts = ctx.options
    common = {
        "ordinal": ctx.ordinal or "auto",
        "n_boot": n_boot_used(ctx),
        "seed": opts.seed,
    }

    def dim_items(key: str) -> list[str]:
        return [i for i in ctx.reflective.get(key, []) if i in ds.items.columns]

    by_dim: dict[str, Any] = {}
    by_ho: dict[str, Any] = {}
    failed: dict[str, str] = {}
    failed_ho: dict[str, str] = {}
    for ho_key, dims in ds.higher_order.items():
        subs = {d: dim_items(d) for d in dims if len(dim_items(d)) >= 2}
        if len(subs) < 2:
            continue
        everything = [i for its in subs.values() for i in its]
        ctx.progress(
            t["progress"].format(
                what=t["progress_ho"].format(scale=higher_order_label(ctx, ho_key))
            )
        )
        try:
            res = reliability(
                ds.items[everything],
                scale_range=scale_range_of(ds, everything),
                name=ho_key,
                subscales=subs,
                **common,
            )
        except UserError as exc:
            failed_ho[ho_key] = exc.message
            continue
        by_ho[ho_key] = res
        # the dimensions' results are the subscale results: the same call, same data and seed
        by_dim.update(res.subscales)
    for key in ctx.reflective:
        if key in by_dim:
            continue
        its = dim_items(key)
        ctx.progress(t["progress"].format(what=ctx.label(key)))
        try:
            by_dim[key] = reliability(
                ds.items[its], scale_range=scale_range_of(ds, its), name=key, **common
            )
        except UserError as exc:
            failed[key] = exc.message
    ordered = {k: by_dim[k] for k in ctx.reflective if k in by_dim}
    return ordered, by_ho, failed, failed_ho


def build(ctx: Any) -> Section:
    """The reliability section (see the module docstring)."""
    t = _text(ctx)
    ds = ctx.dataset
    opts = ctx.options
    section = Section(id="reliability", title=t["title"])
    warnings: list[str] = []
    by_dim, by_ho, failed, failed_ho = compute(ctx)
    for key, msg in failed.items():
        error = engine_text(msg, ctx.lang)
        warnings.append(t["w_failed"].format(dim=ctx.label(key), error=error))
    for key, msg in failed_ho.items():
        error = engine_text(msg, ctx.lang)
        warnings.append(t["w_ho_failed"].format(scale=higher_order_label(ctx, key), error=error))

    reversed_items = [i for i in ds.reversed if i in ds.items.columns]
    any_ordinal = any(r.ordinal_alpha is not None for r in by_dim.values())
    section.paragraphs.append(
        t["p_method"].format(
            reversed=t["p_method_reversed"].format(items=", ".join(reversed_items))
            if reversed_items
            else "",
            ordinal=t["p_method_ordinal"] if any_ordinal else "",
        )
    )
    section.paragraphs.append(t["p_guide"])

    # --- summary table
    rows = []
    for key, res in by_dim.items():
        fl, fh = _ci(res, "alpha", "feldt")
        bl, bh = _ci(res, "alpha", "bootstrap_bca")
        row = {
            t["dimension"]: ctx.label(key),
            t["k"]: int(res.items["r_drop"].notna().sum()),
            t["n"]: int(res.n_used),
            t["alpha"]: _num(res.alpha),
            t["feldt_lo"]: fl,
            t["feldt_hi"]: fh,
            t["bca_lo"]: bl,
            t["bca_hi"]: bh,
            t["std_alpha"]: _num(res.std_alpha),
            t["omega"]: _num(res.omega_total),
        }
        if any_ordinal:
            row[t["ord_alpha"]] = _num(res.ordinal_alpha)
            row[t["ord_omega"]] = _num(res.ordinal_omega)
        row[t["average_r"]] = _num(res.average_r)
        band = alpha_band(res.alpha)
        row[t["verdict"]] = t["bands"][band] if band else ""
        rows.append(row)
    n_boot = n_boot_used(ctx)
    if n_boot != int(opts.bootstrap):
        warnings.append(t["w_few_boot"].format(b=int(opts.bootstrap)))
    boot = t["boot"].format(b=n_boot, seed=opts.seed) if n_boot else t["no_boot"]
    if rows:
        frame = pd.DataFrame(rows)
        kinds = {c: "bounded" for c in frame.columns}
        kinds.update({t["dimension"]: "text", t["k"]: "int", t["n"]: "int", t["verdict"]: "text"})
        section.tables.append(
            Table(
                id="reliability_summary",
                title=t["summary_title"],
                frame=frame,
                kinds=kinds,
                note=t["summary_note"].format(
                    boot=boot, ordinal=t["ordinal_note"] if any_ordinal else ""
                ),
            )
        )

    # --- item analysis per dimension
    weak: list[str] = []
    for key, res in by_dim.items():
        label = ctx.label(key)
        tab = res.items
        remarks = []
        for item in tab.index:
            r = tab.loc[item, "r_drop"]
            words = []
            if tab.loc[item, "flag"] == "no variance":
                words.append(t["remarks"]["flat"])
            elif np.isfinite(r) and r < 0:
                words.append(t["remarks"]["negative"])
                r3 = format_value(r, "bounded", 3)
                section.paragraphs.append(t["p_negative"].format(dim=label, item=item, r=r3))
                warnings.append(t["w_negative"].format(dim=label, item=item, r=r3))
            elif np.isfinite(r) and r < WEAK_ITEM_REST:
                words.append(t["remarks"]["weak"])
                weak.append(f"{item} ({_b(r)})")
            a_del = tab.loc[item, "alpha_if_deleted"]
            if res.alpha is not None and np.isfinite(a_del) and a_del > res.alpha:
                words.append(t["remarks"]["raises"])
            remarks.append("; ".join(words))
        frame = pd.DataFrame(
            {
                t["item"]: [item_label(ctx, i) for i in tab.index],
                t["r_drop"]: tab["r_drop"].to_numpy(float),
                t["alpha_del"]: tab["alpha_if_deleted"].to_numpy(float),
                t["omega_del"]: tab["omega_if_deleted"].to_numpy(float),
                t["remark"]: remarks,
            }
        )
        rev_note = t["items_note_reverse"] if any(i in ds.reversed for i in tab.index) else ""
        section.tables.append(
            Table(
                id=table_id("reliability_items", key),
                title=t["items_title"].format(dim=label),
                frame=frame,
                kinds={
                    t["item"]: "text",
                    t["r_drop"]: "bounded",
                    t["alpha_del"]: "bounded",
                    t["omega_del"]: "bounded",
                    t["remark"]: "text",
                },
                note=t["items_note"].format(
                    alpha=_b(res.alpha),
                    omega_short=t["omega_short"] if tab["omega_if_deleted"].isna().all() else "",
                    reverse=rev_note,
                    n=res.n_used,
                ),
            )
        )
        for note in res.notes:
            # reliability()'s own notes say what was left out or could not be computed
            if note.startswith(("Left out", "Omega could not", "Ordinal omega could not")):
                note_text = engine_text(note, ctx.lang)
                section.paragraphs.append(t["p_notes"].format(dim=label, note=note_text))
        if res.alpha is not None and res.alpha < 0.60:
            band = alpha_band(res.alpha)
            warnings.append(
                t["w_low"].format(dim=label, alpha=_b(res.alpha), band=t["bands"][band])
            )
    below = [
        f"{ctx.label(k)} (α = {_b(r.alpha)})"
        for k, r in by_dim.items()
        if r.alpha is not None and r.alpha < 0.70
    ]
    if by_dim:
        section.paragraphs.append(
            t["p_below"].format(items="; ".join(below)) if below else t["p_all_ok"]
        )
    if weak:
        section.paragraphs.append(t["p_weak"].format(items=", ".join(weak)))

    # --- higher-order scales
    ho_rows = []
    ho_sentences = []
    for key, res in by_ho.items():
        label = higher_order_label(ctx, key)
        ecv = float(res.omega_sl.ecv) if res.omega_sl is not None else float("nan")
        ho_rows.append(
            {
                t["scale"]: label,
                t["dimensions"]: ", ".join(ctx.label(d) for d in res.subscales),
                t["k"]: int(res.items["r_drop"].notna().sum()),
                t["n"]: int(res.n_used),
                t["alpha"]: _num(res.alpha),
                t["omega_t_sl"]: _num(res.omega_total_sl),
                t["omega_h"]: _num(res.omega_hierarchical),
                t["ecv"]: ecv,
            }
        )
        if res.omega_hierarchical is not None:
            verdict = t["ho_strong"] if res.omega_hierarchical >= OMEGA_H_STRONG else t["ho_weak"]
            section.paragraphs.append(
                t["p_ho"].format(
                    scale=label,
                    omega_h=_b(res.omega_hierarchical),
                    verdict=verdict,
                    omega_t=_b(res.omega_total_sl),
                    alpha=_b(res.alpha),
                    n=res.n_used,
                )
            )
            ho_sentences.append(f"{label} {_b(res.omega_hierarchical)}")
        for note in res.notes:
            if note.startswith(("With two sub-dimensions", "Omega hierarchical could not")):
                note_text = engine_text(note, ctx.lang)
                section.paragraphs.append(t["p_notes"].format(dim=label, note=note_text))
    if ho_rows:
        frame = pd.DataFrame(ho_rows)
        section.tables.append(
            Table(
                id="reliability_higher_order",
                title=t["ho_title"],
                frame=frame,
                kinds={
                    t["scale"]: "text",
                    t["dimensions"]: "text",
                    t["k"]: "int",
                    t["n"]: "int",
                    t["alpha"]: "bounded",
                    t["omega_t_sl"]: "bounded",
                    t["omega_h"]: "bounded",
                    t["ecv"]: "bounded",
                },
                note=t["ho_note"],
            )
        )

    # --- formative and index dimensions
    na = {k: _model_kind(ctx, k) for k in ctx.dimensions if k not in ctx.reflective}
    na = {k: m for k, m in na.items() if m in NO_ALPHA_REASON}
    if na:
        section.tables.append(
            Table(
                id="reliability_not_applicable",
                title=t["na_title"],
                frame=pd.DataFrame(
                    {
                        t["dimension"]: [ctx.label(k) for k in na],
                        t["model"]: [t["models"][m] for m in na.values()],
                        t["reason"]: [t["na_reason"][m] for m in na.values()],
                    }
                ),
                kinds={t["dimension"]: "text", t["model"]: "text", t["reason"]: "text"},
                note=t["na_note"],
            )
        )

    # --- summary sentences
    alphas = {k: r.alpha for k, r in by_dim.items() if r.alpha is not None}
    omegas = [r.omega_total for r in by_dim.values() if r.omega_total is not None]
    if len(alphas) >= 2:
        lo_k = min(alphas, key=alphas.get)
        hi_k = max(alphas, key=alphas.get)
        omega = t["s_omega_range"].format(lo=_b(min(omegas)), hi=_b(max(omegas))) if omegas else ""
        ctx.summary.append(
            t["s_range"].format(
                lo=_b(alphas[lo_k]),
                lo_dim=ctx.label(lo_k),
                hi=_b(alphas[hi_k]),
                hi_dim=ctx.label(hi_k),
                omega=omega,
                n_ok=sum(a >= 0.70 for a in alphas.values()),
                k=len(alphas),
            )
        )
    elif alphas:
        ((key, a),) = alphas.items()
        om = by_dim[key].omega_total
        ctx.summary.append(
            t["s_one"].format(
                dim=ctx.label(key),
                alpha=_b(a),
                omega=t["s_omega_one"].format(omega=_b(om)) if om is not None else "",
            )
        )
    if ho_sentences:
        ctx.summary.append(t["s_ho"].format(items=", ".join(ho_sentences)))

    for w in warnings:
        ctx.warn(w)
    section.warnings.extend(warnings)
    ctx.found["reliability"] = by_dim
    ctx.found["reliability_higher_order"] = by_ho
    ctx.results["reliability"] = {
        "settings": {
            "n_boot": n_boot,
            "seed": opts.seed,
            "ordinal": ctx.ordinal or "auto",
            "missing": "listwise",
            "level": 0.95,
        },
        "dimensions": {k: r.to_dict() for k, r in by_dim.items()},
        "alpha_labels": {k: alpha_band(r.alpha) for k, r in by_dim.items()},
        "higher_order": {k: _higher_order_dict(r) for k, r in by_ho.items()},
        "not_applicable": {k: {"model": m, "reason": NO_ALPHA_REASON[m]} for k, m in na.items()},
        "failed": {**failed, **failed_ho},
    }
    return section


def _higher_order_dict(res: Any) -> dict[str, Any]:
    """A higher-order result for the JSON: its own figures and the Schmid-Leiman solution; the
    dimensions' results are under ``dimensions`` already."""
    out = res.to_dict()
    out["subscales"] = {k: list(v.item_names) for k, v in res.subscales.items()}
    out["schmid_leiman"] = res.omega_sl.to_dict() if res.omega_sl is not None else None
    return out


__all__ = ["STEP", "TEXT", "alpha_band", "build", "compute", "higher_order_label"]
