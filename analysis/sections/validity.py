"""Report section 7, discriminant validity and common-method variance.

Discriminant validity in the one table marketing journals print (Fornell & Larcker, 1981; Henseler,
Ringle & Sarstedt, 2015): √AVE on the diagonal, the CFA's factor correlations below it, HTMT with its
bootstrap confidence interval above it, the .85/.90 thresholds marked; then the Fornell–Larcker and
HTMT verdict for every pair in words.

Common-method variance (Podsakoff et al., 2003), in increasing order of what the check can show:
Harman's single-factor test (with its known weakness stated), the single unmeasured method factor
(the CFA with and without a factor on which every item loads: Δχ², ΔCFI, method-variance share), and
the CFA marker-variable technique (Williams, Hartman & Cavazotte, 2010) plus Lindell & Whitney's (2001)
adjustment when the instrument includes a marker scale; otherwise the report says that no marker was
included and recommends one.

Figures come from :func:`moscale.analysis.validity.discriminant_validity`,
:func:`moscale.analysis.validity.htmt` and :mod:`moscale.analysis.cmv` (tested against semTools,
lavaan and psych). With ordinal items the bootstrap interval of HTMT uses Pearson correlations (one
polychoric matrix per resample would take minutes); the polychoric point estimates are reported
beside it. JSON: ``ctx.results["validity"]`` (``docs/results/validity.md``); ``ctx.found["validity"]``
holds the :class:`~moscale.analysis.validity.DiscriminantValidityResult` and ``ctx.found["cmv"]`` the
CMV results.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from moscale.analysis.report import Section
from moscale.analysis.tables import Table
from moscale.errors import UserError

from .cfa import (
    error_text,
    factor_labels,
    finite,
    fit_settings,
    join_list,
    num,
    p_text,
    warn,
)
from .engine_fi import engine_text

STEP = "discriminant validity and common-method variance"

HTMT_CUTS = (0.85, 0.90)
#: Superscript marks of the APA note (lowercase letters for specific notes).
MARK_85 = "\u1d43"  # ᵃ
MARK_90 = "\u1d47"  # ᵇ
MARK_FL = "\u1d9c"  # ᶜ

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Discriminant validity and common-method variance",
        "no_cfa": (
            "Discriminant validity was not assessed: it rests on the CFA of the measurement model, "
            "which is not available (see the CFA section)."
        ),
        "one_factor": (
            "Discriminant validity needs at least two constructs; the measurement model has one."
        ),
        "dv_failed": "The discriminant-validity table could not be computed: {error}",
        "dv_intro": (
            "Discriminant validity asks whether each construct is empirically distinct from the "
            "others. Two criteria are reported: Fornell and Larcker's (1981), under which a "
            "construct's √AVE must exceed its correlations with every other construct, and the "
            "heterotrait–monotrait ratio (HTMT; Henseler et al., 2015), which should stay below .85 "
            "(Kline, 2011), or below .90 for conceptually close constructs (Gold et al., 2001), with "
            "a bootstrap confidence interval that excludes 1. Henseler et al. showed that the "
            "Fornell–Larcker criterion misses many problems, so HTMT is the one to rely on."
        ),
        "matrix_title": (
            "Discriminant validity: √AVE (diagonal), factor correlations (below) and HTMT with "
            "95% CI (above)"
        ),
        "col_construct": "Construct",
        "matrix_note": (
            "n = {n}. Diagonal: square root of the average variance extracted (AVE). Below the "
            "diagonal: correlations between the constructs from the CFA; * p < .05, ** p < .01, "
            "*** p < .001. Above the diagonal: HTMT (Henseler et al., 2015) with its 95% percentile "
            "bootstrap confidence interval ({boot}){basis} {m85} HTMT ≥ .85 (Kline, 2011). {m90} "
            "HTMT ≥ .90 (Gold et al., 2001). {mfl} Correlation not below the smaller √AVE of the "
            "pair: Fornell–Larcker criterion not met."
        ),
        "boot": "{b} resamples, seed {seed}",
        "boot_none": "no bootstrap requested",
        "basis_pearson_ordinal": (
            "; computed from Pearson correlations of the item scores (see the text)."
        ),
        "basis_pearson": "; computed from Pearson correlations of the items.",
        "pairs_title": "Discriminant validity for each pair of constructs",
        "col_c1": "Construct 1",
        "col_c2": "Construct 2",
        "col_r": "r",
        "col_p": "p",
        "col_fl": "Fornell–Larcker",
        "col_htmt": "HTMT",
        "col_lo": "95% CI lower",
        "col_hi": "95% CI upper",
        "col_htmt_poly": "HTMT (polychoric)",
        "col_verdict": "HTMT verdict",
        "pairs_note": (
            "r = factor correlation (CFA); Fornell–Larcker: met when |r| is below the √AVE of both "
            "constructs. HTMT verdict: distinct = HTMT and the upper confidence limit below .85; "
            "the other verdicts name the threshold that is reached.{poly}"
        ),
        "pairs_note_poly": (
            " HTMT (polychoric) = the same ratio from polychoric correlations (semTools "
            "htmt(ordered = TRUE)), without an interval."
        ),
        "fl_met": "met",
        "fl_not_met": "not met",
        "v_distinct": "distinct",
        "v_upper85": "distinct by estimate; interval reaches .85",
        "v_upper90": "distinct by estimate; interval reaches .90",
        "v_85": "HTMT ≥ .85: acceptable only if the constructs are conceptually close",
        "v_90": "HTMT ≥ .90: not distinct",
        "v_one": "interval includes 1: not distinct",
        "v_none": "not available",
        "ordinal_basis": (
            "The items are treated as ordinal, but HTMT and its bootstrap interval were computed "
            "from Pearson correlations of the item scores: a polychoric HTMT needs one polychoric "
            "correlation matrix per bootstrap resample, which would take minutes for {b} resamples. "
            "The polychoric point estimates (semTools htmt(ordered = TRUE)) are given beside them in "
            "the pair table below."
        ),
        "fl_all": (
            "Fornell–Larcker criterion: met for every pair (each construct's √AVE exceeds its "
            "correlations with the other constructs)."
        ),
        "fl_some": (
            "Fornell–Larcker criterion not met for {pairs}: the constructs share at least as much "
            "variance with each other as with their own items."
        ),
        "htmt_all": (
            "HTMT: every value is below .85 (highest {max}, {pair}){ci}, so discriminant validity is "
            "supported by the HTMT criterion."
        ),
        "htmt_all_ci": " and no upper confidence limit reaches .85",
        "htmt_all_ci_85": ", though the upper confidence limit reaches .85 for {pairs}",
        "htmt_some": "HTMT reaches {cut} for {pairs}: {meaning}",
        "htmt_85_meaning": (
            "these constructs are distinct only if they are conceptually close enough for the more "
            "lenient .90 threshold (Gold et al., 2001)."
        ),
        "htmt_90_meaning": "these constructs are not empirically distinct (Henseler et al., 2015).",
        "htmt_one": (
            "The bootstrap interval of HTMT includes 1 for {pairs}: discriminant validity is not "
            "established for them (HTMT inference; Henseler et al., 2015)."
        ),
        "summary_dv": "Discriminant validity: {fl}; {htmt}.",
        "summary_fl_ok": "Fornell–Larcker met for every pair",
        "summary_fl_bad": "Fornell–Larcker not met for {pairs}",
        "summary_htmt_ok": "HTMT below .85 for every pair (highest {max})",
        "summary_htmt_bad": "HTMT ≥ .85 for {pairs}",
        "dv_notes": "Notes: {notes}",
        "cmv_intro": (
            "Common-method variance: all constructs were measured with the same instrument, from the "
            "same respondents, at the same time, so part of their covariance may come from the method "
            "rather than the constructs (Podsakoff et al., 2003). Three checks follow, from the "
            "weakest to the strongest."
        ),
        "harman": (
            "Harman's single-factor test: the first unrotated principal component of all {p} "
            "substantive items accounts for {share} of their variance ({verdict}); {k} components "
            "have an eigenvalue above 1."
        ),
        "harman_below": "below the conventional 50%",
        "harman_above": "above the conventional 50%: a single factor dominates the data",
        "harman_caveat": (
            "The test is weak: the first component's share depends mostly on the number of items "
            "and constructs, and it flags method variance only when it dominates every construct. A "
            "share below 50% therefore does not show that common-method bias is absent (Podsakoff "
            "et al., 2003; Fuller et al., 2016)."
        ),
        "harman_failed": "Harman's test could not be computed: {error}",
        "mf_title": "Common-method-factor test: fit without and with a method factor",
        "col_model": "Model",
        "model_trait": "Constructs only",
        "model_method": "Constructs + method factor",
        "col_chisq": "χ²",
        "col_chisq_scaled": "χ² (scaled)",
        "col_df": "df",
        "col_scaling": "Scaling factor",
        "col_cfi": "CFI",
        "col_tli": "TLI",
        "col_rmsea": "RMSEA",
        "col_srmr": "SRMR",
        "col_cfi_r": "CFI (robust)",
        "col_tli_r": "TLI (robust)",
        "col_rmsea_r": "RMSEA (robust)",
        "mf_note": (
            "The method factor loads on every substantive item and is uncorrelated with the "
            "constructs; all factor variances are fixed at 1 (unmeasured latent method construct; "
            "Podsakoff et al., 2003). Estimator: {estimator}."
        ),
        "mf_text": (
            "Single method factor: adding a factor on which every item loads changes the fit by "
            "Δχ²({ddf}) = {dchi}, p {p}{sb}, and CFI by {dcfi}{robust}. The method factor accounts "
            "for {mv} of the items' variance on average; in published studies method variance "
            "averages about a quarter of a measure's variance (Cote & Buckley, 1987). {verdict}"
        ),
        "mf_sb": " (Satorra–Bentler scaled difference)",
        "mf_robust": " (robust CFI)",
        "mf_small": (
            "The gain in fit is small (ΔCFI ≤ .01), so there is no sign of substantial "
            "common-method variance."
        ),
        "mf_large": (
            "The fit improves by more than .01 in CFI, so the items share some variance beyond "
            "their constructs; judge its importance by the method-variance share above and by how "
            "much the construct loadings change."
        ),
        "mf_changes": (
            "Standardised loadings that change by more than .20 when the method factor is added: "
            "{items}."
        ),
        "mf_improper": (
            "The method-factor model has an improper solution ({what}); a method factor is often "
            "empirically under-identified with few items per construct, so interpret the "
            "comparison with caution."
        ),
        "mf_caveat": (
            "A better fit with a method factor is expected whenever the model is imperfect, and the "
            "method factor may absorb construct variance, so this check can overstate method "
            "variance (Podsakoff et al., 2003)."
        ),
        "mf_failed": (
            "The method-factor model could not be estimated ({error}). A factor on which every item "
            "loads is often empirically under-identified; the method-factor check is therefore not "
            "available for these data."
        ),
        "mf_not_converged": (
            "The method-factor model did not converge, so the method-factor check is not available "
            "for these data."
        ),
        "mf_one": "The method-factor test needs at least two constructs; it was not run.",
        "mf_ordinal": (
            "The CFA-based method-variance checks treat the items as continuous (MLR): a χ² "
            "difference test of ordinal (WLSMV) models with a method factor is not available."
        ),
        "marker_none": (
            "No marker variable was included in the study, so the strongest check, the CFA marker "
            "technique (Williams, Hartman & Cavazotte, 2010), could not be applied. For the next data "
            "collection, add a marker scale that is theoretically unrelated to the constructs but "
            "answered in the same format, after the substantive scales (moscale's built-in scale "
            "'marker', attitude toward the colour blue; Miller & Simmering, 2023)."
        ),
        "marker_intro": (
            "Marker variable: the study includes the marker scale '{marker}', theoretically "
            "unrelated to the constructs but answered in the same way."
        ),
        "marker_lw": (
            "Lindell and Whitney's (2001) adjustment with r_M = {rm} (the smallest positive "
            "correlation of the marker with the construct scores): {lost}"
        ),
        "marker_lw_ok": "every significant correlation between the constructs stays significant.",
        "marker_lw_lost": (
            "these correlations between the constructs are no longer significant after the "
            "adjustment: {pairs}."
        ),
        "marker_title": "CFA marker-variable technique: model comparisons",
        "col_comparison": "Comparison",
        "col_dchi": "Δχ²",
        "col_ddf": "Δdf",
        "cmp_baseline_vs_method_c": "Baseline vs Method-C (is there method variance?)",
        "cmp_method_c_vs_method_u": "Method-C vs Method-U (equal method effects?)",
        "cmp_method_c_vs_method_r": "Method-C vs Method-R (are the correlations biased?)",
        "cmp_method_u_vs_method_r": "Method-U vs Method-R (are the correlations biased?)",
        "marker_note": (
            "Williams, Hartman and Cavazotte's (2010) sequence: Baseline (marker uncorrelated with "
            "the constructs, its measurement fixed), Method-C (the marker factor loads equally on "
            "every substantive item), Method-U (unequal loadings), Method-R (the retained method "
            "model with the construct correlations fixed at their baseline values). χ² differences "
            "{sb}."
        ),
        "marker_note_sb": "are Satorra–Bentler scaled with the robust estimator",
        "marker_note_plain": "are likelihood-ratio tests",
        "marker_text": (
            "The marker shares variance with the substantive items {present}; {equal}. {bias} The "
            "marker factor accounts for {mv} of the substantive items' variance on average."
        ),
        "marker_present": "(Baseline vs Method-C: p {p}, method variance present)",
        "marker_absent": "only negligibly (Baseline vs Method-C: p {p})",
        "marker_equal": "its effect is equal across items (Method-C retained)",
        "marker_unequal": "its effect differs across items (Method-U retained)",
        "marker_bias": (
            "Fixing the construct correlations at their baseline values worsens the fit (p {p}): "
            "method variance biases the correlations, so report the method-adjusted ones."
        ),
        "marker_nobias": (
            "Fixing the construct correlations at their baseline values does not worsen the fit "
            "(p {p}): method variance does not significantly bias the correlations."
        ),
        "marker_failed": "The marker-variable checks could not be computed: {error}",
        "marker_not_in_model": (
            "The marker scale '{marker}' is in the study but not in the measurement model (it needs "
            "at least two items), so the marker checks were not run."
        ),
        "summary_cmv": "Common-method variance: {parts}.",
        "summary_harman": "the first component takes {share} of the variance (Harman)",
        "summary_mf": "a method factor improves CFI by {dcfi} and explains {mv} of item variance",
        "summary_marker": "the CFA marker technique finds {what}",
        "summary_marker_yes": "method variance",
        "summary_marker_no": "no significant method variance",
    },
    "fi": {
        "title": "Erotteluvaliditeetti ja yhteisen menetelmän varianssi",
        "no_cfa": (
            "Erotteluvaliditeettia ei arvioitu: se perustuu mittausmallin vahvistavaan "
            "faktorianalyysiin, jota ei ole käytettävissä (ks. faktorianalyysiosio)."
        ),
        "one_factor": (
            "Erotteluvaliditeetin arviointi edellyttää vähintään kahta konstruktia; mittausmallissa "
            "on yksi."
        ),
        "dv_failed": "Erotteluvaliditeettitaulukkoa ei voitu laskea: {error}",
        "dv_intro": (
            "Erotteluvaliditeetti kertoo, erottuuko kukin konstrukti empiirisesti muista. "
            "Raportoidaan kaksi kriteeriä: Fornellin ja Larckerin (1981) kriteeri, jonka mukaan "
            "konstruktin √AVE:n on oltava suurempi kuin sen korrelaatiot muiden konstruktien kanssa, "
            "sekä heterotrait–monotrait-suhde (HTMT; Henseler ym., 2015), jonka tulee jäädä alle "
            "arvon .85 (Kline, 2011) tai käsitteellisesti läheisillä konstrukteilla alle arvon .90 "
            "(Gold ym., 2001) ja jonka bootstrap-luottamusväli ei saa sisältää arvoa 1. Henseler "
            "kollegoineen osoitti, että Fornell–Larcker-kriteeri jättää monet ongelmat "
            "huomaamatta, joten HTMT on ensisijainen kriteeri."
        ),
        "matrix_title": (
            "Erotteluvaliditeetti: √AVE (lävistäjällä), faktoreiden korrelaatiot (alla) ja HTMT "
            "95 %:n luottamusväleineen (yllä)"
        ),
        "col_construct": "Konstrukti",
        "matrix_note": (
            "n = {n}. Lävistäjällä keskimääräisen selitetyn varianssin (AVE) neliöjuuri. Lävistäjän "
            "alapuolella konstruktien väliset korrelaatiot faktorianalyysista; * p < .05, "
            "** p < .01, *** p < .001. Lävistäjän yläpuolella HTMT (Henseler ym., 2015) ja sen 95 %:n "
            "persentiilibootstrap-luottamusväli ({boot}){basis} {m85} HTMT ≥ .85 (Kline, 2011). "
            "{m90} HTMT ≥ .90 (Gold ym., 2001). {mfl} Korrelaatio ei ole parin pienempää √AVE:ta "
            "pienempi: Fornell–Larcker-kriteeri ei täyty."
        ),
        "boot": "{b} uusintaotosta, siemenluku {seed}",
        "boot_none": "bootstrapia ei pyydetty",
        "basis_pearson_ordinal": (
            "; laskettu väittämäpisteiden Pearsonin korrelaatioista (ks. teksti)."
        ),
        "basis_pearson": "; laskettu väittämien Pearsonin korrelaatioista.",
        "pairs_title": "Erotteluvaliditeetti konstruktipareittain",
        "col_c1": "Konstrukti 1",
        "col_c2": "Konstrukti 2",
        "col_r": "r",
        "col_p": "p",
        "col_fl": "Fornell–Larcker",
        "col_htmt": "HTMT",
        "col_lo": "95 %:n LV alaraja",
        "col_hi": "95 %:n LV yläraja",
        "col_htmt_poly": "HTMT (polykorinen)",
        "col_verdict": "HTMT-arvio",
        "pairs_note": (
            "r = faktoreiden korrelaatio (faktorianalyysi); Fornell–Larcker täyttyy, kun |r| on "
            "pienempi kuin kummankin konstruktin √AVE. HTMT-arvio: erottuu = HTMT ja luottamusvälin "
            "yläraja ovat alle .85; muut arviot nimeävät saavutetun raja-arvon.{poly}"
        ),
        "pairs_note_poly": (
            " HTMT (polykorinen) = sama suhde polykorisista korrelaatioista (semToolsin "
            "htmt(ordered = TRUE)) ilman luottamusväliä."
        ),
        "fl_met": "täyttyy",
        "fl_not_met": "ei täyty",
        "v_distinct": "erottuu",
        "v_upper85": "erottuu estimaatin perusteella; väli yltää arvoon .85",
        "v_upper90": "erottuu estimaatin perusteella; väli yltää arvoon .90",
        "v_85": "HTMT ≥ .85: hyväksyttävä vain käsitteellisesti läheisille konstrukteille",
        "v_90": "HTMT ≥ .90: ei erotu",
        "v_one": "väli sisältää arvon 1: ei erotu",
        "v_none": "ei saatavilla",
        "ordinal_basis": (
            "Väittämiä käsitellään järjestysasteikollisina, mutta HTMT ja sen bootstrap-väli "
            "laskettiin väittämäpisteiden Pearsonin korrelaatioista: polykorinen HTMT vaatisi "
            "polykorisen korrelaatiomatriisin jokaiselle uusintaotokselle, mikä veisi {b} "
            "uusintaotoksella minuutteja. Polykoriset piste-estimaatit (semToolsin htmt(ordered = "
            "TRUE)) ovat niiden rinnalla alla olevassa paritaulukossa."
        ),
        "fl_all": (
            "Fornell–Larcker-kriteeri täyttyy kaikilla pareilla (kunkin konstruktin √AVE on "
            "suurempi kuin sen korrelaatiot muiden konstruktien kanssa)."
        ),
        "fl_some": (
            "Fornell–Larcker-kriteeri ei täyty pareilla {pairs}: konstruktit jakavat keskenään "
            "vähintään yhtä paljon varianssia kuin omien väittämiensä kanssa."
        ),
        "htmt_all": (
            "HTMT: kaikki arvot ovat alle .85 (suurin {max}, {pair}){ci}, joten HTMT-kriteeri tukee "
            "erotteluvaliditeettia."
        ),
        "htmt_all_ci": " eikä yksikään luottamusvälin yläraja yllä arvoon .85",
        "htmt_all_ci_85": ", joskin luottamusvälin yläraja yltää arvoon .85 pareilla {pairs}",
        "htmt_some": "HTMT yltää arvoon {cut} pareilla {pairs}: {meaning}",
        "htmt_85_meaning": (
            "konstruktit erottuvat vain, jos ne ovat käsitteellisesti niin läheisiä, että väljempi "
            "raja .90 on perusteltu (Gold ym., 2001)."
        ),
        "htmt_90_meaning": "konstruktit eivät erotu empiirisesti (Henseler ym., 2015).",
        "htmt_one": (
            "HTMT:n bootstrap-väli sisältää arvon 1 pareilla {pairs}: niiden erotteluvaliditeetti ei "
            "ole osoitettu (HTMT-päättely; Henseler ym., 2015)."
        ),
        "summary_dv": "Erotteluvaliditeetti: {fl}; {htmt}.",
        "summary_fl_ok": "Fornell–Larcker täyttyy kaikilla pareilla",
        "summary_fl_bad": "Fornell–Larcker ei täyty pareilla {pairs}",
        "summary_htmt_ok": "HTMT alle .85 kaikilla pareilla (suurin {max})",
        "summary_htmt_bad": "HTMT ≥ .85 pareilla {pairs}",
        "dv_notes": "Huomautuksia: {notes}",
        "cmv_intro": (
            "Yhteisen menetelmän varianssi: kaikki konstruktit mitattiin samalla lomakkeella, "
            "samoilta vastaajilta ja samaan aikaan, joten osa niiden kovarianssista voi johtua "
            "menetelmästä eikä konstrukteista (Podsakoff ym., 2003). Seuraavassa kolme tarkistusta "
            "heikoimmasta vahvimpaan."
        ),
        "harman": (
            "Harmanin yhden faktorin testi: kaikkien {p} sisällöllisen väittämän ensimmäinen "
            "rotatoimaton pääkomponentti selittää {share} niiden varianssista ({verdict}); {k} "
            "komponentin ominaisarvo on yli 1."
        ),
        "harman_below": "alle tavanomaisen 50 %:n rajan",
        "harman_above": "yli tavanomaisen 50 %:n rajan: yksi faktori hallitsee aineistoa",
        "harman_caveat": (
            "Testi on heikko: ensimmäisen komponentin osuus riippuu lähinnä väittämien ja "
            "konstruktien määrästä, ja testi havaitsee menetelmävarianssin vain, jos se hallitsee "
            "kaikkia konstrukteja. Alle 50 %:n osuus ei siis osoita, ettei yhteisen menetelmän "
            "vinoumaa ole (Podsakoff ym., 2003; Fuller ym., 2016)."
        ),
        "harman_failed": "Harmanin testiä ei voitu laskea: {error}",
        "mf_title": "Yhteisen menetelmäfaktorin testi: sopivuus ilman menetelmäfaktoria ja sen kanssa",
        "col_model": "Malli",
        "model_trait": "Vain konstruktit",
        "model_method": "Konstruktit + menetelmäfaktori",
        "col_chisq": "χ²",
        "col_chisq_scaled": "χ² (skaalattu)",
        "col_df": "df",
        "col_scaling": "Skaalauskerroin",
        "col_cfi": "CFI",
        "col_tli": "TLI",
        "col_rmsea": "RMSEA",
        "col_srmr": "SRMR",
        "col_cfi_r": "CFI (robusti)",
        "col_tli_r": "TLI (robusti)",
        "col_rmsea_r": "RMSEA (robusti)",
        "mf_note": (
            "Menetelmäfaktori latautuu kaikille sisällöllisille väittämille eikä korreloi "
            "konstruktien kanssa; kaikkien faktoreiden varianssit on kiinnitetty arvoon 1 (mittaamaton "
            "latentti menetelmäkonstrukti; Podsakoff ym., 2003). Estimaattori: {estimator}."
        ),
        "mf_text": (
            "Yksi menetelmäfaktori: faktori, jolle kaikki väittämät latautuvat, muuttaa sopivuutta "
            "Δχ²({ddf}) = {dchi}, p {p}{sb}, ja CFI:tä {dcfi}{robust}. Menetelmäfaktori selittää "
            "keskimäärin {mv} väittämien varianssista; julkaistuissa tutkimuksissa menetelmävarianssi "
            "on keskimäärin noin neljännes mittarin varianssista (Cote & Buckley, 1987). {verdict}"
        ),
        "mf_sb": " (Satorra–Bentlerin skaalattu erotus)",
        "mf_robust": " (robusti CFI)",
        "mf_small": (
            "Sopivuuden parannus on pieni (ΔCFI ≤ .01), joten merkittävästä yhteisen menetelmän "
            "varianssista ei ole merkkejä."
        ),
        "mf_large": (
            "CFI paranee yli .01, joten väittämillä on yhteistä varianssia konstruktien lisäksi; "
            "arvioi sen merkitystä yllä olevan menetelmävarianssin osuuden ja konstruktien latausten "
            "muutosten perusteella."
        ),
        "mf_changes": (
            "Standardoidut lataukset, jotka muuttuvat yli .20, kun menetelmäfaktori lisätään: "
            "{items}."
        ),
        "mf_improper": (
            "Menetelmäfaktorimallin ratkaisu on epäkelpo ({what}); menetelmäfaktori on usein "
            "empiirisesti heikosti identifioitu, kun konstruktia kohden on vähän väittämiä, joten "
            "vertailua on tulkittava varoen."
        ),
        "mf_caveat": (
            "Menetelmäfaktori parantaa sopivuutta aina, kun malli ei ole täydellinen, ja se voi "
            "imeä itseensä konstruktien varianssia, joten tämä tarkistus voi yliarvioida "
            "menetelmävarianssia (Podsakoff ym., 2003)."
        ),
        "mf_failed": (
            "Menetelmäfaktorimallia ei voitu estimoida ({error}). Faktori, jolle kaikki väittämät "
            "latautuvat, on usein empiirisesti heikosti identifioitu; menetelmäfaktoritarkistus ei "
            "siksi ole käytettävissä tälle aineistolle."
        ),
        "mf_not_converged": (
            "Menetelmäfaktorimallin estimointi ei konvergoitunut, joten menetelmäfaktoritarkistus "
            "ei ole käytettävissä tälle aineistolle."
        ),
        "mf_one": "Menetelmäfaktorin testi vaatii vähintään kaksi konstruktia; sitä ei tehty.",
        "mf_ordinal": (
            "Faktorianalyysiin perustuvat menetelmävarianssin tarkistukset käsittelevät väittämiä "
            "jatkuvina (MLR): järjestysasteikollisten (WLSMV) mallien χ²-erotustestiä "
            "menetelmäfaktorin kanssa ei ole saatavilla."
        ),
        "marker_none": (
            "Tutkimukseen ei sisältynyt merkkimuuttujaa, joten vahvinta tarkistusta, "
            "faktorianalyyttistä merkkimuuttujatekniikkaa (Williams, Hartman & Cavazotte, 2010), ei "
            "voitu käyttää. Lisää seuraavaan aineistonkeruuseen merkkimuuttujamittari, joka ei "
            "teoreettisesti liity konstrukteihin mutta johon vastataan samassa muodossa, "
            "sisällöllisten mittareiden jälkeen (moscalen valmis mittari 'marker', asenne sinistä "
            "väriä kohtaan; Miller & Simmering, 2023)."
        ),
        "marker_intro": (
            "Merkkimuuttuja: tutkimukseen sisältyy merkkimuuttujamittari '{marker}', joka ei "
            "teoreettisesti liity konstrukteihin mutta johon vastataan samalla tavalla."
        ),
        "marker_lw": (
            "Lindellin ja Whitneyn (2001) korjaus arvolla r_M = {rm} (merkkimuuttujan pienin "
            "positiivinen korrelaatio konstruktipistemäärien kanssa): {lost}"
        ),
        "marker_lw_ok": "kaikki konstruktien väliset merkitsevät korrelaatiot pysyvät merkitsevinä.",
        "marker_lw_lost": (
            "nämä konstruktien väliset korrelaatiot eivät ole enää merkitseviä korjauksen jälkeen: "
            "{pairs}."
        ),
        "marker_title": "Faktorianalyyttinen merkkimuuttujatekniikka: mallivertailut",
        "col_comparison": "Vertailu",
        "col_dchi": "Δχ²",
        "col_ddf": "Δdf",
        "cmp_baseline_vs_method_c": "Perusmalli vs Method-C (onko menetelmävarianssia?)",
        "cmp_method_c_vs_method_u": "Method-C vs Method-U (ovatko menetelmävaikutukset yhtä "
        "suuria?)",
        "cmp_method_c_vs_method_r": "Method-C vs Method-R (vinoutuvatko korrelaatiot?)",
        "cmp_method_u_vs_method_r": "Method-U vs Method-R (vinoutuvatko korrelaatiot?)",
        "marker_note": (
            "Williamsin, Hartmanin ja Cavazotten (2010) vaiheet: perusmalli (merkkimuuttuja ei "
            "korreloi konstruktien kanssa, sen mittaus kiinnitetty), Method-C (merkkifaktori "
            "latautuu yhtä suurella latauksella kaikille sisällöllisille väittämille), Method-U "
            "(eri suuret lataukset), Method-R (valittu menetelmämalli, jossa konstruktien "
            "korrelaatiot on kiinnitetty perusmallin arvoihin). χ²-erotukset {sb}."
        ),
        "marker_note_sb": "ovat robustia estimaattoria käytettäessä Satorra–Bentlerin skaalaamia",
        "marker_note_plain": "ovat uskottavuusosamäärätestejä",
        "marker_text": (
            "Merkkimuuttuja jakaa varianssia sisällöllisten väittämien kanssa {present}; {equal}. "
            "{bias} Merkkifaktori selittää keskimäärin {mv} sisällöllisten väittämien varianssista."
        ),
        "marker_present": "(perusmalli vs Method-C: p {p}, menetelmävarianssia on)",
        "marker_absent": "vain vähäisesti (perusmalli vs Method-C: p {p})",
        "marker_equal": "sen vaikutus on sama kaikilla väittämillä (Method-C valitaan)",
        "marker_unequal": "sen vaikutus vaihtelee väittämittäin (Method-U valitaan)",
        "marker_bias": (
            "Konstruktien korrelaatioiden kiinnittäminen perusmallin arvoihin heikentää sopivuutta "
            "(p {p}): menetelmävarianssi vinouttaa korrelaatioita, joten raportoi korjatut "
            "korrelaatiot."
        ),
        "marker_nobias": (
            "Konstruktien korrelaatioiden kiinnittäminen perusmallin arvoihin ei heikennä "
            "sopivuutta (p {p}): menetelmävarianssi ei merkitsevästi vinouta korrelaatioita."
        ),
        "marker_failed": "Merkkimuuttujatarkistuksia ei voitu laskea: {error}",
        "marker_not_in_model": (
            "Merkkimuuttujamittari '{marker}' on tutkimuksessa mutta ei mittausmallissa (se vaatii "
            "vähintään kaksi väittämää), joten merkkimuuttujatarkistuksia ei tehty."
        ),
        "summary_cmv": "Yhteisen menetelmän varianssi: {parts}.",
        "summary_harman": "ensimmäinen komponentti selittää {share} varianssista (Harman)",
        "summary_mf": "menetelmäfaktori parantaa CFI:tä {dcfi} ja selittää {mv} väittämien "
        "varianssista",
        "summary_marker": "merkkimuuttujatekniikka löytää {what}",
        "summary_marker_yes": "menetelmävarianssia",
        "summary_marker_no": "ei merkitsevää menetelmävarianssia",
    },
}


def _pct(share: float, lang: str = "en") -> str:
    """``22.4%`` (APA) or ``22.4 %`` (Finnish usage: a space before the sign)."""
    return f"{100 * share:.1f}" + ("\u00a0%" if lang == "fi" else "%")


def _signed(value: float, lang: str = "en") -> str:
    if not finite(value):
        return "—"
    if abs(value) < 0.0005:
        return "alle .001" if lang == "fi" else "less than .001"
    text = num(abs(value), "bounded", 3)
    return ("+" if value >= 0 else "\u2212") + text


def _stars(p: Any) -> str:
    if not finite(p):
        return ""
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""


# --------------------------------------------------------------------------------------------------
# The section
# --------------------------------------------------------------------------------------------------


def build(ctx: Any) -> Section:
    t = TEXT[ctx.lang]
    section = Section(id="validity", title=t["title"])
    results: dict[str, Any] = {}
    res = ctx.found.get("cfa")
    settings = fit_settings(ctx)
    data = ctx.dataset.items
    factors = list(res.indicators) if res is not None else []
    labels = ctx.found.get("cfa_labels") or factor_labels(ctx, factors)

    if res is None or not res.converged:
        section.paragraphs.append(t["no_cfa"])
        results["discriminant"] = None
    elif len(factors) < 2:
        section.paragraphs.append(t["one_factor"])
        results["discriminant"] = None
    else:
        results["discriminant"] = _discriminant(ctx, section, res, data, settings, labels)

    results["cmv"] = _cmv(ctx, section, res, data, settings, labels)
    results["warnings"] = list(section.warnings)
    ctx.results["validity"] = results
    return section


# --------------------------------------------------------------------------------------------------
# Discriminant validity
# --------------------------------------------------------------------------------------------------


def _discriminant(
    ctx: Any,
    section: Section,
    res: Any,
    data: pd.DataFrame,
    settings: dict[str, Any],
    labels: dict[str, str],
) -> dict[str, Any] | None:
    from moscale.analysis.validity import discriminant_validity, htmt

    t = TEXT[ctx.lang]
    lang = ctx.lang
    boot = int(ctx.options.bootstrap)

    def progress(done: int, total: int) -> None:
        ctx.progress(f"HTMT bootstrap {done}/{total}")

    try:
        # Pearson-based HTMT (and its bootstrap) also for ordinal items; see the module docstring
        dv = discriminant_validity(
            res, data, bootstrap=boot, seed=ctx.options.seed, progress=progress
        )
    except (UserError, np.linalg.LinAlgError) as exc:
        warn(ctx, section, t["dv_failed"].format(error=error_text(exc, lang)))
        return {"error": error_text(exc)}
    ctx.found["validity"] = dv
    factors = list(dv.table.index)
    poly = None
    if settings["ordinal"]:
        fmap = {f: list(res.indicators[f]) for f in factors}
        try:
            poly = htmt(fmap, data, ordered=True)
        except (UserError, np.linalg.LinAlgError):
            poly = None  # the Pearson-based values stand on their own

    section.paragraphs.append(t["dv_intro"])
    sqrt_ave = dv.reliability["sqrt_ave"]
    cor = dv.table
    hm = dv.htmt.matrix
    lo, hi = dv.htmt.ci_lower, dv.htmt.ci_upper
    ptab = {}
    for r in dv.correlations.itertuples():
        ptab[(r.factor1, r.factor2)] = ptab[(r.factor2, r.factor1)] = float(r.pvalue)

    # --- the matrix ------------------------------------------------------------------------------
    k = len(factors)
    cells = []
    for i, a in enumerate(factors):
        row = {t["col_construct"]: f"{i + 1}. {labels.get(a, a)}"}
        for j, b in enumerate(factors):
            if i == j:
                text = num(sqrt_ave[a]) if finite(sqrt_ave[a]) else "—"
            elif i > j:
                r = float(cor.iloc[i, j])
                text = num(r) + _stars(ptab.get((a, b)))
                limit = min(sqrt_ave[a], sqrt_ave[b])
                if finite(limit) and abs(r) >= limit:
                    text += MARK_FL
            else:
                h = float(hm.loc[a, b])
                text = num(h)
                if finite(h) and h >= HTMT_CUTS[1]:
                    text += MARK_90
                elif finite(h) and h >= HTMT_CUTS[0]:
                    text += MARK_85
                if lo is not None and hi is not None:
                    # the interval may move to a second line, but never breaks inside
                    text += f" [{num(lo.loc[a, b])},\u00a0{num(hi.loc[a, b])}]"
            row[str(j + 1)] = text
        cells.append(row)
    boot_text = (
        t["boot"].format(b=f"{dv.htmt.bootstrap:,}".replace(",", "\u2009"), seed=ctx.options.seed)
        if dv.htmt.bootstrap
        else t["boot_none"]
    )
    basis = t["basis_pearson_ordinal"] if settings["ordinal"] else t["basis_pearson"]
    section.tables.append(
        Table(
            id="validity_matrix",
            title=t["matrix_title"],
            frame=pd.DataFrame(cells),
            kinds={c: "text" for c in [t["col_construct"]] + [str(j + 1) for j in range(k)]},
            note=t["matrix_note"].format(
                n=dv.htmt.n, boot=boot_text, basis=basis, m85=MARK_85, m90=MARK_90, mfl=MARK_FL
            ),
        )
    )

    # --- pairs -----------------------------------------------------------------------------------
    pairs = dv.htmt.pairs
    fl_ok = dv.fornell_larcker
    viol = {(r.factor1, r.factor2) for r in fl_ok.violations.itertuples()}
    rows = []
    json_pairs = []
    for pr in pairs.itertuples():
        a, b = pr.factor1, pr.factor2
        r = float(cor.loc[b, a]) if factors.index(b) > factors.index(a) else float(cor.loc[a, b])
        fl_met = (a, b) not in viol and (b, a) not in viol
        verdict_key = _htmt_verdict(pr.htmt, pr.ci_upper)
        row = {
            t["col_c1"]: labels.get(a, a),
            t["col_c2"]: labels.get(b, b),
            t["col_r"]: r,
            t["col_p"]: ptab.get((a, b), np.nan),
            t["col_fl"]: t["fl_met" if fl_met else "fl_not_met"],
            t["col_htmt"]: float(pr.htmt),
            t["col_lo"]: float(pr.ci_lower),
            t["col_hi"]: float(pr.ci_upper),
        }
        if poly is not None:
            row[t["col_htmt_poly"]] = float(poly.matrix.loc[a, b])
        row[t["col_verdict"]] = t[verdict_key]
        rows.append(row)
        json_pairs.append(
            {
                "factor1": a,
                "factor2": b,
                "r": r,
                "pvalue": ptab.get((a, b)),
                "fornell_larcker_met": fl_met,
                "htmt": float(pr.htmt),
                "ci_lower": float(pr.ci_lower),
                "ci_upper": float(pr.ci_upper),
                "htmt_polychoric": float(poly.matrix.loc[a, b]) if poly is not None else None,
                "verdict": verdict_key[2:],
            }
        )
    kinds = {
        t["col_c1"]: "text",
        t["col_c2"]: "text",
        t["col_r"]: "bounded",
        t["col_p"]: "p",
        t["col_fl"]: "text",
        t["col_htmt"]: "bounded",
        t["col_lo"]: "bounded",
        t["col_hi"]: "bounded",
        t["col_htmt_poly"]: "bounded",
        t["col_verdict"]: "text",
    }
    pairs_table = Table(
        id="validity_pairs",
        title=t["pairs_title"],
        frame=pd.DataFrame(rows),
        kinds={c: v for c, v in kinds.items() if c in rows[0]} if rows else {},
        note=t["pairs_note"].format(poly=t["pairs_note_poly"] if poly is not None else ""),
    )
    section.tables.append(pairs_table)
    if settings["ordinal"]:
        section.paragraphs.append(
            t["ordinal_basis"].format(b=f"{dv.htmt.bootstrap:,}".replace(",", "\u2009"))
        )

    # --- verdicts in words -----------------------------------------------------------------------
    def pair_names(items: list[tuple[str, str]]) -> str:
        return join_list([f"{labels.get(a, a)}–{labels.get(b, b)}" for a, b in items], lang)

    fl_bad = [(r.factor1, r.factor2) for r in fl_ok.violations.itertuples()]
    if fl_bad:
        msg = t["fl_some"].format(pairs=pair_names(fl_bad))
        warn(ctx, section, msg)
    else:
        section.paragraphs.append(t["fl_all"])
    h = [(p["factor1"], p["factor2"], p["htmt"], p["ci_upper"]) for p in json_pairs]
    over90 = [(a, b) for a, b, v, _ in h if finite(v) and v >= HTMT_CUTS[1]]
    over85 = [(a, b) for a, b, v, _ in h if finite(v) and HTMT_CUTS[0] <= v < HTMT_CUTS[1]]
    ones = [(a, b) for a, b, _, u in h if finite(u) and u >= 1.0]
    up85 = [
        (a, b) for a, b, v, u in h if finite(v) and v < HTMT_CUTS[0] and finite(u) and u >= 0.85
    ]
    if not over85 and not over90:
        best = max(h, key=lambda x: x[2] if finite(x[2]) else -1)
        ci = ""
        if dv.htmt.bootstrap:
            ci = t["htmt_all_ci_85"].format(pairs=pair_names(up85)) if up85 else t["htmt_all_ci"]
        section.paragraphs.append(
            t["htmt_all"].format(max=num(best[2]), pair=pair_names([best[:2]]), ci=ci)
        )
    for cut, pairs, meaning in (
        (".85", over85, "htmt_85_meaning"),
        (".90", over90, "htmt_90_meaning"),
    ):
        if pairs:
            msg = t["htmt_some"].format(cut=cut, pairs=pair_names(pairs), meaning=t[meaning])
            warn(ctx, section, msg)
    if ones:
        warn(ctx, section, t["htmt_one"].format(pairs=pair_names(ones)))
    notes = [
        n
        for n in dv.htmt.notes
        if not n.startswith("HTMT reaches") and "listwise" not in n and "left out" not in n
    ]
    if notes:
        notes_text = " ".join(engine_text(n, lang) for n in notes)
        section.paragraphs.append(t["dv_notes"].format(notes=notes_text))
    finite_h = [v for _, _, v, _ in h if finite(v)]
    ctx.summary.append(
        t["summary_dv"].format(
            fl=t["summary_fl_bad"].format(pairs=pair_names(fl_bad))
            if fl_bad
            else t["summary_fl_ok"],
            htmt=t["summary_htmt_bad"].format(pairs=pair_names(over85 + over90))
            if over85 or over90
            else t["summary_htmt_ok"].format(max=num(max(finite_h)) if finite_h else "—"),
        )
    )
    out = dv.to_dict()
    out["pairs"] = json_pairs
    out["htmt_basis"] = "pearson"
    out["htmt_polychoric"] = poly.to_dict() if poly is not None else None
    return out


def _htmt_verdict(value: float, upper: float) -> str:
    if not finite(value):
        return "v_none"
    if finite(upper) and upper >= 1.0:
        return "v_one"
    if value >= HTMT_CUTS[1]:
        return "v_90"
    if value >= HTMT_CUTS[0]:
        return "v_85"
    if finite(upper) and upper >= HTMT_CUTS[1]:
        return "v_upper90"
    if finite(upper) and upper >= HTMT_CUTS[0]:
        return "v_upper85"
    return "v_distinct"


# --------------------------------------------------------------------------------------------------
# Common-method variance
# --------------------------------------------------------------------------------------------------


def _marker_keys(ctx: Any) -> list[str]:
    inst = ctx.instrument
    if inst is None:
        return []
    return [f"{b.id}.{d.id}" for b, d in inst.dimensions() if getattr(d, "role", "") == "marker"]


def _cmv(
    ctx: Any,
    section: Section,
    res: Any,
    data: pd.DataFrame,
    settings: dict[str, Any],
    labels: dict[str, str],
) -> dict[str, Any]:
    t = TEXT[ctx.lang]
    out: dict[str, Any] = {"harman": None, "method_factor": None, "marker": None}
    plan = _cmv_plan(ctx)
    if plan is None:
        return out
    fmap, markers, marker, substantive, items, sub_model = plan
    out["marker_included"] = bool(markers)
    out["items"] = items
    section.paragraphs.append(t["cmv_intro"])
    parts: list[str] = []

    # --- Harman --------------------------------------------------------------------------------
    from moscale.analysis.cmv import harman_single_factor

    try:
        hr = harman_single_factor(data[items], method="pca")
    except (UserError, np.linalg.LinAlgError) as exc:
        section.paragraphs.append(t["harman_failed"].format(error=error_text(exc, ctx.lang)))
    else:
        out["harman"] = hr.to_dict()
        section.paragraphs.append(
            t["harman"].format(
                p=hr.n_items,
                share=_pct(hr.share, ctx.lang),
                verdict=t["harman_above" if hr.exceeds_threshold else "harman_below"],
                k=hr.n_eigen_gt1,
            )
            + " "
            + t["harman_caveat"]
        )
        if hr.exceeds_threshold:
            warn(ctx, section, t["harman"].split(":")[0] + ": " + t["harman_above"])
        parts.append(t["summary_harman"].format(share=_pct(hr.share, ctx.lang)))

    # --- method factor ---------------------------------------------------------------------------
    cmv_settings = _cmv_settings(settings)
    if settings["ordinal"]:
        section.paragraphs.append(t["mf_ordinal"])
    if len(substantive) < 2:
        section.paragraphs.append(t["mf_one"])
    else:
        mf = _method_factor(ctx, section, sub_model, data, cmv_settings)
        out["method_factor"] = mf
        if mf and finite(mf.get("comparison", {}).get("delta_cfi")):
            comp = mf["comparison"]
            dcfi = comp.get("delta_cfi_robust", comp["delta_cfi"])
            parts.append(
                t["summary_mf"].format(
                    dcfi=_signed(dcfi, ctx.lang), mv=_pct(mf["method_variance"], ctx.lang)
                )
            )

    # --- marker ----------------------------------------------------------------------------------
    if not markers:
        section.paragraphs.append(t["marker_none"])
    elif marker is None:
        key = _marker_keys(ctx)[0]
        section.paragraphs.append(t["marker_not_in_model"].format(marker=ctx.label(key)))
    else:
        mk = _marker(ctx, section, substantive, fmap[marker], marker, data, cmv_settings, labels)
        out["marker"] = mk
        if mk and mk.get("cfa"):
            tests = {r["comparison"]: r for r in mk["cfa"]["tests"]}
            p = tests.get("baseline_vs_method_c", {}).get("p")
            present = finite(p) and p < 0.05
            parts.append(
                t["summary_marker"].format(
                    what=t["summary_marker_yes" if present else "summary_marker_no"]
                )
            )
    if parts:
        ctx.summary.append(t["summary_cmv"].format(parts=join_list(parts, ctx.lang)))
    ctx.found["cmv"] = out
    return out


class _CMVPlan(NamedTuple):
    fmap: dict[str, list[str]]  # the model's factors and their indicators
    markers: list[str]  # marker factors of the instrument
    marker: str | None  # the one in the model, if any
    substantive: dict[str, list[str]]  # the other factors
    items: list[str]  # their items
    sub_model: str  # the model without the marker factor


def _cmv_plan(ctx: Any) -> _CMVPlan | None:
    """What the common-method checks work on; None without a usable model."""
    from moscale.analysis.pipeline import factor_name
    from moscale.analysis.validity import indicator_map

    if not ctx.model:
        return None
    try:
        fmap = indicator_map(ctx.model)
    except UserError:
        return None
    markers = [factor_name(k) for k in _marker_keys(ctx)]
    marker = next((m for m in markers if m in fmap), None)
    substantive = {f: its for f, its in fmap.items() if f not in markers}
    items = list(dict.fromkeys(i for its in substantive.values() for i in its))
    if marker is None and not set(markers) & set(fmap):
        sub_model = ctx.model
    else:
        sub_model = "\n".join(f"{f} =~ {' + '.join(its)}" for f, its in substantive.items())
    return _CMVPlan(fmap, markers, marker, substantive, items, sub_model)


def _cmv_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """The CMV models are continuous: ordinal items are fitted with MLR (the report says so)."""
    if settings["ordinal"]:
        return {**settings, "estimator": "MLR", "ordinal": False}
    return dict(settings)


def _cmv_kwargs(settings: dict[str, Any]) -> dict[str, Any]:
    return {"estimator": settings["estimator"], "missing": settings["missing"]}


def _method_factor_task(model: str, data: pd.DataFrame, kwargs: dict[str, Any]) -> Any:
    """The method-factor comparison (module level: it runs in a worker)."""
    from moscale.analysis.cmv import method_factor_test

    return method_factor_test(model, data, **kwargs)


def prefetch(ctx: Any) -> None:
    """Start the method-factor comparison in the background (collected by :func:`build`)."""
    plan = _cmv_plan(ctx)
    if plan is None or len(plan.substantive) < 2:
        return
    kwargs = _cmv_kwargs(_cmv_settings(fit_settings(ctx)))
    args = (plan.sub_model, ctx.dataset.items, kwargs)
    ctx.background.submit(("method_factor", plan.sub_model), _method_factor_task, args)


def _method_factor(
    ctx: Any, section: Section, model: str, data: pd.DataFrame, settings: dict[str, Any]
) -> dict[str, Any] | None:
    t = TEXT[ctx.lang]
    try:
        args = (model, data, _cmv_kwargs(settings))
        mf = ctx.background.take(("method_factor", model), _method_factor_task, args)
    except (UserError, np.linalg.LinAlgError, FloatingPointError) as exc:
        warn(ctx, section, t["mf_failed"].format(error=error_text(exc, ctx.lang)), summary=False)
        return {"error": error_text(exc)}
    out = mf.to_dict()
    comp = mf.comparison
    if not finite(comp.get("delta_chisq")) or not finite(comp.get("delta_cfi")):
        warn(ctx, section, t["mf_not_converged"], summary=False)
        out["error"] = "not converged"
        return out
    robust = "chisq.scaling.factor" in mf.fits.columns
    cols: list[tuple[str, str, str]]
    if robust:
        cols = [
            ("chisq.scaled", "col_chisq_scaled", "stat"),
            ("df", "col_df", "int"),
            ("chisq.scaling.factor", "col_scaling", "stat"),
            ("cfi.robust", "col_cfi_r", "bounded"),
            ("tli.robust", "col_tli_r", "bounded"),
            ("rmsea.robust", "col_rmsea_r", "bounded"),
            ("srmr", "col_srmr", "bounded"),
        ]
    else:
        cols = [
            ("chisq", "col_chisq", "stat"),
            ("df", "col_df", "int"),
            ("pvalue", "col_p", "p"),
            ("cfi", "col_cfi", "bounded"),
            ("tli", "col_tli", "bounded"),
            ("rmsea", "col_rmsea", "bounded"),
            ("srmr", "col_srmr", "bounded"),
        ]
    frame = pd.DataFrame({t["col_model"]: [t["model_trait"], t["model_method"]]})
    kinds = {t["col_model"]: "text"}
    decimals = {}
    for name, col, kind in cols:
        header = t[col]
        frame[header] = mf.fits[name].to_numpy(dtype=float)
        kinds[header] = kind
        if kind == "bounded":
            decimals[header] = 3
        if name == "chisq.scaling.factor":
            decimals[header] = 3
    section.tables.append(
        Table(
            id="cmv_method_factor",
            title=t["mf_title"],
            frame=frame,
            kinds=kinds,
            decimals=decimals,
            note=t["mf_note"].format(estimator=settings["estimator"]),
        )
    )
    dcfi = comp.get("delta_cfi_robust", comp["delta_cfi"]) if robust else comp["delta_cfi"]
    verdict = t["mf_small"] if finite(dcfi) and dcfi <= 0.01 else t["mf_large"]
    section.paragraphs.append(
        t["mf_text"].format(
            ddf=f"{comp['delta_df']:.0f}",
            dchi=num(comp["delta_chisq"], "stat", 2),
            p=p_text(comp["p"]),
            sb=t["mf_sb"] if comp.get("method") != "standard" else "",
            dcfi=_signed(dcfi, ctx.lang),
            robust=t["mf_robust"] if robust and "delta_cfi_robust" in comp else "",
            mv=_pct(mf.method_variance, ctx.lang),
            verdict=verdict,
        )
    )
    big = mf.loadings[mf.loadings["change"].abs() > 0.20]
    if len(big):
        section.paragraphs.append(
            t["mf_changes"].format(
                items=join_list(
                    [f"{r.item} ({_signed(r.change)})" for r in big.itertuples()], ctx.lang
                )
            )
        )
    if mf.improper:
        what = "; ".join(engine_text(w, ctx.lang) for w in mf.improper)
        warn(ctx, section, t["mf_improper"].format(what=what), summary=False)
    section.paragraphs.append(t["mf_caveat"])
    return out


def _marker(
    ctx: Any,
    section: Section,
    substantive: dict[str, list[str]],
    marker_items: list[str],
    marker: str,
    data: pd.DataFrame,
    settings: dict[str, Any],
    labels: dict[str, str],
) -> dict[str, Any] | None:
    from moscale.analysis.cmv import marker_variable

    t = TEXT[ctx.lang]
    model = "\n".join(
        [f"{f} =~ {' + '.join(its)}" for f, its in substantive.items()]
        + [f"{marker} =~ {' + '.join(marker_items)}"]
    )
    section.paragraphs.append(t["marker_intro"].format(marker=labels.get(marker, marker)))
    try:
        mv = marker_variable(model, data, marker, **_cmv_kwargs(settings))
    except (UserError, np.linalg.LinAlgError, FloatingPointError) as exc:
        warn(
            ctx, section, t["marker_failed"].format(error=error_text(exc, ctx.lang)), summary=False
        )
        return {"error": error_text(exc)}
    out = mv.to_dict()
    lw = mv.lindell_whitney
    lost = lw.pairs[(lw.pairs["p_unadjusted"] < 0.05) & (lw.pairs["p"] >= 0.05)]
    section.paragraphs.append(
        t["marker_lw"].format(
            rm=num(lw.r_m, "bounded", 3),
            lost=t["marker_lw_lost"].format(
                pairs=join_list(
                    [f"{labels.get(r.x, r.x)}–{labels.get(r.y, r.y)}" for r in lost.itertuples()],
                    ctx.lang,
                )
            )
            if len(lost)
            else t["marker_lw_ok"],
        )
    )
    mc = mv.cfa
    if mc is None:
        return out
    rows = []
    for name, r in mc.tests.iterrows():
        rows.append(
            {
                t["col_comparison"]: t.get(f"cmp_{name}", name),
                t["col_dchi"]: float(r["delta_chisq"]),
                t["col_ddf"]: float(r["delta_df"]),
                t["col_p"]: float(r["p"]),
            }
        )
    robust = any(m != "standard" for m in mc.tests["method"])
    section.tables.append(
        Table(
            id="cmv_marker",
            title=t["marker_title"],
            frame=pd.DataFrame(rows),
            kinds={
                t["col_comparison"]: "text",
                t["col_dchi"]: "stat",
                t["col_ddf"]: "int",
                t["col_p"]: "p",
            },
            note=t["marker_note"].format(
                sb=t["marker_note_sb"] if robust else t["marker_note_plain"]
            ),
        )
    )
    tests = mc.tests
    p_bc = float(tests.loc["baseline_vs_method_c", "p"])
    r_name = f"{mc.chosen}_vs_method_r"
    p_r = float(tests.loc[r_name, "p"]) if r_name in tests.index else float("nan")
    bias = ""
    if finite(p_r):
        bias = t["marker_bias" if p_r < 0.05 else "marker_nobias"].format(p=p_text(p_r))
    section.paragraphs.append(
        t["marker_text"].format(
            present=t["marker_present" if finite(p_bc) and p_bc < 0.05 else "marker_absent"].format(
                p=p_text(p_bc)
            ),
            equal=t["marker_unequal" if mc.chosen == "method_u" else "marker_equal"],
            bias=bias,
            mv=_pct(float(mc.method_loadings["method_variance"].mean()), ctx.lang),
        )
    )
    if finite(p_r) and p_r < 0.05:
        ctx.warn(bias)
    return out
