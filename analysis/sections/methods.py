"""Report section "methods": a methods paragraph ready to paste into a paper, with the numbers and
citations filled in from what the earlier sections found, and its reference list (APA 7).

Nothing is computed here: every number is read from the result objects the earlier sections left
in ``ctx.found`` (the CFA result, the reliability results, the discriminant-validity result, the
invariance results, the aggregation) or from their JSON in ``ctx.results``, and formatted the way
those sections print it (APA: no leading zero for values bounded by 1; CFI, TLI, RMSEA and SRMR
with three decimals, α, ω, CR, AVE and HTMT with two). A section that did not run (no groups, no
firm id, a CFA that failed) simply leaves its sentences out.

The section also appends the closing verdict to ``ctx.summary`` (fit, discriminant validity, what
the invariance reached allows, firm-level aggregation).

JSON: ``ctx.results["methods"]`` (``docs/results/methods.md``).
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from moscale._version import __version__

from ..report import Section
from ..tables import format_value
from .cfa import df_text, finite, p_text

STEP = "methods paragraph"

#: Hu & Bentler (1999) cut-offs for good and acceptable fit (as the CFA section judges fit).
GOOD_FIT = {"cfi": 0.95, "tli": 0.95, "rmsea": 0.06, "srmr": 0.08}
ACCEPTABLE_FIT = {"cfi": 0.90, "tli": 0.90, "rmsea": 0.08, "srmr": 0.10}
#: HTMT threshold for conceptually distinct constructs (Henseler, Ringle & Sarstedt, 2015).
HTMT_THRESHOLD = 0.85

#: Methods the paragraph may cite: key -> (in-text citation, APA 7 reference).
REFERENCES: dict[str, tuple[str, str]] = {
    "bartlett1950": (
        "Bartlett, 1950",
        "Bartlett, M. S. (1950). Tests of significance in factor analysis. British Journal of "
        "Statistical Psychology, 3(2), 77–85. https://doi.org/10.1111/j.2044-8317.1950.tb00285.x",
    ),
    "bentler1987": (
        "Bentler & Chou, 1987",
        "Bentler, P. M., & Chou, C.-P. (1987). Practical issues in structural modeling. "
        "Sociological Methods & Research, 16(1), 78–117. "
        "https://doi.org/10.1177/0049124187016001004",
    ),
    "bliese2000": (
        "Bliese, 2000",
        "Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability: "
        "Implications for data aggregation and analysis. In K. J. Klein & S. W. J. Kozlowski "
        "(Eds.), Multilevel theory, research, and methods in organizations (pp. 349–381). "
        "Jossey-Bass.",
    ),
    "brosseau2014": (
        "Brosseau-Liard & Savalei, 2014",
        "Brosseau-Liard, P. E., & Savalei, V. (2014). Adjusting incremental fit indices for "
        "nonnormality. Multivariate Behavioral Research, 49(5), 460–470. "
        "https://doi.org/10.1080/00273171.2014.933697",
    ),
    "byrne1989": (
        "Byrne, Shavelson & Muthén, 1989",
        "Byrne, B. M., Shavelson, R. J., & Muthén, B. (1989). Testing for the equivalence of "
        "factor covariance and mean structures: The issue of partial measurement invariance. "
        "Psychological Bulletin, 105(3), 456–466. https://doi.org/10.1037/0033-2909.105.3.456",
    ),
    "chen2007": (
        "Chen, 2007",
        "Chen, F. F. (2007). Sensitivity of goodness of fit indexes to lack of measurement "
        "invariance. Structural Equation Modeling, 14(3), 464–504. "
        "https://doi.org/10.1080/10705510701301834",
    ),
    "cronbach1951": (
        "Cronbach, 1951",
        "Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests. "
        "Psychometrika, 16(3), 297–334. https://doi.org/10.1007/BF02310555",
    ),
    "fornell1981": (
        "Fornell & Larcker, 1981",
        "Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with "
        "unobservable variables and measurement error. Journal of Marketing Research, 18(1), "
        "39–50. https://doi.org/10.1177/002224378101800104",
    ),
    "games1976": (
        "Games & Howell, 1976",
        "Games, P. A., & Howell, J. F. (1976). Pairwise multiple comparison procedures with "
        "unequal n's and/or variances: A Monte Carlo study. Journal of Educational Statistics, "
        "1(2), 113–125. https://doi.org/10.3102/10769986001002113",
    ),
    "green2009": (
        "Green & Yang, 2009",
        "Green, S. B., & Yang, Y. (2009). Reliability of summed item scores using structural "
        "equation modeling: An alternative to coefficient alpha. Psychometrika, 74(1), 155–167. "
        "https://doi.org/10.1007/s11336-008-9099-3",
    ),
    "hedges1985": (
        "Hedges & Olkin, 1985",
        "Hedges, L. V., & Olkin, I. (1985). Statistical methods for meta-analysis. Academic Press.",
    ),
    "henseler2015": (
        "Henseler, Ringle & Sarstedt, 2015",
        "Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing "
        "discriminant validity in variance-based structural equation modeling. Journal of the "
        "Academy of Marketing Science, 43(1), 115–135. https://doi.org/10.1007/s11747-014-0403-8",
    ),
    "holm1979": (
        "Holm, 1979",
        "Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian "
        "Journal of Statistics, 6(2), 65–70.",
    ),
    "horn1965": (
        "Horn, 1965",
        "Horn, J. L. (1965). A rationale and test for the number of factors in factor analysis. "
        "Psychometrika, 30(2), 179–185. https://doi.org/10.1007/BF02289447",
    ),
    "hu1999": (
        "Hu & Bentler, 1999",
        "Hu, L., & Bentler, P. M. (1999). Cutoff criteria for fit indexes in covariance structure "
        "analysis: Conventional criteria versus new alternatives. Structural Equation Modeling, "
        "6(1), 1–55. https://doi.org/10.1080/10705519909540118",
    ),
    "james1984": (
        "James, Demaree & Wolf, 1984",
        "James, L. R., Demaree, R. G., & Wolf, G. (1984). Estimating within-group interrater "
        "reliability with and without response bias. Journal of Applied Psychology, 69(1), "
        "85–98. https://doi.org/10.1037/0021-9010.69.1.85",
    ),
    "kaiser1974": (
        "Kaiser, 1974",
        "Kaiser, H. F. (1974). An index of factorial simplicity. Psychometrika, 39(1), 31–36. "
        "https://doi.org/10.1007/BF02291575",
    ),
    "lebreton2008": (
        "LeBreton & Senter, 2008",
        "LeBreton, J. M., & Senter, J. L. (2008). Answers to 20 questions about interrater "
        "reliability and interrater agreement. Organizational Research Methods, 11(4), 815–852. "
        "https://doi.org/10.1177/1094428106296642",
    ),
    "maccallum1992": (
        "MacCallum, Roznowski & Necowitz, 1992",
        "MacCallum, R. C., Roznowski, M., & Necowitz, L. B. (1992). Model modifications in "
        "covariance structure analysis: The problem of capitalization on chance. Psychological "
        "Bulletin, 111(3), 490–504. https://doi.org/10.1037/0033-2909.111.3.490",
    ),
    "mcdonald1999": (
        "McDonald, 1999",
        "McDonald, R. P. (1999). Test theory: A unified treatment. Lawrence Erlbaum.",
    ),
    "meade2012": (
        "Meade & Craig, 2012",
        "Meade, A. W., & Craig, S. B. (2012). Identifying careless responses in survey data. "
        "Psychological Methods, 17(3), 437–455. https://doi.org/10.1037/a0028085",
    ),
    "muthen1997": (
        "Muthén, du Toit & Spisic, 1997",
        "Muthén, B., du Toit, S. H. C., & Spisic, D. (1997). Robust inference using weighted "
        "least squares and quadratic estimating equations in latent variable modeling with "
        "categorical and continuous outcomes [Unpublished technical report]. Muthén & Muthén.",
    ),
    "podsakoff2003": (
        "Podsakoff et al., 2003",
        "Podsakoff, P. M., MacKenzie, S. B., Lee, J.-Y., & Podsakoff, N. P. (2003). Common "
        "method biases in behavioral research: A critical review of the literature and "
        "recommended remedies. Journal of Applied Psychology, 88(5), 879–903. "
        "https://doi.org/10.1037/0021-9010.88.5.879",
    ),
    "raykov1997": (
        "Raykov, 1997",
        "Raykov, T. (1997). Estimation of composite reliability for congeneric measures. Applied "
        "Psychological Measurement, 21(2), 173–184. https://doi.org/10.1177/01466216970212006",
    ),
    "rosseel2012": (
        "Rosseel, 2012",
        "Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. Journal of "
        "Statistical Software, 48(2), 1–36. https://doi.org/10.18637/jss.v048.i02",
    ),
    "satorra2000": (
        "Satorra, 2000",
        "Satorra, A. (2000). Scaled and adjusted restricted tests in multi-sample analysis of "
        "moment structures. In R. D. H. Heijmans, D. S. G. Pollock, & A. Satorra (Eds.), "
        "Innovations in multivariate statistical analysis (pp. 233–247). Kluwer Academic.",
    ),
    "satorra2001": (
        "Satorra & Bentler, 2001",
        "Satorra, A., & Bentler, P. M. (2001). A scaled difference chi-square test statistic for "
        "moment structure analysis. Psychometrika, 66(4), 507–514. "
        "https://doi.org/10.1007/BF02296192",
    ),
    "steiger2004": (
        "Steiger, 2004",
        "Steiger, J. H. (2004). Beyond the F test: Effect size confidence intervals and tests of "
        "close fit in the analysis of variance and contrast analysis. Psychological Methods, "
        "9(2), 164–182. https://doi.org/10.1037/1082-989X.9.2.164",
    ),
    "vandenberg2000": (
        "Vandenberg & Lance, 2000",
        "Vandenberg, R. J., & Lance, C. E. (2000). A review and synthesis of the measurement "
        "invariance literature: Suggestions, practices, and recommendations for organizational "
        "research. Organizational Research Methods, 3(1), 4–70. "
        "https://doi.org/10.1177/109442810031002",
    ),
    "welch1947": (
        "Welch, 1947",
        "Welch, B. L. (1947). The generalization of \u201cStudent's\u201d problem when several "
        "different population variances are involved. Biometrika, 34(1–2), 28–35. "
        "https://doi.org/10.1093/biomet/34.1-2.28",
    ),
    "welch1951": (
        "Welch, 1951",
        "Welch, B. L. (1951). On the comparison of several mean values: An alternative approach. "
        "Biometrika, 38(3–4), 330–336. https://doi.org/10.1093/biomet/38.3-4.330",
    ),
    "wu2016": (
        "Wu & Estabrook, 2016",
        "Wu, H., & Estabrook, R. (2016). Identification of confirmatory factor analysis models of "
        "different levels of invariance for ordered categorical outcomes. Psychometrika, 81(4), "
        "1014–1045. https://doi.org/10.1007/s11336-016-9506-0",
    ),
    "yuan2000": (
        "Yuan & Bentler, 2000",
        "Yuan, K.-H., & Bentler, P. M. (2000). Three likelihood-based methods for mean and "
        "covariance structure analysis with nonnormal missing data. Sociological Methodology, "
        "30(1), 165–200. https://doi.org/10.1111/0081-1750.00078",
    ),
    "zumbo2007": (
        "Zumbo, Gadermann & Zeisser, 2007",
        "Zumbo, B. D., Gadermann, A. M., & Zeisser, C. (2007). Ordinal versions of coefficients "
        "alpha and theta for Likert rating scales. Journal of Modern Applied Statistical Methods, "
        "6(1), 21–29. https://doi.org/10.22237/jmasm/1177992180",
    ),
}

TEXT: dict[str, dict[str, Any]] = {
    "en": {
        "title": "Methods paragraph",
        "intro": (
            "The paragraphs below describe the analysis with this report's numbers filled in; "
            "paste them into the methods section of a paper and adapt as needed. The references "
            "follow (APA 7)."
        ),
        "references": "References",
        # sample
        "all_read": "All {n_read} responses were analysed (N = {n}{firms}).",
        "some_dropped": ("Of {n_read} responses, {parts}, leaving N = {n}{firms}."),
        "dropped_reading": "{k} were removed when the data were read ({what})",
        "excluded": (
            "{k} were excluded as careless respondents by the {rules} rule{s} (Meade & Craig, 2012)"
        ),
        "firms": " respondents from {firms} firms",
        "flagged": (
            "Respondents flagged by at least one careless-responding index (n = {k}; Meade & "
            "Craig, 2012) were kept."
        ),
        "missing_listwise": (
            "Of the item answers, {pct} were missing; missing answers were handled by listwise "
            "deletion within each scale{cfa_n}."
        ),
        "missing_fiml": (
            "Of the item answers, {pct} were missing; the CFA and the invariance tests used "
            "full-information maximum likelihood, item statistics and reliability listwise "
            "deletion within each scale."
        ),
        "cfa_n": " (n = {n} complete cases in the CFA)",
        "reversed": "Reverse-keyed items (k = {k}) were recoded before the analysis.",
        "scales": "The questionnaire measured {scales}.",
        "scale_item": "{name} ({short}{cite}; {k} items, {points}-point scale)",
        # reliability
        "rel_range": (
            "Internal consistency was assessed with Cronbach's α (Cronbach, 1951) and McDonald's "
            "ω total (McDonald, 1999): α ranged from {alo} ({alo_dim}) to {ahi} ({ahi_dim}){omega}."
        ),
        "rel_one": (
            "Internal consistency was assessed with Cronbach's α (Cronbach, 1951) and McDonald's "
            "ω total (McDonald, 1999): α = {a}{omega}."
        ),
        "omega_range": " and ω from {lo} to {hi}",
        "omega_one": ", ω = {w}",
        "ordinal_alpha": (
            " Because the items were treated as ordinal, ordinal α based on polychoric "
            "correlations (Zumbo, Gadermann & Zeisser, 2007) is reported as well ({lo}–{hi})."
        ),
        # efa
        "efa_kmo": (
            "The sampling adequacy of the item correlations was {label} (KMO = {kmo}; Kaiser, "
            "1974){bartlett}."
        ),
        "bartlett": " and Bartlett's (1950) test of sphericity was significant (χ²({df}) = {chisq}, p {p})",
        "bartlett_ns": " but Bartlett's (1950) test of sphericity was not significant (χ²({df}) = {chisq}, p {p})",
        "efa_pa": (
            " Parallel analysis (Horn, 1965) suggested {pa} factor{s} against the {k} dimensions "
            "of the instrument."
        ),
        "efa_fit": (
            " An exploratory factor analysis with {k} factors ({method} extraction, {rotation} "
            "rotation, {cor} correlations) gave {cross} cross-loading item(s) and {none} item(s) "
            "without a loading of at least {salient}."
        ),
        "efa_methods": {
            "minres": "minimum residual",
            "ml": "maximum likelihood",
            "pa": "principal axis",
        },
        "efa_cor": {"pearson": "Pearson", "polychoric": "polychoric"},
        # cfa
        "cfa": (
            "The measurement model with {k} factors and {p} items was tested with confirmatory factor "
            "analysis on n = {n} respondents, using {estimator}: {fit}. By the cut-offs of Hu "
            "and Bentler (1999), this is {verdict} fit."
        ),
        "cfa_failed": "The confirmatory factor analysis could not be estimated ({error}).",
        "est_ML": "maximum likelihood (ML)",
        "est_MLR": (
            "maximum likelihood with robust (Huber–White) standard errors and the Yuan–Bentler "
            "scaled χ² (MLR; Yuan & Bentler, 2000), reporting the robust CFI, TLI and RMSEA "
            "(Brosseau-Liard & Savalei, 2014)"
        ),
        "est_WLSMV": (
            "diagonally weighted least squares on polychoric correlations with robust standard "
            "errors and a mean- and variance-adjusted χ² (WLSMV; Muthén, du Toit & Spisic, 1997)"
        ),
        "est_other": "the {estimator} estimator",
        "verdict_good": "good",
        "verdict_acceptable": "acceptable",
        "verdict_poor": "poor",
        "verdict_unknown": "undetermined",
        "loadings": " Standardised loadings ranged from {lo} to {hi}{weak}.",
        "weak": " ({k} below .50: {items})",
        "software": (
            " The analyses were run with moscale {version}, whose estimates are tested against "
            "lavaan (Rosseel, 2012)."
        ),
        # validity
        "cr_ave": (
            "Composite reliability ({cr_cite}) ranged from {crlo} to {crhi} and the average "
            "variance extracted (AVE; Fornell & Larcker, 1981) from {avelo} to {avehi}{low}."
        ),
        "low_ave": "; AVE was below .50 for {items}",
        "htmt_ok": (
            " The largest heterotrait–monotrait ratio was {max} ({pair}), below the .85 threshold "
            "(Henseler, Ringle & Sarstedt, 2015)"
        ),
        "htmt_high": (
            " The heterotrait–monotrait ratio reached or exceeded .85 (Henseler, Ringle & "
            "Sarstedt, 2015) for {pairs}"
        ),
        "fl_all": ", and the Fornell–Larcker criterion held for every construct.",
        "fl_some": ", and the Fornell–Larcker criterion held for {k} of {m} constructs.",
        "harman": (
            " In Harman's single-factor test (Podsakoff et al., 2003) the first factor accounted "
            "for {share} of the variance."
        ),
        # groups
        "inv": (
            "Measurement invariance across {group} ({groups}) was tested with multi-group CFA "
            "({estimator}) {unit}, from configural to metric, scalar and strict invariance "
            "(Vandenberg & Lance, 2000); each step was compared with the last one that held by "
            "the {difference} and accepted when ΔCFI ≥ −.010 and ΔRMSEA ≤ .015 (Chen, 2007). "
            "{levels}"
        ),
        "ordinal_ladder": (
            " With ordinal items the thresholds were constrained first, then the loadings and "
            "the intercepts, with the identification constraints of Wu and Estabrook (2016)."
        ),
        "unit_model": "on the whole measurement model",
        "unit_factor": (
            "separately for each dimension, as the groups were too small for the whole model "
            "(Bentler & Chou, 1987)"
        ),
        "diff_ML": "χ² difference test",
        "diff_MLR": "scaled χ² difference test (Satorra & Bentler, 2001)",
        "diff_WLSMV": "scaled-and-shifted χ² difference test (Satorra, 2000)",
        "level_all": "{level} held for every dimension.",
        "level_some": "{level} held for {dims}.",
        "none_all": "Not even configural invariance held for any dimension.",
        "none_some": "Not even configural invariance held for {dims}.",
        "partial": (
            " For {dims}, only partial invariance was reached ({level}) after releasing "
            "parameters found by a specification search (Byrne, Shavelson & Muthén, 1989; "
            "MacCallum, Roznowski & Necowitz, 1992): {params}."
        ),
        "inv_failed": " Invariance could not be tested for {dims}.",
        "partial_word": "partial",
        "compare_2": (
            " The groups were compared on the dimension scores with Welch's t test (Welch, 1947) "
            "and Hedges' g with 95% confidence intervals (Hedges & Olkin, 1985)"
        ),
        "compare_k": (
            " The groups were compared on the dimension scores with Welch's ANOVA (Welch, 1951), "
            "η² with 95% confidence intervals (Steiger, 2004) and Games–Howell post hoc tests "
            "(Games & Howell, 1976)"
        ),
        "adjust": (
            "; p-values were adjusted across the {k} dimensions with Holm's (1979) method, and "
            "mean differences are interpreted only where scalar invariance held."
        ),
        "left_out": " Groups with fewer than {min} respondents ({groups}) were left out.",
        # firm
        "firm": (
            "Because several respondents answered for the same firm ({firms} firms, {k} "
            "respondents per firm on average), within-firm agreement was assessed with rwg(j) "
            "(James, Demaree & Wolf, 1984; median {rwglo}–{rwghi} across dimensions) and the "
            "intraclass correlations ICC(1) ({i1lo}–{i1hi}) and ICC(2) ({i2lo}–{i2hi}; Bliese, "
            "2000); firm-level scores were formed only where rwg(j) ≥ .70 (LeBreton & Senter, "
            "2008)."
        ),
        # verdict
        "verdict_intro": "In sum: ",
        "v_fit": "the measurement model fits {verdict} ({fit})",
        "v_fit_good": "well",
        "v_fit_acceptable": "acceptably",
        "v_fit_poor": "poorly",
        "v_dv_ok": "discriminant validity holds (largest HTMT = {max})",
        "v_dv_except": "discriminant validity holds except for {pairs}",
        "v_inv_all": "{level} holds across {group}, so the dimensions' means can be compared",
        "v_inv_some": (
            "across {group}, {level} holds for {k} of {m} dimensions, so their means can be "
            "compared; for {rest} they cannot be compared as observed scores"
        ),
        "v_inv_none": (
            "across {group}, scalar invariance does not hold, so observed means are not "
            "comparable{what}"
        ),
        "v_inv_relations": " (relations may be compared: metric invariance)",
        "v_firm_ok": "firm-level aggregation is supported for every dimension",
        "v_firm_some": "firm-level aggregation is supported for {k} of {m} dimensions",
        "v_firm_none": (
            "firm means are not reliable enough for aggregation (ICC(2) below .70); model the "
            "nesting instead"
        ),
        "and": "and",
    },
    "fi": {
        "title": "Menetelmäkuvaus",
        "intro": (
            "Alla olevat kappaleet kuvaavat analyysin tämän raportin luvuin; ne voi liittää "
            "tutkimuksen menetelmäosaan ja muokata tarpeen mukaan. Lähteet ovat lopussa (APA 7)."
        ),
        "references": "Lähteet",
        "all_read": "Kaikki {n_read} vastausta analysoitiin (N = {n}{firms}).",
        "some_dropped": "Vastauksista ({n_read}) {parts}, joten analysoitavia jäi N = {n}{firms}.",
        "dropped_reading": "{k} poistettiin aineistoa luettaessa ({what})",
        "excluded": (
            "{k} poistettiin huolimattomina vastaajina seulontasäännöllä {rules} (Meade & Craig, "
            "2012)"
        ),
        "firms": "; vastaajat {firms} yrityksestä",
        "flagged": (
            "Vastaajat, jotka ainakin yksi huolimattomuusindeksi liputti (n = {k}; Meade & "
            "Craig, 2012), pidettiin aineistossa."
        ),
        "missing_listwise": (
            "Osioiden vastauksista puuttui {pct}; puuttuvat vastaukset käsiteltiin jättämällä "
            "vastaaja pois kunkin asteikon sisällä (listwise-poisto{cfa_n})."
        ),
        "missing_fiml": (
            "Osioiden vastauksista puuttui {pct}; CFA:ssa ja invarianssitesteissä käytettiin "
            "täyden informaation suurimman uskottavuuden menetelmää, osioanalyysissa ja "
            "reliabiliteetissa listwise-poistoa kunkin asteikon sisällä."
        ),
        "cfa_n": "; CFA:ssa n = {n} täydellistä havaintoa",
        "reversed": "Käänteiset osiot (k = {k}) käännettiin ennen analyysia.",
        "scales": "Kyselylomake mittasi seuraavia: {scales}.",
        "scale_item": "{name} ({short}{cite}; {k} osiota, {points}-portainen asteikko)",
        "rel_range": (
            "Sisäistä johdonmukaisuutta arvioitiin Cronbachin α:lla (Cronbach, 1951) ja "
            "McDonaldin ω:lla (McDonald, 1999): α vaihteli {alo} ({alo_dim}) ja {ahi} ({ahi_dim}) "
            "välillä{omega}."
        ),
        "rel_one": (
            "Sisäistä johdonmukaisuutta arvioitiin Cronbachin α:lla (Cronbach, 1951) ja "
            "McDonaldin ω:lla (McDonald, 1999): α = {a}{omega}."
        ),
        "omega_range": " ja ω {lo} ja {hi} välillä",
        "omega_one": ", ω = {w}",
        "ordinal_alpha": (
            " Koska osiot käsiteltiin järjestysasteikollisina, raportoidaan myös polykorisiin "
            "korrelaatioihin perustuva ordinaalinen α (Zumbo, Gadermann & Zeisser, 2007; "
            "{lo}–{hi})."
        ),
        "efa_kmo": (
            "Osioiden korrelaatiomatriisin soveltuvuus faktorianalyysiin oli {label} (KMO = {kmo}; "
            "Kaiser, 1974){bartlett}."
        ),
        "bartlett": (
            " ja Bartlettin (1950) sfäärisyystesti oli merkitsevä (χ²({df}) = {chisq}, p {p})"
        ),
        "bartlett_ns": (
            ", mutta Bartlettin (1950) sfäärisyystesti ei ollut merkitsevä (χ²({df}) = {chisq}, "
            "p {p})"
        ),
        "efa_pa": (
            " Rinnakkaisanalyysi (Horn, 1965) ehdotti {pa} faktoria, kun mittarissa on {k} "
            "ulottuvuutta."
        ),
        "efa_fit": (
            " Eksploratiivisessa faktorianalyysissa {k} faktorilla ({method}, {rotation}-rotaatio, "
            "{cor} korrelaatiot) ristiinlatautuvia osioita oli {cross} ja osioita, joiden mikään "
            "lataus ei ollut vähintään {salient}, oli {none}."
        ),
        "efa_methods": {
            "minres": "pienimmän jäännöksen menetelmä",
            "ml": "suurimman uskottavuuden menetelmä",
            "pa": "pääakselimenetelmä",
        },
        "efa_cor": {"pearson": "Pearsonin", "polychoric": "polykoriset"},
        "cfa": (
            "Mittausmallia, jossa on {k} faktoria ja {p} osiota, testattiin vahvistavalla "
            "faktorianalyysilla n = {n} vastaajan aineistossa, estimointimenetelmänä {estimator}: "
            "{fit}. Hu ja Bentlerin (1999) raja-arvoilla sopivuus on {verdict}."
        ),
        "cfa_failed": "Vahvistavaa faktorianalyysia ei voitu estimoida ({error}).",
        "est_ML": "suurimman uskottavuuden menetelmä (ML)",
        "est_MLR": (
            "suurimman uskottavuuden menetelmä robustein (Huber–White) keskivirhein ja "
            "Yuan–Bentlerin skaalatulla χ²-testillä (MLR; Yuan & Bentler, 2000); CFI, TLI ja "
            "RMSEA ovat robusteja (Brosseau-Liard & Savalei, 2014)"
        ),
        "est_WLSMV": (
            "diagonaalisesti painotettu pienimmän neliösumman menetelmä polykorisista "
            "korrelaatioista robustein keskivirhein ja keskiarvo- ja varianssikorjatulla "
            "χ²-testillä (WLSMV; Muthén, du Toit & Spisic, 1997)"
        ),
        "est_other": "{estimator}-estimaattori",
        "verdict_good": "hyvä",
        "verdict_acceptable": "hyväksyttävä",
        "verdict_poor": "heikko",
        "verdict_unknown": "määrittämätön",
        "loadings": " Standardoidut lataukset vaihtelivat {lo} ja {hi} välillä{weak}.",
        "weak": " ({k} alle .50: {items})",
        "software": (
            " Analyysit tehtiin moscalen versiolla {version}, jonka estimaatit on testattu "
            "lavaania (Rosseel, 2012) vasten."
        ),
        "cr_ave": (
            "Koostereliabiliteetti ({cr_cite}) vaihteli {crlo} ja {crhi} välillä ja keskimäärin "
            "selitetty varianssi (AVE; Fornell & Larcker, 1981) {avelo} ja {avehi} välillä{low}."
        ),
        "low_ave": "; AVE oli alle .50 ulottuvuuksilla {items}",
        "htmt_ok": (
            " Suurin heterotrait–monotrait-suhde oli {max} ({pair}), alle raja-arvon .85 "
            "(Henseler, Ringle & Sarstedt, 2015)"
        ),
        "htmt_high": (
            " Heterotrait–monotrait-suhde oli vähintään .85 (Henseler, Ringle & Sarstedt, 2015) "
            "pareilla {pairs}"
        ),
        "fl_all": ", ja Fornellin–Larckerin kriteeri täyttyi kaikilla ulottuvuuksilla.",
        "fl_some": ", ja Fornellin–Larckerin kriteeri täyttyi {k}/{m} ulottuvuudella.",
        "harman": (
            " Harmanin yhden faktorin testissä (Podsakoff ym., 2003) ensimmäinen faktori selitti "
            "{share} varianssista."
        ),
        "inv": (
            "Mittausinvarianssia ryhmien välillä (ryhmittelijä: {group}; {groups}) testattiin "
            "monen ryhmän CFA:lla ({estimator}) {unit} konfiguraalisesta metriseen, skalaari- ja "
            "tiukkaan invarianssiin (Vandenberg & Lance, 2000); kutakin vaihetta verrattiin "
            "viimeisimpään hyväksyttyyn {difference}, ja vaihe hyväksyttiin, kun ΔCFI ≥ −.010 ja "
            "ΔRMSEA ≤ .015 (Chen, 2007). {levels}"
        ),
        "ordinal_ladder": (
            " Järjestysasteikollisilla osioilla kynnysarvot rajoitettiin ensin, sitten lataukset "
            "ja vakiotermit, Wun ja Estabrookin (2016) identifiointirajoittein."
        ),
        "unit_model": "koko mittausmallille",
        "unit_factor": (
            "kullekin ulottuvuudelle erikseen, koska ryhmät olivat liian pieniä koko mallille "
            "(Bentler & Chou, 1987),"
        ),
        "diff_ML": "χ²-erotustestillä",
        "diff_MLR": "skaalatulla χ²-erotustestillä (Satorra & Bentler, 2001)",
        "diff_WLSMV": "skaalatulla ja siirretyllä χ²-erotustestillä (Satorra, 2000)",
        "level_all": "Kaikilla ulottuvuuksilla {level} piti.",
        "level_some": "{level} piti ulottuvuuksilla {dims}.",
        "none_all": "Millään ulottuvuudella ei saavutettu edes konfiguraalista invarianssia.",
        "none_some": "Ulottuvuuksilla {dims} ei saavutettu edes konfiguraalista invarianssia.",
        "partial": (
            " Ulottuvuuksilla {dims} saavutettiin vain osittainen invarianssi ({level}), kun "
            "spesifikaatiohaussa löydettyjä parametreja vapautettiin (Byrne, Shavelson & Muthén, "
            "1989; MacCallum, Roznowski & Necowitz, 1992): {params}."
        ),
        "inv_failed": " Invarianssia ei voitu testata ulottuvuuksilla {dims}.",
        "partial_word": "osittainen",
        "compare_2": (
            " Ryhmiä verrattiin ulottuvuuksien pistemäärissä Welchin t-testillä (Welch, 1947) ja "
            "Hedgesin g:llä 95 %:n luottamusvälein (Hedges & Olkin, 1985)"
        ),
        "compare_k": (
            " Ryhmiä verrattiin ulottuvuuksien pistemäärissä Welchin varianssianalyysilla (Welch, "
            "1951), η²:lla 95 %:n luottamusvälein (Steiger, 2004) ja Games–Howellin "
            "parivertailuilla (Games & Howell, 1976)"
        ),
        "adjust": (
            "; p-arvot korjattiin {k} ulottuvuuden yli Holmin (1979) menetelmällä, ja "
            "keskiarvoeroja tulkitaan vain, kun skalaari-invarianssi piti."
        ),
        "left_out": " Alle {min} vastaajan ryhmät ({groups}) jätettiin pois.",
        "firm": (
            "Koska samasta yrityksestä vastasi useita henkilöitä ({firms} yritystä, keskimäärin "
            "{k} vastaajaa yritystä kohden), yritysten sisäistä yksimielisyyttä arvioitiin "
            "rwg(j)-indeksillä (James, Demaree & Wolf, 1984; mediaani {rwglo}–{rwghi} "
            "ulottuvuuksittain) ja sisäkorrelaatioilla ICC(1) ({i1lo}–{i1hi}) ja ICC(2) "
            "({i2lo}–{i2hi}; Bliese, 2000); yritystason pistemäärät muodostettiin vain, kun "
            "rwg(j) ≥ .70 (LeBreton & Senter, 2008)."
        ),
        "verdict_intro": "Yhteenvetona: ",
        "v_fit": "mittausmallin sopivuus on {verdict} ({fit})",
        "v_fit_good": "hyvä",
        "v_fit_acceptable": "hyväksyttävä",
        "v_fit_poor": "heikko",
        "v_dv_ok": "erottuvuusvaliditeetti on kunnossa (suurin HTMT = {max})",
        "v_dv_except": "erottuvuusvaliditeetti on kunnossa paitsi pareilla {pairs}",
        "v_inv_all": (
            "ryhmien välillä (ryhmittelijä: {group}) {level} pätee, joten ulottuvuuksien "
            "keskiarvoja voi verrata"
        ),
        "v_inv_some": (
            "ryhmien välillä (ryhmittelijä: {group}) {level} pätee {k}/{m} ulottuvuudella, joten "
            "niiden keskiarvoja voi verrata; ulottuvuuksia {rest} ei voi verrata havaittuina "
            "pistemäärinä"
        ),
        "v_inv_none": (
            "ryhmien välillä (ryhmittelijä: {group}) skalaari-invarianssi ei päde, joten havaittuja "
            "keskiarvoja ei voi verrata{what}"
        ),
        "v_inv_relations": " (yhteyksiä voi verrata: metrinen invarianssi)",
        "v_firm_ok": "yritystasolle yhdistäminen on perusteltua kaikilla ulottuvuuksilla",
        "v_firm_some": "yritystasolle yhdistäminen on perusteltua {k}/{m} ulottuvuudella",
        "v_firm_none": (
            "yrityskeskiarvot eivät ole riittävän luotettavia yhdistämiseen (ICC(2) alle .70); "
            "mallinna hierarkkisuus"
        ),
        "and": "ja",
    },
}


# --------------------------------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------------------------------


def b2(v: Any) -> str:
    """A value bounded by 1, two decimals, no leading zero (α, ω, CR, AVE, HTMT, loadings)."""
    return format_value(float(v) if finite(v) else None, "bounded", 2)


def b3(v: Any) -> str:
    """Fit indices: three decimals, no leading zero."""
    return format_value(float(v) if finite(v) else None, "bounded", 3)


def fit_line(fit: dict[str, Any], lang: str) -> str:
    """``χ²(df) = x, p = .01; CFI = .96; TLI = .95; RMSEA = .05, 90% CI [.04, .06]; SRMR = .04``,
    as the CFA section prints it."""
    ci = "90% CI" if lang == "en" else "90 %:n LV"
    return (
        f"χ²({df_text(fit.get('df'))}) = {format_value(_num_or_none(fit.get('chisq')), 'stat', 2)}, "
        f"p {p_text(fit.get('pvalue'))}; CFI = {b3(fit.get('cfi'))}; TLI = {b3(fit.get('tli'))}; "
        f"RMSEA = {b3(fit.get('rmsea'))}, {ci} [{b3(fit.get('rmsea_lower'))}, "
        f"{b3(fit.get('rmsea_upper'))}]; SRMR = {b3(fit.get('srmr'))}"
    )


def _num_or_none(v: Any) -> float | None:
    return float(v) if finite(v) else None


def _join(words: list[str], lang: str) -> str:
    words = [str(w) for w in words]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + f" {TEXT[lang]['and']} " + words[-1]


def _pct(share: float) -> str:
    return f"{100 * share:.1f} %".replace(" %", "%")


def in_text_citation(reference: str) -> str:
    """APA in-text citation ("Narver & Slater, 1990", "Lin et al., 2010") from a full reference."""
    m = re.match(r"^\s*(?P<authors>[^(\[]+?)\s*\((?P<year>\d{4}[a-z]?|n\.d\.)[^)]*\)", reference)
    if not m:
        short = re.sub(r"\s+", " ", reference.strip())
        short = short.split("]")[0].lstrip("[") if short.startswith("[") else short
        words = short.split()
        return " ".join(words[:4]) + ("…" if len(words) > 4 else "") + ", n.d."
    authors = m.group("authors").strip()
    year = m.group("year")
    names = re.findall(
        r"(?:^|,\s*&?\s*|&\s*)([^,&]+?),\s*(?:[A-ZÀ-Ý]\.(?:\s*-?\s*[A-ZÀ-Ý]\.)*\s*)+", authors
    )
    names = [n.strip() for n in names if n.strip()]
    if not names:
        names = [authors.rstrip(".,")]
    if len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} & {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who}, {year}"


# --------------------------------------------------------------------------------------------------
# The section
# --------------------------------------------------------------------------------------------------


class _Writer:
    """Builds the paragraphs, remembering what it cited and the numbers it used."""

    def __init__(self, ctx: Any):
        self.ctx = ctx
        self.lang = ctx.lang
        self.t = TEXT[ctx.lang]
        self.cited: set[str] = set()
        self.values: dict[str, Any] = {}
        self.scale_refs: dict[str, str] = {}

    def cite(self, *keys: str) -> None:
        self.cited.update(keys)

    # ---- sample and data -------------------------------------------------------------------------
    def sample(self) -> str:
        ctx, t = self.ctx, self.t
        ds_all, ds = ctx.dataset_all, ctx.dataset
        n_read = int(getattr(ds_all, "n_read", ds_all.n_kept))
        n = int(ds.n_kept)
        dropped_reading = {
            k: int(v) for k, v in (getattr(ds_all, "exclusions", {}) or {}).items() if v
        }
        scr = ctx.screening
        excluded = dict(getattr(scr, "excluded", {}) or {})
        n_excluded = int(excluded.get("total", 0))
        flagged = int((getattr(scr, "flagged", {}) or {}).get("any", 0))
        agg = ctx.found.get("firm")
        firms = ""
        if agg is not None and hasattr(agg, "firm_scores"):
            firms = t["firms"].format(firms=len(agg.firm_scores))
        self.values["sample"] = {
            "n_read": n_read,
            "n_analysed": n,
            "dropped_when_reading": dropped_reading,
            "excluded_careless": n_excluded,
            "flagged_careless": flagged,
        }
        sentences = []
        parts = []
        if dropped_reading:
            what = ", ".join(f"{k}: {v}" for k, v in dropped_reading.items())
            parts.append(t["dropped_reading"].format(k=sum(dropped_reading.values()), what=what))
        if n_excluded:
            rules = [r for r in excluded if r != "total" and excluded[r]]
            parts.append(
                t["excluded"].format(
                    k=n_excluded, rules=", ".join(rules), s="s" if len(rules) > 1 else ""
                )
            )
            self.cite("meade2012")
        if parts:
            sentences.append(
                t["some_dropped"].format(
                    n_read=n_read, parts=_join(parts, self.lang), n=n, firms=firms
                )
            )
        else:
            sentences.append(t["all_read"].format(n_read=n_read, n=n, firms=firms))
        kept_flagged = max(flagged - n_excluded, 0)
        if kept_flagged:
            sentences.append(t["flagged"].format(k=kept_flagged))
            self.cite("meade2012")
        items = [i for its in ctx.dimensions.values() for i in its if i in ds.items.columns]
        if items:
            share = float(ds.items[items].isna().to_numpy().mean())
            self.values["missing_share"] = share
            cfa = ctx.found.get("cfa")
            from .groups import missing_used

            if missing_used(ctx) == "fiml" and not ctx.ordinal:
                sentences.append(t["missing_fiml"].format(pct=_pct(share)))
            else:
                cfa_n = ""
                if cfa is not None and getattr(cfa, "converged", False):
                    cfa_n = t["cfa_n"].format(n=int(cfa.ntotal))
                sentences.append(t["missing_listwise"].format(pct=_pct(share), cfa_n=cfa_n))
        rev = len(getattr(ds, "reversed", {}) or {})
        if rev:
            sentences.append(t["reversed"].format(k=rev))
        scales = self._scales()
        if scales:
            sentences.append(scales)
        return " ".join(sentences)

    def _scales(self) -> str:
        inst = self.ctx.instrument
        if inst is None:
            return ""
        parts = []
        for block in inst.blocks:
            scale = block.scale
            name = scale.name.get(self.lang) or next(iter(scale.name.values()))
            short = f"{scale.short_name}; " if scale.short_name else ""
            inner = re.match(r"^(.*\S)\s*\(([^()]*)\)$", name)
            if inner:  # "Market orientation (MKTOR structure)": one pair of parentheses
                name, short = inner.group(1), f"{inner.group(2)}; "
            cites = []
            for c in scale.citations:
                self.scale_refs[c.key] = " ".join(c.text.split())
                cites.append(in_text_citation(c.text))
            parts.append(
                self.t["scale_item"].format(
                    name=name,
                    short=short,
                    cite="; ".join(sorted(dict.fromkeys(cites), key=str.lower)),
                    k=len(block.items),
                    points=block.response.points,
                )
            )
        return self.t["scales"].format(scales=_join(parts, self.lang)) if parts else ""

    # ---- reliability -------------------------------------------------------------------------------
    def reliability(self) -> str:
        ctx, t = self.ctx, self.t
        by_dim = ctx.found.get("reliability") or {}
        if not isinstance(by_dim, dict):
            return ""
        alphas = {k: r.alpha for k, r in by_dim.items() if finite(getattr(r, "alpha", None))}
        if not alphas:
            return ""
        omegas = [r.omega_total for r in by_dim.values() if finite(getattr(r, "omega_total", None))]
        self.cite("cronbach1951", "mcdonald1999")
        self.values["alpha"] = {k: float(v) for k, v in alphas.items()}
        self.values["omega_total"] = {
            k: float(r.omega_total)
            for k, r in by_dim.items()
            if finite(getattr(r, "omega_total", None))
        }
        if len(alphas) == 1:
            ((key, a),) = alphas.items()
            om = by_dim[key].omega_total
            text = t["rel_one"].format(
                a=b2(a), omega=t["omega_one"].format(w=b2(om)) if finite(om) else ""
            )
        else:
            lo_k = min(alphas, key=alphas.get)
            hi_k = max(alphas, key=alphas.get)
            omega = (
                t["omega_range"].format(lo=b2(min(omegas)), hi=b2(max(omegas))) if omegas else ""
            )
            text = t["rel_range"].format(
                alo=b2(alphas[lo_k]),
                alo_dim=ctx.label(lo_k),
                ahi=b2(alphas[hi_k]),
                ahi_dim=ctx.label(hi_k),
                omega=omega,
            )
        if ctx.ordinal:
            oa = [
                r.ordinal_alpha
                for r in by_dim.values()
                if finite(getattr(r, "ordinal_alpha", None))
            ]
            if oa:
                text += t["ordinal_alpha"].format(lo=b2(min(oa)), hi=b2(max(oa)))
                self.cite("zumbo2007")
                self.values["ordinal_alpha_range"] = [float(min(oa)), float(max(oa))]
        return text

    # ---- EFA ---------------------------------------------------------------------------------------
    def efa(self) -> str:
        ctx, t = self.ctx, self.t
        res = ctx.results.get("efa") or {}
        kmo = (res.get("kmo") or {}).get("msa")
        if not finite(kmo):
            return ""
        from ..factorability import kmo_label

        label = _KAISER[self.lang].get(kmo_label(float(kmo)), kmo_label(float(kmo)))
        self.cite("kaiser1974")
        bart = res.get("bartlett") or {}
        bartlett = ""
        if finite(bart.get("chisq")):
            key = (
                "bartlett"
                if finite(bart.get("pvalue")) and bart["pvalue"] < 0.05
                else "bartlett_ns"
            )
            bartlett = t[key].format(
                df=df_text(bart.get("df")),
                chisq=format_value(float(bart["chisq"]), "stat", 2),
                p=p_text(bart.get("pvalue")),
            )
            self.cite("bartlett1950")
        text = t["efa_kmo"].format(label=label, kmo=b2(kmo), bartlett=bartlett)
        self.values["kmo"] = float(kmo)
        pa = (res.get("parallel") or {}).get("n_factors")
        if pa is not None:
            k = len(ctx.reflective)
            text += t["efa_pa"].format(pa=pa, s="" if pa == 1 else "s", k=k)
            self.cite("horn1965")
            self.values["parallel_analysis_factors"] = int(pa)
        fitted = res.get("efa") or {}
        if fitted.get("n_factors"):
            method = str(fitted.get("method", ""))
            cor = str(fitted.get("cor", res.get("cor", "")))
            cross = res.get("cross_loadings") or {}
            none = res.get("no_salient") or []
            text += t["efa_fit"].format(
                k=fitted["n_factors"],
                method=t["efa_methods"].get(method, method),
                rotation=fitted.get("rotation", ""),
                cor=t["efa_cor"].get(cor, cor),
                cross=len(cross),
                none=len(none),
                salient=b2(res.get("salient", 0.30)),
            )
            self.values["efa"] = {
                "n_factors": int(fitted["n_factors"]),
                "cross_loadings": len(cross),
                "no_salient": len(none),
            }
        return text

    # ---- CFA ---------------------------------------------------------------------------------------
    def fit(self) -> dict[str, Any] | None:
        """The fit indices as the CFA section reports them (``ctx.found["cfa_fit"]``), or the same
        choice made from the CFA result: robust for MLR, scaled for WLSMV, standard for ML."""
        found = self.ctx.found.get("cfa_fit")
        if isinstance(found, dict) and finite(found.get("cfi")):
            return found
        res = self.ctx.found.get("cfa")
        if res is None or not getattr(res, "converged", False):
            return None
        fm = res.fit_measures()
        if finite(fm.get("chisq.scaling.factor")):
            suffix = ".scaled" if self.ctx.ordinal else ".robust"
            if not self.ctx.ordinal and not finite(fm.get("cfi.robust")):
                suffix = ".scaled"
            out = {
                "chisq": fm.get("chisq.scaled"),
                "df": fm.get("df.scaled", fm.get("df")),
                "pvalue": fm.get("pvalue.scaled"),
            }
        else:
            suffix = ""
            out = {"chisq": fm.get("chisq"), "df": fm.get("df"), "pvalue": fm.get("pvalue")}
        for key in ("cfi", "tli", "rmsea"):
            out[key] = fm.get(key + suffix)
        out["rmsea_lower"] = fm.get("rmsea.ci.lower" + suffix)
        out["rmsea_upper"] = fm.get("rmsea.ci.upper" + suffix)
        out["srmr"] = fm.get("srmr")
        out = {k: (float(v) if finite(v) else None) for k, v in out.items()}
        out["verdict"] = fit_verdict(out)
        return out

    def cfa(self) -> str:
        ctx, t = self.ctx, self.t
        res = ctx.found.get("cfa")
        if res is None:
            err = (ctx.results.get("cfa") or {}).get("error")
            return t["cfa_failed"].format(error=err) if err else ""
        fit = self.fit()
        if fit is None:
            return t["cfa_failed"].format(error="no convergence")
        est = str(getattr(res, "estimator", ctx.estimator)).upper()
        est_text = t.get(f"est_{est}") or t["est_other"].format(estimator=est)
        self.cite("hu1999")
        if est == "MLR":
            self.cite("yuan2000", "brosseau2014")
        elif est == "WLSMV":
            self.cite("muthen1997")
        verdict = fit.get("verdict") or fit_verdict(fit)
        lam = res.loadings(standardized=True)
        values = lam.to_numpy(float)
        nonzero = values[values != 0]
        text = t["cfa"].format(
            k=len(res.lv_names),
            p=len(res.ov_names),
            estimator=est_text,
            n=int(res.ntotal),
            fit=fit_line(fit, self.lang),
            verdict=t.get(f"verdict_{verdict}", verdict),
        )
        self.values["fit"] = {
            k: fit.get(k)
            for k in (
                "chisq",
                "df",
                "pvalue",
                "cfi",
                "tli",
                "rmsea",
                "rmsea_lower",
                "rmsea_upper",
                "srmr",
            )
        }
        self.values["fit_verdict"] = verdict
        if nonzero.size:
            weak = [
                str(item)
                for item in lam.index
                if (lam.loc[item] != 0).any()
                and lam.loc[item][lam.loc[item] != 0].abs().max() < 0.5
            ]
            weak_text = t["weak"].format(k=len(weak), items=", ".join(weak)) if weak else ""
            text += t["loadings"].format(lo=b2(nonzero.min()), hi=b2(nonzero.max()), weak=weak_text)
            self.values["loadings_range"] = [float(nonzero.min()), float(nonzero.max())]
        text += t["software"].format(version=__version__)
        self.cite("rosseel2012")
        return text

    # ---- validity ----------------------------------------------------------------------------------
    def validity(self) -> str:
        ctx, t = self.ctx, self.t
        labels = ctx.found.get("cfa_labels") or {}
        from ..pipeline import factor_name

        for key in ctx.dimensions:
            labels.setdefault(factor_name(key), ctx.label(key))

        def name(f: str) -> str:
            return labels.get(f, f)

        cr = ctx.found.get("cfa_cr")
        av = ctx.found.get("cfa_ave")
        dv = ctx.found.get("validity")
        if (cr is None or av is None) and dv is not None:
            rel = dv.reliability
            cr = rel["omega"] if "omega" in rel else None
            av = rel["ave"] if "ave" in rel else None
        text = ""
        if cr is not None and av is not None:
            cr = pd.Series(cr, dtype=float).dropna()
            av = pd.Series(av, dtype=float).dropna()
            if len(cr) and len(av):
                cite = "Green & Yang, 2009" if ctx.ordinal else "Raykov, 1997"
                self.cite("green2009" if ctx.ordinal else "raykov1997", "fornell1981")
                low = [name(f) for f, v in av.items() if v < 0.50]
                text = t["cr_ave"].format(
                    cr_cite=cite,
                    crlo=b2(cr.min()),
                    crhi=b2(cr.max()),
                    avelo=b2(av.min()),
                    avehi=b2(av.max()),
                    low=t["low_ave"].format(items=_join(low, self.lang)) if low else "",
                )
                self.values["composite_reliability"] = {str(k): float(v) for k, v in cr.items()}
                self.values["ave"] = {str(k): float(v) for k, v in av.items()}
        if dv is not None:
            mat = dv.htmt.matrix
            facs = list(mat.index)
            pairs = [
                (facs[i], facs[j], float(mat.iloc[i, j]))
                for i in range(len(facs))
                for j in range(i + 1, len(facs))
                if finite(mat.iloc[i, j])
            ]
            if pairs:
                self.cite("henseler2015")
                high = [p for p in pairs if abs(p[2]) >= HTMT_THRESHOLD]
                top = max(pairs, key=lambda p: abs(p[2]))
                self.values["htmt_max"] = {"pair": [top[0], top[1]], "value": top[2]}
                if high:
                    listed = _join(
                        [f"{name(a)}–{name(b)} ({b2(v)})" for a, b, v in high], self.lang
                    )
                    text += t["htmt_high"].format(pairs=listed)
                else:
                    text += t["htmt_ok"].format(
                        max=b2(top[2]), pair=f"{name(top[0])}–{name(top[1])}"
                    )
                fl = (
                    dv.reliability.get("fornell_larcker_ok")
                    if hasattr(dv.reliability, "get")
                    else None
                )
                if fl is not None:
                    ok = int(pd.Series(fl).fillna(False).astype(bool).sum())
                    m = int(len(fl))
                    text += t["fl_all"] if ok == m else t["fl_some"].format(k=ok, m=m)
                    self.values["fornell_larcker_ok"] = ok
                    self.cite("fornell1981")
                else:
                    text += "."
        cmv = ctx.found.get("cmv") or {}
        harman = cmv.get("harman") if isinstance(cmv, dict) else None
        if isinstance(harman, dict) and finite(harman.get("share")):
            text += t["harman"].format(share=_pct(float(harman["share"])))
            self.cite("podsakoff2003")
            self.values["harman_share"] = float(harman["share"])
        return text.strip()

    # ---- groups ------------------------------------------------------------------------------------
    def groups(self) -> list[str]:
        ctx, t, lang = self.ctx, self.t, self.lang
        found = ctx.found.get("groups") or {}
        out = []
        from .groups import LEVEL_WORDS, MIN_GROUP_N, variable_name

        for group, info in found.items():
            if not info or not info.get("groups"):
                continue
            labels = info.get("labels", {})
            sizes = info.get("sizes", {})
            gname = variable_name(ctx, group)
            groups_text = ", ".join(
                f"{labels.get(c, c)} n = {sizes.get(c)}" for c in info["groups"]
            )
            units = info.get("invariance") or {}
            levels = info.get("levels") or {}
            partial_levels = info.get("partial_levels", {}) if isinstance(info, dict) else {}
            sentences = []
            if units:
                est = info.get("estimator", ctx.estimator)
                self.cite("vandenberg2000", "chen2007")
                self.cite({"ML": "chen2007", "MLR": "satorra2001"}.get(est, "satorra2000"))
                unit = info.get("unit")
                if unit == "factor":
                    self.cite("bentler1987")
                tested = {k: v for k, v in levels.items() if v is not None}
                by_level: dict[str, list[str]] = {}
                for k, v in tested.items():
                    if k in partial_levels:
                        continue
                    by_level.setdefault(v, []).append(ctx.label(k))
                level_sentences = []
                for lvl in ("strict", "scalar", "metric", "configural", "none"):
                    dims = by_level.get(lvl, [])
                    if not dims:
                        continue
                    phrase = LEVEL_WORDS[lang][lvl]
                    phrase = phrase[0].upper() + phrase[1:]
                    if lvl == "none":  # "no invariance held" reads as its opposite
                        key = "none_all" if len(dims) == len(levels) else "none_some"
                        level_sentences.append(t[key].format(dims=_join(dims, lang)))
                    elif len(dims) == len(levels):
                        level_sentences.append(t["level_all"].format(level=phrase))
                    else:
                        level_sentences.append(
                            t["level_some"].format(level=phrase, dims=_join(dims, lang))
                        )
                text = (
                    t["inv"]
                    .format(
                        group=gname,
                        groups=groups_text,
                        estimator=est,
                        unit=t["unit_model"] if unit == "model" else t["unit_factor"],
                        difference=t.get(f"diff_{est}", t["diff_WLSMV"]),
                        levels=" ".join(level_sentences),
                    )
                    .rstrip()
                )
                if any(getattr(r, "ordered", None) for r in units.values()):
                    text += t["ordinal_ladder"]
                    self.cite("wu2016")
                # partial invariance, per unit, with the parameters released
                partial_dims = {}
                for uname, res in units.items():
                    if not res.partial:
                        continue
                    dims = [k for k in levels if k in partial_levels]
                    if info.get("unit") == "factor":
                        from ..pipeline import factor_name

                        dims = [k for k in dims if factor_name(k) == uname]
                    for k in dims:
                        partial_dims[k] = (res.level_reached, res.released)
                if partial_dims:
                    self.cite("byrne1989", "maccallum1992")
                    dims = [ctx.label(k) for k in partial_dims]
                    lvl = [v[0] for v in partial_dims.values()]
                    lvl = sorted(set(lvl), key=lvl.index)
                    if info.get("unit") == "factor":
                        params = "; ".join(
                            f"{ctx.label(k)}: " + ", ".join(p.replace(" =~ ", " → ") for p in v[1])
                            for k, v in partial_dims.items()
                        )
                    else:
                        released = next(iter(partial_dims.values()))[1]
                        params = ", ".join(p.replace(" =~ ", " → ") for p in released)
                    text += t["partial"].format(
                        dims=_join(dims, lang),
                        level=" / ".join(
                            f"{t['partial_word']} {LEVEL_WORDS[lang][x]}" for x in lvl
                        ),
                        params=params,
                    )
                untested = [ctx.label(k) for k, v in levels.items() if v is None]
                if untested and len(untested) < len(levels):
                    text += t["inv_failed"].format(dims=_join(untested, lang))
                sentences.append(text)
            comp = info.get("comparison")
            if comp is not None:
                k_groups = int(comp.tests["k"].max())
                if k_groups == 2:
                    self.cite("welch1947", "hedges1985")
                    cmp = t["compare_2"]
                else:
                    self.cite("welch1951", "steiger2004", "games1976")
                    cmp = t["compare_k"]
                self.cite("holm1979")
                cmp += t["adjust"].format(k=len(comp.tests))
                sentences.append(cmp.strip())
            if info.get("left_out"):
                sentences.append(
                    t["left_out"]
                    .format(
                        min=MIN_GROUP_N,
                        groups=", ".join(labels.get(c, c) for c in info["left_out"]),
                    )
                    .strip()
                )
            if sentences:
                out.append(" ".join(sentences))
            self.values.setdefault("groups", {})[group] = {
                "levels": dict(levels),
                "partial_levels": dict(partial_levels),
                "unit": info.get("unit"),
            }
        return out

    # ---- firm --------------------------------------------------------------------------------------
    def firm(self) -> str:
        agg = self.ctx.found.get("firm")
        if agg is None or not hasattr(agg, "summary"):
            return ""
        summ, icc = agg.summary, agg.icc
        if summ.empty or icc.empty:
            return ""
        self.cite("james1984", "bliese2000", "lebreton2008")
        vals = {
            "rwg_median": [float(summ["rwg_median"].min()), float(summ["rwg_median"].max())],
            "icc1": [float(icc["icc1"].min()), float(icc["icc1"].max())],
            "icc2": [float(icc["icc2"].min()), float(icc["icc2"].max())],
        }
        self.values["firm"] = vals
        return self.t["firm"].format(
            firms=len(agg.firm_scores),
            k=f"{float(icc['k'].iloc[0]):.1f}",
            rwglo=b2(vals["rwg_median"][0]),
            rwghi=b2(vals["rwg_median"][1]),
            i1lo=b3(vals["icc1"][0]),
            i1hi=b3(vals["icc1"][1]),
            i2lo=b2(vals["icc2"][0]),
            i2hi=b2(vals["icc2"][1]),
        )

    # ---- references --------------------------------------------------------------------------------
    def references(self) -> list[str]:
        refs = [REFERENCES[k][1] for k in self.cited if k in REFERENCES]
        refs += list(self.scale_refs.values())
        return sorted(dict.fromkeys(refs), key=lambda r: r.lstrip("[").lower())

    # ---- verdict -----------------------------------------------------------------------------------
    def verdict(self) -> str | None:
        ctx, t, lang = self.ctx, self.t, self.lang
        parts = []
        fit = self.fit() if ctx.found.get("cfa") is not None else None
        if fit is not None:
            v = fit.get("verdict") or fit_verdict(fit)
            if v in ("good", "acceptable", "poor"):
                parts.append(
                    t["v_fit"].format(
                        verdict=t[f"v_fit_{v}"],
                        fit=f"CFI = {b3(fit.get('cfi'))}, RMSEA = {b3(fit.get('rmsea'))}",
                    )
                )
        htmt = self.values.get("htmt_max")
        dv = ctx.found.get("validity")
        if htmt is not None and dv is not None:
            labels = ctx.found.get("cfa_labels") or {}
            mat = dv.htmt.matrix
            facs = list(mat.index)
            high = [
                f"{labels.get(facs[i], facs[i])}–{labels.get(facs[j], facs[j])} "
                f"(HTMT = {b2(mat.iloc[i, j])})"
                for i in range(len(facs))
                for j in range(i + 1, len(facs))
                if finite(mat.iloc[i, j]) and abs(mat.iloc[i, j]) >= HTMT_THRESHOLD
            ]
            if high:
                parts.append(t["v_dv_except"].format(pairs=_join(high, lang)))
            else:
                parts.append(t["v_dv_ok"].format(max=b2(htmt["value"])))
        from .groups import LEVEL_WORDS, variable_name

        for group, info in (ctx.found.get("groups") or {}).items():
            levels = (info or {}).get("levels") or {}
            if not levels or not (info or {}).get("invariance"):
                continue
            gname = variable_name(ctx, group)
            means_ok = [k for k, v in levels.items() if v in ("scalar", "strict")]
            rest = [ctx.label(k) for k in levels if k not in means_ok]
            if len(means_ok) == len(levels):
                lvl = "strict" if all(v == "strict" for v in levels.values()) else "scalar"
                parts.append(t["v_inv_all"].format(level=LEVEL_WORDS[lang][lvl], group=gname))
            elif means_ok:
                parts.append(
                    t["v_inv_some"].format(
                        group=gname,
                        level=LEVEL_WORDS[lang]["scalar"],
                        k=len(means_ok),
                        m=len(levels),
                        rest=_join(rest, lang),
                    )
                )
            else:
                metric = all(v == "metric" for v in levels.values() if v is not None)
                parts.append(
                    t["v_inv_none"].format(group=gname, what=t["v_inv_relations"] if metric else "")
                )
        agg = ctx.found.get("firm")
        verdicts = (ctx.results.get("firm") or {}).get("verdicts") if agg is not None else None
        if verdicts:
            ok = [d for d, v in verdicts.items() if v == "ok"]
            if len(ok) == len(verdicts):
                parts.append(t["v_firm_ok"])
            elif ok:
                parts.append(t["v_firm_some"].format(k=len(ok), m=len(verdicts)))
            elif all(v == "unreliable" for v in verdicts.values()):
                parts.append(t["v_firm_none"])
        if not parts:
            return None
        return t["verdict_intro"] + "; ".join(parts) + "."


_KAISER = {
    "en": {
        "marvelous": "marvellous",
        "meritorious": "meritorious",
        "middling": "middling",
        "mediocre": "mediocre",
        "miserable": "miserable",
        "unacceptable": "unacceptable",
    },
    "fi": {
        "marvelous": "erinomainen",
        "meritorious": "ansiokas",
        "middling": "keskinkertainen",
        "mediocre": "välttävä",
        "miserable": "heikko",
        "unacceptable": "riittämätön",
    },
}


def fit_verdict(fit: dict[str, Any]) -> str:
    """good / acceptable / poor by Hu & Bentler's (1999) cut-offs on the indices available."""
    known = {k: fit.get(k) for k in GOOD_FIT if finite(fit.get(k))}
    if not known:
        return "unknown"

    def meets(cuts: dict[str, float]) -> bool:
        return all(
            (v >= cuts[k]) if k in ("cfi", "tli") else (v <= cuts[k]) for k, v in known.items()
        )

    if meets(GOOD_FIT):
        return "good"
    if meets(ACCEPTABLE_FIT):
        return "acceptable"
    return "poor"


def build(ctx: Any) -> Section:
    t = TEXT[ctx.lang]
    w = _Writer(ctx)
    section = Section(id="methods", title=t["title"])
    paragraphs = [
        w.sample(),
        w.reliability(),
        w.efa(),
        w.cfa(),
        w.validity(),
        *w.groups(),
        w.firm(),
    ]
    merged = [p for p in paragraphs if p]
    references = w.references()
    section.paragraphs.append(t["intro"])
    section.paragraphs.extend(merged)
    section.paragraphs.append(t["references"])
    section.paragraphs.extend(references)
    verdict = w.verdict()
    if verdict:
        ctx.summary.append(verdict)
    ctx.results["methods"] = {
        "paragraphs": merged,
        "references": references,
        "cited": sorted(w.cited) + sorted(w.scale_refs),
        "verdict": verdict,
        "values": w.values,
    }
    return section


__all__ = ["REFERENCES", "STEP", "TEXT", "build", "fit_line", "fit_verdict", "in_text_citation"]
