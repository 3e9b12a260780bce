"""Report section 6, confirmatory factor analysis: the measurement model as marketing journals print it.

The section fits the measurement model the pipeline built (``ctx.model``) with the estimator it chose
(MLR for continuous items, WLSMV for ordinal ones) and reports, in the report's language:

* the measurement-model table: standardised loadings (lavaan ``std.all``), their z and p (delta-method
  standard errors of the standardised solution), R² per item, with the fit indices in the table note;
* per construct: Cronbach's alpha (from the reliability section), composite reliability (ω of the
  unit-weighted sum; Green & Yang's categorical ω for ordinal items) and AVE;
* a fit-indices table (standard, scaled and robust versions side by side) with Hu & Bentler's (1999)
  cut-offs stated in words beside the values;
* the second-order model when the instrument defines a higher-order construct;
* a path diagram, the modification indices worth a look and the residual correlations above .10;
* warnings: non-convergence, Heywood cases, fewer than five respondents per free parameter, weak
  (standardised loading < .50) items, model failures.

Every figure comes from :func:`moscale.analysis.cfa.api.cfa` /
:func:`moscale.analysis.cfa.wls.cfa_ordinal` and :mod:`moscale.analysis.validity` (tested against
lavaan and semTools); this module only selects and phrases them. JSON: ``ctx.results["cfa"]``
(``docs/results/cfa.md``). Objects for later sections: ``ctx.found["cfa"]`` (the fitted result),
``ctx.found["cfa_cr"]`` and ``ctx.found["cfa_ave"]`` (Series by factor), ``ctx.found["cfa_labels"]``
(factor -> readable name) and ``ctx.found["cfa_fit"]`` (the fit indices as reported).
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd

from moscale.analysis.report import Figure, Section
from moscale.analysis.tables import Table, format_value
from moscale.errors import UserError

from .engine_fi import engine_text

STEP = "confirmatory factor analysis"

#: Estimators for ordered-categorical items (least squares on polychoric correlations).
LS_ESTIMATORS = frozenset({"WLSMV", "WLSM", "ULSMV", "ULSM", "DWLS", "ULS", "WLS"})
#: Hu & Bentler (1999) cut-offs, and the more lenient "acceptable" conventions (Marsh et al., 2004).
CUTOFFS = {"cfi": 0.95, "tli": 0.95, "rmsea": 0.06, "srmr": 0.08}
ACCEPTABLE = {"cfi": 0.90, "tli": 0.90, "rmsea": 0.08, "srmr": 0.10}
WEAK_LOADING = 0.50
MI_MINIMUM = 10.0
MI_TOP = 10
RESIDUAL_MINIMUM = 0.10
RESIDUALS_SHOWN = 20
CASES_PER_PARAMETER = 5.0
#: Share of respondents lost to listwise deletion above which the report recommends FIML.
LISTWISE_LOSS_WARNING = 0.20

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Confirmatory factor analysis (measurement model)",
        "no_model": (
            "No confirmatory factor analysis was run: no reflective dimension has two or more items, "
            "so there is no measurement model to test."
        ),
        "failed": "The measurement model could not be estimated: {error}",
        "failed_summary": "The CFA could not be estimated ({error}).",
        "est_ML": ("normal-theory maximum likelihood (ML) with the likelihood-ratio χ² test"),
        "est_MLR": (
            "maximum likelihood with robust (Huber–White) standard errors and the Yuan–Bentler scaled "
            "χ² (MLR), which protects the tests against the non-normality of rating data; the "
            "robust CFI, TLI and RMSEA (Brosseau-Liard & Savalei, 2014) are reported"
        ),
        "est_WLSMV": (
            "diagonally weighted least squares on the polychoric correlations with robust standard "
            "errors and the mean- and variance-adjusted (scaled-shifted) χ² (WLSMV; Muthén, du Toit & "
            "Spisic, 1997), appropriate for ordered-categorical items; the scaled CFI, TLI and RMSEA "
            "are reported"
        ),
        "est_other": "the {estimator} estimator",
        "method": (
            "The measurement model ({k} {factors}, {p} items, every item loading on one factor, "
            "factors free to correlate, each factor scaled by its first loading) was estimated on {n} "
            "respondents ({missing_text}) by {estimator_text}."
        ),
        "why_ordinal": "Item treatment: {reason}.",
        "factor_word": "factor",
        "factors_word": "factors",
        "missing_listwise": "complete cases: {dropped} of {total} respondents with a missing answer "
        "were left out",
        "missing_listwise_none": "no respondent had a missing answer",
        "missing_fiml": "full-information ML: every respondent who answered at least one item",
        "fiml_ordinal": (
            "Full-information ML is not available for ordinal (WLSMV) estimation; the CFA uses the "
            "complete cases, as lavaan does for ordered items."
        ),
        "ordinal_ml": (
            "The items are treated as ordinal elsewhere in the report, but estimator {estimator} was "
            "requested, so the CFA treats them as continuous."
        ),
        "listwise_loss": (
            "Listwise deletion left out {dropped} of {total} respondents ({pct}) from the CFA because "
            "they skipped at least one item; the estimates rest on the remaining {n}. Rerun with "
            "missing data handled by full-information ML (--missing fiml) to use every answer."
        ),
        "fit_line": "χ²({df}) = {chisq}, p {p}; CFI = {cfi}; TLI = {tli}; RMSEA = {rmsea}, 90% CI "
        "[{lo}, {hi}]; SRMR = {srmr}",
        "fit_intro_robust": (
            "Model fit (Yuan–Bentler scaled χ², scaling factor {c}; robust CFI, TLI and RMSEA): "
        ),
        "fit_intro_scaled": (
            "Model fit (scaled-shifted χ², scaling factor {c}, shift {shift}; scaled CFI, TLI and "
            "RMSEA): "
        ),
        "fit_intro_scaled_ns": "Model fit (scaled χ², scaling factor {c}; scaled indices): ",
        "fit_intro_standard": "Model fit: ",
        "fit_fallback": (
            "The robust CFI, TLI and RMSEA are not available (lavaan reports NA as well), so the "
            "scaled versions are given. Reason: {reason}"
        ),
        "robust_na": (
            "The robust CFI, TLI and RMSEA (Savalei, 2021) are not available for this model (lavaan "
            "reports NA as well): {reason}"
        ),
        "fit_fallback_generic": (
            "the robust indices need the robust test statistics of the model and of the baseline "
            "model, which could not be computed for these data"
        ),
        "cutoffs": (
            "Conventional cut-offs for good fit (Hu & Bentler, 1999): CFI and TLI ≥ .95, RMSEA ≤ .06, "
            "SRMR ≤ .08."
        ),
        "judge_met": "{index} = {value} meets its cut-off",
        "judge_missed": "{index} = {value} misses it",
        "judge_intro": "Judged by them, ",
        "verdict_good": "the model fits the data well.",
        "verdict_acceptable": (
            "the fit is acceptable but not good: every index meets the more lenient conventions "
            "(CFI and TLI ≥ .90, RMSEA ≤ .08, SRMR ≤ .10), which Marsh, Hau & Wen (2004) advise "
            "against treating as golden rules either way."
        ),
        "verdict_poor": (
            "the model does not fit the data well: look at the weak items, the modification indices "
            "and the residual correlations below for where it fails."
        ),
        "verdict_unknown": "the fit could not be judged (fit indices unavailable).",
        "chisq_sig": (
            "The χ² test rejects exact fit (p < .05), as it usually does with samples of this size; "
            "the approximate-fit indices above say how far from exact the fit is."
        ),
        "chisq_ns": "The χ² test does not reject exact fit (p ≥ .05).",
        "rmsea_upper": (
            "The upper limit of RMSEA's 90% confidence interval ({hi}) is above .08, so a poor "
            "approximate fit cannot be ruled out."
        ),
        "loadings_range": ("Standardised loadings range from {lo} to {hi} (median {med})."),
        "all_strong": "Every item loads at least .50 on its factor.",
        "weak_items": (
            "Weak item(s) with a standardised loading below .50: {items}. Less than a quarter of such "
            "an item's variance is shared with its construct; check its wording and consider "
            "dropping it (and reporting that you did)."
        ),
        "weak_summary": "Weak item(s) in the CFA (standardised loading below .50): {items}.",
        "negative_items": (
            "Item(s) loading negatively on their factor: {items}. A reverse-keyed item that was not "
            "recoded gives a negative loading; check the keying."
        ),
        "not_converged": (
            "The CFA did not converge: the estimates are not a solution, and no standard errors or "
            "fit indices are reported. Simplify the model (fewer factors, drop weak items) or check "
            "the data (keying, outliers, items without variance)."
        ),
        "heywood_item": (
            "Heywood case: the residual variance of {items} is negative, i.e. the model says the item "
            "is more than fully explained by its factor. The solution is improper: suspect a "
            "misspecified model, a factor with too few items, or a small sample."
        ),
        "heywood_factor": (
            "Heywood case: the variance of factor {items} is negative; the solution is improper."
        ),
        "heywood_loading": (
            "Standardised loading beyond ±1 for {items}: the solution is improper."
        ),
        "cases_per_parameter": (
            "Only {ratio} respondents per free parameter ({n} respondents, {npar} parameters): fewer "
            "than the 5 per parameter often asked for (Bentler & Chou, 1987). Estimates and fit "
            "indices may be unstable; read them with care."
        ),
        "engine_notes": "Notes from the estimation: {notes}",
        "summary_fit": ("CFA ({estimator}, n = {n}): {fit}; {verdict}"),
        "summary_good": "good fit by the Hu & Bentler (1999) cut-offs.",
        "summary_acceptable": "acceptable, not good, fit.",
        "summary_poor": "poor fit.",
        "summary_unknown": "fit not available.",
        "loadings_title": "Measurement model: standardised loadings",
        "col_construct": "Construct",
        "col_item": "Item",
        "col_wording": "Wording",
        "col_loading": "λ",
        "col_z": "z",
        "col_p": "p",
        "col_r2": "R²",
        "loadings_note": (
            "λ = standardised loading (lavaan std.all); z and p test it against zero with its "
            "delta-method standard error ({se}); R² = share of the item's variance explained by its "
            "construct{r2_ordinal}. Items with λ < .50 are named in the warnings. {fit} {cutoffs}"
        ),
        "r2_ordinal": " (of the latent response underlying the ordinal item)",
        "se_MLR": "robust, Huber–White",
        "se_ML": "normal-theory",
        "se_WLSMV": "robust",
        "reliability_title": "Construct reliability and convergent validity",
        "col_k": "Items",
        "col_alpha": "α",
        "col_cr": "CR",
        "col_ave": "AVE",
        "reliability_note": (
            "α = Cronbach's alpha (reliability section); CR = composite reliability, {cr_method}; "
            "AVE = average variance extracted (Fornell & Larcker, 1981), {ave_method}. Conventions: "
            "CR ≥ .70 and AVE ≥ .50 (Fornell & Larcker, 1981; Bagozzi & Yi, 1988); AVE < .50 means "
            "the construct explains less than half of its items' variance."
        ),
        "cr_continuous": (
            "ω of the unit-weighted sum with the observed covariances as denominator (Raykov, 1997; "
            "semTools compRelSEM)"
        ),
        "cr_ordinal": (
            "categorical ω of the sum of the ordinal item scores (Green & Yang, 2009; semTools "
            "compRelSEM)"
        ),
        "ave_continuous": "relative to the observed item variances (semTools AVE)",
        "ave_ordinal": "on the latent-response (polychoric) scale (semTools AVE)",
        "low_ave": (
            "AVE below .50 for {items}: the construct explains less than half of its items' "
            "variance (convergent validity in doubt)."
        ),
        "low_cr": "Composite reliability below .70 for {items}.",
        "cr_failed": "Composite reliability or AVE could not be computed: {error}",
        "fit_title": "Fit indices of the measurement model",
        "col_model": "Model",
        "col_version": "Version",
        "col_chisq": "χ²",
        "col_df": "df",
        "col_scaling": "Scaling factor",
        "col_cfi": "CFI",
        "col_tli": "TLI",
        "col_rmsea": "RMSEA",
        "col_rmsea_lo": "RMSEA 90% CI lower",
        "col_rmsea_hi": "RMSEA 90% CI upper",
        "col_srmr": "SRMR",
        "model_first": "First-order factors",
        "model_second": "Second-order factor(s)",
        "version_standard": "Standard",
        "version_scaled": "Scaled",
        "version_robust": "Robust",
        "fit_table_note": (
            "Standard: the uncorrected test and indices; scaled: computed from the {scaled_test}; "
            "robust: the robust CFI, TLI and RMSEA ({robust_ref}), which estimate the population "
            "values and are the ones to report with a robust estimator. SRMR has one version. "
            "{cutoffs} Every index lavaan's fitMeasures() gives is in the JSON results."
        ),
        "scaled_test_MLR": "Yuan–Bentler scaled χ²",
        "scaled_test_WLSMV": "scaled-shifted χ² (the scaling factor column gives its scale)",
        "robust_ref_MLR": "Brosseau-Liard & Savalei, 2014",
        "robust_ref_WLSMV": "Savalei, 2021",
        "second_intro": (
            "The second-order model replaces the correlations among {lower} by {higher} (a "
            "higher-order construct the instrument defines). Its second-order standardised loadings: "
            "{loadings}."
        ),
        "second_compare": (
            "Compared with the first-order model, CFI changes by {dcfi} and RMSEA by {drmsea}; a "
            "second-order model is a simplification of the correlated-factors model and can only "
            "fit as well or worse (Marsh & Hocevar, 1985)."
        ),
        "second_failed": "The second-order model ({higher}) could not be estimated: {error}",
        "second_too_few": (
            "No second-order model for {higher}: it needs at least three first-order factors in the "
            "model, has {k}."
        ),
        "second_not_converged": "The second-order model did not converge; its fit is not reported.",
        "path_title": "Path diagram of the measurement model (standardised solution)",
        "path_caption": (
            "Ellipses are constructs, boxes items; single-headed arrows carry the standardised "
            "loadings, curved double-headed arrows the factor correlations. {legend}"
        ),
        "mi_title": "Modification indices worth a look (MI ≥ 10, largest 10)",
        "col_parameter": "Parameter",
        "col_meaning": "Meaning",
        "col_mi": "MI",
        "col_epc": "EPC",
        "col_sepc": "Standardised EPC",
        "mi_note": (
            "MI = expected drop in χ² if the parameter were freed (one df); EPC = expected value of "
            "the parameter; standardised EPC = the same in the std.all metric. A large MI points to "
            "local misfit, but releasing a parameter needs a theoretical reason (e.g. two items "
            "sharing wording or a method); freeing parameters to improve fit capitalises on chance "
            "(MacCallum, Roznowski & Necowitz, 1992)."
        ),
        "mi_note_dwls": (
            " With ordinal items (WLSMV) the MI is the expected drop in the unscaled DWLS χ², not "
            "in the scaled-and-shifted χ² of the fit table (as lavaan's modindices())."
        ),
        "mi_none": "No modification index reaches 10: no single omitted parameter stands out.",
        "mi_unavailable": "Modification indices are not available: {error}",
        "mi_cross": "{item} also loading on {factor}",
        "mi_resid": "residual covariance of {a} and {b}",
        "mi_factor": "covariance of {a} and {b}",
        "mi_other": "{parameter}",
        "resid_title": "Residual correlations above .10 in absolute value",
        "col_item1": "Item 1",
        "col_item2": "Item 2",
        "col_resid": "Residual r",
        "resid_note": (
            "Observed minus model-implied correlation{ordinal}; |r| > .10 marks a pair of items "
            "whose relation the model does not reproduce (Kline, 2016). {shown}"
        ),
        "resid_ordinal": " (polychoric correlations)",
        "resid_shown": "The {shown} largest of {total} are shown; all are in the JSON results.",
        "resid_all": "All {total} are shown.",
        "resid_none": "No residual correlation exceeds .10 in absolute value.",
        "resid_some": "{n} residual correlation(s) exceed .10 in absolute value (Table {table}).",
    },
    "fi": {
        "title": "Vahvistava faktorianalyysi (mittausmalli)",
        "no_model": (
            "Vahvistavaa faktorianalyysia ei tehty: yhdessäkään reflektiivisessä ulottuvuudessa ei "
            "ole kahta tai useampaa väittämää, joten testattavaa mittausmallia ei ole."
        ),
        "failed": "Mittausmallia ei voitu estimoida: {error}",
        "failed_summary": "Vahvistavaa faktorianalyysia ei voitu estimoida ({error}).",
        "est_ML": "suurimman uskottavuuden menetelmällä (ML) ja uskottavuusosamäärän χ²-testillä",
        "est_MLR": (
            "suurimman uskottavuuden menetelmällä robustein (Huber–White) keskivirhein ja "
            "Yuan–Bentlerin skaalatulla χ²-testillä (MLR), joka suojaa testejä arviointiasteikollisen "
            "aineiston epänormaaliudelta; raportoidut CFI, TLI ja RMSEA ovat robusteja "
            "(Brosseau-Liard & Savalei, 2014)"
        ),
        "est_WLSMV": (
            "diagonaalisesti painotetulla pienimmän neliösumman menetelmällä polykorisista "
            "korrelaatioista robustein keskivirhein ja keskiarvo- ja varianssikorjatulla "
            "(scaled-shifted) χ²-testillä (WLSMV; Muthén, du Toit & Spisic, 1997), joka sopii "
            "järjestysasteikollisille väittämille; raportoidut CFI, TLI ja RMSEA ovat skaalattuja"
        ),
        "est_other": "estimaattorilla {estimator}",
        "method": (
            "Mittausmalli ({k} {factors}, {p} väittämää; kukin väittämä latautuu yhdelle faktorille, "
            "faktorit saavat korreloida ja kunkin faktorin mitta-asteikko on kiinnitetty sen "
            "ensimmäiseen lataukseen) estimoitiin {n} vastaajan aineistosta ({missing_text}) "
            "{estimator_text}."
        ),
        "why_ordinal": "Väittämien käsittely: {reason}.",
        "factor_word": "faktori",
        "factors_word": "faktoria",
        "missing_listwise": "täydelliset havainnot: {dropped}/{total} vastaajaa, joilta puuttui "
        "vastauksia, jätettiin pois",
        "missing_listwise_none": "kenellekään vastaajalle ei jäänyt puuttuvia vastauksia",
        "missing_fiml": "täyden informaation ML: mukana kaikki vähintään yhteen väittämään vastanneet",
        "fiml_ordinal": (
            "Täyden informaation ML-menetelmää ei ole järjestysasteikolliselle (WLSMV) estimoinnille; "
            "faktorianalyysissa käytetään täydellisiä havaintoja, kuten lavaan tekee "
            "järjestysasteikollisille väittämille."
        ),
        "ordinal_ml": (
            "Väittämiä käsitellään raportissa muuten järjestysasteikollisina, mutta estimaattoriksi "
            "pyydettiin {estimator}, joten faktorianalyysi käsittelee ne jatkuvina."
        ),
        "listwise_loss": (
            "Täydellisten havaintojen vaatimus jätti faktorianalyysista pois {dropped}/{total} "
            "vastaajaa ({pct}), koska he jättivät vähintään yhteen väittämään vastaamatta; estimaatit "
            "perustuvat jäljelle jääneisiin {n} vastaajaan. Aja analyysi uudelleen täyden "
            "informaation ML-menetelmällä (--missing fiml), niin kaikki vastaukset tulevat käyttöön."
        ),
        "fit_line": "χ²({df}) = {chisq}, p {p}; CFI = {cfi}; TLI = {tli}; RMSEA = {rmsea}, 90 %:n "
        "LV [{lo}, {hi}]; SRMR = {srmr}",
        "fit_intro_robust": (
            "Mallin sopivuus (Yuan–Bentlerin skaalattu χ², skaalauskerroin {c}; robustit CFI, TLI ja "
            "RMSEA): "
        ),
        "fit_intro_scaled": (
            "Mallin sopivuus (skaalattu ja siirretty χ², skaalauskerroin {c}, siirto {shift}; "
            "skaalatut CFI, TLI ja RMSEA): "
        ),
        "fit_intro_scaled_ns": "Mallin sopivuus (skaalattu χ², skaalauskerroin {c}; skaalatut "
        "indeksit): ",
        "fit_intro_standard": "Mallin sopivuus: ",
        "fit_fallback": (
            "Robusteja CFI-, TLI- ja RMSEA-arvoja ei voitu laskea (myös lavaan antaa niiden arvoksi "
            "NA), joten raportoidaan skaalatut versiot. Syy: {reason}"
        ),
        "robust_na": (
            "Robusteja CFI-, TLI- ja RMSEA-arvoja (Savalei, 2021) ei saada tälle mallille (myös "
            "lavaan antaa niiden arvoksi NA): {reason}"
        ),
        "fit_fallback_generic": (
            "robustit indeksit edellyttävät mallin ja perusmallin robusteja testisuureita, joita ei "
            "voitu laskea tälle aineistolle"
        ),
        "cutoffs": (
            "Hyvän sopivuuden tavanomaiset raja-arvot (Hu & Bentler, 1999): CFI ja TLI ≥ .95, "
            "RMSEA ≤ .06, SRMR ≤ .08."
        ),
        "judge_met": "{index} = {value} täyttää raja-arvonsa",
        "judge_missed": "{index} = {value} ei täytä sitä",
        "judge_intro": "Niiden valossa ",
        "verdict_good": "malli sopii aineistoon hyvin.",
        "verdict_acceptable": (
            "sopivuus on hyväksyttävä mutta ei hyvä: kaikki indeksit täyttävät väljemmät "
            "käytännöt (CFI ja TLI ≥ .90, RMSEA ≤ .08, SRMR ≤ .10). Marsh, Hau ja Wen (2004) "
            "varoittavat pitämästä kumpiakaan raja-arvoja ehdottomina sääntöinä."
        ),
        "verdict_poor": (
            "malli ei sovi aineistoon hyvin: heikot väittämät, modifikaatioindeksit ja "
            "jäännöskorrelaatiot alla kertovat, missä se ei toimi."
        ),
        "verdict_unknown": "sopivuutta ei voitu arvioida (sopivuusindeksejä ei saatu).",
        "chisq_sig": (
            "χ²-testi hylkää täydellisen sopivuuden (p < .05), kuten tämän kokoisissa aineistoissa "
            "yleensä käy; likimääräisen sopivuuden indeksit kertovat, kuinka kaukana täydellisestä "
            "ollaan."
        ),
        "chisq_ns": "χ²-testi ei hylkää täydellistä sopivuutta (p ≥ .05).",
        "rmsea_upper": (
            "RMSEA:n 90 %:n luottamusvälin yläraja ({hi}) ylittää arvon .08, joten heikkoa "
            "likimääräistä sopivuutta ei voida sulkea pois."
        ),
        "loadings_range": "Standardoidut lataukset vaihtelevat välillä {lo}–{hi} (mediaani {med}).",
        "all_strong": "Jokainen väittämä latautuu faktorilleen vähintään arvolla .50.",
        "weak_items": (
            "Heikot väittämät, joiden standardoitu lataus on alle .50: {items}. Tällaisen väittämän "
            "varianssista alle neljännes on yhteistä sen konstruktin kanssa; tarkista sen muotoilu "
            "ja harkitse sen poistamista (ja kerro poistosta raportissasi)."
        ),
        "weak_summary": "Heikot väittämät faktorianalyysissa (standardoitu lataus alle .50): "
        "{items}.",
        "negative_items": (
            "Faktorilleen negatiivisesti latautuvat väittämät: {items}. Kääntämättä jäänyt "
            "käänteisesti pisteytettävä väittämä latautuu negatiivisesti; tarkista pisteytys."
        ),
        "not_converged": (
            "Vahvistavan faktorianalyysin estimointi ei konvergoitunut: estimaatit eivät ole "
            "ratkaisu, eikä keskivirheitä tai sopivuusindeksejä raportoida. Yksinkertaista mallia "
            "(vähemmän faktoreita, heikot väittämät pois) tai tarkista aineisto (pisteytyssuunta, "
            "poikkeavat havainnot, väittämät joilla ei ole vaihtelua)."
        ),
        "heywood_item": (
            "Heywood-tapaus: väittämän {items} jäännösvarianssi on negatiivinen eli malli selittäisi "
            "väittämästä enemmän kuin kaiken. Ratkaisu on epäkelpo: syynä voi olla virheellinen "
            "malli, liian vähän väittämiä faktorilla tai pieni otos."
        ),
        "heywood_factor": (
            "Heywood-tapaus: faktorin {items} varianssi on negatiivinen; ratkaisu on epäkelpo."
        ),
        "heywood_loading": "Standardoitu lataus yli ±1 väittämällä {items}: ratkaisu on epäkelpo.",
        "cases_per_parameter": (
            "Vain {ratio} vastaajaa vapaata parametria kohden ({n} vastaajaa, {npar} parametria): "
            "vähemmän kuin usein suositellut 5 parametria kohden (Bentler & Chou, 1987). Estimaatit "
            "ja sopivuusindeksit voivat olla epävakaita; tulkitse niitä varoen."
        ),
        "engine_notes": "Estimoinnin huomautukset: {notes}",
        "summary_fit": "Vahvistava faktorianalyysi ({estimator}, n = {n}): {fit}; {verdict}",
        "summary_good": "hyvä sopivuus Hu ja Bentlerin (1999) raja-arvoilla.",
        "summary_acceptable": "hyväksyttävä mutta ei hyvä sopivuus.",
        "summary_poor": "heikko sopivuus.",
        "summary_unknown": "sopivuutta ei saatu.",
        "loadings_title": "Mittausmalli: standardoidut lataukset",
        "col_construct": "Konstrukti",
        "col_item": "Väittämä",
        "col_wording": "Sanamuoto",
        "col_loading": "λ",
        "col_z": "z",
        "col_p": "p",
        "col_r2": "R²",
        "loadings_note": (
            "λ = standardoitu lataus (lavaanin std.all); z ja p testaavat sitä nollaa vastaan "
            "delta-menetelmän keskivirheellä ({se}); R² = konstruktin selittämä osuus väittämän "
            "varianssista{r2_ordinal}. Väittämät, joiden λ < .50, nimetään varoituksissa. {fit} "
            "{cutoffs}"
        ),
        "r2_ordinal": " (järjestysasteikollisen väittämän taustalla olevan latentin vastemuuttujan)",
        "se_MLR": "robusti, Huber–White",
        "se_ML": "normaalijakaumaoletukseen perustuva",
        "se_WLSMV": "robusti",
        "reliability_title": "Konstruktien reliabiliteetti ja konvergenttivaliditeetti",
        "col_k": "Väittämiä",
        "col_alpha": "α",
        "col_cr": "CR",
        "col_ave": "AVE",
        "reliability_note": (
            "α = Cronbachin alfa (reliabiliteettiosio); CR = komposiittireliabiliteetti, "
            "{cr_method}; AVE = keskimääräinen selitetty varianssi (Fornell & Larcker, 1981), "
            "{ave_method}. Tavanomaiset rajat: CR ≥ .70 ja AVE ≥ .50 (Fornell & Larcker, 1981; "
            "Bagozzi & Yi, 1988); AVE < .50 tarkoittaa, että konstrukti selittää alle puolet "
            "väittämiensä varianssista."
        ),
        "cr_continuous": (
            "painottamattoman summan ω, jonka nimittäjänä havaitut kovarianssit (Raykov, 1997; "
            "semToolsin compRelSEM)"
        ),
        "cr_ordinal": (
            "järjestysasteikollisten väittämäpisteiden summan kategorinen ω (Green & Yang, 2009; "
            "semToolsin compRelSEM)"
        ),
        "ave_continuous": "suhteessa väittämien havaittuihin variansseihin (semToolsin AVE)",
        "ave_ordinal": "latenttien vastemuuttujien (polykoristen korrelaatioiden) asteikolla "
        "(semToolsin AVE)",
        "low_ave": (
            "AVE alle .50 konstrukteilla {items}: konstrukti selittää alle puolet väittämiensä "
            "varianssista (konvergenttivaliditeetti kyseenalainen)."
        ),
        "low_cr": "Komposiittireliabiliteetti alle .70 konstrukteilla {items}.",
        "cr_failed": "Komposiittireliabiliteettia tai AVE:ta ei voitu laskea: {error}",
        "fit_title": "Mittausmallin sopivuusindeksit",
        "col_model": "Malli",
        "col_version": "Versio",
        "col_chisq": "χ²",
        "col_df": "df",
        "col_scaling": "Skaalauskerroin",
        "col_cfi": "CFI",
        "col_tli": "TLI",
        "col_rmsea": "RMSEA",
        "col_rmsea_lo": "RMSEA 90 %:n LV alaraja",
        "col_rmsea_hi": "RMSEA 90 %:n LV yläraja",
        "col_srmr": "SRMR",
        "model_first": "Ensimmäisen kertaluvun faktorit",
        "model_second": "Toisen kertaluvun faktori(t)",
        "version_standard": "Tavallinen",
        "version_scaled": "Skaalattu",
        "version_robust": "Robusti",
        "fit_table_note": (
            "Tavallinen: korjaamaton testi ja indeksit; skaalattu: laskettu testisuureesta "
            "{scaled_test}; robusti: robustit CFI, TLI ja RMSEA ({robust_ref}), jotka estimoivat "
            "populaatioarvoja ja jotka raportoidaan robustia estimaattoria käytettäessä. SRMR:stä on "
            "yksi versio. {cutoffs} Kaikki lavaanin fitMeasures()-funktion indeksit ovat "
            "JSON-tuloksissa."
        ),
        "scaled_test_MLR": "Yuan–Bentlerin skaalattu χ²",
        "scaled_test_WLSMV": "skaalattu ja siirretty χ² (skaalauskerroin-sarake kertoo sen "
        "skaalauksen)",
        "robust_ref_MLR": "Brosseau-Liard & Savalei, 2014",
        "robust_ref_WLSMV": "Savalei, 2021",
        "second_intro": (
            "Toisen kertaluvun malli korvaa faktoreiden {lower} väliset korrelaatiot "
            "ylemmän tason konstruktilla {higher}, jonka mittari määrittelee. Toisen kertaluvun "
            "standardoidut lataukset: {loadings}."
        ),
        "second_compare": (
            "Ensimmäisen kertaluvun malliin verrattuna CFI muuttuu {dcfi} ja RMSEA {drmsea}; toisen "
            "kertaluvun malli on korreloivien faktoreiden mallin yksinkertaistus, joten se voi sopia "
            "vain yhtä hyvin tai huonommin (Marsh & Hocevar, 1985)."
        ),
        "second_failed": "Toisen kertaluvun mallia ({higher}) ei voitu estimoida: {error}",
        "second_too_few": (
            "Konstruktille {higher} ei estimoitu toisen kertaluvun mallia: se vaatii mallissa "
            "vähintään kolme ensimmäisen kertaluvun faktoria, nyt niitä on {k}."
        ),
        "second_not_converged": (
            "Toisen kertaluvun mallin estimointi ei konvergoitunut; sen sopivuutta ei raportoida."
        ),
        "path_title": "Mittausmallin polkukaavio (standardoitu ratkaisu)",
        "path_caption": (
            "Ellipsit ovat konstrukteja ja laatikot väittämiä; yksisuuntaisissa nuolissa ovat "
            "standardoidut lataukset ja kaarevissa kaksisuuntaisissa nuolissa faktoreiden väliset "
            "korrelaatiot. {legend}"
        ),
        "mi_title": "Tarkastelun arvoiset modifikaatioindeksit (MI ≥ 10, 10 suurinta)",
        "col_parameter": "Parametri",
        "col_meaning": "Merkitys",
        "col_mi": "MI",
        "col_epc": "EPC",
        "col_sepc": "Standardoitu EPC",
        "mi_note": (
            "MI = χ²:n odotettu pieneneminen, jos parametri vapautettaisiin (yksi vapausaste); "
            "EPC = parametrin odotettu arvo; standardoitu EPC = sama std.all-mittakaavassa. Suuri MI "
            "osoittaa paikallista yhteensopimattomuutta, mutta parametrin vapauttamiseen tarvitaan "
            "teoreettinen peruste (esim. kaksi samankaltaisesti muotoiltua väittämää); pelkän "
            "sopivuuden vuoksi vapautetut parametrit hyödyntävät sattumaa (MacCallum, Roznowski & "
            "Necowitz, 1992)."
        ),
        "mi_note_dwls": (
            " Järjestysasteikollisilla väittämillä (WLSMV) MI on skaalaamattoman DWLS-χ²:n "
            "odotettu pieneneminen, ei sopivuustaulukon skaalatun ja siirretyn χ²:n (kuten "
            "lavaanin modindices())."
        ),
        "mi_none": "Yksikään modifikaatioindeksi ei yllä arvoon 10: mikään yksittäinen puuttuva "
        "parametri ei erotu.",
        "mi_unavailable": "Modifikaatioindeksejä ei ole saatavilla: {error}",
        "mi_cross": "{item} latautuisi myös faktorille {factor}",
        "mi_resid": "väittämien {a} ja {b} jäännöskovarianssi",
        "mi_factor": "faktoreiden {a} ja {b} kovarianssi",
        "mi_other": "{parameter}",
        "resid_title": "Itseisarvoltaan yli .10:n jäännöskorrelaatiot",
        "col_item1": "Väittämä 1",
        "col_item2": "Väittämä 2",
        "col_resid": "Jäännös-r",
        "resid_note": (
            "Havaittu miinus mallin mukainen korrelaatio{ordinal}; |r| > .10 osoittaa "
            "väittämäparin, jonka yhteyttä malli ei toista (Kline, 2016). {shown}"
        ),
        "resid_ordinal": " (polykoriset korrelaatiot)",
        "resid_shown": "Taulukossa on {shown} suurinta kaikkiaan {total} parista; kaikki ovat "
        "JSON-tuloksissa.",
        "resid_all": "Kaikki {total} ovat taulukossa.",
        "resid_none": "Yksikään jäännöskorrelaatio ei ylitä itseisarvoltaan arvoa .10.",
        "resid_some": "{n} jäännöskorrelaatiota ylittää itseisarvoltaan arvon .10 (taulukko "
        "{table}).",
    },
}


# --------------------------------------------------------------------------------------------------
# Small helpers shared with the validity section
# --------------------------------------------------------------------------------------------------


def finite(value: Any) -> bool:
    """True for a real, finite number."""
    try:
        return value is not None and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def num(value: Any, kind: str = "bounded", decimals: int = 2) -> str:
    """A number in running text, formatted the APA way (as in the tables)."""
    return format_value(float(value) if finite(value) else None, kind, decimals)


def p_text(p: Any) -> str:
    """``= .012`` or ``< .001`` (after a "p")."""
    if not finite(p):
        return "= —"
    text = format_value(float(p), "p")
    return text if text.startswith("<") else f"= {text}"


def df_text(df: Any) -> str:
    if not finite(df):
        return "—"
    d = float(df)
    return str(int(round(d))) if abs(d - round(d)) < 1e-9 else f"{d:.2f}"


def join_list(items: list[str], lang: str) -> str:
    """``a, b and c`` / ``a, b ja c``."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    word = " ja " if lang == "fi" else " and "
    return ", ".join(items[:-1]) + word + items[-1]


def dimension_keys(ctx: Any) -> dict[str, str]:
    """Factor name in the model -> dimension key of the study (``factor_name`` inverted)."""
    from moscale.analysis.pipeline import factor_name

    keys = {}
    for key in list(ctx.dimensions) + list(getattr(ctx.dataset, "higher_order", {}) or {}):
        keys.setdefault(factor_name(key), key)
    return keys


def factor_labels(ctx: Any, factors: list[str]) -> dict[str, str]:
    """Readable construct names in the report language (the factor name when none is known)."""
    keys = dimension_keys(ctx)
    higher = higher_order_labels(ctx)
    out = {}
    for f in factors:
        key = keys.get(f, f)
        out[f] = higher.get(key) or ctx.labels.get(key) or ctx.labels.get(f) or f
    return out


def higher_order_labels(ctx: Any) -> dict[str, str]:
    """``{higher-order key: name}`` from the instrument's scales."""
    out: dict[str, str] = {}
    inst = ctx.instrument
    if inst is None:
        return out
    for block in getattr(inst, "blocks", ()):
        ho = getattr(block.scale, "higher_order", None)
        if ho is None:
            continue
        name = ho.name.get(ctx.lang) or next(iter(ho.name.values()))
        out[f"{block.id}.{ho.id}"] = name
    return out


_SMALL_WORDS = frozenset(
    "a an and as at by for in of on or the to with ja sekä tai eli kuin".split()
)


def abbreviations(labels: dict[str, str]) -> dict[str, str]:
    """Short, unique construct abbreviations for figures (``CO``, ``OWMI``): initials of the label's
    words without small words, at most five letters; a short one-word label stays as it is."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for f, label in labels.items():
        text = str(label)
        words = [w for w in re.split(r"[\s_.\-–/]+", text) if w]
        big = [w for w in words if w.lower() not in _SMALL_WORDS] or words
        candidates = []
        if len(words) == 1 and len(text) <= 6:
            candidates.append(text)
        if len(big) > 1:
            candidates.append("".join(w[0].upper() for w in big)[:5])
            candidates.append("".join(w[:2].capitalize() for w in big)[:6])
        candidates.append(text[:6])
        abbr = next((c for c in candidates if c and c not in used), None)
        if abbr is None:
            base = candidates[0] or "F"
            i = 2
            while f"{base}{i}" in used:
                i += 1
            abbr = f"{base}{i}"
        used.add(abbr)
        out[f] = abbr
    return out


def item_wording(ctx: Any, item: str) -> str:
    """The item's text in the report language (empty without an instrument)."""
    inst = ctx.instrument
    if inst is None:
        return ""
    try:
        text = inst.item(item).text
    except (KeyError, AttributeError):
        return ""
    return text.get(ctx.lang) or next(iter(text.values()), "")


def warn(ctx: Any, section: Section, message: str, summary: bool = True) -> None:
    """A warning shown in the section and (``summary``) in the report's warning list."""
    if message not in section.warnings:
        section.warnings.append(message)
    if summary:
        ctx.warn(message)


def error_text(exc: Exception, lang: str = "en") -> str:
    """An error's message and hint in ``lang`` (English, as the engine wrote it, by default)."""
    if isinstance(exc, UserError):
        hint = f" ({engine_text(exc.hint, lang)})" if exc.hint else ""
        return engine_text(exc.message, lang) + hint
    return engine_text(str(exc), lang) or type(exc).__name__


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return frame.to_dict(orient="records")


def matrix(frame: pd.DataFrame) -> dict[str, Any]:
    return {
        "rows": [str(r) for r in frame.index],
        "cols": [str(c) for c in frame.columns],
        "values": frame.to_numpy(dtype=float).tolist(),
    }


def ordinal_reason_fi(reason: str) -> str:
    """The pipeline's (English) reason for the item treatment, in Finnish."""
    return engine_text(reason, "fi")


# --------------------------------------------------------------------------------------------------
# Fitting
# --------------------------------------------------------------------------------------------------


def fit_settings(ctx: Any) -> dict[str, Any]:
    """How the CFA is fitted: ordinal or not, estimator, missing-data method, and why."""
    est = (ctx.estimator or ("WLSMV" if ctx.ordinal else "MLR")).upper()
    notes: list[str] = []
    t = TEXT[ctx.lang]
    ordinal = est in LS_ESTIMATORS
    if ctx.ordinal and not ordinal:
        notes.append(t["ordinal_ml"].format(estimator=est))
    missing = "fiml" if ctx.options.missing == "fiml" else "listwise"
    if ordinal and missing == "fiml":
        notes.append(t["fiml_ordinal"])
        missing = "listwise"
    return {"ordinal": ordinal, "estimator": est, "missing": missing, "notes": notes}


def fit_model(model: str, data: pd.DataFrame, settings: dict[str, Any]) -> Any:
    """Fit ``model`` as :func:`moscale.cfa` would (``ordered=True`` for least-squares estimators)."""
    if settings["ordinal"]:
        from moscale.analysis.cfa.wls import cfa_ordinal

        return cfa_ordinal(model, data, ordered=True, estimator=settings["estimator"])
    from moscale.analysis.cfa.api import cfa

    return cfa(model, data, estimator=settings["estimator"], missing=settings["missing"])


def reported_fit(res: Any, lang: str, ordinal: bool) -> dict[str, Any]:
    """The fit indices to report (robust for MLR, scaled for WLSMV, standard for ML), with the
    lavaan names they come from and, when a robust index is NA, the reason."""
    fm = res.fit_measures()
    scaled = finite(fm.get("chisq.scaling.factor"))
    out: dict[str, Any] = {"reason": None}
    if scaled:
        names = {
            "chisq": "chisq.scaled",
            "df": "df.scaled" if "df.scaled" in fm else "df",
            "pvalue": "pvalue.scaled",
            "scaling": "chisq.scaling.factor",
            "srmr": "srmr",
        }
        if "chisq.shift.parameter" in fm:
            names["shift"] = "chisq.shift.parameter"
        suffix = ".scaled" if ordinal else ".robust"
        if not ordinal and not finite(fm.get("cfi.robust")):
            suffix = ".scaled"
            out["reason"] = _robust_reason(res) or TEXT[lang]["fit_fallback_generic"]
        out["version"] = "scaled" if suffix == ".scaled" else "robust"
    else:
        names = {"chisq": "chisq", "df": "df", "pvalue": "pvalue", "srmr": "srmr"}
        suffix = ""
        out["version"] = "standard"
    for key in ("cfi", "tli", "rmsea"):
        names[key] = key + suffix
    names["rmsea_lower"] = "rmsea.ci.lower" + suffix
    names["rmsea_upper"] = "rmsea.ci.upper" + suffix
    for key, name in names.items():
        value = fm.get(name)
        out[key] = float(value) if finite(value) else None
    out["names"] = names
    judged = {}
    for key, cut in CUTOFFS.items():
        v = out.get(key)
        if v is None:
            continue
        judged[key] = bool(v >= cut) if key in ("cfi", "tli") else bool(v <= cut)
    out["meets_cutoff"] = judged
    out["verdict"] = _verdict(out)
    return out


def _robust_reason(res: Any) -> str | None:
    for note in list(getattr(res, "notes", []) or []) + list(getattr(res, "warnings", []) or []):
        if "robust" in note.lower():
            return note
    return None


def _verdict(fit: dict[str, Any]) -> str:
    values = {k: fit.get(k) for k in CUTOFFS}
    if any(v is None for v in values.values()):
        if all(v is None for v in values.values()):
            return "unknown"
    known = {k: v for k, v in values.items() if v is not None}

    def ok(table: dict[str, float]) -> bool:
        return all(
            (v >= table[k]) if k in ("cfi", "tli") else (v <= table[k]) for k, v in known.items()
        )

    if ok(CUTOFFS):
        return "good"
    if ok(ACCEPTABLE):
        return "acceptable"
    return "poor"


def fit_sentence(fit: dict[str, Any], lang: str) -> str:
    """``χ²(df) = x, p = .01; CFI = .96; ...`` (APA)."""
    t = TEXT[lang]
    return t["fit_line"].format(
        df=df_text(fit.get("df")),
        chisq=num(fit.get("chisq"), "stat", 2),
        p=p_text(fit.get("pvalue")),
        cfi=num(fit.get("cfi"), "bounded", 3),
        tli=num(fit.get("tli"), "bounded", 3),
        rmsea=num(fit.get("rmsea"), "bounded", 3),
        lo=num(fit.get("rmsea_lower"), "bounded", 3),
        hi=num(fit.get("rmsea_upper"), "bounded", 3),
        srmr=num(fit.get("srmr"), "bounded", 3),
    )


def fit_intro(fit: dict[str, Any], lang: str) -> str:
    t = TEXT[lang]
    if fit["version"] == "robust":
        return t["fit_intro_robust"].format(c=num(fit.get("scaling"), "stat", 3))
    if fit["version"] == "scaled":
        if fit.get("shift") is not None:
            return t["fit_intro_scaled"].format(
                c=num(fit.get("scaling"), "stat", 3), shift=num(fit.get("shift"), "stat", 2)
            )
        return t["fit_intro_scaled_ns"].format(c=num(fit.get("scaling"), "stat", 3))
    return t["fit_intro_standard"]


def fit_judgement(fit: dict[str, Any], lang: str) -> str:
    """The cut-offs in words and what they say about this model (psych-style interpretation)."""
    t = TEXT[lang]
    parts = []
    names = {"cfi": "CFI", "tli": "TLI", "rmsea": "RMSEA", "srmr": "SRMR"}
    for key, met in fit["meets_cutoff"].items():
        value = num(fit[key], "bounded", 3)
        parts.append(
            t["judge_met" if met else "judge_missed"].format(index=names[key], value=value)
        )
    text = t["cutoffs"]
    if parts:
        text += " " + t["judge_intro"] + join_list(parts, lang) + ": "
    text += t[f"verdict_{fit['verdict']}"]
    if finite(fit.get("pvalue")):
        text += " " + t["chisq_sig" if fit["pvalue"] < 0.05 else "chisq_ns"]
    if finite(fit.get("rmsea_upper")) and fit["rmsea_upper"] > ACCEPTABLE["rmsea"]:
        text += " " + t["rmsea_upper"].format(hi=num(fit["rmsea_upper"], "bounded", 3))
    return text


# --------------------------------------------------------------------------------------------------
# The section
# --------------------------------------------------------------------------------------------------


def build(ctx: Any) -> Section:
    t = TEXT[ctx.lang]
    section = Section(id="cfa", title=t["title"])
    if not ctx.model:
        section.paragraphs.append(t["no_model"])
        ctx.results["cfa"] = {"fitted": False, "reason": "no reflective dimension with 2+ items"}
        return section
    settings = fit_settings(ctx)
    data = ctx.dataset.items
    try:
        res = fit_model(ctx.model, data, settings)
    except (UserError, np.linalg.LinAlgError, FloatingPointError) as exc:
        msg = t["failed"].format(error=error_text(exc, ctx.lang))
        warn(ctx, section, msg, summary=False)
        ctx.warn(msg)
        ctx.summary.append(t["failed_summary"].format(error=error_text(exc, ctx.lang)))
        ctx.results["cfa"] = {
            "fitted": False,
            "model": ctx.model,
            "estimator": settings["estimator"],
            "error": error_text(exc),
            "warnings": list(section.warnings),
        }
        return section
    ctx.found["cfa"] = res
    _describe(ctx, section, res, settings, data)
    return section


def _describe(
    ctx: Any, section: Section, res: Any, settings: dict[str, Any], data: pd.DataFrame
) -> None:
    t = TEXT[ctx.lang]
    lang = ctx.lang
    indicators = res.indicators
    factors = list(indicators)
    labels = factor_labels(ctx, list(res.lv_names))
    ctx.found["cfa_labels"] = labels
    est = settings["estimator"]
    n_used = int(res.ntotal)
    n_total = int(len(data))
    dropped = n_total - n_used if settings["missing"] == "listwise" else 0
    results: dict[str, Any] = {
        "fitted": True,
        "model": ctx.model,
        "estimator": est,
        "ordered": settings["ordinal"],
        "missing": settings["missing"],
        "n": n_used,
        "n_respondents": n_total,
        "n_dropped": dropped,
        "npar": int(res.npar),
        "converged": bool(res.converged),
        "iterations": int(res.iterations),
        "factors": {
            f: {
                "label": labels.get(f, f),
                "dimension": dimension_keys(ctx).get(f),
                "items": list(items),
            }
            for f, items in indicators.items()
        },
    }
    notes_out: list[str] = []
    for note in settings["notes"]:
        section.paragraphs.append(note)

    # --- method paragraph ---------------------------------------------------------------------
    est_text = t.get(f"est_{est}") or t["est_other"].format(estimator=est)
    if settings["missing"] == "fiml":
        missing_text = t["missing_fiml"]
    elif dropped:
        missing_text = t["missing_listwise"].format(dropped=dropped, total=n_total)
    else:
        missing_text = t["missing_listwise_none"]
    section.paragraphs.append(
        t["method"].format(
            k=len(factors),
            factors=t["factor_word" if len(factors) == 1 else "factors_word"],
            p=len(res.ov_names),
            estimator_text=est_text,
            n=n_used,
            missing_text=missing_text,
        )
    )
    if ctx.ordinal_reason:
        reason = ctx.ordinal_reason if lang == "en" else ordinal_reason_fi(ctx.ordinal_reason)
        section.paragraphs.append(t["why_ordinal"].format(reason=reason))
    if dropped and n_total and dropped / n_total > LISTWISE_LOSS_WARNING:
        warn(
            ctx,
            section,
            t["listwise_loss"].format(
                dropped=dropped,
                total=n_total,
                pct=f"{100 * dropped / n_total:.0f}" + ("\u00a0%" if lang == "fi" else "%"),
                n=n_used,
            ),
        )

    # --- convergence and improper solutions -------------------------------------------------------
    if not res.converged:
        warn(ctx, section, t["not_converged"])
    else:
        _heywood(ctx, section, res, labels)
    ratio = n_used / res.npar if res.npar else float("inf")
    if ratio < CASES_PER_PARAMETER:
        warn(
            ctx,
            section,
            t["cases_per_parameter"].format(ratio=f"{ratio:.1f}", n=n_used, npar=int(res.npar)),
        )
    engine = _engine_notes(res)
    if engine:
        notes_out.extend(engine)
        notes = " ".join(engine_text(n, lang) for n in engine)
        section.paragraphs.append(t["engine_notes"].format(notes=notes))

    # --- fit --------------------------------------------------------------------------------------
    fm = {k: (float(v) if finite(v) else None) for k, v in res.fit_measures().items()}
    results["fit_measures"] = fm
    fit = reported_fit(res, lang, settings["ordinal"]) if res.converged else None
    results["fit"] = fit
    ctx.found["cfa_fit"] = fit
    fit_text = ""
    if fit is not None:
        fit_text = fit_intro(fit, lang) + fit_sentence(fit, lang)
        section.paragraphs.append(fit_text + ".")
        if fit.get("reason"):
            reason = engine_text(fit["reason"], lang)
            section.paragraphs.append(t["fit_fallback"].format(reason=reason))
        elif finite(fm.get("chisq.scaling.factor")) and not finite(fm.get("cfi.robust")):
            # WLSMV reports the scaled indices; the robust ones are NA here, and lavaan's would be too
            why = _robust_reason(res) or t["fit_fallback_generic"]
            results["robust_na_reason"] = why
            section.paragraphs.append(t["robust_na"].format(reason=engine_text(why, lang)))
        section.paragraphs.append(fit_judgement(fit, lang))
        ctx.summary.append(
            t["summary_fit"].format(
                estimator=est,
                n=n_used,
                fit=fit_sentence(fit, lang),
                verdict=t[f"summary_{fit['verdict']}"],
            )
        )

    # --- loadings ---------------------------------------------------------------------------------
    std = res.standardized()
    ov = set(res.ov_names)
    load = std[(std["op"] == "=~") & std["rhs"].isin(ov)].rename(columns={"est.std": "std"})
    r2 = res.r_squared()
    load["r2"] = [float(r2.get(i, np.nan)) for i in load["rhs"]]
    results["standardized"] = records(std)
    results["estimates"] = records(res.parameter_estimates())
    results["r_squared"] = {str(k): float(v) for k, v in r2.items()}
    results["loadings"] = [
        {
            "factor": r.lhs,
            "item": r.rhs,
            "std_all": float(r.std),
            "se": float(r.se),
            "z": float(r.z),
            "pvalue": float(r.pvalue),
            "r2": float(r.r2),
        }
        for r in load.itertuples()
    ]
    results["factor_correlations"] = matrix(res.factor_correlations())
    has_text = ctx.instrument is not None
    rows = []
    for r in load.itertuples():
        row = {
            t["col_construct"]: labels.get(r.lhs, r.lhs),
            t["col_item"]: r.rhs,
        }
        if has_text:
            row[t["col_wording"]] = item_wording(ctx, r.rhs)
        row.update(
            {
                t["col_loading"]: float(r.std),
                t["col_z"]: float(r.z),
                t["col_p"]: float(r.pvalue),
                t["col_r2"]: float(r.r2),
            }
        )
        rows.append(row)
    frame = pd.DataFrame(rows)
    kinds = {
        t["col_construct"]: "text",
        t["col_item"]: "text",
        t["col_loading"]: "bounded",
        t["col_z"]: "stat",
        t["col_p"]: "p",
        t["col_r2"]: "bounded",
    }
    if has_text:
        kinds[t["col_wording"]] = "text"
    se_key = "se_MLR" if est == "MLR" else ("se_WLSMV" if settings["ordinal"] else "se_ML")
    note = (
        t["loadings_note"]
        .format(
            se=t[se_key],
            r2_ordinal=t["r2_ordinal"] if settings["ordinal"] else "",
            fit=(fit_intro(fit, lang) + fit_sentence(fit, lang) + ".") if fit else "",
            cutoffs=t["cutoffs"] if fit else "",
        )
        .strip()
    )
    section.tables.append(
        Table(
            id="cfa_loadings",
            title=t["loadings_title"],
            frame=frame,
            kinds=kinds,
            decimals={t["col_z"]: 2},
            note=note,
        )
    )
    lam = load["std"].to_numpy(dtype=float)
    if lam.size and res.converged:
        section.paragraphs.append(
            t["loadings_range"].format(
                lo=num(np.min(lam)), hi=num(np.max(lam)), med=num(np.median(lam))
            )
        )
    weak = load[np.abs(load["std"]) < WEAK_LOADING]
    results["weak_items"] = [
        {"item": r.rhs, "factor": r.lhs, "std_all": float(r.std)} for r in weak.itertuples()
    ]
    if res.converged and len(weak):
        names = join_list([f"{r.rhs} (λ = {num(r.std)})" for r in weak.itertuples()], lang)
        warn(ctx, section, t["weak_items"].format(items=names), summary=False)
        ctx.warn(t["weak_summary"].format(items=names))
    elif res.converged and lam.size:
        section.paragraphs.append(t["all_strong"])
    negative = load[load["std"] < 0]
    if res.converged and len(negative):
        section.paragraphs.append(
            t["negative_items"].format(items=join_list(list(negative["rhs"]), lang))
        )

    # --- reliability per construct ----------------------------------------------------------------
    cr, av = _reliability(ctx, section, res, settings)
    results["composite_reliability"] = {str(k): float(v) for k, v in cr.items()}
    results["ave"] = {str(k): float(v) for k, v in av.items()}
    results["cr_method"] = "ordinal (Green & Yang 2009)" if settings["ordinal"] else "omega"
    alpha = _alphas(ctx, factors)
    results["alpha"] = alpha
    ctx.found["cfa_cr"] = cr
    ctx.found["cfa_ave"] = av
    rel_rows = [
        {
            t["col_construct"]: labels.get(f, f),
            t["col_k"]: len(indicators[f]),
            t["col_alpha"]: alpha.get(f),
            t["col_cr"]: float(cr.get(f, np.nan)),
            t["col_ave"]: float(av.get(f, np.nan)),
        }
        for f in factors
    ]
    section.tables.append(
        Table(
            id="cfa_reliability",
            title=t["reliability_title"],
            frame=pd.DataFrame(rel_rows),
            kinds={
                t["col_construct"]: "text",
                t["col_k"]: "int",
                t["col_alpha"]: "bounded",
                t["col_cr"]: "bounded",
                t["col_ave"]: "bounded",
            },
            note=t["reliability_note"].format(
                cr_method=t["cr_ordinal" if settings["ordinal"] else "cr_continuous"],
                ave_method=t["ave_ordinal" if settings["ordinal"] else "ave_continuous"],
            ),
        )
    )
    if res.converged:
        low_ave = [labels.get(f, f) for f in factors if finite(av.get(f)) and av[f] < 0.50]
        low_cr = [labels.get(f, f) for f in factors if finite(cr.get(f)) and cr[f] < 0.70]
        if low_ave:
            warn(ctx, section, t["low_ave"].format(items=join_list(low_ave, lang)))
        if low_cr:
            warn(ctx, section, t["low_cr"].format(items=join_list(low_cr, lang)))

    # --- second-order model ----------------------------------------------------------------------
    second = _second_order(ctx, section, res, settings, data, labels)
    results["second_order"] = second

    # --- fit table ---------------------------------------------------------------------------------
    if res.converged:
        section.tables.append(_fit_table(ctx, res, second, settings))

    # --- path diagram ----------------------------------------------------------------------------
    if res.converged:
        section.figures.append(_path_figure(ctx, res, labels))

    # --- modification indices and residual correlations -----------------------------------------
    if res.converged:
        results["modification_indices"] = _modindices(ctx, section, res, labels)
        results["residual_correlations"] = _residuals(ctx, section, res, settings)
    else:
        results["modification_indices"] = []
        results["residual_correlations"] = []
    results["warnings"] = list(section.warnings)
    results["notes"] = notes_out + list(settings["notes"])
    ctx.results["cfa"] = results


def _heywood(ctx: Any, section: Section, res: Any, labels: dict[str, str]) -> None:
    t = TEXT[ctx.lang]
    theta = res.residual_variances()
    neg_items = [str(i) for i, v in theta.items() if v < 0]
    if neg_items:
        warn(ctx, section, t["heywood_item"].format(items=join_list(neg_items, ctx.lang)))
    phi = res.factor_covariances()
    neg_f = [labels.get(f, f) for f in phi.index if phi.loc[f, f] < 0]
    if neg_f:
        warn(ctx, section, t["heywood_factor"].format(items=join_list(neg_f, ctx.lang)))
    lam = res.loadings(standardized=True)
    over = sorted({str(i) for i in lam.index if (lam.loc[i].abs() > 1.0).any()})
    if over:
        warn(ctx, section, t["heywood_loading"].format(items=join_list(over, ctx.lang)))


_COVERED = (
    "heywood case",
    "small sample",
    "did not converge",
    "listwise deletion",
    "were left out",
    "standardized loading",
)


def _engine_notes(res: Any) -> list[str]:
    """The estimation's own remarks that the section does not already phrase itself."""
    out = []
    for note in list(getattr(res, "warnings", []) or []) + list(getattr(res, "notes", []) or []):
        low = note.lower()
        if any(c in low for c in _COVERED) or "robust" in low:
            continue
        if note not in out:
            out.append(note)
    return out


def _reliability(
    ctx: Any, section: Section, res: Any, settings: dict[str, Any]
) -> tuple[pd.Series, pd.Series]:
    from moscale.analysis.validity import ave, composite_reliability

    t = TEXT[ctx.lang]
    empty = pd.Series(dtype=float)
    if not res.converged:
        return empty, empty
    try:
        if settings["ordinal"]:
            from moscale.analysis.cfa.wls import ordinal_composite_reliability

            tab = ordinal_composite_reliability(res)
            cr = pd.Series(tab["omega"].to_numpy(dtype=float), index=tab["factor"], name="omega")
        else:
            cr = composite_reliability(res)
        av = ave(res)
    except (UserError, np.linalg.LinAlgError) as exc:
        warn(ctx, section, t["cr_failed"].format(error=error_text(exc, ctx.lang)), summary=False)
        return empty, empty
    return cr, av


def _alphas(ctx: Any, factors: list[str]) -> dict[str, float | None]:
    """Cronbach's alpha per factor from the reliability section (``ctx.found["reliability"]``)."""
    found = ctx.found.get("reliability")
    keys = dimension_keys(ctx)
    out: dict[str, float | None] = {}
    for f in factors:
        value = None
        if isinstance(found, dict):
            entry = found.get(keys.get(f, f), found.get(f))
            if entry is not None:
                value = getattr(entry, "alpha", None)
                if value is None and isinstance(entry, dict):
                    value = entry.get("alpha")
        out[f] = float(value) if finite(value) else None
    return out


def _second_order(
    ctx: Any,
    section: Section,
    res: Any,
    settings: dict[str, Any],
    data: pd.DataFrame,
    labels: dict[str, str],
) -> dict[str, Any] | None:
    """Fit the higher-order model the instrument defines (``scale.higher_order``), if any."""
    from moscale.analysis.pipeline import factor_name

    t = TEXT[ctx.lang]
    higher = getattr(ctx.dataset, "higher_order", None) or {}
    if not higher or not res.converged:
        return None
    names = higher_order_labels(ctx)
    first = set(res.indicators)
    lines = []
    fitted: dict[str, list[str]] = {}
    for key, dims in higher.items():
        lower = [factor_name(d) for d in dims if factor_name(d) in first]
        name = factor_name(key)
        label = names.get(key, key)
        if name in first or name in res.lv_names:
            continue
        if len(lower) < 3:
            section.paragraphs.append(t["second_too_few"].format(higher=label, k=len(lower)))
            continue
        lines.append(f"{name} =~ " + " + ".join(lower))
        fitted[name] = lower
    if not lines:
        return None
    model = ctx.model.rstrip() + "\n" + "\n".join(lines)
    label_list = join_list([names.get(dimension_keys(ctx).get(n, n), n) for n in fitted], ctx.lang)
    try:
        so = fit_model(model, data, settings)
    except (UserError, np.linalg.LinAlgError, FloatingPointError) as exc:
        warn(
            ctx,
            section,
            t["second_failed"].format(higher=label_list, error=error_text(exc, ctx.lang)),
            summary=False,
        )
        return {"model": model, "fitted": False, "error": error_text(exc)}
    ctx.found["cfa_second_order"] = so
    out: dict[str, Any] = {
        "model": model,
        "fitted": True,
        "converged": bool(so.converged),
        "factors": fitted,
        "labels": {n: names.get(dimension_keys(ctx).get(n, n), n) for n in fitted},
    }
    if not so.converged:
        warn(ctx, section, t["second_not_converged"], summary=False)
        return out
    fm = {k: (float(v) if finite(v) else None) for k, v in so.fit_measures().items()}
    out["fit_measures"] = fm
    out["fit"] = reported_fit(so, ctx.lang, settings["ordinal"])
    std = so.standardized()
    sel = std[(std["op"] == "=~") & std["lhs"].isin(list(fitted))]
    sel = sel.rename(columns={"est.std": "std"})
    out["loadings"] = [
        {"factor": r.lhs, "lower": r.rhs, "std_all": float(r.std), "z": float(r.z)}
        for r in sel.itertuples()
    ]
    out["standardized"] = records(std)
    all_labels = {**labels, **out["labels"]}
    for name, lower in fitted.items():
        parts = [
            f"{all_labels.get(r.rhs, r.rhs)} {num(r.std)}"
            for r in sel[sel["lhs"] == name].itertuples()
        ]
        section.paragraphs.append(
            t["second_intro"].format(
                lower=join_list([all_labels.get(x, x) for x in lower], ctx.lang),
                higher=all_labels.get(name, name),
                loadings=", ".join(parts),
            )
        )
    first_fit = reported_fit(res, ctx.lang, settings["ordinal"])
    second_fit = out["fit"]
    if finite(first_fit.get("cfi")) and finite(second_fit.get("cfi")):
        section.paragraphs.append(
            t["second_compare"].format(
                dcfi=_signed(second_fit["cfi"] - first_fit["cfi"], ctx.lang),
                drmsea=_signed(second_fit["rmsea"] - first_fit["rmsea"], ctx.lang)
                if finite(second_fit.get("rmsea")) and finite(first_fit.get("rmsea"))
                else "—",
            )
        )
    return out


def _signed(value: float, lang: str = "en") -> str:
    """``+.012`` / ``−.004``; a change that rounds to zero is said in words."""
    if abs(value) < 0.0005:
        return "alle .001" if lang == "fi" else "less than .001"
    text = format_value(abs(value), "bounded", 3)
    return ("+" if value >= 0 else "\u2212") + text


def _fit_rows(fm: dict[str, Any], model_label: str, t: dict[str, str]) -> list[dict]:
    rows = []
    versions = [("standard", "")]
    if finite(fm.get("chisq.scaling.factor")):
        versions.append(("scaled", ".scaled"))
        if any(finite(fm.get(f"{k}.robust")) for k in ("cfi", "rmsea")):
            versions.append(("robust", ".robust"))
    for version, suffix in versions:
        robust = version == "robust"
        rows.append(
            {
                t["col_model"]: model_label,
                t["col_version"]: t[f"version_{version}"],
                t["col_chisq"]: None if robust else fm.get("chisq" + suffix),
                t["col_df"]: None if robust else fm.get("df.scaled" if suffix else "df"),
                t["col_p"]: None if robust else fm.get("pvalue" + suffix),
                t["col_scaling"]: fm.get("chisq.scaling.factor") if version == "scaled" else None,
                t["col_cfi"]: fm.get("cfi" + suffix),
                t["col_tli"]: fm.get("tli" + suffix),
                t["col_rmsea"]: fm.get("rmsea" + suffix),
                t["col_rmsea_lo"]: fm.get("rmsea.ci.lower" + suffix),
                t["col_rmsea_hi"]: fm.get("rmsea.ci.upper" + suffix),
                t["col_srmr"]: fm.get("srmr") if version == "standard" else None,
            }
        )
    return rows


def _fit_table(ctx: Any, res: Any, second: dict[str, Any] | None, settings: dict) -> Table:
    t = TEXT[ctx.lang]
    fm = res.fit_measures()
    rows = _fit_rows(fm, t["model_first"], t)
    if second and second.get("fit_measures"):
        rows += _fit_rows(second["fit_measures"], t["model_second"], t)
    frame = pd.DataFrame(rows)
    for col in frame.columns[2:]:
        frame[col] = pd.to_numeric(frame[col], errors="coerce")
    kinds = {t["col_model"]: "text", t["col_version"]: "text", t["col_p"]: "p"}
    for col in ("col_cfi", "col_tli", "col_rmsea", "col_rmsea_lo", "col_rmsea_hi", "col_srmr"):
        kinds[t[col]] = "bounded"
    decimals = {t[c]: 3 for c in ("col_cfi", "col_tli", "col_rmsea", "col_rmsea_lo")}
    decimals.update({t["col_rmsea_hi"]: 3, t["col_srmr"]: 3, t["col_scaling"]: 3})
    decimals[t["col_df"]] = 0 if frame[t["col_df"]].dropna().mod(1).eq(0).all() else 2
    key = "WLSMV" if settings["ordinal"] else "MLR"
    note = t["fit_table_note"].format(
        scaled_test=t[f"scaled_test_{key}"],
        robust_ref=t[f"robust_ref_{key}"],
        cutoffs=t["cutoffs"],
    )
    return Table(
        id="cfa_fit",
        title=t["fit_title"],
        frame=frame,
        kinds=kinds,
        decimals=decimals,
        note=note,
    )


def _path_figure(ctx: Any, res: Any, labels: dict[str, str]) -> Figure:
    from moscale.analysis.plots import path_diagram

    t = TEXT[ctx.lang]
    lam = res.loadings(standardized=True)
    factors = list(res.indicators)
    abbr = abbreviations({f: labels.get(f, f) for f in factors})
    loadings = {abbr[f]: {i: float(lam.loc[i, f]) for i in res.indicators[f]} for f in factors}
    cor = res.factor_correlations().loc[factors, factors]
    cor = cor.rename(index=abbr, columns=abbr)
    svg = path_diagram(loadings, cor if len(factors) > 1 else None, title=t["path_title"])
    legend = "; ".join(
        f"{abbr[f]} = {labels.get(f, f)}" for f in factors if abbr[f] != labels.get(f)
    )
    return Figure(
        id="cfa_path",
        title=t["path_title"],
        svg=svg,
        caption=t["path_caption"].format(legend=(legend + ".") if legend else "").strip(),
    )


def _modindices(ctx: Any, section: Section, res: Any, labels: dict[str, str]) -> list[dict]:
    t = TEXT[ctx.lang]
    try:
        mi = res.modification_indices(minimum=MI_MINIMUM)
    except (UserError, np.linalg.LinAlgError) as exc:
        section.paragraphs.append(t["mi_unavailable"].format(error=error_text(exc, ctx.lang)))
        return []
    mi = mi.sort_values("mi", ascending=False).head(MI_TOP).reset_index(drop=True)
    out = records(mi)
    mi = mi.rename(columns={"sepc.all": "sepc_all"})
    if mi.empty:
        section.paragraphs.append(t["mi_none"])
        return out
    lv = set(res.lv_names)
    rows = []
    for r in mi.itertuples():
        parameter = f"{r.lhs} {r.op} {r.rhs}"
        if r.op == "=~":
            meaning = t["mi_cross"].format(item=r.rhs, factor=labels.get(r.lhs, r.lhs))
        elif r.op == "~~" and r.lhs in lv and r.rhs in lv:
            meaning = t["mi_factor"].format(a=labels.get(r.lhs, r.lhs), b=labels.get(r.rhs, r.rhs))
        elif r.op == "~~":
            meaning = t["mi_resid"].format(a=r.lhs, b=r.rhs)
        else:
            meaning = t["mi_other"].format(parameter=parameter)
        rows.append(
            {
                t["col_parameter"]: parameter,
                t["col_meaning"]: meaning,
                t["col_mi"]: float(r.mi),
                t["col_epc"]: float(r.epc),
                t["col_sepc"]: float(r.sepc_all),
            }
        )
    section.tables.append(
        Table(
            id="cfa_modindices",
            title=t["mi_title"],
            frame=pd.DataFrame(rows),
            kinds={
                t["col_parameter"]: "text",
                t["col_meaning"]: "text",
                t["col_mi"]: "stat",
                t["col_epc"]: "stat",
                t["col_sepc"]: "stat",
            },
            note=t["mi_note"] + (t["mi_note_dwls"] if ctx.ordinal else ""),
        )
    )
    return out


def _residuals(ctx: Any, section: Section, res: Any, settings: dict[str, Any]) -> list[dict]:
    t = TEXT[ctx.lang]
    r = res.residuals(type="cor")
    names = list(r.index)
    vals = r.to_numpy(dtype=float)
    iu = np.triu_indices(len(names), 1)
    big = np.abs(vals[iu]) > RESIDUAL_MINIMUM
    pairs = [
        {"item1": names[i], "item2": names[j], "residual": float(vals[i, j])}
        for i, j, b in zip(iu[0], iu[1], big, strict=True)
        if b
    ]
    pairs.sort(key=lambda d: -abs(d["residual"]))
    if not pairs:
        section.paragraphs.append(t["resid_none"])
        return pairs
    shown = pairs[:RESIDUALS_SHOWN]
    frame = pd.DataFrame(
        {
            t["col_item1"]: [p["item1"] for p in shown],
            t["col_item2"]: [p["item2"] for p in shown],
            t["col_resid"]: [p["residual"] for p in shown],
        }
    )
    extra = (
        t["resid_shown"].format(shown=len(shown), total=len(pairs))
        if len(pairs) > len(shown)
        else t["resid_all"].format(total=len(pairs))
    )
    section.tables.append(
        Table(
            id="cfa_residuals",
            title=t["resid_title"],
            frame=frame,
            kinds={t["col_item1"]: "text", t["col_item2"]: "text", t["col_resid"]: "bounded"},
            decimals={t["col_resid"]: 3},
            note=t["resid_note"].format(
                ordinal=t["resid_ordinal"] if settings["ordinal"] else "", shown=extra
            ),
        )
    )
    return pairs
