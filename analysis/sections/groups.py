"""Report section "groups": measurement invariance across each group variable, then observed-score
comparisons of the dimension scores, with what may be compared given the invariance reached.

For each group variable (``ctx.options.groups``):

1. Groups (answers of the variable) with fewer than :data:`MIN_GROUP_N` respondents are left out and
   reported, with the hint to merge them by recoding; they are never merged silently.
2. Measurement invariance (:func:`moscale.analysis.invariance.invariance`) of the measurement model:
   the whole model when every group has at least :data:`CASES_PER_PARAMETER` usable cases per free
   parameter of a group's model (Bentler & Chou, 1987), otherwise each dimension's one-factor model
   on its own (the report says which). Factors are identified by unit variances (``std_lv``), so
   that every loading, the first included, can be released: a non-invariant marker item would
   otherwise go unnoticed (Cheung & Rensvold, 1999). Failing steps are followed by the automatic
   partial-invariance search; released parameters are always reported as such.
3. Observed-score comparisons (:func:`moscale.analysis.groups.compare_groups`, Welch tests, Holm
   adjustment, Games–Howell post hoc) of the dimension scores (:func:`moscale.analysis.scoring.score`),
   told the invariance level each score reached. A score whose own items needed a released parameter
   is compared at the highest level reached with all its parameters equal (its observed mean still
   contains the non-invariant item).

JSON: ``ctx.results["groups"]`` (documented in ``docs/results/groups.md``). Objects for the methods
section: ``ctx.found["groups"]`` (per variable: invariance results, levels per dimension, the
comparison).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from moscale.errors import UserError

from ..report import Figure, Section
from ..tables import Table, format_value
from .engine_fi import engine_text

STEP = "measurement invariance and group comparisons"

#: Groups with fewer respondents are left out of the invariance tests and the comparisons.
MIN_GROUP_N = 30
#: The whole model is tested when every group has this many usable cases per free parameter.
CASES_PER_PARAMETER = 5
#: Invariance levels in increasing order (as moscale.analysis.groups.INVARIANCE_LEVELS).
LEVELS = ("none", "configural", "metric", "scalar", "strict")
#: Which level a released parameter's kind belongs to.
_KIND_LEVEL = {"=~": "metric", "~1": "scalar", "|": "scalar", "~~": "strict"}

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Groups: measurement invariance and group comparisons",
        "no_groups_column": "The group variable {group} has no column in the data; it was skipped.",
        "small_groups": (
            "{group}: {groups} had fewer than {min} respondents and {verb} left out of the "
            "invariance tests and the comparisons (not merged with other groups)."
        ),
        "small_hint": (
            "To include them, merge them with similar groups by recoding the column (e.g. into "
            "'other') and run the analysis again."
        ),
        "too_few_groups": (
            "{group}: fewer than two groups with at least {min} respondents remain, so nothing can "
            "be compared across {group}."
        ),
        "group_sizes": "{group}: {sizes}.",
        "unit_model": (
            "Measurement invariance across {group} was tested on the whole measurement model "
            "({n_factors} factors) in one multi-group CFA per step ({estimator})."
        ),
        "unit_factor": (
            "Measurement invariance across {group} was tested dimension by dimension (a one-factor "
            "model each, {estimator}): the smallest group has {n_min} usable cases for the "
            "{npar} free parameters per group of the whole model, fewer than the {cpp} cases per "
            "parameter it needs (Bentler & Chou, 1987)."
        ),
        "identification": (
            "Factors are identified by fixing their variance to 1 in the first group ({ref}), so "
            "that every loading can be tested and released. Each step is compared with the last "
            "step that held; decision rule: {rule}. A failing step is followed by a search that "
            "releases one constraint at a time, largest score test first."
        ),
        "no_model": (
            "{group}: there is no reflective measurement model, so measurement invariance was not "
            "tested; observed means are compared without that check."
        ),
        "too_few_items": "{dim} has fewer than three items, so its invariance was not tested alone.",
        "failed": "Invariance across {group} could not be tested for {what}: {message}",
        "failed_hint": "What to do: {hint}",
        "whole_model": "the measurement model",
        "level_full": "{dim}: {level} holds.",
        "level_partial": (
            "{dim}: {level} holds only partially: the equality constraint(s) on {params} "
            "{were} released by the automatic search. The partial model was found by a "
            "specification search, so it should be confirmed in new data (MacCallum, Roznowski & "
            "Necowitz, 1992)."
        ),
        "level_user_partial": ("{dim}: {level} holds only partially (released: {params})."),
        "where": (
            "The first parameter released, {param}, differs most between {a} and {b} (score "
            "test χ²(1) = {x2})."
        ),
        "level_none": (
            "{dim}: even the configural model does not fit across the groups, so the factor "
            "structure itself differs or fits poorly."
        ),
        "compare_scalar": "Means may be compared for {dims} (scalar or strict invariance).",
        "compare_metric": (
            "For {dims} only metric invariance holds for every item: relations (correlations, "
            "regression slopes) may be compared across groups, means may not."
        ),
        "compare_configural": (
            "For {dims} only the factor structure is the same (configural invariance): neither "
            "means nor relations are comparable."
        ),
        "compare_none": "For {dims} the groups cannot be compared (no invariance).",
        "compare_untested": (
            "For {dims} invariance was not tested; mean differences may reflect how the items work "
            "rather than the construct."
        ),
        "partial_means": (
            "For {dims} only partial invariance holds ({level} after releasing parameters of "
            "their items): their observed means contain the non-invariant item(s) and should not "
            "be compared as they are; their latent means in the partial model can be (table of "
            "latent means)."
        ),
        "partial_relations": (
            "For {dims} only partial invariance holds ({level} after releasing parameters of "
            "their items): observed scores are not comparable across the groups; relations may "
            "be compared in the partial latent model only."
        ),
        "comparison_failed": "The group comparison across {group} failed: {message}",
        "warn_level": (
            "{group}: full {step} does not hold for {dim} (level reached: {reached}); "
            "see the groups section before comparing means."
        ),
        "partial_word": "partial",
        "significant": (
            "After Holm's adjustment across the {k} dimensions, {dims} differ between the groups "
            "(p < .05)."
        ),
        "none_significant": (
            "After Holm's adjustment across the {k} dimensions, no dimension score differs "
            "between the groups at p < .05."
        ),
        "significant_one": "{dims} differs between the groups (p < .05).",
        "none_significant_one": "{dims} does not differ between the groups at p < .05.",
        "ladder_title": "Measurement invariance across {group}",
        "ladder_note": (
            "{chisq} Δχ² is the {difference} of each model against the last model that held. "
            "Decision rule: {rule}. Configural model: {configural}. Models marked partial have "
            "released parameters."
        ),
        "chisq_ml": "χ² is the likelihood-ratio statistic (ML).",
        "chisq_mlr": (
            "χ² is the Yuan–Bentler scaled statistic (MLR); CFI, TLI and RMSEA are the robust "
            "versions (Brosseau-Liard & Savalei, 2014)."
        ),
        "chisq_wlsmv": "χ² is the scaled-and-shifted statistic (WLSMV); CFI, TLI and RMSEA are scaled.",
        "diff_ml": "likelihood-ratio (χ² difference) test",
        "diff_mlr": "Satorra–Bentler (2001) scaled difference test",
        "diff_wlsmv": "Satorra (2000) scaled-and-shifted difference test",
        "chart_title": "Fit across the invariance steps: {group}",
        "chart_caption": (
            "CFI and RMSEA of the model accepted at each step (partial where parameters were "
            "released); a drop in CFI larger than {cfi} or a rise in RMSEA larger than {rmsea} "
            "fails the step."
        ),
        "search_title": "Parameters released in the partial-invariance search: {group}",
        "search_note": (
            "Each row is one parameter freed in every group, chosen by the largest score test "
            "(Sörbom, 1989) of the constraints of the failing step; the refitted model is judged "
            "by the same rule. Found by a search: confirm in new data."
        ),
        "latent_title": "Latent mean differences across {group} (partial or full scalar model)",
        "latent_note": (
            "Latent means relative to the reference group {ref} (whose means are fixed at 0), in "
            "units of the factor; d = difference divided by the pooled latent SD."
        ),
        "desc_title": "Dimension scores by {group}: means with 95% confidence intervals",
        "desc_note": "Scores are the means of the dimension's items; CI = t-based 95% interval.",
        "tests_title": "Group differences in the dimension scores across {group}",
        "tests_note": (
            "{tests} p (Holm) = p adjusted across the dimensions with Holm's (1979) method. "
            "Effect sizes with 95% CIs: {effects}. The rank-based test ({rank}) is given as a "
            "check. Invariance = the level reached by the dimension's items; means are comparable "
            "from scalar invariance on."
        ),
        "tests_2": "Welch's t test (Welch, 1947).",
        "tests_k": "Welch's ANOVA (Welch, 1951).",
        "effect_2": "Hedges' g (Hedges & Olkin, 1985)",
        "effect_k": "η² (CI from the noncentral F; Steiger, 2004)",
        "posthoc_title": "Pairwise comparisons across {group} (Games–Howell)",
        "posthoc_note": (
            "Games–Howell (1976) contrasts: unequal variances and group sizes; p adjusted within "
            "each dimension; g = Hedges' g."
        ),
        "means_title": "Dimension scores by {group}",
        "means_caption": "Means with 95% confidence intervals.",
        "comparable": "comparable",
        "not_comparable": "not comparable",
        "and": "and",
        "was": "was",
        "were": "were",
        "col_dimension": "Dimension",
        "col_model": "Model",
        "col_decision": "Decision",
        "col_group": "Group",
        "col_test": "Test",
        "col_statistic": "Statistic",
        "col_p_holm": "p (Holm)",
        "col_effect": "Effect size",
        "col_estimate": "Estimate",
        "col_ci_lower": "95% CI lower",
        "col_ci_upper": "95% CI upper",
        "col_rank_test": "Rank test",
        "col_rank_p_holm": "Rank test p (Holm)",
        "col_invariance": "Invariance",
        "col_parameter": "Parameter",
        "col_step": "Step",
        "col_score_test": "Score test χ²",
        "col_mean": "Mean",
        "col_group_a": "Group A",
        "col_group_b": "Group B",
        "col_diff": "Difference",
        "reference": "reference",
        "hedges_g": "Hedges' g",
        "eta2": "η²",
    },
    "fi": {
        "title": "Ryhmät: mittausinvarianssi ja ryhmävertailut",
        "no_groups_column": "Ryhmämuuttujalle {group} ei ole saraketta aineistossa; se ohitettiin.",
        "small_groups": (
            "{group}: ryhmissä {groups} oli alle {min} vastaajaa, joten ne jätettiin pois "
            "invarianssitesteistä ja vertailuista (niitä ei yhdistetty muihin ryhmiin)."
        ),
        "small_hint": (
            "Jos haluat ne mukaan, yhdistä ne samankaltaisiin ryhmiin koodaamalla sarake uudelleen "
            "(esim. ryhmäksi 'muu') ja aja analyysi uudelleen."
        ),
        "too_few_groups": (
            "{group}: vähintään {min} vastaajan ryhmiä on alle kaksi, joten ryhmiä ei voi verrata."
        ),
        "group_sizes": "{group}: {sizes}.",
        "unit_model": (
            "Mittausinvarianssi ryhmien välillä (ryhmittelijä: {group}) testattiin koko mittausmallille "
            "({n_factors} faktoria) yhdellä monen ryhmän CFA:lla kussakin vaiheessa ({estimator})."
        ),
        "unit_factor": (
            "Mittausinvarianssi ryhmien välillä (ryhmittelijä: {group}) testattiin ulottuvuus kerrallaan "
            "(kullekin yhden faktorin malli, {estimator}): pienimmässä ryhmässä on {n_min} "
            "käyttökelpoista havaintoa koko mallin {npar} ryhmäkohtaiselle vapaalle parametrille, "
            "vähemmän kuin tarvittavat {cpp} havaintoa parametria kohden (Bentler & Chou, 1987)."
        ),
        "identification": (
            "Faktorit identifioitiin kiinnittämällä niiden varianssi ykköseksi ensimmäisessä "
            "ryhmässä ({ref}), jotta jokainen lataus voidaan testata ja vapauttaa. Kutakin vaihetta "
            "verrataan viimeisimpään hyväksyttyyn vaiheeseen; päätössääntö: {rule}. Jos vaihe ei "
            "päde, rajoitteita vapautetaan yksi kerrallaan suurimmasta score-testistä alkaen."
        ),
        "no_model": (
            "{group}: reflektiivistä mittausmallia ei ole, joten mittausinvarianssia ei testattu; "
            "havaittuja keskiarvoja verrataan ilman tätä tarkistusta."
        ),
        "too_few_items": (
            "Ulottuvuudella {dim} on alle kolme osiota, joten sen invarianssia ei testattu erikseen."
        ),
        "failed": "Invarianssia ryhmien välillä (ryhmittelijä: {group}) ei voitu testata ({what}): {message}",
        "failed_hint": "Mitä tehdä: {hint}",
        "whole_model": "mittausmalli",
        "level_full": "{dim}: {level} pätee.",
        "level_partial": (
            "{dim}: {level} pätee vain osittain: parametrien {params} yhtäsuuruus"
            "rajoitteet vapautettiin automaattisessa haussa. Osittainen malli löytyi "
            "spesifikaatiohaulla, joten se pitäisi vahvistaa uudessa aineistossa (MacCallum, "
            "Roznowski & Necowitz, 1992)."
        ),
        "level_user_partial": ("{dim}: {level} pätee vain osittain (vapautettu: {params})."),
        "where": (
            "Ensimmäisenä vapautettu parametri {param} eroaa eniten ryhmien {a} ja {b} välillä "
            "(score-testi χ²(1) = {x2})."
        ),
        "level_none": (
            "{dim}: edes konfiguraalinen malli ei sovi ryhmiin, joten jo faktorirakenne eroaa "
            "ryhmien välillä tai sopii huonosti."
        ),
        "compare_scalar": (
            "Keskiarvoja voi verrata ulottuvuuksilla {dims} (skalaari- tai tiukka invarianssi)."
        ),
        "compare_metric": (
            "Ulottuvuuksilla {dims} kaikkien osioiden osalta pätee vain metrinen invarianssi: "
            "yhteyksiä (korrelaatioita, regressiokertoimia) voi verrata ryhmien välillä, "
            "keskiarvoja ei."
        ),
        "compare_configural": (
            "Ulottuvuuksilla {dims} vain faktorirakenne on sama (konfiguraalinen invarianssi): "
            "keskiarvot ja yhteydet eivät ole vertailukelpoisia."
        ),
        "compare_none": "Ulottuvuuksilla {dims} ryhmiä ei voi verrata (invarianssi ei päde).",
        "compare_untested": (
            "Ulottuvuuksilla {dims} invarianssia ei testattu; keskiarvoerot voivat johtua osioiden "
            "toiminnasta eivätkä käsitteestä."
        ),
        "partial_means": (
            "Ulottuvuuksilla {dims} pätee vain osittainen invarianssi ({level}, kun osa niiden "
            "osioiden parametreista vapautettiin): havaitut keskiarvot sisältävät ei-invariantit "
            "osiot, joten niitä ei pidä verrata sellaisinaan; osittaisen mallin "
            "latenttikeskiarvoja voi verrata (latenttikeskiarvojen taulukko)."
        ),
        "partial_relations": (
            "Ulottuvuuksilla {dims} pätee vain osittainen invarianssi ({level}, kun osa niiden "
            "osioiden parametreista vapautettiin): havaitut pistemäärät eivät ole "
            "vertailukelpoisia ryhmien välillä; yhteyksiä voi verrata vain osittaisessa "
            "latenttimallissa."
        ),
        "comparison_failed": "Ryhmävertailu (ryhmittelijä: {group}) epäonnistui: {message}",
        "warn_level": (
            "{group}: täysi {step} ei päde ulottuvuudella {dim} (saavutettu taso: "
            "{reached}); katso ryhmäosio ennen keskiarvojen vertailua."
        ),
        "partial_word": "osittainen",
        "significant": (
            "Holmin korjauksen jälkeen ({k} ulottuvuutta) ryhmät eroavat ulottuvuuksilla {dims} "
            "(p < .05)."
        ),
        "none_significant": (
            "Holmin korjauksen jälkeen ({k} ulottuvuutta) ryhmät eivät eroa millään ulottuvuudella "
            "(p < .05)."
        ),
        "significant_one": "Ryhmät eroavat ulottuvuudella {dims} (p < .05).",
        "none_significant_one": "Ryhmät eivät eroa ulottuvuudella {dims} (p < .05).",
        "ladder_title": "Mittausinvarianssi: {group}",
        "ladder_note": (
            "{chisq} Δχ² on {difference}, jossa kutakin mallia verrataan viimeisimpään "
            "hyväksyttyyn malliin. Päätössääntö: {rule}. Konfiguraalinen malli: {configural}. "
            "Osittaisissa malleissa on vapautettuja parametreja."
        ),
        "chisq_ml": "χ² on uskottavuusosamäärätestisuure (ML).",
        "chisq_mlr": (
            "χ² on Yuanin–Bentlerin skaalattu testisuure (MLR); CFI, TLI ja RMSEA ovat robusteja "
            "versioita (Brosseau-Liard & Savalei, 2014)."
        ),
        "chisq_wlsmv": (
            "χ² on skaalattu ja siirretty testisuure (WLSMV); CFI, TLI ja RMSEA ovat skaalattuja."
        ),
        "diff_ml": "uskottavuusosamäärätesti (χ²-erotus)",
        "diff_mlr": "Satorran–Bentlerin (2001) skaalattu erotustesti",
        "diff_wlsmv": "Satorran (2000) skaalattu ja siirretty erotustesti",
        "chart_title": "Mallin sopivuus invarianssivaiheittain: {group}",
        "chart_caption": (
            "Kussakin vaiheessa hyväksytyn mallin CFI ja RMSEA (osittainen, jos parametreja "
            "vapautettiin); vaihe ei päde, jos CFI laskee yli {cfi} tai RMSEA nousee yli {rmsea}."
        ),
        "search_title": "Osittaisen invarianssin haussa vapautetut parametrit: {group}",
        "search_note": (
            "Kukin rivi on yksi kaikissa ryhmissä vapautettu parametri, joka valittiin epäonnistuneen "
            "vaiheen rajoitteiden suurimman score-testin (Sörbom, 1989) perusteella; uudelleen "
            "estimoitua mallia arvioidaan samalla säännöllä. Haulla löydetty: vahvista uudessa "
            "aineistossa."
        ),
        "latent_title": "Latenttikeskiarvojen erot: {group} (osittainen tai täysi skalaarimalli)",
        "latent_note": (
            "Latenttikeskiarvot suhteessa vertailuryhmään {ref} (jonka keskiarvot on kiinnitetty "
            "nollaan) faktorin yksiköissä; d = ero jaettuna yhdistetyllä latentilla "
            "keskihajonnalla."
        ),
        "desc_title": "Ulottuvuuksien pistemäärät ryhmittäin ({group}): keskiarvot ja 95 %:n "
        "luottamusvälit",
        "desc_note": (
            "Pistemäärä on ulottuvuuden osioiden keskiarvo; luottamusväli t-jakaumasta (95 %)."
        ),
        "tests_title": "Ryhmien erot ulottuvuuksien pistemäärissä: {group}",
        "tests_note": (
            "{tests} p (Holm) = p-arvo korjattuna ulottuvuuksien yli Holmin (1979) menetelmällä. "
            "Vaikutuskoot ja niiden 95 %:n luottamusvälit: {effects}. Järjestyslukuihin perustuva "
            "testi ({rank}) on tarkistuksena. Invarianssi = ulottuvuuden osioiden saavuttama taso; "
            "keskiarvot ovat vertailukelpoisia skalaari-invarianssista alkaen."
        ),
        "tests_2": "Welchin t-testi (Welch, 1947).",
        "tests_k": "Welchin varianssianalyysi (Welch, 1951).",
        "effect_2": "Hedgesin g (Hedges & Olkin, 1985)",
        "effect_k": "η² (luottamusväli epäkeskisestä F-jakaumasta; Steiger, 2004)",
        "posthoc_title": "Parittaiset vertailut: {group} (Games–Howell)",
        "posthoc_note": (
            "Games–Howellin (1976) vertailut: erisuuret varianssit ja ryhmäkoot; p-arvot korjattu "
            "kunkin ulottuvuuden sisällä; g = Hedgesin g."
        ),
        "means_title": "Ulottuvuuksien pistemäärät ryhmittäin: {group}",
        "means_caption": "Keskiarvot ja 95 %:n luottamusvälit.",
        "comparable": "vertailukelpoinen",
        "not_comparable": "ei vertailukelpoinen",
        "and": "ja",
        "was": "vapautettiin",
        "were": "vapautettiin",
        "col_dimension": "Ulottuvuus",
        "col_model": "Malli",
        "col_decision": "Päätös",
        "col_group": "Ryhmä",
        "col_test": "Testi",
        "col_statistic": "Testisuure",
        "col_p_holm": "p (Holm)",
        "col_effect": "Vaikutuskoko",
        "col_estimate": "Arvo",
        "col_ci_lower": "95 %:n LV alaraja",
        "col_ci_upper": "95 %:n LV yläraja",
        "col_rank_test": "Järjestystesti",
        "col_rank_p_holm": "Järjestystestin p (Holm)",
        "col_invariance": "Invarianssi",
        "col_parameter": "Parametri",
        "col_step": "Vaihe",
        "col_score_test": "Score-testin χ²",
        "col_mean": "Keskiarvo",
        "col_group_a": "Ryhmä A",
        "col_group_b": "Ryhmä B",
        "col_diff": "Erotus",
        "reference": "vertailuryhmä",
        "hedges_g": "Hedgesin g",
        "eta2": "η²",
    },
}

#: Names of the invariance steps and levels in each language.
STEP_NAMES: dict[str, dict[str, str]] = {
    "en": {
        "none": "none",
        "configural": "configural",
        "metric": "metric",
        "scalar": "scalar",
        "strict": "strict",
        "thresholds": "thresholds",
        "partial": "partial",
    },
    "fi": {
        "none": "ei mitään",
        "configural": "konfiguraalinen",
        "metric": "metrinen",
        "scalar": "skalaari",
        "strict": "tiukka",
        "thresholds": "kynnysarvot",
        "partial": "osittainen",
    },
}
#: Invariance levels as noun phrases.
LEVEL_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "none": "no invariance",
        "configural": "configural invariance",
        "metric": "metric invariance",
        "scalar": "scalar invariance",
        "strict": "strict invariance",
    },
    "fi": {
        "none": "ei invarianssia",
        "configural": "konfiguraalinen invarianssi",
        "metric": "metrinen invarianssi",
        "scalar": "skalaari-invarianssi",
        "strict": "tiukka invarianssi",
    },
}
#: Test names as compare_groups gives them, in the report language.
TEST_NAMES: dict[str, dict[str, str]] = {
    "en": {
        "Welch t": "Welch's t",
        "Student t": "Student's t",
        "Welch ANOVA": "Welch's ANOVA",
        "ANOVA": "ANOVA",
        "Mann-Whitney U": "Mann–Whitney U",
        "Kruskal-Wallis H": "Kruskal–Wallis H",
    },
    "fi": {
        "Welch t": "Welchin t",
        "Student t": "Studentin t",
        "Welch ANOVA": "Welchin varianssianalyysi",
        "ANOVA": "varianssianalyysi",
        "Mann-Whitney U": "Mann–Whitneyn U",
        "Kruskal-Wallis H": "Kruskal–Wallisin H",
    },
}
DECISIONS: dict[str, dict[str, str]] = {
    "en": {
        "holds": "holds",
        "fails": "fails",
        "holds (partial)": "holds (partial)",
        "not tested": "not tested",
    },
    "fi": {
        "holds": "pätee",
        "fails": "ei päde",
        "holds (partial)": "pätee (osittain)",
        "not tested": "ei testattu",
    },
}


# --------------------------------------------------------------------------------------------------
# Small helpers shared with the methods section
# --------------------------------------------------------------------------------------------------


def missing_used(ctx: Any) -> str:
    """``"fiml"`` or ``"listwise"``: what the CFA used (``results["cfa"]["missing"]``), else the
    option, with ``auto`` resolved as the pipeline does (FIML for continuous items with missing
    answers)."""
    used = (ctx.results.get("cfa") or {}).get("missing")
    if used in ("fiml", "listwise"):
        return used
    option = getattr(ctx.options, "missing", "listwise")
    if option == "auto":
        incomplete = bool(ctx.dataset.items.isna().to_numpy().any())
        continuous = not ctx.ordinal and str(ctx.estimator).upper() in ("ML", "MLR")
        return "fiml" if continuous and incomplete else "listwise"
    return "fiml" if option == "fiml" and not ctx.ordinal else "listwise"


def code_text(value: Any) -> str:
    """A group code as text: 2.0 -> "2", "b" -> "b"."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def group_labels(ctx: Any, group: str, codes: list[str]) -> dict[str, str]:
    """``{code: label}`` from the instrument's options in the report language (the code itself
    when there is no instrument or no option with that code)."""
    labels = {c: c for c in codes}
    inst = getattr(ctx, "instrument", None)
    if inst is None:
        return labels
    question = next((q for q in inst.background if q.id == group), None)
    if question is None:
        return labels
    for opt in question.options:
        key = str(opt.code)
        if key in labels:
            labels[key] = opt.label.get(ctx.lang) or next(iter(opt.label.values()))
    if len(set(labels.values())) < len(labels):  # two options with the same text: keep them apart
        labels = {c: f"{lab} ({c})" for c, lab in labels.items()}
    return labels


#: Readable names of the group variables' kinds (``Question.kind``).
KIND_NAMES: dict[str, dict[str, str]] = {
    "en": {
        "industry": "industry",
        "firm_size": "firm size",
        "function": "function",
        "hierarchy": "hierarchy level",
        "customer_facing": "customer contact",
        "country": "country",
        "b2b_b2c": "B2B or B2C",
        "value_chain_tier": "value-chain tier",
        "crm_maturity": "CRM maturity",
    },
    "fi": {
        "industry": "toimiala",
        "firm_size": "yrityksen koko",
        "function": "toiminto",
        "hierarchy": "organisaatiotaso",
        "customer_facing": "asiakaskontakti",
        "country": "maa",
        "b2b_b2c": "B2B vai B2C",
        "value_chain_tier": "arvoketjun porras",
        "crm_maturity": "CRM-kypsyys",
    },
}


def variable_name(ctx: Any, group: str) -> str:
    """The group variable as readers know it: its kind in the report language (``industry``,
    ``toimiala``), or the column name."""
    inst = getattr(ctx, "instrument", None)
    question = None
    if inst is not None:
        question = next((q for q in inst.background if q.id == group), None)
    kind = getattr(question, "kind", None)
    if kind and kind in KIND_NAMES[ctx.lang] and kind == group:
        return KIND_NAMES[ctx.lang][kind]
    if kind and kind in KIND_NAMES[ctx.lang]:
        return f"{KIND_NAMES[ctx.lang][kind]} ({group})"
    return group


def join_words(words: list[str], lang: str) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + f" {TEXT[lang]['and']} " + words[-1]


def rule_text(rule: Any, lang: str, step: str = "metric") -> str:
    """The decision rule of an :class:`~moscale.analysis.invariance.InvarianceRule` in words."""
    parts = []
    for c in rule.criteria:
        if c == "cfi":
            parts.append(f"ΔCFI ≥ {_num(rule.delta_cfi)}")
        elif c == "rmsea":
            parts.append(f"ΔRMSEA ≤ {_num(rule.delta_rmsea)}")
        elif c == "srmr":
            parts.append(f"ΔSRMR ≤ {_num(rule.srmr_cutoff(step))}")
        else:
            parts.append(
                f"p ≥ {_num(rule.alpha, 2)}" if lang == "en" else f"p ≥ {_num(rule.alpha, 2)}"
            )
    joint = {"en": {"all": " and ", "any": " or "}, "fi": {"all": " ja ", "any": " tai "}}[lang]
    name = re.sub(r"^(.*\S)\s*\((\d{4})\)(.*)$", r"\1, \2\3", rule.name)
    return joint[rule.combine].join(parts) + f" ({name})"


def configural_text(rule: Any) -> str:
    return f"CFI ≥ {_num(rule.configural_cfi)}, RMSEA ≤ {_num(rule.configural_rmsea)}"


def _num(v: float, decimals: int = 3) -> str:
    """APA number for a bounded value: no leading zero, true minus sign."""
    text = f"{abs(v):.{decimals}f}"
    if text.startswith("0"):
        text = text[1:]
    return ("\u2212" if v < 0 else "") + text


def level_for_factor(result: Any, factor: str, fmap: dict[str, list[str]]) -> str:
    """The invariance level the observed score of ``factor`` may rely on.

    ``result.level_reached`` when no released parameter touches the factor (its loadings, or the
    intercepts, thresholds or residual variances of its items); otherwise the highest level reached
    with every parameter equal (``full_level_reached``), because the observed score still contains
    the non-invariant item.
    """
    items = set(fmap.get(factor, []))
    for param in result.released:
        m = re.match(r"^\s*(\S+)\s*(=~|~~|~|\|)\s*(\S+)\s*$", param)
        if not m:
            continue
        lhs, op, rhs = m.groups()
        if (op == "=~" and lhs == factor) or (op != "=~" and lhs in items):
            return result.full_level_reached
    return result.level_reached


def _fmt_param(param: str) -> str:
    return param.replace(" =~ ", " → ").strip()


# --------------------------------------------------------------------------------------------------
# The section
# --------------------------------------------------------------------------------------------------


def build(ctx: Any) -> Section | None:
    groups = list(ctx.options.groups)
    if not groups:
        return None
    t = TEXT[ctx.lang]
    section = Section(id="groups", title=t["title"])
    results: dict[str, Any] = {
        "min_group_n": MIN_GROUP_N,
        "cases_per_parameter": CASES_PER_PARAMETER,
        "variables": {},
    }
    found: dict[str, Any] = {}
    for group in groups:
        res, obj = _one_variable(ctx, group, section)
        results["variables"][group] = res
        found[group] = obj
    ctx.results["groups"] = results
    ctx.found["groups"] = found
    return section


def _warn(ctx: Any, section: Section, message: str) -> None:
    ctx.warn(message)
    if message not in section.warnings:
        section.warnings.append(message)


def _scores(ctx: Any) -> pd.DataFrame:
    scores = ctx.found.get("scores")
    if scores is None:
        from ..scoring import score

        scores = score(ctx.dataset)
        ctx.found["scores"] = scores
    frame = scores.scores
    cols = [k for k in ctx.dimensions if k in frame.columns]
    return frame[cols]


def _one_variable(ctx: Any, group: str, section: Section) -> tuple[dict, dict]:
    t = TEXT[ctx.lang]
    background = ctx.dataset.background
    out: dict[str, Any] = {"group": group}
    obj: dict[str, Any] = {"group": group, "invariance": {}, "levels": {}, "comparison": None}
    if group not in background.columns:
        _warn(ctx, section, t["no_groups_column"].format(group=variable_name(ctx, group)))
        out["skipped"] = "no column"
        return out, obj
    codes, present, sizes, kept, gcol = _group_column(ctx, group)
    labels = group_labels(ctx, group, present)
    small = [c for c in present if sizes[c] < MIN_GROUP_N]
    out.update(
        labels=labels,
        sizes=sizes,
        n_missing_group=int(codes.isna().sum()),
        left_out=small,
        groups=kept,
    )
    obj.update(labels=labels, sizes=sizes, groups=kept, left_out=small)
    section.paragraphs.append(
        t["group_sizes"].format(
            group=variable_name(ctx, group),
            sizes=", ".join(f"{labels[c]} n = {sizes[c]}" for c in present),
        )
    )
    if small:
        msg = t["small_groups"].format(
            group=variable_name(ctx, group),
            groups=join_words([f"{labels[c]} (n = {sizes[c]})" for c in small], ctx.lang),
            min=MIN_GROUP_N,
            verb="was" if len(small) == 1 else "were",
        )
        _warn(ctx, section, f"{msg} {t['small_hint']}")
    if len(kept) < 2:
        _warn(
            ctx,
            section,
            t["too_few_groups"].format(group=variable_name(ctx, group), min=MIN_GROUP_N),
        )
        out["skipped"] = "fewer than two groups"
        return out, obj

    # ---- measurement invariance
    inv_out, levels = _invariance(ctx, group, gcol, labels, section, obj)
    out["invariance"] = inv_out
    obj["levels"] = levels

    # ---- observed-score comparisons
    scores = _scores(ctx)
    if scores.shape[1]:
        data = scores.loc[gcol.index].copy()
        data[group] = gcol
        out["comparison"] = _comparison(
            ctx, group, data, list(scores.columns), levels, labels, section, obj
        )
    return out, obj


def _group_column(ctx: Any, group: str) -> tuple[pd.Series, list[str], dict[str, int], list, Any]:
    """Group codes of every respondent, the codes present, their sizes, the groups kept (at
    least MIN_GROUP_N respondents) and the kept respondents' codes ordered by group (None with
    fewer than two groups)."""
    codes = ctx.dataset.background[group].map(lambda v: None if pd.isna(v) else code_text(v))
    present = sorted(codes.dropna().unique(), key=_code_key)
    sizes = {c: int((codes == c).sum()) for c in present}
    kept = [c for c in present if sizes[c] >= MIN_GROUP_N]
    if len(kept) < 2:
        return codes, present, sizes, kept, None
    mask = codes.isin(kept).to_numpy()
    order = np.argsort([kept.index(c) if c in kept else -1 for c in codes[mask]], kind="stable")
    return codes, present, sizes, kept, codes[mask].iloc[order]


def prefetch(ctx: Any) -> None:
    """Start every invariance ladder in the background (collected by :func:`build`)."""
    for group in ctx.options.groups:
        if group not in ctx.dataset.background.columns:
            continue
        gcol = _group_column(ctx, group)[4]
        if gcol is None:
            continue
        try:
            plan = _plan_once(ctx, group, gcol)
        except UserError:
            continue  # the section reports it
        if plan is None:
            continue
        for name, args in plan.tasks.items():
            ctx.background.submit(("invariance", group, name), _ladder, args)


def _code_key(code: str) -> tuple:
    try:
        return (0, float(code), code)
    except ValueError:
        return (1, 0.0, code)


# ---- invariance -----------------------------------------------------------------------------------


def _item_frame(ctx: Any, gcol: pd.Series) -> pd.DataFrame:
    data = ctx.dataset.items.loc[gcol.index].copy()
    data[gcol.name] = gcol.to_numpy()
    return data


def _first_order_map(model: str) -> dict[str, list[str]]:
    from ..validity import indicator_map

    fmap = indicator_map(model)
    factors = set(fmap)
    return {f: items for f, items in fmap.items() if not set(items) & factors}


def _npar_per_group(model: str, data: pd.DataFrame, items: list[str], ordinal: bool) -> int:
    """Free parameters of one group's model (as the invariance engine counts them)."""
    from ..cfa.partable import build_partable
    from ..cfa.syntax import parse_model

    npar = build_partable(parse_model(model), ngroups=1, std_lv=True, meanstructure=True).npar
    if ordinal:
        ncat = sum(int(pd.to_numeric(data[i], errors="coerce").nunique()) - 1 for i in items)
        npar += ncat - 2 * len(items)
    return int(npar)


def _usable(data: pd.DataFrame, items: list[str], group: str, fiml: bool) -> pd.Series:
    y = data[items]
    ok = y.notna().any(axis=1) if fiml else y.notna().all(axis=1)
    return ok.groupby(data[group]).sum()


def _ladder(
    syntax: str, data: pd.DataFrame, group: str, estimator: str, ordinal: bool, fiml: bool
) -> Any:
    """One unit's invariance ladder with partial search (module level: it runs in a worker)."""
    from ..invariance import invariance

    return invariance(
        syntax,
        data,
        group,
        estimator=estimator,
        ordered=True if ordinal else None,
        missing="fiml" if fiml else "listwise",
        std_lv=True,
        search_partial=True,
    )


def _factor_to_dim(ctx: Any) -> dict[str, str]:
    from ..pipeline import factor_name

    out: dict[str, str] = {}
    for key in ctx.dimensions:
        out[factor_name(key)] = key
        out.setdefault(key, key)
    return out


@dataclass(frozen=True)
class _Plan:
    """What the invariance ladders of one group variable fit (see :func:`_plan`)."""

    fmap: dict[str, list[str]]
    npar: int
    n_min: int
    unit: str  # "model" or "factor"
    units: dict[str, tuple[str, list[str]]]  # name -> (syntax, factors)
    too_few_items: list[str]
    estimator: str
    tasks: dict[str, tuple]  # name -> arguments of _ladder


def _plan_once(ctx: Any, group: str, gcol: pd.Series) -> _Plan | None:
    """:func:`_plan`, computed once per group variable: prefetch() and the section share it
    (and the data frames its tasks hold)."""
    plans = ctx.found.setdefault("invariance_plans", {})
    kept = plans.get(group)
    if kept is not None and kept[0] is ctx.dataset and kept[1].equals(gcol):
        return kept[2]
    plan = _plan(ctx, group, gcol)
    plans[group] = (ctx.dataset, gcol, plan)
    return plan


def _plan(ctx: Any, group: str, gcol: pd.Series) -> _Plan | None:
    """What the invariance ladders of one group variable fit: the whole model when there are
    CASES_PER_PARAMETER usable cases per parameter in the smallest group, else each dimension
    with three or more items on its own. None without a reflective model.

    Raises
    ------
    UserError
        A model item is not an item column of the data.
    """
    if not ctx.model or not ctx.reflective:
        return None
    data = _item_frame(ctx, gcol)
    fiml = missing_used(ctx) == "fiml" and not ctx.ordinal
    fmap = _first_order_map(ctx.model)
    all_items = [i for f in fmap.values() for i in f]
    absent = [i for i in all_items if i not in data.columns]
    if absent:
        raise UserError(
            f"the model's item(s) {', '.join(absent)} are not item columns of the data",
            hint="name the items in the model as in the data",
        )
    npar = _npar_per_group(ctx.model, data, all_items, ctx.ordinal)
    if not fmap:
        return None
    n_min = int(_usable(data, all_items, group, fiml).min())
    too_few: list[str] = []
    if n_min >= CASES_PER_PARAMETER * npar:
        unit = "model"
        units = {"model": (ctx.model, list(fmap))}
    else:
        unit = "factor"
        units = {}
        for f, items in fmap.items():
            if len(items) < 3:
                too_few.append(f)
                continue
            units[f] = (f"{f} =~ " + " + ".join(items), [f])
    estimator = (
        ctx.estimator
        if ctx.estimator in ("ML", "MLR", "WLSMV")
        else ("WLSMV" if ctx.ordinal else "MLR")
    )
    tasks = {
        name: (
            syntax,
            data[[*[i for f in factors for i in fmap[f]], group]],
            group,
            estimator,
            bool(ctx.ordinal),
            fiml,
        )
        for name, (syntax, factors) in units.items()
    }
    return _Plan(fmap, npar, n_min, unit, units, too_few, estimator, tasks)


def _invariance(
    ctx: Any,
    group: str,
    gcol: pd.Series,
    labels: dict[str, str],
    section: Section,
    obj: dict,
) -> tuple[dict, dict[str, str | None]]:
    from ..invariance import InvarianceRule

    t = TEXT[ctx.lang]
    lang = ctx.lang
    levels: dict[str, str | None] = {k: None for k in ctx.dimensions}
    out: dict[str, Any] = {"unit": None, "units": {}, "errors": []}
    try:
        plan = _plan_once(ctx, group, gcol)
    except UserError as exc:  # e.g. an item name lavaan syntax cannot express
        msg = t["failed"].format(
            group=variable_name(ctx, group),
            what=t["whole_model"],
            message=engine_text(exc.message, lang),
        )
        if exc.hint:
            msg += " " + t["failed_hint"].format(hint=engine_text(exc.hint, lang))
        _warn(ctx, section, msg)
        out["errors"].append({"unit": "model", "message": exc.message, "hint": exc.hint})
        out["unit"] = "none"
        return out, levels
    if plan is None:
        section.paragraphs.append(t["no_model"].format(group=variable_name(ctx, group)))
        out["unit"] = "none"
        return out, levels
    fmap, npar, n_min, unit, units = plan.fmap, plan.npar, plan.n_min, plan.unit, plan.units
    factor_to_dim = _factor_to_dim(ctx)
    rule = InvarianceRule()
    out["rule"] = {
        "name": rule.name,
        "criteria": list(rule.criteria),
        "delta_cfi": rule.delta_cfi,
        "delta_rmsea": rule.delta_rmsea,
        "configural_cfi": rule.configural_cfi,
        "configural_rmsea": rule.configural_rmsea,
    }
    out["npar_whole_model"] = npar
    out["usable_n_min"] = n_min
    if unit == "model":
        section.paragraphs.append(
            t["unit_model"].format(
                group=variable_name(ctx, group), n_factors=len(fmap), estimator=ctx.estimator
            )
        )
    else:
        for f in plan.too_few_items:
            section.paragraphs.append(
                t["too_few_items"].format(dim=ctx.label(factor_to_dim.get(f, f)))
            )
        section.paragraphs.append(
            t["unit_factor"].format(
                group=variable_name(ctx, group),
                estimator=ctx.estimator,
                n_min=n_min,
                npar=npar,
                cpp=CASES_PER_PARAMETER,
            )
        )
    out["unit"] = unit
    ref = labels[str(gcol.iloc[0])]
    section.paragraphs.append(t["identification"].format(ref=ref, rule=rule_text(rule, lang)))
    estimator = plan.estimator
    results = {}
    partial_dims: dict[str, str] = {}
    # the ladders share nothing: started in the background by prefetch() when workers exist;
    # submitting again is a no-op, and take() runs here whatever no worker has started
    keys = {name: ("invariance", group, name) for name in units}
    for name, args in plan.tasks.items():
        ctx.background.submit(keys[name], _ladder, args)
    outcomes: dict[str, Any] = {}
    for name in reversed(list(units)):  # workers take the queue from the front
        try:
            outcomes[name] = ctx.background.take(keys[name], _ladder, plan.tasks[name])
        except UserError as exc:
            outcomes[name] = exc
    for name, (_syntax, factors) in units.items():
        res = outcomes[name]
        what = ctx.label(factor_to_dim.get(name, name)) if unit == "factor" else t["whole_model"]
        if isinstance(res, UserError):
            exc = res
            msg = t["failed"].format(
                group=variable_name(ctx, group), what=what, message=engine_text(exc.message, lang)
            )
            if exc.hint:
                msg += " " + t["failed_hint"].format(hint=engine_text(exc.hint, lang))
            _warn(ctx, section, msg)
            out["errors"].append({"unit": name, "message": exc.message, "hint": exc.hint})
            continue
        results[name] = res
        out["units"][name] = res.to_dict()
        for f in factors:
            dim = factor_to_dim.get(f)
            if dim is not None:
                levels[dim] = level_for_factor(res, f, fmap)
                if levels[dim] != res.level_reached:
                    partial_dims[dim] = res.level_reached
    obj["invariance"] = results
    obj["partial_levels"] = partial_dims
    out["partial_levels"] = dict(partial_dims)
    obj["unit"] = unit
    obj["rule"] = rule
    obj["estimator"] = estimator
    out["levels"] = dict(levels)
    if not results:
        return out, levels

    # ---- words: level per dimension (or for the model)
    full_holds: dict[str, list[str]] = {}
    later: list[str] = []
    for name, res in results.items():
        factors = units[name][1]
        dims = [ctx.label(factor_to_dim.get(f, f)) for f in factors]
        who = dims[0] if unit == "factor" else join_words(dims, lang)
        lvl = res.level_reached
        if lvl == "none":
            _warn(ctx, section, t["level_none"].format(dim=who))
        elif res.partial:
            params = join_words([_fmt_param(p) for p in res.released], lang)
            searched = not res.search.empty
            key = "level_partial" if searched else "level_user_partial"
            later.append(
                t[key].format(
                    dim=who,
                    level=LEVEL_WORDS[lang][lvl],
                    params=params,
                    were=t["was"] if len(res.released) == 1 else t["were"],
                )
            )
            where = _where(res, labels)
            if where is not None:
                later.append(
                    t["where"].format(
                        param=_fmt_param(where[0]),
                        a=where[1],
                        b=where[2],
                        x2=format_value(where[3], "stat", 2),
                    )
                )
        else:
            full_holds.setdefault(lvl, []).append(who)
        full = res.full_level_reached
        if LEVELS.index(full) < LEVELS.index("scalar"):
            failed = LEVELS[LEVELS.index(full) + 1] if full != "none" else "configural"
            reached = LEVEL_WORDS[lang][lvl] + (f" ({t['partial_word']})" if res.partial else "")
            _warn(
                ctx,
                section,
                t["warn_level"].format(
                    group=variable_name(ctx, group),
                    dim=who,
                    step=LEVEL_WORDS[lang][failed],
                    reached=reached,
                ),
            )

    for lvl in ("strict", "scalar", "metric", "configural"):
        if lvl in full_holds:
            section.paragraphs.append(
                t["level_full"].format(
                    dim=join_words(full_holds[lvl], lang), level=LEVEL_WORDS[lang][lvl]
                )
            )
    section.paragraphs.extend(later)

    # ---- ladder table + chart
    section.tables.append(_ladder_table(ctx, group, results, unit, factor_to_dim, rule, estimator))
    section.figures.append(_ladder_figure(ctx, group, results, unit, factor_to_dim, rule))
    search = _search_table(ctx, group, results, unit, factor_to_dim)
    if search is not None:
        section.tables.append(search)
    latent = _latent_table(ctx, group, results, unit, factor_to_dim, labels)
    if latent is not None:
        section.tables.append(latent)
    return out, levels


def _where(res: Any, labels: dict[str, str]) -> tuple[str, str, str, float] | None:
    """The first parameter the search released and the pair of groups whose constraint on it had
    the largest score test (the engine tests each group against the first)."""
    if res.search.empty:
        return None
    first = res.search.iloc[0]
    st = res.score_tests.get(str(first["step"]))
    if st is None or st.empty:
        return None
    rows = st[(st["parameter"] == first["parameter"]) & (st["groups"] != "all")]
    if rows.empty:
        return None
    top = rows.loc[rows["X2"].idxmax()]
    pair = str(top["groups"]).split(" vs ")
    if len(pair) != 2:
        return None
    a, b = (labels.get(g, g) for g in pair)
    return str(first["parameter"]), a, b, float(top["X2"])


def _step_name(step: str, lang: str) -> str:
    names = STEP_NAMES[lang]
    if step.startswith("partial "):
        base = step[len("partial ") :]
        return f"{names['partial']} {names.get(base, base)}"
    return names.get(step, step)


def _ladder_table(ctx, group, results, unit, factor_to_dim, rule, estimator) -> Table:
    t = TEXT[ctx.lang]
    lang = ctx.lang
    rows = []
    robust = estimator != "ML"
    for name, res in results.items():
        dim = ctx.label(factor_to_dim.get(name, name)) if unit == "factor" else None
        for r in res.steps.to_dict(orient="records"):
            chisq = r.get("chisq.scaled") if robust else r.get("chisq")
            if chisq is None or (isinstance(chisq, float) and math.isnan(chisq)):
                chisq = r.get("chisq")
            row = {}
            if unit == "factor":
                row[t["col_dimension"]] = dim
            row.update(
                {
                    t["col_model"]: _step_name(str(r["step"]), lang),
                    "χ²": chisq,
                    "df": r.get("df"),
                    "CFI": r.get("cfi"),
                    "TLI": r.get("tli"),
                    "RMSEA": r.get("rmsea"),
                    "SRMR": r.get("srmr"),
                    "Δχ²": r.get("diff.stat"),
                    "Δdf": r.get("diff.df"),
                    "p": r.get("diff.pvalue"),
                    "ΔCFI": r.get("delta.cfi"),
                    "ΔRMSEA": r.get("delta.rmsea"),
                    t["col_decision"]: DECISIONS[lang].get(r["decision"], r["decision"]),
                }
            )
            rows.append(row)
    frame = pd.DataFrame(rows)
    kinds = {
        "χ²": "stat",
        "df": "stat",
        "CFI": "bounded",
        "TLI": "bounded",
        "RMSEA": "bounded",
        "SRMR": "bounded",
        "Δχ²": "stat",
        "Δdf": "stat",
        "p": "p",
        "ΔCFI": "bounded",
        "ΔRMSEA": "bounded",
    }
    decimals = {c: 3 for c in ("CFI", "TLI", "RMSEA", "SRMR", "ΔCFI", "ΔRMSEA")}
    decimals.update({"df": 0, "Δdf": 0})
    key = {"ML": "ml", "MLR": "mlr"}.get(estimator, "wlsmv")
    note = t["ladder_note"].format(
        chisq=t[f"chisq_{key}"],
        difference=t[f"diff_{key}"],
        rule=rule_text(rule, lang),
        configural=configural_text(rule),
    )
    return Table(
        id=f"groups_{_slug(group)}_invariance",
        title=t["ladder_title"].format(group=variable_name(ctx, group)),
        frame=frame,
        kinds=kinds,
        decimals=decimals,
        note=note,
    )


def _accepted_rows(res: Any) -> pd.DataFrame:
    """Per level, the model the ladder stands on there (partial if a search released something),
    or the model that failed."""
    steps = res.steps
    rows = []
    for level in ("configural", "metric", "scalar", "strict"):
        sub = steps[steps["level"] == level]
        if sub.empty:
            continue
        ok = sub[sub["decision"].isin(["holds", "holds (partial)"])]
        rows.append((ok if not ok.empty else sub).iloc[-1])
    return pd.DataFrame(rows)


def _ladder_figure(ctx, group, results, unit, factor_to_dim, rule) -> Figure:
    from .. import plots
    from ..plots_groups import invariance_ladders

    t = TEXT[ctx.lang]
    lang = ctx.lang
    levels = ("configural", "metric", "scalar", "strict")
    if unit == "model":
        res = next(iter(results.values()))
        steps = res.steps.assign(step=[_step_name(s, lang) for s in res.steps["step"]])
        svg = plots.invariance_ladder(steps[["step", "cfi", "rmsea"]])
    else:
        ladders = {
            ctx.label(factor_to_dim.get(name, name)): _accepted_rows(res)
            for name, res in results.items()
        }
        svg = invariance_ladders(ladders, levels, [_step_name(s, lang) for s in levels])
    return Figure(
        id=f"groups_{_slug(group)}_ladder",
        title=t["chart_title"].format(group=variable_name(ctx, group)),
        svg=svg,
        caption=t["chart_caption"].format(
            cfi=_num(abs(rule.delta_cfi)), rmsea=_num(rule.delta_rmsea)
        ),
    )


def _search_table(ctx, group, results, unit, factor_to_dim) -> Table | None:
    t = TEXT[ctx.lang]
    lang = ctx.lang
    rows = []
    for name, res in results.items():
        if res.search.empty:
            continue
        for r in res.search.to_dict(orient="records"):
            row = {}
            if unit == "factor":
                row[t["col_dimension"]] = ctx.label(factor_to_dim.get(name, name))
            row.update(
                {
                    t["col_step"]: _step_name(str(r["step"]), lang),
                    t["col_parameter"]: r["parameter"],
                    t["col_score_test"]: r.get("X2"),
                    "df": r.get("df"),
                    "p": r.get("pvalue"),
                    "CFI": r.get("cfi"),
                    "RMSEA": r.get("rmsea"),
                    "ΔCFI": r.get("delta.cfi"),
                    "ΔRMSEA": r.get("delta.rmsea"),
                    t["col_decision"]: DECISIONS[lang].get(r["decision"], r["decision"]),
                }
            )
            rows.append(row)
    if not rows:
        return None
    kinds = {
        t["col_score_test"]: "stat",
        "df": "stat",
        "p": "p",
        "CFI": "bounded",
        "RMSEA": "bounded",
        "ΔCFI": "bounded",
        "ΔRMSEA": "bounded",
    }
    decimals = {c: 3 for c in ("CFI", "RMSEA", "ΔCFI", "ΔRMSEA")}
    decimals["df"] = 0
    return Table(
        id=f"groups_{_slug(group)}_partial",
        title=t["search_title"].format(group=variable_name(ctx, group)),
        frame=pd.DataFrame(rows),
        kinds=kinds,
        decimals=decimals,
        note=t["search_note"],
    )


def _latent_table(ctx, group, results, unit, factor_to_dim, labels) -> Table | None:
    t = TEXT[ctx.lang]
    frames = []
    for res in results.values():
        lm = res.latent_means
        if lm is None or lm.empty:
            continue
        frames.append(lm)
    if not frames:
        return None
    lm = pd.concat(frames, ignore_index=True)
    ref = labels.get(next(iter(results.values())).group_labels[0], "")
    frame = pd.DataFrame(
        {
            t["col_dimension"]: [ctx.label(factor_to_dim.get(f, f)) for f in lm["factor"]],
            t["col_group"]: [labels.get(str(g), str(g)) for g in lm["group"]],
            t["col_mean"]: lm["mean"].to_numpy(float),
            "SE": lm["se"].to_numpy(float),
            "z": lm["z"].to_numpy(float),
            "p": lm["pvalue"].to_numpy(float),
            "d": lm["d"].to_numpy(float),
        }
    )
    return Table(
        id=f"groups_{_slug(group)}_latent_means",
        title=t["latent_title"].format(group=variable_name(ctx, group)),
        frame=frame,
        kinds={t["col_mean"]: "stat", "SE": "stat", "z": "stat", "p": "p", "d": "stat"},
        note=t["latent_note"].format(ref=ref),
    )


# ---- comparisons ----------------------------------------------------------------------------------


def _comparison(ctx, group, data, score_cols, levels, labels, section, obj) -> dict:
    from .. import plots
    from ..groups import compare_groups

    t = TEXT[ctx.lang]
    lang = ctx.lang
    inv = {k: levels[k] for k in score_cols if levels.get(k) is not None}
    try:
        comp = compare_groups(data, score_cols, group, invariance=inv, adjust="holm")
    except UserError as exc:
        msg = t["comparison_failed"].format(
            group=variable_name(ctx, group), message=engine_text(exc.message, lang)
        )
        if exc.hint:
            msg += " " + t["failed_hint"].format(hint=engine_text(exc.hint, lang))
        _warn(ctx, section, msg)
        return {"error": exc.message, "hint": exc.hint}
    obj["comparison"] = comp

    # what may be compared
    partial = obj.get("partial_levels", {})
    by_level: dict[str, list[str]] = {}
    for k in score_cols:
        lvl = levels.get(k)
        key = "untested" if lvl is None else ("partial" if k in partial else lvl)
        by_level.setdefault(key, []).append(ctx.label(k))
    for key, text_key in (
        ("strict", "compare_scalar"),
        ("metric", "compare_metric"),
        ("configural", "compare_configural"),
        ("none", "compare_none"),
        ("untested", "compare_untested"),
    ):
        dims = by_level.get(key, []) + (by_level.get("scalar", []) if key == "strict" else [])
        if dims:
            section.paragraphs.append(t[text_key].format(dims=join_words(dims, lang)))
    for reached in ("strict", "scalar", "metric", "configural"):
        dims = [ctx.label(k) for k in score_cols if partial.get(k) == reached]
        if not dims:
            continue
        key = "partial_means" if reached in ("scalar", "strict") else "partial_relations"
        section.paragraphs.append(
            t[key].format(dims=join_words(dims, lang), level=LEVEL_WORDS[lang][reached])
        )

    tests = comp.tests
    sig = [ctx.label(r["score"]) for r in tests.to_dict(orient="records") if r["p_adjusted"] < 0.05]
    k = len(score_cols)
    if k == 1:
        key = "significant_one" if sig else "none_significant_one"
        section.paragraphs.append(t[key].format(dims=ctx.label(score_cols[0])))
    elif sig:
        section.paragraphs.append(t["significant"].format(k=k, dims=join_words(sig, lang)))
    else:
        section.paragraphs.append(t["none_significant"].format(k=k))

    slug = _slug(group)
    two = int(tests["k"].max()) == 2
    # descriptives
    desc = comp.descriptives
    section.tables.append(
        Table(
            id=f"groups_{slug}_descriptives",
            title=t["desc_title"].format(group=variable_name(ctx, group)),
            frame=pd.DataFrame(
                {
                    t["col_dimension"]: [ctx.label(s) for s in desc["score"]],
                    t["col_group"]: [labels.get(g, g) for g in desc["group"]],
                    "n": desc["n"].to_numpy(int),
                    "M": desc["mean"].to_numpy(float),
                    "SD": desc["sd"].to_numpy(float),
                    t["col_ci_lower"]: desc["ci_lower"].to_numpy(float),
                    t["col_ci_upper"]: desc["ci_upper"].to_numpy(float),
                }
            ),
            kinds={"n": "int"},
            note=t["desc_note"],
        )
    )
    # tests
    eff_name = {"hedges_g": t["hedges_g"], "eta2": t["eta2"]}
    inv_words = {lvl: STEP_NAMES[lang][lvl] for lvl in LEVELS}
    inv_words["none"] = "—"
    frame = pd.DataFrame(
        {
            t["col_dimension"]: [ctx.label(s) for s in tests["score"]],
            t["col_test"]: [TEST_NAMES[lang].get(x, x) for x in tests["test"]],
            t["col_statistic"]: tests["statistic"].to_numpy(float),
            "df₁": tests["df1"].to_numpy(float),
            "df₂": tests["df2"].to_numpy(float),
            "p": tests["p"].to_numpy(float),
            t["col_p_holm"]: tests["p_adjusted"].to_numpy(float),
            t["col_effect"]: [eff_name.get(e, e) for e in tests["effect"]],
            t["col_estimate"]: tests["effect_size"].to_numpy(float),
            t["col_ci_lower"]: tests["effect_ci_lower"].to_numpy(float),
            t["col_ci_upper"]: tests["effect_ci_upper"].to_numpy(float),
            t["col_rank_test"]: [TEST_NAMES[lang].get(x, x) for x in tests["rank_test"]],
            t["col_rank_p_holm"]: tests["rank_p_adjusted"].to_numpy(float),
            t["col_invariance"]: [inv_words.get(levels.get(s) or "", "—") for s in tests["score"]],
        }
    )
    if two:
        frame = frame.drop(columns=["df₂"])
    bounded_effect = not two
    section.tables.append(
        Table(
            id=f"groups_{slug}_tests",
            title=t["tests_title"].format(group=variable_name(ctx, group)),
            frame=frame,
            kinds={
                "p": "p",
                t["col_p_holm"]: "p",
                t["col_rank_p_holm"]: "p",
                t["col_estimate"]: "bounded" if bounded_effect else "stat",
                t["col_ci_lower"]: "bounded" if bounded_effect else "stat",
                t["col_ci_upper"]: "bounded" if bounded_effect else "stat",
            },
            decimals={"df₁": 0 if not two else 2, "df₂": 2},
            note=t["tests_note"].format(
                tests=t["tests_2"] if two else t["tests_k"],
                effects=t["effect_2"] if two else t["effect_k"],
                rank="Mann–Whitney U" if two else "Kruskal–Wallis H",
            ),
        )
    )
    # post hoc
    post = comp.posthoc
    if not post.empty:
        section.tables.append(
            Table(
                id=f"groups_{slug}_posthoc",
                title=t["posthoc_title"].format(group=variable_name(ctx, group)),
                frame=pd.DataFrame(
                    {
                        t["col_dimension"]: [ctx.label(s) for s in post["score"]],
                        t["col_group_a"]: [labels.get(str(g), str(g)) for g in post["group_a"]],
                        t["col_group_b"]: [labels.get(str(g), str(g)) for g in post["group_b"]],
                        t["col_diff"]: post["diff"].to_numpy(float),
                        "SE": post["se"].to_numpy(float),
                        "t": post["statistic"].to_numpy(float),
                        "df": post["df"].to_numpy(float),
                        "p": post["p"].to_numpy(float),
                        "g": post["hedges_g"].to_numpy(float),
                    }
                ),
                kinds={"p": "p"},
                note=t["posthoc_note"],
            )
        )
    # means plot
    plot_frame = desc.assign(
        score=[ctx.label(s) for s in desc["score"]],
        group=[labels.get(g, g) for g in desc["group"]],
    )
    section.figures.append(
        Figure(
            id=f"groups_{slug}_means",
            title=t["means_title"].format(group=variable_name(ctx, group)),
            svg=plots.group_means(plot_frame),
            caption=t["means_caption"],
        )
    )
    result = comp.to_dict()
    result["invariance"] = {k: levels.get(k) for k in score_cols}
    return result


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]+", "_", str(text)).strip("_") or "group"
