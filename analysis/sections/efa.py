"""Report section 5, exploratory factor analysis: factorability, number of factors, the solution.

The items of all reflective dimensions are factored together, as psych does it: Pearson or (when the
items are treated as ordinal) polychoric correlations of the pairwise-complete answers;
:func:`~moscale.analysis.factorability.kmo` and :func:`~moscale.analysis.factorability.bartlett`
(psych ``KMO``, ``cortest.bartlett``), :func:`~moscale.analysis.nfactors.parallel_analysis` (psych
``fa.parallel``, seeded) and :func:`~moscale.analysis.nfactors.velicer_map` (psych ``vss()$map``), and
:func:`~moscale.analysis.efa.efa` with as many factors as the instrument has reflective dimensions
(minres, oblimin; psych ``fa``). The section arranges the figures and reads them in words.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from moscale.analysis import plots
from moscale.analysis.efa import efa
from moscale.analysis.extraction import correlation_input
from moscale.analysis.factorability import bartlett, kmo
from moscale.analysis.nfactors import parallel_analysis, velicer_map
from moscale.analysis.plots_efa import parallel_scree
from moscale.analysis.report import Figure, Section
from moscale.analysis.tables import Table, format_value
from moscale.errors import UserError

from .engine_fi import engine_text
from .items import item_label

STEP = "exploratory factor analysis"

#: A loading at least this large (in absolute value) is salient.
SALIENT = 0.30
#: Item MSA below this is mediocre or worse (Kaiser, 1974).
MSA_LOW = 0.60
#: Data sets of parallel analysis (psych's default). Polychoric correlations of 20 resamples of
#: 35 items take about a second.
N_ITER = 20
RESAMPLE_MAX_N = 100_000
#: Item pairs correlating at least this much are nearly redundant.
REDUNDANT_R = 0.90

TEXT: dict[str, dict[str, Any]] = {
    "en": {
        "title": "Exploratory factor analysis",
        "kaiser": {
            "marvelous": "marvelous",
            "meritorious": "meritorious",
            "middling": "middling",
            "mediocre": "mediocre",
            "miserable": "miserable",
            "unacceptable": "unacceptable",
        },
        "cor": {"pearson": "Pearson", "polychoric": "polychoric"},
        "skip": (
            "No exploratory factor analysis: it needs at least three items of at least one "
            "reflective dimension ({p} item(s), {k} dimension(s) here)."
        ),
        "p_method": (
            "The {p} items of the {k} reflective dimension(s) were factored together: {cor} "
            "correlations of the pairwise-complete answers (n = {n}), minimum-residual extraction "
            "and oblimin rotation, as psych's fa() (Revelle, 2022).{left_out}"
        ),
        "left_out": " Left out: {items}.",
        "left_reason_flat": "no variance",
        "left_reason_few": "fewer than three answers",
        "fact_title": "Factorability of the item correlations",
        "n": "n",
        "kmo": "KMO",
        "kaiser_label": "Kaiser's label",
        "chisq": "Bartlett χ²",
        "df": "df",
        "p": "p",
        "det": "Determinant",
        "fact_note": (
            "KMO = Kaiser–Meyer–Olkin measure of sampling adequacy (Kaiser, 1970), labelled after "
            "Kaiser (1974): ≥ .90 marvelous, ≥ .80 meritorious, ≥ .70 middling, ≥ .60 mediocre, "
            "≥ .50 miserable, below unacceptable. Bartlett's (1950) test of sphericity: whether "
            "the correlations could all be zero. Determinant of the correlation matrix: near "
            "zero when items are (nearly) linear combinations of others; it also shrinks as items "
            "are added, so it is read together with the item pairs correlating .90 or more."
        ),
        "p_kmo": (
            "Sampling adequacy is {label} (KMO = {kmo}; Kaiser, 1974) and Bartlett's test "
            "rejects uncorrelated items (χ²({df}) = {chisq}, p {p}), so the correlations are "
            "worth factoring. The determinant of the correlation matrix is {det}."
        ),
        "p_kmo_low": (
            "Sampling adequacy is {label} (KMO = {kmo}; Kaiser, 1974): below .60 the items share "
            "too little variance for a stable factor solution. Bartlett's test: χ²({df}) = "
            "{chisq}, p {p}. The determinant of the correlation matrix is {det}."
        ),
        "p_redundant": (
            "Nearly redundant item pairs (|r| ≥ .90), which make the correlation matrix close to "
            "singular: {pairs}."
        ),
        "p_msa_low": "Items with an MSA below .60 fit the common-factor model poorly: {items}.",
        "nf_title": "Number of factors",
        "criterion": "Criterion",
        "suggested": "Suggested",
        "crit_pa_fa": "Parallel analysis, factors",
        "crit_pa_pc": "Parallel analysis, components",
        "crit_map": "Velicer's minimum average partial (MAP)",
        "crit_theory": "Dimensions of the instrument",
        "nf_note": (
            "Parallel analysis (Horn, 1965) as psych's fa.parallel: observed eigenvalues compared "
            "with the 95th percentile of those of {n_iter} simulated normal and {n_iter} resampled "
            "data sets of the same size (seed {seed}); factors use the correlation matrix with "
            "one-factor communalities on the diagonal. MAP: Velicer (1976)."
        ),
        "p_nf": (
            "Parallel analysis suggests {pa_fa} factor(s) ({pa_pc} component(s)) and Velicer's "
            "MAP {map}; the instrument has {k} dimension(s). {agree}"
        ),
        "p_no_resample": (
            "With {n} respondents (more than {max_n}) the random eigenvalues come from "
            "simulated normal data only: resampled data sets of this size cost seconds each and "
            "give the same reference line. The suggestion uses the simulated eigenvalues, as "
            "psych does."
        ),
        "agree_all": "All criteria agree with the instrument.",
        "agree_some": (
            "Where the criteria differ, the theory decides; a different number suggests "
            "dimensions that merge or split and is examined in the loadings below."
        ),
        "scree_title": "Scree plot with parallel analysis",
        "scree_caption": (
            "Observed eigenvalues (solid) and the 95th percentile of eigenvalues from random data "
            "(dashed), for factors and for components. Parallel analysis retains the factors "
            "whose observed eigenvalue lies above the random one."
        ),
        "scree_words": {
            "fa_observed": "factors, observed",
            "fa_random": "factors, random data",
            "pc_observed": "components, observed",
            "pc_random": "components, random data",
            "xlabel": "factor / component number",
            "ylabel": "eigenvalue",
            "suggested": "suggested: {n}",
        },
        "load_title": "Pattern loadings of the {k}-factor solution (minres, oblimin)",
        "item": "Item",
        "dimension": "Dimension",
        "h2": "h²",
        "u2": "u²",
        "complexity": "Complexity",
        "msa": "MSA",
        "load_note": (
            "Pattern loadings of the oblique solution; h² = communality, u² = uniqueness, "
            "complexity = Hofmann's (1978) index (1 = the item loads on one factor only), MSA = "
            "the item's measure of sampling adequacy. {cor_note}Loadings of .30 or more are "
            "salient."
        ),
        "cor_note_poly": "Factored from polychoric correlations. ",
        "heat_title": "Loadings heat map",
        "heat_caption": (
            "Pattern loadings, blue positive and red negative; salient loadings (|λ| ≥ .30) in "
            "bold, and outlined where an item has more than one (cross-loading)."
        ),
        "factors_title": "Factors: variance accounted for and correlations",
        "factor": "Factor",
        "ss": "SS loadings",
        "prop": "Proportion of variance",
        "cum": "Cumulative",
        "factors_note": (
            "SS loadings = variance accounted for by the factor (diag(ΦΛ'Λ), as psych); the "
            "columns on the right are the factor correlations (Φ)."
        ),
        "fit_title": "Fit of the {k}-factor solution",
        "rmsea": "RMSEA",
        "rmsea_lo": "RMSEA LL",
        "rmsea_hi": "RMSEA UL",
        "tli": "TLI",
        "rmsr": "RMSR",
        "bic": "BIC",
        "fit_note": (
            "As psych's fa() reports them: χ² with Bartlett's correction, RMSEA with its 90% "
            "confidence interval (LL, UL), Tucker–Lewis index, root mean square of the "
            "off-diagonal residuals and BIC. In exploration these describe, they do not test, the "
            "structure; the confirmatory analysis follows."
        ),
        "p_structure_ok": (
            "Each dimension's items load mainly on a factor of their own: the solution "
            "reproduces the instrument's structure."
        ),
        "p_split": "{dim}: items load mainly on {parts}.",
        "p_shared": "{factor} carries items of several dimensions: {dims}.",
        "p_cross": "Cross-loadings (two or more loadings ≥ .30): {items}.",
        "p_none": "Items with no loading of .30 or more: {items}.",
        "p_no_cross": "No item loads .30 or more on two factors, and every item loads on one.",
        "p_fit": (
            "Fit: χ²({df}) = {chisq}, p {p}; RMSEA = {rmsea} [{lo}, {hi}]; TLI = {tli}; RMSR = "
            "{rmsr}."
        ),
        "p_efa_notes": "{note}",
        "s_efa": (
            "Factorability: KMO = {kmo} ({label}). Parallel analysis suggests {pa} factor(s), "
            "MAP {map}, for {k} dimension(s); in the {k}-factor EFA {cross} item(s) cross-load "
            "and {none} load on no factor."
        ),
        "s_efa_short": "Factorability: KMO = {kmo} ({label}).",
        "w_kmo": (
            "KMO = {kmo} ({label}) is below .60: the items share too little variance for a "
            "stable factor analysis."
        ),
        "w_heywood": (
            "Heywood case in the EFA ({items}): a communality of 1 or more; the solution is "
            "improper (too many factors, or too few items per factor)."
        ),
        "w_converged": "The EFA extraction did not converge; treat the solution with caution.",
        "w_rotation": "The oblimin rotation did not converge; treat the loadings with caution.",
        "w_step": "{step} could not be computed: {error}",
        "steps": {
            "kmo": "KMO and Bartlett's test",
            "parallel": "Parallel analysis",
            "map": "Velicer's MAP",
            "efa": "The exploratory factor analysis",
        },
    },
    "fi": {
        "title": "Eksploratiivinen faktorianalyysi",
        "kaiser": {
            "marvelous": "erinomainen",
            "meritorious": "ansiokas",
            "middling": "keskinkertainen",
            "mediocre": "välttävä",
            "miserable": "heikko",
            "unacceptable": "riittämätön",
        },
        "cor": {"pearson": "Pearsonin", "polychoric": "polykoriset"},
        "skip": (
            "Eksploratiivista faktorianalyysia ei tehty: se vaatii vähintään kolme väittämää "
            "vähintään yhdestä reflektiivisestä ulottuvuudesta (tässä {p} väittämää, {k} "
            "ulottuvuutta)."
        ),
        "p_method": (
            "Kaikki {p} väittämää {k} reflektiivisestä ulottuvuudesta faktoroitiin yhdessä: "
            "{cor} korrelaatiot parittain täydellisistä vastauksista (n = {n}), minimum residual "
            "-ekstraktio ja oblimin-rotaatio kuten psych-paketin fa() (Revelle, 2022).{left_out}"
        ),
        "left_out": " Jätettiin pois: {items}.",
        "left_reason_flat": "ei vaihtelua",
        "left_reason_few": "alle kolme vastausta",
        "fact_title": "Väittämien korrelaatioiden soveltuvuus faktorianalyysiin",
        "n": "n",
        "kmo": "KMO",
        "kaiser_label": "Kaiserin luokitus",
        "chisq": "Bartlettin χ²",
        "df": "df",
        "p": "p",
        "det": "Determinantti",
        "fact_note": (
            "KMO = Kaiser–Meyer–Olkin-otosriittävyys (Kaiser, 1970), luokiteltuna Kaiserin (1974) "
            "mukaan: ≥ .90 erinomainen, ≥ .80 ansiokas, ≥ .70 keskinkertainen, ≥ .60 välttävä, "
            "≥ .50 heikko, sitä pienempi riittämätön. Bartlettin (1950) sfäärisyystesti: voisivatko "
            "kaikki korrelaatiot olla nollia. Korrelaatiomatriisin determinantti: lähellä nollaa, "
            "kun väittämät ovat (lähes) toisten väittämien lineaarikombinaatioita; se pienenee "
            "myös väittämien määrän kasvaessa, joten sitä luetaan yhdessä vähintään .90 "
            "korreloivien väittämäparien kanssa."
        ),
        "p_kmo": (
            "Otosriittävyys on {label} (KMO = {kmo}; Kaiser, 1974), ja Bartlettin testi hylkää "
            "korreloimattomuuden (χ²({df}) = {chisq}, p {p}), joten korrelaatiot soveltuvat "
            "faktoroitaviksi. Korrelaatiomatriisin determinantti on {det}."
        ),
        "p_kmo_low": (
            "Otosriittävyys on {label} (KMO = {kmo}; Kaiser, 1974): alle .60:n arvolla "
            "väittämillä on liian vähän yhteistä varianssia vakaaseen faktoriratkaisuun. "
            "Bartlettin testi: χ²({df}) = {chisq}, p {p}. Korrelaatiomatriisin determinantti on "
            "{det}."
        ),
        "p_redundant": (
            "Lähes päällekkäiset väittämäparit (|r| ≥ .90), jotka tekevät korrelaatiomatriisista "
            "lähes singulaarisen: {pairs}."
        ),
        "p_msa_low": (
            "Väittämät, joiden MSA on alle .60, sopivat huonosti yhteisfaktorimalliin: {items}."
        ),
        "nf_title": "Faktorien lukumäärä",
        "criterion": "Kriteeri",
        "suggested": "Ehdotus",
        "crit_pa_fa": "Rinnakkaisanalyysi, faktorit",
        "crit_pa_pc": "Rinnakkaisanalyysi, pääkomponentit",
        "crit_map": "Velicerin MAP (minimum average partial)",
        "crit_theory": "Mittarin ulottuvuudet",
        "nf_note": (
            "Rinnakkaisanalyysi (Horn, 1965) kuten psych-paketin fa.parallel: havaittuja "
            "ominaisarvoja verrataan {n_iter} simuloidun normaalijakautuneen ja {n_iter} "
            "uudelleenotetun samankokoisen aineiston ominaisarvojen 95. persentiiliin "
            "(siemenluku {seed}); faktoreissa korrelaatiomatriisin lävistäjällä ovat yhden "
            "faktorin kommunaliteetit. MAP: Velicer (1976)."
        ),
        "p_nf": (
            "Rinnakkaisanalyysi ehdottaa {pa_fa} faktoria ({pa_pc} pääkomponenttia) ja Velicerin "
            "MAP {map}; mittarissa on {k} ulottuvuutta. {agree}"
        ),
        "p_no_resample": (
            "Vastaajia on {n} (yli {max_n}), joten satunnaiset ominaisarvot tulevat vain "
            "simuloidusta normaalijakautuneesta aineistosta: näin suurten aineistojen "
            "uudelleenotanta vie sekunteja aineistoa kohden ja antaa saman vertailukäyrän. "
            "Ehdotus perustuu simuloituihin ominaisarvoihin, kuten psych-paketissa."
        ),
        "agree_all": "Kaikki kriteerit ovat yhtä mieltä mittarin kanssa.",
        "agree_some": (
            "Kun kriteerit eroavat, teoria ratkaisee; poikkeava lukumäärä viittaa "
            "yhdistyviin tai jakautuviin ulottuvuuksiin, ja sitä tarkastellaan alla latauksista."
        ),
        "scree_title": "Ominaisarvokuvio ja rinnakkaisanalyysi",
        "scree_caption": (
            "Havaitut ominaisarvot (yhtenäinen viiva) ja satunnaisaineistojen ominaisarvojen 95. "
            "persentiili (katkoviiva) faktoreille ja pääkomponenteille. Rinnakkaisanalyysi "
            "säilyttää faktorit, joiden havaittu ominaisarvo on satunnaista suurempi."
        ),
        "scree_words": {
            "fa_observed": "faktorit, havaittu",
            "fa_random": "faktorit, satunnaisaineisto",
            "pc_observed": "pääkomponentit, havaittu",
            "pc_random": "pääkomponentit, satunnaisaineisto",
            "xlabel": "faktorin / pääkomponentin järjestysnumero",
            "ylabel": "ominaisarvo",
            "suggested": "ehdotus: {n}",
        },
        "load_title": "{k} faktorin ratkaisun lataukset (pattern; minres, oblimin)",
        "item": "Väittämä",
        "dimension": "Ulottuvuus",
        "h2": "h²",
        "u2": "u²",
        "complexity": "Kompleksisuus",
        "msa": "MSA",
        "load_note": (
            "Vinon ratkaisun lataukset (pattern-matriisi); h² = kommunaliteetti, u² = "
            "ainutkertaisuus, kompleksisuus = Hofmannin (1978) indeksi (1 = väittämä latautuu vain "
            "yhdelle faktorille), MSA = väittämän otosriittävyys. {cor_note}Vähintään .30:n "
            "lataukset ovat merkittäviä."
        ),
        "cor_note_poly": "Faktoroitu polykorisista korrelaatioista. ",
        "heat_title": "Latausten lämpökartta",
        "heat_caption": (
            "Lataukset (pattern), sininen positiivinen ja punainen negatiivinen; merkittävät lataukset "
            "(|λ| ≥ .30) lihavoitu ja kehystetty, jos väittämällä on niitä useampi "
            "(ristiinlataus)."
        ),
        "factors_title": "Faktorit: selitetty varianssi ja korrelaatiot",
        "factor": "Faktori",
        "ss": "Latausten neliösumma",
        "prop": "Osuus varianssista",
        "cum": "Kumulatiivinen",
        "factors_note": (
            "Latausten neliösumma = faktorin selittämä varianssi (diag(ΦΛ'Λ), kuten psych); "
            "oikeanpuoleiset sarakkeet ovat faktorien väliset korrelaatiot (Φ)."
        ),
        "fit_title": "{k} faktorin ratkaisun yhteensopivuus",
        "rmsea": "RMSEA",
        "rmsea_lo": "RMSEA AR",
        "rmsea_hi": "RMSEA YR",
        "tli": "TLI",
        "rmsr": "RMSR",
        "bic": "BIC",
        "fit_note": (
            "Kuten psych-paketin fa() ne raportoi: χ² Bartlettin korjauksella, RMSEA ja sen 90 "
            "%:n luottamusväli (AR, YR), Tuckerin–Lewisin indeksi, lävistäjän ulkopuolisten "
            "residuaalien neliökeskiarvon neliöjuuri ja BIC. Eksploratiivisessa analyysissa ne "
            "kuvaavat rakennetta eivätkä testaa sitä; konfirmatorinen analyysi seuraa."
        ),
        "p_structure_ok": (
            "Kunkin ulottuvuuden väittämät latautuvat pääosin omalle faktorilleen: ratkaisu "
            "toistaa mittarin rakenteen."
        ),
        "p_split": "{dim}: väittämät latautuvat pääosin faktoreille {parts}.",
        "p_shared": "Faktorille {factor} latautuu useamman ulottuvuuden väittämiä: {dims}.",
        "p_cross": "Ristiinlataukset (vähintään kaksi latausta ≥ .30): {items}.",
        "p_none": "Väittämät, joilla ei ole yhtään vähintään .30:n latausta: {items}.",
        "p_no_cross": (
            "Yksikään väittämä ei lataudu vähintään .30 kahdelle faktorille, ja jokainen "
            "latautuu jollekin."
        ),
        "p_fit": (
            "Yhteensopivuus: χ²({df}) = {chisq}, p {p}; RMSEA = {rmsea} [{lo}, {hi}]; TLI = "
            "{tli}; RMSR = {rmsr}."
        ),
        "p_efa_notes": "{note}",
        "s_efa": (
            "Soveltuvuus faktorianalyysiin: KMO = {kmo} ({label}). Rinnakkaisanalyysi ehdottaa "
            "{pa} faktoria ja MAP {map}, kun ulottuvuuksia on {k}; {k} faktorin EFA:ssa {cross} "
            "väittämää latautuu ristiin ja {none} ei lataudu millekään faktorille."
        ),
        "s_efa_short": "Soveltuvuus faktorianalyysiin: KMO = {kmo} ({label}).",
        "w_kmo": (
            "KMO = {kmo} ({label}) on alle .60: väittämillä on liian vähän yhteistä varianssia "
            "vakaaseen faktorianalyysiin."
        ),
        "w_heywood": (
            "EFA:ssa Heywood-tapaus ({items}): kommunaliteetti 1 tai enemmän; ratkaisu on "
            "epäkelpo (liikaa faktoreita tai liian vähän väittämiä faktoria kohden)."
        ),
        "w_converged": "EFA:n ekstraktio ei konvergoinut; suhtautukaa ratkaisuun varoen.",
        "w_rotation": "Oblimin-rotaatio ei konvergoinut; suhtautukaa latauksiin varoen.",
        "w_step": "{step}: laskenta ei onnistunut: {error}",
        "steps": {
            "kmo": "KMO ja Bartlettin testi",
            "parallel": "Rinnakkaisanalyysi",
            "map": "Velicerin MAP",
            "efa": "Eksploratiivinen faktorianalyysi",
        },
    },
}


def _text(ctx: Any) -> dict[str, Any]:
    return TEXT.get(ctx.lang, TEXT["en"])


def _b(value: float | None) -> str:
    return format_value(value, "bounded", 2)


def _p(value: float) -> str:
    text = format_value(value, "p")
    return text if text.startswith("<") else f"= {text}"


def _det_decimals(det: float) -> int:
    """Decimals that show two significant digits of a (small) determinant."""
    if not np.isfinite(det) or det <= 0:
        return 2
    return max(2, -math.floor(math.log10(det)) + 1)


def efa_items(ctx: Any) -> tuple[list[str], dict[str, str]]:
    """Items of the reflective dimensions that can enter a correlation matrix, and those left
    out with the reason (English key: ``"flat"`` or ``"few"``)."""
    ds = ctx.dataset
    items = [i for its in ctx.reflective.values() for i in its if i in ds.items.columns]
    x = ds.items[items]
    answered = x.notna().sum()
    spread = x.max() - x.min()
    left: dict[str, str] = {}
    for i in items:
        if answered[i] < 3:
            left[i] = "few"
        elif not spread[i] > 0:
            left[i] = "flat"
    return [i for i in items if i not in left], left


def build(ctx: Any) -> Section:
    """The EFA section (see the module docstring)."""
    t = _text(ctx)
    ds = ctx.dataset
    opts = ctx.options
    section = Section(id="efa", title=t["title"])
    warnings: list[str] = []
    used, left = efa_items(ctx)
    item_dim = ds.item_dimension
    dims = [k for k, its in ctx.reflective.items() if any(i in used for i in its)]
    k = len(dims)
    cor = "polychoric" if ctx.ordinal else "pearson"
    results: dict[str, Any] = {
        "items": used,
        "left_out": left,
        "cor": cor,
        "missing": "pairwise",
        "n_theoretical": k,
        "salient": SALIENT,
    }
    if len(used) < 3 or k < 1:
        section.paragraphs.append(t["skip"].format(p=len(used), k=k))
        results["skipped"] = TEXT["en"]["skip"].format(p=len(used), k=k)
        ctx.results["efa"] = results
        return section
    x = ds.items[used]
    n = int(len(x))
    left_text = ", ".join(f"{i} ({t['left_reason_' + why]})" for i, why in left.items())
    section.paragraphs.append(
        t["p_method"].format(
            p=len(used),
            k=k,
            cor=t["cor"][cor],
            n=n,
            left_out=t["left_out"].format(items=left_text) if left else "",
        )
    )

    def attempt(step: str, fn: Any) -> Any:
        try:
            return fn()
        except UserError as exc:
            error = engine_text(exc.message, ctx.lang)
            warnings.append(t["w_step"].format(step=t["steps"][step], error=error))
            results.setdefault("failed", {})[step] = exc.message
            return None

    # One correlation matrix for every step (with a million respondents each costs seconds).
    ci = attempt("kmo", lambda: correlation_input(x, cor=cor, missing="pairwise"))
    if ci is None:
        for w in warnings:
            ctx.warn(w)
        section.warnings.extend(warnings)
        ctx.results["efa"] = results
        return section
    x = ci

    # --- factorability
    kmo_res = attempt("kmo", lambda: kmo(x))
    bart = attempt("kmo", lambda: bartlett(x)) if kmo_res is not None else None
    if kmo_res is not None and bart is not None:
        results["kmo"] = kmo_res.to_dict()
        results["bartlett"] = bart.to_dict()
        label = t["kaiser"][kmo_res.label]
        det_dec = _det_decimals(bart.determinant)
        section.tables.append(
            Table(
                id="efa_factorability",
                title=t["fact_title"],
                frame=pd.DataFrame(
                    [
                        {
                            t["n"]: bart.n_obs,
                            t["kmo"]: kmo_res.msa,
                            t["kaiser_label"]: label,
                            t["chisq"]: bart.chisq,
                            t["df"]: bart.df,
                            t["p"]: bart.pvalue,
                            t["det"]: bart.determinant,
                        }
                    ]
                ),
                kinds={
                    t["n"]: "int",
                    t["kmo"]: "bounded",
                    t["kaiser_label"]: "text",
                    t["df"]: "int",
                    t["p"]: "p",
                },
                decimals={t["det"]: det_dec},
                note=t["fact_note"],
            )
        )
        det = format_value(bart.determinant, "stat", det_dec)
        key = "p_kmo_low" if kmo_res.msa < MSA_LOW else "p_kmo"
        section.paragraphs.append(
            t[key].format(
                label=label,
                kmo=_b(kmo_res.msa),
                df=f"{bart.df:g}",
                chisq=format_value(bart.chisq, "stat", 2),
                p=_p(bart.pvalue),
                det=det,
            )
        )
        low = kmo_res.msa_items[kmo_res.msa_items < MSA_LOW]
        results["msa_below"] = {i: float(v) for i, v in low.items()}
        if len(low):
            section.paragraphs.append(
                t["p_msa_low"].format(items=", ".join(f"{i} ({_b(v)})" for i, v in low.items()))
            )
        if kmo_res.msa < MSA_LOW:
            warnings.append(t["w_kmo"].format(kmo=_b(kmo_res.msa), label=label))

    # --- number of factors
    # Resampled eigenvalues only add a reference line (the suggestion uses the simulated ones,
    # as psych); beyond RESAMPLE_MAX_N respondents they cost N x p draws per data set for a line
    # that lies on the simulated one, so they are left out and the report says so.
    resample = n <= RESAMPLE_MAX_N
    pa = attempt(
        "parallel",
        lambda: parallel_analysis(x, n_iter=N_ITER, seed=opts.seed, resample=resample),
    )
    if not resample:
        results["parallel_resampled"] = False
        sep = "," if ctx.lang == "en" else "\u00a0"
        section.paragraphs.append(
            t["p_no_resample"].format(
                n=f"{n:,}".replace(",", sep), max_n=f"{RESAMPLE_MAX_N:,}".replace(",", sep)
            )
        )
    mp = attempt("map", lambda: velicer_map(x, max_factors=max(8, k + 1)))
    if pa is not None:
        results["parallel"] = pa.to_dict()
    if mp is not None:
        results["map"] = mp.to_dict()
    nf_rows = []
    if pa is not None:
        nf_rows += [(t["crit_pa_fa"], pa.n_factors), (t["crit_pa_pc"], pa.n_components)]
    if mp is not None:
        nf_rows.append((t["crit_map"], mp.n_factors))
    nf_rows.append((t["crit_theory"], k))
    section.tables.append(
        Table(
            id="efa_nfactors",
            title=t["nf_title"],
            frame=pd.DataFrame(nf_rows, columns=[t["criterion"], t["suggested"]]),
            kinds={t["criterion"]: "text", t["suggested"]: "int"},
            note=t["nf_note"].format(n_iter=N_ITER, seed=opts.seed),
        )
    )
    if pa is not None:
        suggestions = [pa.n_factors] + ([mp.n_factors] if mp is not None else [])
        agree = t["agree_all"] if all(s == k for s in suggestions) else t["agree_some"]
        section.paragraphs.append(
            t["p_nf"].format(
                pa_fa=pa.n_factors,
                pa_pc=pa.n_components,
                map=mp.n_factors if mp is not None else "—",
                k=k,
                agree=agree,
            )
        )
        section.figures.append(
            Figure(
                id="efa_scree",
                title=t["scree_title"],
                svg=parallel_scree(pa.table, suggested=pa.n_factors, labels=t["scree_words"]),
                caption=t["scree_caption"],
            )
        )

    # --- the k-factor solution
    res = attempt("efa", lambda: efa(x, n_factors=k, method="minres", rotation="oblimin"))
    cross: dict[str, list[str]] = {}
    none: list[str] = []
    if res is not None:
        lam = res.loadings
        factors = list(lam.columns)
        salient = lam.abs() >= SALIENT
        for item in lam.index:
            s = [f for f in factors if salient.loc[item, f]]
            if len(s) >= 2:
                cross[item] = s
            elif not s:
                none.append(item)
        frame = pd.DataFrame(
            {
                t["item"]: [item_label(ctx, i) for i in lam.index],
                t["dimension"]: [ctx.label(item_dim.get(i, "")) for i in lam.index],
            }
        )
        kinds = {t["item"]: "text", t["dimension"]: "text"}
        for f in factors:
            frame[f] = lam[f].to_numpy(float)
            kinds[f] = "bounded"
        frame[t["h2"]] = res.communalities.to_numpy(float)
        frame[t["u2"]] = res.uniquenesses.to_numpy(float)
        frame[t["complexity"]] = res.complexity.to_numpy(float)
        kinds.update({t["h2"]: "bounded", t["u2"]: "bounded", t["complexity"]: "stat"})
        if kmo_res is not None:
            frame[t["msa"]] = kmo_res.msa_items.reindex(lam.index).to_numpy(float)
            kinds[t["msa"]] = "bounded"
        section.tables.append(
            Table(
                id="efa_loadings",
                title=t["load_title"].format(k=k),
                frame=frame,
                kinds=kinds,
                note=t["load_note"].format(
                    cor_note=t["cor_note_poly"] if cor == "polychoric" else ""
                ),
            )
        )
        heat = lam.copy()
        heat.index = [item_label(ctx, i) for i in lam.index]
        section.figures.append(
            Figure(
                id="efa_heatmap",
                title=t["heat_title"],
                svg=plots.loadings_heatmap(heat, salient=SALIENT),
                caption=t["heat_caption"],
            )
        )
        # factors: variance and correlations
        var = res.variance
        ff = pd.DataFrame({t["factor"]: factors})
        ff[t["ss"]] = var.loc["ss_loadings", factors].to_numpy(float)
        ff[t["prop"]] = var.loc["proportion_var", factors].to_numpy(float)
        if "cumulative_var" in var.index:
            ff[t["cum"]] = var.loc["cumulative_var", factors].to_numpy(float)
        fkinds = {t["factor"]: "text", t["ss"]: "stat", t["prop"]: "bounded", t["cum"]: "bounded"}
        if res.oblique and k > 1:
            for f in factors:
                ff[f] = res.phi.loc[factors, f].to_numpy(float)
                fkinds[f] = "bounded"
        section.tables.append(
            Table(
                id="efa_factors",
                title=t["factors_title"],
                frame=ff,
                kinds=fkinds,
                note=t["factors_note"],
            )
        )
        # fit
        fit = res.fit
        section.tables.append(
            Table(
                id="efa_fit",
                title=t["fit_title"].format(k=k),
                frame=pd.DataFrame(
                    [
                        {
                            t["n"]: fit.n_obs,
                            "χ²": fit.chisq,
                            t["df"]: fit.df,
                            t["p"]: fit.pvalue,
                            t["rmsea"]: fit.rmsea,
                            t["rmsea_lo"]: fit.rmsea_ci_lower,
                            t["rmsea_hi"]: fit.rmsea_ci_upper,
                            t["tli"]: fit.tli,
                            t["rmsr"]: fit.rms,
                            t["bic"]: fit.bic,
                        }
                    ]
                ),
                kinds={
                    t["n"]: "int",
                    t["df"]: "int",
                    t["p"]: "p",
                    t["rmsea"]: "bounded",
                    t["rmsea_lo"]: "bounded",
                    t["rmsea_hi"]: "bounded",
                    t["tli"]: "stat",
                    t["rmsr"]: "bounded",
                },
                decimals={t["rmsea"]: 3, t["rmsea_lo"]: 3, t["rmsea_hi"]: 3, t["rmsr"]: 3},
                note=t["fit_note"],
            )
        )
        r = res.correlation.to_numpy()
        iu = np.triu_indices_from(r, k=1)
        high = [(a, b) for a, b in zip(*iu, strict=True) if abs(r[a, b]) >= REDUNDANT_R]
        results["redundant_pairs"] = [[used[a], used[b], float(r[a, b])] for a, b in high]
        if high:
            section.paragraphs.append(
                t["p_redundant"].format(
                    pairs="; ".join(f"{used[a]}–{used[b]} ({_b(r[a, b])})" for a, b in high)
                )
            )
        section.paragraphs.extend(_structure(ctx, t, lam, dims))
        if cross:
            section.paragraphs.append(
                t["p_cross"].format(
                    items="; ".join(
                        f"{i} ({', '.join(f'{f} {_b(lam.loc[i, f])}' for f in fs)})"
                        for i, fs in cross.items()
                    )
                )
            )
        if none:
            section.paragraphs.append(
                t["p_none"].format(
                    items=", ".join(f"{i} ({_b(lam.loc[i].abs().max())})" for i in none)
                )
            )
        if not cross and not none:
            section.paragraphs.append(t["p_no_cross"])
        if np.isfinite(fit.chisq) and fit.df > 0:
            section.paragraphs.append(
                t["p_fit"].format(
                    df=f"{fit.df:g}",
                    chisq=format_value(fit.chisq, "stat", 2),
                    p=_p(fit.pvalue),
                    rmsea=format_value(fit.rmsea, "bounded", 3),
                    lo=format_value(fit.rmsea_ci_lower, "bounded", 3),
                    hi=format_value(fit.rmsea_ci_upper, "bounded", 3),
                    tli=format_value(fit.tli, "stat", 2),
                    rmsr=format_value(fit.rms, "bounded", 3),
                )
            )
        for note in res.notes:
            if not note.startswith("Heywood"):
                section.paragraphs.append(t["p_efa_notes"].format(note=engine_text(note, ctx.lang)))
        if res.heywood:
            warnings.append(t["w_heywood"].format(items=", ".join(res.heywood)))
        if not res.converged:
            warnings.append(t["w_converged"])
        if not res.rotation_converged:
            warnings.append(t["w_rotation"])
        results["efa"] = res.to_dict()
        results["cross_loadings"] = cross
        results["no_salient"] = none
        results["primary_factor"] = {i: str(lam.loc[i].abs().idxmax()) for i in lam.index}
        ctx.found["efa"] = res

    # --- summary sentence
    if kmo_res is not None:
        label = t["kaiser"][kmo_res.label]
        if pa is not None and res is not None:
            ctx.summary.append(
                t["s_efa"].format(
                    kmo=_b(kmo_res.msa),
                    label=label,
                    pa=pa.n_factors,
                    map=mp.n_factors if mp is not None else "—",
                    k=k,
                    cross=len(cross),
                    none=len(none),
                )
            )
        else:
            ctx.summary.append(t["s_efa_short"].format(kmo=_b(kmo_res.msa), label=label))
    for w in warnings:
        ctx.warn(w)
    section.warnings.extend(warnings)
    ctx.results["efa"] = results
    return section


def _structure(ctx: Any, t: dict[str, Any], lam: pd.DataFrame, dims: list[str]) -> list[str]:
    """Sentences on how the dimensions map onto the factors: each item's primary factor (its
    largest absolute loading), per dimension."""
    primary = lam.abs().idxmax(axis=1)
    modal: dict[str, str] = {}
    out = []
    split = False
    for d in dims:
        its = [i for i in ctx.reflective[d] if i in lam.index]
        if not its:
            continue
        counts = primary[its].value_counts()
        modal[d] = str(counts.index[0])
        if len(counts) > 1:
            split = True
            parts = ", ".join(
                f"{f} ({', '.join(i for i in its if primary[i] == f)})" for f in counts.index
            )
            out.append(t["p_split"].format(dim=ctx.label(d), parts=parts))
    by_factor: dict[str, list[str]] = {}
    for d, f in modal.items():
        by_factor.setdefault(f, []).append(d)
    shared = {f: ds for f, ds in by_factor.items() if len(ds) > 1}
    for f, ds in shared.items():
        out.append(t["p_shared"].format(factor=f, dims=", ".join(ctx.label(d) for d in ds)))
    if not split and not shared:
        out.insert(0, t["p_structure_ok"])
    return out


__all__ = ["N_ITER", "RESAMPLE_MAX_N", "SALIENT", "STEP", "TEXT", "build", "efa_items"]
