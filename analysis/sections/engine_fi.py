"""Finnish wording of the statistical engine's English notes, warnings and errors.

The engine (:mod:`moscale.analysis.cfa`, :mod:`~moscale.analysis.polychoric`,
:mod:`~moscale.analysis.validity`, :mod:`~moscale.analysis.invariance`, ...) writes its messages in
English: they are tested and documented that way, and the JSON results keep them so. A section that
puts such a message into the report passes it through :func:`engine_text`, which rewrites it in the
report's language by the first entry of :data:`ENGINE_FI` whose pattern matches the whole message.
A message no pattern knows is shown as written.

Each entry is ``(regex of the English message, Finnish template)``. Most regexes are written with
:func:`_en` (the English text with markers for what varies); the template fills in the pattern's
groups by number (``{0}``, ``{1}``, ...) with these conversions:

``!m``
    the group is itself an engine message (translated in turn);
``!l``
    a ``"; "``-separated list of engine messages;
``!g``
    an optional ``" in group X"`` (``" ryhmässä X"``);
``!q``
    an optional trailing ``" (X)"`` naming a group (``" (ryhmä X)"``);
``!b``
    an optional ``" (X)"`` kept as it is;
``!h``
    ``"'a' has 12, 'b' has 30"`` (group sizes) as ``"'a': 12, 'b': 30"``;
``!v``
    a word or phrase looked up in :data:`_WORDS`.

An empty optional group gives an empty string. Only messages a section can show are listed;
errors about arguments the pipeline always passes correctly (unknown estimator, a wrong ``type=``,
...) are not.
"""

from __future__ import annotations

import re
from string import Formatter
from typing import Any

#: Markers of :func:`_en`: a number, any text, an optional " in group X" and an optional
#: trailing " (label)".
_MARKERS = {
    "n": r"(-?\d[\d.]*(?:e[-+]?\d+)?|nan|inf)",
    "x": r"(.+?)",
    "g": r"(?: in group (.+?))?",
    "l": r"(?: \(([^()]+)\))?",
}


def _en(text: str) -> str:
    """The regex of an English message written as text with markers (``<n>``, ``<x>``, ``<g>``,
    ``<l>``; see :data:`_MARKERS`); everything else is matched literally."""
    parts = re.split(r"<([nxgl])>", text)
    return "".join(_MARKERS[p] if i % 2 else re.escape(p) for i, p in enumerate(parts))


#: Words and phrases the ``!v`` conversion translates.
_WORDS = {
    "sample covariance matrix": "otoskovarianssimatriisi",
    "EM-estimated covariance matrix": "EM-algoritmilla estimoitu kovarianssimatriisi",
    "fixed values": "kiinnitettyjen arvojen",
    "labels": "nimiöiden",
    "start values": "alkuarvojen",
    "category": "vastausluokassa",
    "categories": "vastausluokissa",
}

_HINT_EN = "\nWhat to do: "
_HINT_FI = "\nMitä tehdä: "

_ENTRIES: tuple[tuple[str, str], ...] = (
    # ---- pipeline.decide_ordinal: why the items are treated as ordinal or continuous -------------
    (
        _en("ordinal treatment requested (--ordinal yes)"),
        "järjestysasteikollista käsittelyä pyydettiin (--ordinal yes)",
    ),
    (
        _en("continuous treatment requested (--ordinal no)"),
        "jatkuvaa käsittelyä pyydettiin (--ordinal no)",
    ),
    (
        _en(
            "<n> item(s) have fewer than five response categories (e.g. <x>), so all items are "
            "treated as ordinal"
        ),
        "{0} väittämällä on alle viisi vastausluokkaa (esim. {1}), joten kaikkia väittämiä "
        "käsitellään järjestysasteikollisina",
    ),
    (
        _en(
            "<n> item(s) are strongly skewed (|skew| > 2, e.g. <x>), so all items are treated as "
            "ordinal"
        ),
        "{0} väittämän jakauma on voimakkaasti vino (|vinous| > 2, esim. {1}), joten kaikkia "
        "väittämiä käsitellään järjestysasteikollisina",
    ),
    (
        _en(
            "every item has five or more categories and no strong skew, so items are treated as "
            "continuous with a robust (MLR) estimator"
        ),
        "jokaisella väittämällä on vähintään viisi vastausluokkaa eikä yksikään jakauma ole "
        "voimakkaasti vino, joten väittämiä käsitellään jatkuvina ja estimaattorina on robusti MLR",
    ),
    # ---- screening: cut-offs of the careless-responding rules, and why one was withheld ----------
    (
        r"longest run of identical answers > (\S+) \(of (\d+) items\)",
        "pisin samojen vastausten jono > {0} ({1} väittämästä)",
    ),
    (
        r"IRV < (\S+)",
        "IRV < {0}",
    ),
    (
        r"D² > (\S+) = χ²\((\d+)\) quantile at (\S+) \(p < (\S+)\)",
        "D² > {0} = χ²({1})-jakauman {2}-kvantiili (p < {3})",
    ),
    (
        r"even-odd index > (\S+) \(Spearman-Brown consistency below (\S+);.*",
        "parillinen–pariton-indeksi > {0} (Spearman–Brown-korjattu johdonmukaisuus alle {1}; "
        "careless ≥ 1.2.1: suurempi = huolimattomampi)",
    ),
    (
        r"synonym correlation < (\S+) over (\d+) item pairs with r > (\S+)",
        "synonyymikorrelaatio < {0} ({1} väittämäparia, joiden r > {2})",
    ),
    (
        r"antonym correlation > (\S+) over (\d+) item pairs with r < (\S+) \(answers as given\)",
        "antonyymikorrelaatio > {0} ({1} väittämäparia, joiden r < {2}; vastaukset sellaisinaan)",
    ),
    (
        r"more than (\d+) of (\d+) instructed-response item\(s\) failed",
        "yli {0}/{1} tarkistuskysymyksestä väärin",
    ),
    (
        r"fewer than (\S+) s per item \((\d+) items shown\)",
        "alle {0} s väittämää kohden ({1} väittämää näytetty)",
    ),
    (
        r"only (\d+) dimensions: .* fewer than (\d+), .*",
        "vain {0} ulottuvuutta: indeksi korreloi puolikkaiden keskiarvoja ulottuvuuksien yli ja "
        "merkitsee alle {1} ulottuvuudella huolellisiakin vastaajia sattumalta, joten se "
        "raportoidaan ilman raja-arvoa",
    ),
    # ---- cfa.api, cfa.diagnostics, cfa.partable: warnings on the result --------------------------
    (
        _en("<n> case(s) with no value of <x> were left out."),
        "{0} havaintoa, joilta puuttui muuttujan {1} arvo, jätettiin pois.",
    ),
    (
        _en(
            "<n> of <n> case(s)<g> had missing answers and were left out (listwise deletion); "
            "missing='fiml' uses them."
        ),
        "{0}/{1} havaintoa{2!g} jätettiin pois puuttuvien vastausten vuoksi (listwise-poisto); "
        "täyden informaation ML (missing='fiml') käyttäisi nekin.",
    ),
    (
        _en("<n> case(s)<g> had no answer on any model item and were left out."),
        "{0} havaintoa{1!g} ei vastannut yhteenkään mallin väittämään, joten ne jätettiin pois.",
    ),
    (
        _en(
            "The estimation did not converge (stopped after <n> iterations); the estimates below "
            "are not a solution and no standard errors or fit measures are reported. Try "
            "std_lv=True (factor variances fixed to 1 often converge better), simplify the model "
            "(drop residual covariances or cross-loadings, merge or split factors), and check the "
            "data (reverse-keyed items not recoded, outliers, items with almost no variance)."
        ),
        "Estimointi ei konvergoitunut (keskeytyi {0} iteraation jälkeen); alla olevat estimaatit "
        "eivät ole ratkaisu, eikä keskivirheitä tai sopivuusindeksejä raportoida. Kokeile "
        "asetusta std_lv=True (faktoreiden variansseiksi kiinnitetty 1 konvergoituu usein "
        "paremmin), yksinkertaista mallia (poista jäännöskovariansseja tai ristilatauksia, "
        "yhdistä tai jaa faktoreita) ja tarkista aineisto (kääntämättömät käänteiset väittämät, "
        "poikkeavat havainnot, lähes vaihtelemattomat väittämät).",
    ),
    (
        _en(
            "Heywood case: the residual variance of <x> is negative (<n>)<g>. The model says <x> "
            "is more than fully explained by its factor, which is impossible. Common causes: a "
            "factor with too few indicators, a misspecified model (a missing cross-loading or "
            "residual covariance), a small sample or outliers. Treat this solution with caution."
        ),
        "Heywood-tapaus: väittämän {0} jäännösvarianssi on negatiivinen ({1}){2!g}. Mallin mukaan "
        "faktori selittää väittämästä {3} enemmän kuin kaiken, mikä on mahdotonta. Tavallisia "
        "syitä: faktorilla on liian vähän indikaattoreita, malli on virheellinen (siitä puuttuu "
        "ristilataus tai jäännöskovarianssi), otos on pieni tai aineistossa on poikkeavia "
        "havaintoja. Suhtaudu ratkaisuun varauksella.",
    ),
    (
        _en(
            "Heywood case: the (residual) variance of factor <x> is negative (<n>)<g>. The model "
            "is probably misspecified (e.g. a higher-order factor with too few first-order "
            "factors) or the sample too small."
        ),
        "Heywood-tapaus: faktorin {0} (jäännös)varianssi on negatiivinen ({1}){2!g}. Malli on "
        "luultavasti virheellinen (esim. ylemmän tason faktorilla on liian vähän ensimmäisen "
        "kertaluvun faktoreita) tai otos liian pieni.",
    ),
    (
        _en(
            "The covariance matrix of the factors is not positive definite<g>: correlations beyond "
            "1 between <x>. Factors that correlate this highly are not distinct; consider merging "
            "them."
        ),
        "Faktoreiden kovarianssimatriisi ei ole positiivisesti definiitti{0!g}: korrelaatio on "
        "itseisarvoltaan yli 1 pareilla {1}. Näin voimakkaasti korreloivat faktorit eivät erotu "
        "toisistaan; harkitse niiden yhdistämistä.",
    ),
    (
        _en(
            "The covariance matrix of the factors is not positive definite<g>. Factors that "
            "correlate this highly are not distinct; consider merging them."
        ),
        "Faktoreiden kovarianssimatriisi ei ole positiivisesti definiitti{0!g}. Näin voimakkaasti "
        "korreloivat faktorit eivät erotu toisistaan; harkitse niiden yhdistämistä.",
    ),
    (
        _en(
            "The standardized loading of <x> on <x> is <n><g>, beyond 1 in absolute value (see the "
            "Heywood-case note)."
        ),
        "Väittämän {0} standardoitu lataus faktorille {1} on {2}{3!g}, itseisarvoltaan yli 1 (ks. "
        "Heywood-tapausta koskeva huomautus).",
    ),
    (
        _en(
            "Small sample: <n> cases for <n> free parameters. ML estimates, standard errors and "
            "chi-square-based fit measures rely on large samples; common advice is at least "
            "100-200 cases and 5-10 cases per parameter. Interpret the fit measures with care."
        ),
        "Pieni otos: {0} havaintoa {1} vapaalle parametrille. ML-estimaatit, keskivirheet ja "
        "χ²-testiin perustuvat sopivuusindeksit edellyttävät suurta otosta; tavallinen suositus "
        "on vähintään 100–200 havaintoa ja 5–10 havaintoa parametria kohden. Tulkitse "
        "sopivuusindeksejä varoen.",
    ),
    (
        _en(
            "A single label in a multi-group model makes that parameter equal in every group; use "
            "c(a1, a2, ...) for group-specific labels."
        ),
        "Yksi nimiö monen ryhmän mallissa tekee parametrista yhtä suuren kaikissa ryhmissä; anna "
        "ryhmäkohtaiset nimiöt muodossa c(a1, a2, ...).",
    ),
    # ---- cfa: errors (model identification, data) and their hints --------------------------------
    (
        _en("variable(s) in the model are not in the data: <x>"),
        "mallin muuttujia ei ole aineistossa: {0!l}",
    ),
    (
        r"(\S+) \(close: ([^()]+)\)",
        "{0} (lähes samannimisiä: {1})",
    ),
    (
        _en(
            "Check the spelling in the model syntax; a name that is meant as a factor must appear "
            "on the left of =~."
        ),
        "Tarkista nimien kirjoitusasu mallin syntaksissa; faktoriksi tarkoitetun nimen on oltava "
        "=~-operaattorin vasemmalla puolella.",
    ),
    (
        _en("item <x> has non-numeric values (e.g. <x>)"),
        "väittämällä {0} on muita kuin numeerisia arvoja (esim. {1})",
    ),
    (
        _en("Recode <x> to numbers; declare missing-value codes so they become empty."),
        "Koodaa {0} numeroiksi; ilmoita puuttuvan tiedon koodit, jotta niistä tulee tyhjiä.",
    ),
    (
        _en("factor <x> has no scale<g>: all its loadings and its variance are free"),
        "faktorilla {0} ei ole mitta-asteikkoa{1!g}: kaikki sen lataukset ja sen varianssi ovat "
        "vapaita",
    ),
    (
        _en(
            "Fix one loading (`<x> =~ 1*<x> + ...`), fix its variance (`<x> ~~ 1*<x>`), or fit "
            "with std_lv=True."
        ),
        "Kiinnitä yksi lataus (`{0} =~ 1*{1} + ...`) tai faktorin varianssi (`{2} ~~ 1*{3}`), tai "
        "estimoi asetuksella std_lv=True.",
    ),
    (
        _en(
            "factor <x> has a single indicator (<x>)<g>, so its variance and <x>'s residual "
            "variance cannot both be estimated"
        ),
        "faktorilla {0} on vain yksi indikaattori ({1}){2!g}, joten faktorin varianssia ja "
        "väittämän {3} jäännösvarianssia ei voi estimoida molempia",
    ),
    (
        _en(
            "Add indicators to <x>, or fix the residual variance of <x> (e.g. `<x> ~~ 0*<x>` to "
            "treat <x> as measured without error)."
        ),
        "Lisää faktorille {0} indikaattoreita tai kiinnitä väittämän {1} jäännösvarianssi (esim. "
        "`{2} ~~ 0*{3}`, jolloin {4} oletetaan mitatuksi virheettä).",
    ),
    (
        _en(
            "factor <x> has only two indicators (<x>) and is not correlated with any other "
            "factor<g>, so it is not identified"
        ),
        "faktorilla {0} on vain kaksi indikaattoria ({1}) eikä se korreloi minkään muun faktorin "
        "kanssa{2!g}, joten se ei ole identifioitu",
    ),
    (
        _en(
            "Add a third indicator to <x>, let it correlate with another factor, or constrain its "
            "two loadings to be equal (`<x> =~ a*<x> + a*<x>`)."
        ),
        "Lisää faktorille {0} kolmas indikaattori, salli sen korreloida toisen faktorin kanssa "
        "tai rajoita sen kaksi latausta yhtä suuriksi (`{1} =~ a*{2} + a*{3}`).",
    ),
    (
        _en(
            "the model has more free parameters (<n>) than sample moments (<n>); it cannot be "
            "identified"
        ),
        "mallissa on enemmän vapaita parametreja ({0}) kuin otosmomentteja ({1}), joten se ei voi "
        "olla identifioitu",
    ),
    (
        _en("Remove residual covariances or cross-loadings, or add indicators."),
        "Poista jäännöskovariansseja tai ristilatauksia tai lisää indikaattoreita.",
    ),
    (
        _en(
            "the model is not identified: the information matrix is singular at the solution; the "
            "parameters involved are <x>"
        ),
        "malli ei ole identifioitu: informaatiomatriisi on ratkaisussa singulaarinen; siihen "
        "vaikuttavat parametrit {0}",
    ),
    (
        _en(
            "Fix the scale of every factor (a marker loading or std_lv=True), give each factor at "
            "least three indicators (or two plus a correlation with another factor), and avoid "
            "freeing parameters that the data cannot separate."
        ),
        "Kiinnitä jokaisen faktorin mitta-asteikko (merkkilataus tai std_lv=True), anna "
        "jokaiselle faktorille vähintään kolme indikaattoria (tai kaksi ja korrelaatio toisen "
        "faktorin kanssa) äläkä vapauta parametreja, joita aineisto ei pysty erottamaan "
        "toisistaan.",
    ),
    (
        _en("item(s) <x> have no observed values<g>"),
        "väittämillä {0} ei ole yhtään havaittua arvoa{1!g}",
    ),
    (
        _en("Remove these items from the model or check the data file."),
        "Poista nämä väittämät mallista tai tarkista aineistotiedosto.",
    ),
    (
        _en(
            "too few cases<g>: <n> complete case(s) for <n> items; the covariance matrix of <n> "
            "items needs more than <n> cases"
        ),
        "liian vähän havaintoja{0!g}: {1} täydellistä havaintoa {2} väittämälle; {3} väittämän "
        "kovarianssimatriisi vaatii yli {4} havaintoa",
    ),
    (
        _en(
            "Collect more responses, fit fewer items, or use missing='fiml' if cases were dropped "
            "for missing answers."
        ),
        "Kerää lisää vastauksia, ota malliin vähemmän väittämiä tai käytä täyden informaation "
        "ML:ää (missing='fiml'), jos havaintoja jäi pois puuttuvien vastausten vuoksi.",
    ),
    (
        _en("item(s) <x> have no variance<g> (every answer is the same)"),
        "väittämillä {0} ei ole vaihtelua{1!g} (kaikki vastaukset ovat samoja)",
    ),
    (
        _en("Remove these items from the model; an item without variance cannot load on a factor."),
        "Poista nämä väittämät mallista; väittämä, jolla ei ole vaihtelua, ei voi latautua "
        "faktorille.",
    ),
    (
        r"the (sample covariance matrix|EM-estimated covariance matrix) of the model items is not "
        r"positive definite(?: in group (.+?))?: (.+)",
        "mallin väittämien {0!v} ei ole positiivisesti definiitti{1!g}: {2!m}",
    ),
    (
        _en("near-duplicate items: <x>"),
        "lähes identtiset väittämät: {0!l}",
    ),
    (
        r"(\S+) and (\S+) \(r = (-?[\d.]+)\)",
        "{0} ja {1} (r = {2})",
    ),
    (
        _en("the items most involved in a linear dependency are <x>"),
        "lineaariseen riippuvuuteen liittyvät eniten väittämät {0}",
    ),
    (
        _en(
            "One item may be a copy, a sum or a reversal of others. Drop one of the collinear "
            "items, or check the coding of the data."
        ),
        "Jokin väittämä voi olla toisen kopio, summa tai käännös. Poista yksi kollineaarisista "
        "väittämistä tai tarkista aineiston koodaus.",
    ),
    (
        _en(
            "items <x> and <x> are never answered by the same case<g>, so their covariance cannot "
            "be estimated"
        ),
        "yksikään havainto ei ole vastannut sekä väittämään {0} että väittämään {1}{2!g}, joten "
        "niiden kovarianssia ei voi estimoida",
    ),
    (
        _en(
            "FIML needs some cases that answered both items; drop one of them or collect "
            "overlapping data."
        ),
        "FIML tarvitsee havaintoja, jotka ovat vastanneet kumpaankin väittämään; poista toinen "
        "niistä tai kerää aineistoa, jossa vastaukset ovat päällekkäisiä.",
    ),
    (
        _en("the parameter <x> is specified twice (lines <n> and <n>)"),
        "parametri {0} on määritelty kahdesti (rivit {1} ja {2})",
    ),
    (
        _en("Keep one statement per parameter."),
        "Jätä kustakin parametrista yksi lauseke.",
    ),
    (
        _en("factor <x> is its own indicator"),
        "faktori {0} on oma indikaattorinsa",
    ),
    (
        _en("A factor's indicators must be items or other factors."),
        "Faktorin indikaattoreiden on oltava väittämiä tai muita faktoreita.",
    ),
    (
        _en("<x> ~~ <x> mixes a factor and an observed variable"),
        "{0} ~~ {1} yhdistää faktorin ja havaitun muuttujan",
    ),
    (
        _en("Covariances are either among factors or among items' residuals."),
        "Kovarianssit ovat joko faktoreiden tai väittämien jäännösten välisiä.",
    ),
    (
        _en("parameters constrained to be equal are fixed at different values: <x>"),
        "yhtä suuriksi rajoitetut parametrit on kiinnitetty eri arvoihin: {0}",
    ),
    (
        _en("Remove the label or the fixed value."),
        "Poista nimiö tai kiinnitetty arvo.",
    ),
    (
        _en("the label <x> in `<x> == <x>` is not used in the model"),
        "nimiötä {0} lausekkeessa `{1} == {2}` ei käytetä mallissa",
    ),
    (
        _en("Label a parameter first, e.g. `F =~ x1 + a*x2`, then write `a == b`."),
        "Anna parametrille ensin nimiö, esim. `F =~ x1 + a*x2`, ja kirjoita sitten `a == b`.",
    ),
    (
        r"(fixed values|labels|start values) c\(\.\.\.\) for (.+?) has (\d+) entries but the "
        r"model has (\d+) group\(s\)",
        "{0!v} c(...)-luettelossa parametrille {1} on {2} arvoa, mutta mallin ryhmien määrä on {3}",
    ),
    (
        _en("Give one entry per group, in the order of the groups."),
        "Anna yksi arvo kullekin ryhmälle ryhmien järjestyksessä.",
    ),
    (
        _en("implied covariance matrix not positive definite"),
        "mallin mukainen kovarianssimatriisi ei ole positiivisesti definiitti",
    ),
    # numpy's linear-algebra errors (shown when a fit fails on them)
    (
        _en("Singular matrix"),
        "singulaarinen matriisi",
    ),
    (
        _en("Matrix is not positive definite"),
        "matriisi ei ole positiivisesti definiitti",
    ),
    (
        _en("Eigenvalues did not converge"),
        "ominaisarvojen laskenta ei konvergoitunut",
    ),
    (
        _en("SVD did not converge"),
        "singulaariarvohajotelma ei konvergoitunut",
    ),
    # ---- cfa.wls, cfa.wls_samplestats: ordinal (WLSMV) estimation --------------------------------
    (
        _en(
            "Continuous indicators (<x>) enter with their means, variances and covariances, and "
            "polyserial correlations with the ordered items (lavaan's approach)."
        ),
        "Jatkuvat indikaattorit ({0}) ovat mukana keskiarvoineen, variansseineen ja "
        "kovariansseineen sekä polyseriaalisina korrelaatioina järjestysasteikollisten väittämien "
        "kanssa (kuten lavaanissa).",
    ),
    (
        _en(
            "<n> case(s) with a missing answer on a model item were left out (listwise deletion, "
            "as lavaan does for ordered items)."
        ),
        "{0} havaintoa, joilta puuttui vastaus johonkin mallin väittämään, jätettiin pois "
        "(listwise-poisto, kuten lavaan tekee järjestysasteikollisille väittämille).",
    ),
    (
        _en(
            "The information matrix is singular: the model is probably not identified, so no "
            "standard errors or robust tests could be computed."
        ),
        "Informaatiomatriisi on singulaarinen: malli ei luultavasti ole identifioitu, joten "
        "keskivirheitä tai robusteja testejä ei voitu laskea.",
    ),
    (
        _en("The estimation did not converge (<x>); the estimates are not reliable."),
        "Estimointi ei konvergoitunut ({0}); estimaatit eivät ole luotettavia.",
    ),
    (
        _en(
            "Negative residual variance (Heywood case)<g> for <x>: a standardized loading above 1. "
            "Check these items (too few categories, near-duplicate items)."
        ),
        "Negatiivinen jäännösvarianssi (Heywood-tapaus){0!g} väittämillä {1}: standardoitu lataus "
        "on yli 1. Tarkista nämä väittämät (liian vähän vastausluokkia, lähes identtisiä "
        "väittämiä).",
    ),
    (
        _en(
            "The latent covariance matrix<g> is not positive definite (a factor correlation beyond "
            "+-1?); the factors may not be distinct."
        ),
        "Faktoreiden kovarianssimatriisi{0!g} ei ole positiivisesti definiitti "
        "(faktorikorrelaatio yli ±1?); faktorit eivät ehkä erotu toisistaan.",
    ),
    (
        _en(
            "Thresholds (or intercepts) are constrained to be equal, and lavaan 0.6.14 cannot "
            "compute the robust CFI/TLI/RMSEA then (its ML refit to the polychoric correlations "
            "drops the thresholds but keeps their equality constraints and fails; lavaan issue "
            "#386), so they are NA here too. Use the scaled indices, or compare models with the "
            "scaled chi-square difference test."
        ),
        "Kynnysarvot (tai vakiotermit) on rajoitettu yhtä suuriksi, eikä lavaan 0.6.14 silloin "
        "pysty laskemaan robusteja CFI-, TLI- ja RMSEA-arvoja (sen ML-uudelleenestimointi "
        "polykorisiin korrelaatioihin pudottaa kynnysarvot mutta säilyttää niiden "
        "yhtäsuuruusrajoitteet ja epäonnistuu; lavaanin issue #386), joten ne ovat tässäkin NA. "
        "Käytä skaalattuja indeksejä tai vertaa malleja skaalatulla χ²-erotustestillä.",
    ),
    (
        _en(
            "The model mixes ordered and continuous indicators; lavaan 0.6.14 defines its robust "
            "CFI/TLI/RMSEA for categorical data only when every indicator is ordered, so they are "
            "NA here. Use the scaled indices."
        ),
        "Mallissa on sekä järjestysasteikollisia että jatkuvia indikaattoreita; lavaan 0.6.14 "
        "määrittelee luokitellun aineiston robustit CFI-, TLI- ja RMSEA-arvot vain, kun kaikki "
        "indikaattorit ovat järjestysasteikollisia, joten ne ovat tässä NA. Käytä skaalattuja "
        "indeksejä.",
    ),
    (
        _en(
            "The polychoric correlation matrix<g> is not positive definite (smallest eigenvalue "
            "<n>), so the robust CFI/TLI/RMSEA (which refit the model by ML to that matrix) are "
            "not defined; lavaan reports them as NA too. Use the scaled indices."
        ),
        "Polykoristen korrelaatioiden matriisi{0!g} ei ole positiivisesti definiitti (pienin "
        "ominaisarvo {1}), joten robusteja CFI-, TLI- ja RMSEA-arvoja (jotka estimoivat mallin "
        "uudelleen ML-menetelmällä tähän matriisiin) ei ole määritelty; myös lavaan antaa niiden "
        "arvoksi NA. Käytä skaalattuja indeksejä.",
    ),
    (
        _en("The information matrix could not be inverted, so the robust indices are NA."),
        "Informaatiomatriisia ei voitu kääntää, joten robustit indeksit ovat NA.",
    ),
    (
        _en(
            "The model-implied correlation matrix is not positive definite, so the robust "
            "(catML-based) indices are not defined."
        ),
        "Mallin mukainen korrelaatiomatriisi ei ole positiivisesti definiitti, joten robusteja "
        "(catML-pohjaisia) indeksejä ei ole määritelty.",
    ),
    (
        _en("lavaan reports no robust CFI/TLI/RMSEA with test='<x>'; use the scaled indices."),
        "lavaan ei raportoi robusteja CFI-, TLI- ja RMSEA-arvoja testillä test='{0}'; käytä "
        "skaalattuja indeksejä.",
    ),
    (
        _en("too few complete cases<g>: <n> for <n> items"),
        "liian vähän täydellisiä havaintoja{0!g}: {1} havaintoa {2} väittämälle",
    ),
    (
        _en("Collect more responses or fit fewer items."),
        "Kerää lisää vastauksia tai ota malliin vähemmän väittämiä.",
    ),
    (
        _en(
            "items <x> are perfectly associated<g> (a 2 x 2 table with two empty cells), so their "
            "tetrachoric correlation is +-1 and has no sampling variance"
        ),
        "väittämäparit {0!l} ovat täydellisesti yhteydessä toisiinsa{1!g} (2 × 2 -taulukossa "
        "kaksi tyhjää solua), joten niiden tetrakorinen korrelaatio on ±1 eikä sillä ole "
        "otantavarianssia",
    ),
    (
        r"(\S+) and (\S+)",
        "{0} ja {1}",
    ),
    (
        _en(
            "Drop one item of each pair, or collapse categories so that the table has no empty "
            "cells."
        ),
        "Poista kustakin parista toinen väittämä tai yhdistä vastausluokkia niin, ettei "
        "taulukossa ole tyhjiä soluja.",
    ),
    (
        _en("item <x> has non-integer values; an ordered item needs response categories"),
        "väittämällä {0} on muita kuin kokonaislukuarvoja; järjestysasteikollinen väittämä "
        "tarvitsee vastausluokat",
    ),
    (
        _en("recode <x> to categories, or leave it out of ordered="),
        "koodaa {0} luokiksi tai jätä se pois järjestysasteikollisten väittämien joukosta "
        "(ordered=)",
    ),
    (
        _en("item <x> has only <n> observed category; an ordinal item needs at least two"),
        "väittämällä {0} on vain {1} havaittu vastausluokka; järjestysasteikollinen väittämä "
        "tarvitsee vähintään kaksi",
    ),
    (
        _en("drop item <x> from the model"),
        "poista väittämä {0} mallista",
    ),
    (
        _en("item <x> has <n> distinct values, more than <n> categories"),
        "väittämällä {0} on {1} eri arvoa, enemmän kuin {2} vastausluokkaa",
    ),
    (
        _en("treat <x> as continuous (estimator='MLR'), or recode it to fewer categories"),
        "käsittele väittämää {0} jatkuvana (estimaattori MLR) tai koodaa se harvempiin luokkiin",
    ),
    (
        r"item (.+?) has no answers in (category|categories) (.+?)(?: in group (.+?))?, so its "
        r"thresholds cannot be estimated there",
        "väittämän {0} {1!v} {2} ei ole vastauksia{3!g}, joten sen kynnysarvoja ei voi estimoida",
    ),
    (
        _en(
            "Merge the empty categories of <x> with a neighbour in every group (recode), or drop "
            "the item."
        ),
        "Yhdistä väittämän {0} tyhjät luokat viereiseen luokkaan kaikissa ryhmissä "
        "(uudelleenkoodaus) tai poista väittämä.",
    ),
    (
        _en("item <x> has no variance<g> (every answer is the same)"),
        "väittämällä {0} ei ole vaihtelua{1!g} (kaikki vastaukset ovat samoja)",
    ),
    (
        _en("Drop item <x> from the model."),
        "Poista väittämä {0} mallista.",
    ),
    (
        _en("no case answered every model item"),
        "yksikään havainto ei vastannut kaikkiin mallin väittämiin",
    ),
    (
        _en("Check the missing-value codes; listwise deletion left no rows."),
        "Tarkista puuttuvan tiedon koodit; listwise-poiston jälkeen rivejä ei jäänyt.",
    ),
    (
        _en("the group column <x> has only one value among the complete cases"),
        "ryhmäsarakkeella {0} on täydellisissä havainnoissa vain yksi arvo",
    ),
    (
        _en("Fit the model without group=, or check the group column."),
        "Estimoi malli ilman ryhmiä (group=) tai tarkista ryhmäsarake.",
    ),
    (
        _en(
            "the asymptotic variances of the thresholds/polychoric correlations are not all "
            "positive<g>"
        ),
        "kynnysarvojen ja polykoristen korrelaatioiden asymptoottiset varianssit eivät ole kaikki "
        "positiivisia{0!g}",
    ),
    (
        _en(
            "Check for items with empty categories or pairs of items that never vary together; "
            "collapse sparse categories."
        ),
        "Etsi väittämiä, joilla on tyhjiä luokkia, ja väittämäpareja, jotka eivät vaihtele "
        "yhdessä; yhdistä harvoin käytettyjä luokkia.",
    ),
    # ---- polychoric: notes (a trailing " (label)" names the group) and errors --------------------
    (
        _en(
            "The items do not have the same highest category, so (as psych) thresholds were "
            "estimated per pair and empty cells set to <n>.<l>"
        ),
        "Väittämien ylin vastausluokka ei ole sama, joten kynnysarvot estimoitiin (kuten "
        "psychissä) pareittain ja tyhjien solujen arvoksi asetettiin {0}.{1!q}",
    ),
    (
        _en("The polychoric correlation of <x> and <x> did not converge.<l>"),
        "Väittämien {0} ja {1} polykorisen korrelaation estimointi ei konvergoitunut.{2!q}",
    ),
    (
        _en(
            "The matrix was not positive definite (smallest eigenvalue <n>); it was smoothed "
            "(psych cor.smooth).<l>"
        ),
        "Korrelaatiomatriisi ei ollut positiivisesti definiitti (pienin ominaisarvo {0}), joten "
        "se tasoitettiin (psychin cor.smooth).{1!q}",
    ),
    (
        _en(
            "The matrix is not positive definite (smallest eigenvalue <n>) and was not smoothed "
            "(smooth=False).<l>"
        ),
        "Korrelaatiomatriisi ei ole positiivisesti definiitti (pienin ominaisarvo {0}), eikä sitä "
        "tasoitettu (smooth=False).{1!q}",
    ),
    (
        _en(
            "Some correlations could not be estimated (no respondents answered both items): <x>; "
            "the matrix was not smoothed.<l>"
        ),
        "Joitakin korrelaatioita ei voitu estimoida (kukaan ei vastannut molempiin väittämiin): "
        "{0}; matriisia ei tasoitettu.{1!q}",
    ),
    (
        _en("<n> of <n> pair tables have empty cells; they were left empty (lavaan).<l>"),
        "{0}/{1} väittämäparin ristiintaulukossa on tyhjiä soluja; ne jätettiin tyhjiksi (kuten "
        "lavaanissa).{2!q}",
    ),
    (
        _en("<n> of <n> pair tables have empty cells.<l>"),
        "{0}/{1} väittämäparin ristiintaulukossa on tyhjiä soluja.{2!q}",
    ),
    (
        _en("item <x> has non-integer values; polychoric correlations need ordered categories"),
        "väittämällä {0} on muita kuin kokonaislukuarvoja; polykoriset korrelaatiot edellyttävät "
        "järjestettyjä vastausluokkia",
    ),
    (
        _en("declare the item continuous (leave it out of ordered=) or recode it to categories"),
        "käsittele väittämää jatkuvana (jätä se pois järjestysasteikollisten joukosta, ordered=) "
        "tai koodaa se luokiksi",
    ),
    (
        r"item (.+?) has (\d+) observed categor(?:y|ies); a correlation needs variation",
        "väittämän {0} havaittujen vastausluokkien määrä on {1}; korrelaatio edellyttää vaihtelua",
    ),
    (
        _en("drop item <x> from the analysis"),
        "poista väittämä {0} analyysista",
    ),
    (
        _en("item <x> has <n> distinct values, more than max_categories=<n>"),
        "väittämällä {0} on {1} eri arvoa, enemmän kuin max_categories={2}",
    ),
    (
        _en("treat it as continuous (leave it out of ordered=) or raise max_categories"),
        "käsittele sitä jatkuvana (jätä se pois järjestysasteikollisten joukosta, ordered=) tai "
        "kasvata arvoa max_categories",
    ),
    (
        _en("a correlation matrix needs at least two items"),
        "korrelaatiomatriisi vaatii vähintään kaksi väittämää",
    ),
    (
        _en("pass two or more columns"),
        "anna vähintään kaksi saraketta",
    ),
    (
        _en("no respondent answered every item (listwise deletion left no rows)"),
        "yksikään vastaaja ei vastannut kaikkiin väittämiin (listwise-poiston jälkeen rivejä ei "
        "jäänyt)",
    ),
    (
        _en("use missing='pairwise' or check the missing-value codes"),
        "käytä parittaista poistoa (missing='pairwise') tai tarkista puuttuvan tiedon koodit",
    ),
    # ---- efa, extraction, nfactors, omega --------------------------------------------------------
    (
        _en("The <x> extraction did not converge; treat the solution with caution."),
        "Faktoreiden estimointi menetelmällä {0} ei konvergoitunut; suhtaudu ratkaisuun "
        "varauksella.",
    ),
    (
        _en("The <x> rotation did not converge in <n> iterations."),
        "Rotaatio {0} ei konvergoitunut {1} iteraatiossa.",
    ),
    (
        _en(
            "Heywood case: <x> (uniqueness at its bound of <n> or communality of 1 or more); the "
            "solution may be improper."
        ),
        "Heywood-tapaus: {0} (ainutkertaisuus alarajallaan {1} tai kommunaliteetti vähintään 1); "
        "ratkaisu voi olla epäkelpo.",
    ),
    (
        _en(
            "The model has <n> degrees of freedom (too many factors for <n> items): it is not "
            "identified and no fit test is possible."
        ),
        "Mallin vapausasteita on {0} (liian monta faktoria {1} väittämälle): malli ei ole "
        "identifioitu, eikä sen sopivuutta voi testata.",
    ),
    (
        _en("The model has 0 degrees of freedom: it fits by construction."),
        "Mallin vapausasteita on 0: se sopii aineistoon rakenteensa vuoksi.",
    ),
    (
        _en("No sample size was given, so no chi square, RMSEA, TLI or BIC."),
        "Otoskokoa ei annettu, joten χ²:tä, RMSEA:ta, TLI:tä tai BIC:tä ei laskettu.",
    ),
    (
        _en("<n> factors cannot be extracted from <n> items."),
        "{1} väittämästä ei voi estimoida {0} faktoria.",
    ),
    (
        _en("Extract fewer factors than there are items (parallel_analysis() suggests how many)."),
        "Estimoi vähemmän faktoreita kuin väittämiä on (rinnakkaisanalyysi ehdottaa määrää).",
    ),
    (
        _en("Use fewer factors."),
        "Käytä vähemmän faktoreita.",
    ),
    (
        _en(
            "The correlation matrix is not positive definite, so maximum likelihood cannot be used."
        ),
        "Korrelaatiomatriisi ei ole positiivisesti definiitti, joten suurimman uskottavuuden "
        "menetelmää ei voi käyttää.",
    ),
    (
        _en("Use method='minres', or smooth the matrix first."),
        "Käytä minres-menetelmää (method='minres') tai tasoita matriisi ensin.",
    ),
    (
        _en("The correlation between '<x>' and '<x>' is missing."),
        "Väittämien '{0}' ja '{1}' välinen korrelaatio puuttuu.",
    ),
    (
        _en("An item with no variance or too few joint answers cannot be factored; drop it."),
        "Väittämää, jolla ei ole vaihtelua tai liian vähän yhteisiä vastauksia, ei voi "
        "faktoroida; poista se.",
    ),
    (
        _en("Factor analysis needs at least two items."),
        "Faktorianalyysi vaatii vähintään kaksi väittämää.",
    ),
    (
        _en("Add items."),
        "Lisää väittämiä.",
    ),
    (
        _en("Item '<x>' has fewer than 3 answers."),
        "Väittämällä '{0}' on alle 3 vastausta.",
    ),
    (
        _en("Drop the item or add data."),
        "Poista väittämä tai lisää aineistoa.",
    ),
    (
        _en("Item '<x>' has no variance (every answer is <n>)."),
        "Väittämällä '{0}' ei ole vaihtelua (jokainen vastaus on {1}).",
    ),
    (
        _en("Drop the item: a constant cannot be correlated with anything."),
        "Poista väittämä: vakio ei voi korreloida minkään kanssa.",
    ),
    (
        _en("Principal axis factoring met a negative eigenvalue of the reduced matrix."),
        "Pääakselimenetelmässä redusoidulla korrelaatiomatriisilla oli negatiivinen ominaisarvo.",
    ),
    (
        _en("Extract fewer factors, or use method='minres'."),
        "Estimoi vähemmän faktoreita tai käytä minres-menetelmää (method='minres').",
    ),
    (
        _en("Resampled data keep producing undefined correlations."),
        "Uudelleenotannan aineistot tuottavat toistuvasti määrittelemättömiä korrelaatioita.",
    ),
    (
        _en(
            "Items with very few answers or almost no variance cannot be resampled; drop them, or "
            "use resample=False."
        ),
        "Väittämiä, joilla on hyvin vähän vastauksia tai lähes ei vaihtelua, ei voi "
        "uudelleenotantaa; poista ne tai käytä asetusta resample=False.",
    ),
    (
        _en("Omega needs at least two items."),
        "Omega vaatii vähintään kaksi väittämää.",
    ),
    # ---- reliability, itemstats ------------------------------------------------------------------
    (
        r"reliability needs at least two items, got (\d+)(?: \((.+)\))?",
        "reliabiliteetti vaatii vähintään kaksi väittämää, nyt niitä on {0}{1!b}",
    ),
    (
        _en("pass the columns of all the scale's items"),
        "anna mittarin kaikkien väittämien sarakkeet",
    ),
    (
        _en("only <n> respondent(s) answered every item of the scale"),
        "vain {0} vastaajaa vastasi mittarin kaikkiin väittämiin",
    ),
    (
        _en("fewer than two items vary among the respondents who answered every item"),
        "kaikkiin väittämiin vastanneiden joukossa alle kahdella väittämällä on vaihtelua",
    ),
    (
        _en("fewer than two items vary"),
        "alle kahdella väittämällä on vaihtelua",
    ),
    (
        _en("check the data and the missing-value codes; with many gaps try missing='pairwise'"),
        "tarkista aineisto ja puuttuvan tiedon koodit; jos vastauksia puuttuu paljon, kokeile "
        "parittaista poistoa (missing='pairwise')",
    ),
    (
        _en("some pairs of items have fewer than three respondents in common"),
        "joillakin väittämäpareilla on alle kolme yhteistä vastaajaa",
    ),
    (
        _en("drop items that were rarely answered"),
        "poista väittämät, joihin vastattiin harvoin",
    ),
    (
        _en("Left out of the coefficients (no variance among complete responses): <x>."),
        "Jätettiin pois kertoimista (ei vaihtelua täydellisissä vastauksissa): {0}.",
    ),
    (
        _en("Left out of the coefficients (no variance): <x>."),
        "Jätettiin pois kertoimista (ei vaihtelua): {0}.",
    ),
    (
        _en("Omega could not be computed: <x>"),
        "Omegaa ei voitu laskea: {0!m}",
    ),
    (
        _en("Ordinal omega could not be computed: <x>"),
        "Ordinaalista omegaa ei voitu laskea: {0!m}",
    ),
    (
        _en("Omega hierarchical could not be computed: <x>"),
        "Hierarkkista omegaa ei voitu laskea: {0!m}",
    ),
    (
        _en(
            "With two sub-dimensions the general factor is identified only by assuming equal "
            "loadings on it (psych's option 'equal')."
        ),
        "Kahdella alaulottuvuudella yleisfaktori on identifioitu vain olettamalla sen lataukset "
        "yhtä suuriksi (psychin vaihtoehto 'equal').",
    ),
    (
        _en("Polychoric: <x>"),
        "Polykoriset korrelaatiot: {0!m}",
    ),
    (
        _en("answers outside the scale range <n>-<n>: <x>"),
        "vastauksia asteikon {0}–{1} ulkopuolella: {2}",
    ),
    (
        _en("declare those codes missing, or correct scale_range"),
        "ilmoita nämä koodit puuttuviksi tai korjaa asteikon vaihteluväli (scale_range)",
    ),
    (
        _en("cannot reverse-key items that have no answers"),
        "väittämiä, joihin ei ole vastauksia, ei voi kääntää",
    ),
    (
        _en("give scale_range=(min, max)"),
        "anna asteikon vaihteluväli scale_range=(min, max)",
    ),
    # ---- validity (HTMT, discriminant validity) and cmv (common-method variance) -----------------
    (
        _en("Higher-order factors left out of HTMT: <x>."),
        "HTMT:stä jätettiin pois ylemmän tason faktorit: {0}.",
    ),
    (
        _en("<n> of <n> cases with a missing item response were left out (listwise deletion)."),
        "{0}/{1} havaintoa, joilta puuttui vastaus johonkin väittämään, jätettiin pois "
        "(listwise-poisto).",
    ),
    (
        _en("HTMT is undefined for single-indicator factors (no monotrait correlation): <x>."),
        "HTMT:tä ei ole määritelty yhden indikaattorin faktoreille (ei monotrait-korrelaatiota): "
        "{0}.",
    ),
    (
        _en(
            "Negative correlations among the items of <x>: reverse-keyed items seem not to be "
            "recoded. Absolute correlations were used, so HTMT is unaffected; recode them for the "
            "other statistics."
        ),
        "Konstruktien {0} väittämien välillä on negatiivisia korrelaatioita: käänteisiä väittämiä "
        "ei ilmeisesti ole käännetty. HTMT laskettiin korrelaatioiden itseisarvoista, joten se ei "
        "muutu; käännä väittämät muita tunnuslukuja varten.",
    ),
    (
        _en(
            "Negative correlations among the items of <x>: reverse-keyed items seem not to be "
            "recoded, and signed correlations were averaged. Recode them (or use absolute=True) "
            "before interpreting HTMT."
        ),
        "Konstruktien {0} väittämien välillä on negatiivisia korrelaatioita: käänteisiä väittämiä "
        "ei ilmeisesti ole käännetty, ja keskiarvot laskettiin etumerkillisistä korrelaatioista. "
        "Käännä väittämät (tai käytä asetusta absolute=True) ennen HTMT:n tulkintaa.",
    ),
    (
        _en(
            "<n> of <n> bootstrap resamples gave an undefined HTMT (e.g. an item without variance "
            "in the resample) and were left out."
        ),
        "{0}/{1} bootstrap-otoksesta antoi määrittelemättömän HTMT:n (esim. jollakin väittämällä "
        "ei ollut otoksessa vaihtelua), ja ne jätettiin pois.",
    ),
    (
        _en("HTMT reaches .<n> for <x>: these constructs may not be empirically distinct."),
        "HTMT yltää arvoon .{0} pareilla {1}: nämä konstruktit eivät ehkä erotu empiirisesti.",
    ),
    (
        _en("only <n> complete cases on the model's items"),
        "mallin väittämissä on vain {0} täydellistä havaintoa",
    ),
    (
        _en("HTMT needs complete responses from at least a few respondents"),
        "HTMT vaatii täydelliset vastaukset ainakin muutamalta vastaajalta",
    ),
    (
        _en("items without variance: <x>"),
        "väittämät, joilla ei ole vaihtelua: {0}",
    ),
    (
        _en("drop constant items from the model; their correlations are undefined"),
        "poista vaihtelemattomat väittämät mallista; niiden korrelaatioita ei ole määritelty",
    ),
    (
        _en("only <n> complete cases"),
        "vain {0} täydellistä havaintoa",
    ),
    (
        _en("use missing='pairwise' or check the data"),
        "käytä parittaista poistoa (missing='pairwise') tai tarkista aineisto",
    ),
    (
        _en("columns without variance: <x>"),
        "sarakkeet, joilla ei ole vaihtelua: {0}",
    ),
    (
        _en("drop constant items; their correlations are undefined"),
        "poista vaihtelemattomat väittämät; niiden korrelaatioita ei ole määritelty",
    ),
    (
        _en("no correlation for <x> and <x> (too few joint answers or no variance)"),
        "sarakkeiden {0} ja {1} korrelaatiota ei saatu (liian vähän yhteisiä vastauksia tai ei "
        "vaihtelua)",
    ),
    (
        _en("drop one of these columns"),
        "poista toinen näistä sarakkeista",
    ),
    (
        _en("Harman's test needs the items of all constructs (at least 3 columns)"),
        "Harmanin testi vaatii kaikkien konstruktien väittämät (vähintään 3 saraketta)",
    ),
    (
        _en("pass every substantive item of the study"),
        "anna kaikki tutkimuksen sisällölliset väittämät",
    ),
    (
        _en("the model already has a factor called '<x>'"),
        "mallissa on jo faktori nimeltä '{0}'",
    ),
    (
        _en("choose another name with method_factor="),
        "valitse toinen nimi asetuksella method_factor=",
    ),
    (
        _en("the marker factor '<x>' is not in the model"),
        "merkkimuuttujafaktoria '{0}' ei ole mallissa",
    ),
    (
        _en("add a line '<x> =~ marker_item1 + marker_item2 + ...' or name one of <x>"),
        "lisää rivi '{0} =~ marker_item1 + marker_item2 + ...' tai nimeä jokin näistä: {1}",
    ),
    (
        _en("name the factor measured by the marker scale, one of <x>"),
        "nimeä merkkimuuttujamittarin mittaama faktori, jokin näistä: {0}",
    ),
    (
        _en("the model has no substantive factor besides the marker"),
        "mallissa ei ole merkkimuuttujan lisäksi yhtään sisällöllistä faktoria",
    ),
    (
        _en("add them"),
        "lisää ne",
    ),
    (
        _en("marker items also measure a substantive factor: <x>"),
        "merkkimuuttujan väittämät mittaavat myös sisällöllistä faktoria: {0}",
    ),
    (
        _en("the marker scale must have items of its own"),
        "merkkimuuttujamittarilla on oltava omat väittämänsä",
    ),
    (
        _en("negative residual variance for <x>"),
        "negatiivinen jäännösvarianssi väittämillä {0}",
    ),
    (
        _en("factor correlation matrix not positive definite"),
        "faktorikorrelaatiomatriisi ei ole positiivisesti definiitti",
    ),
    # ---- invariance, group comparisons (and the groups section's own model check) ----------------
    (
        _en("the model's item(s) <x> are not item columns of the data"),
        "mallin väittämiä {0} ei ole aineiston väittämäsarakkeiden joukossa",
    ),
    (
        _en("name the items in the model as in the data"),
        "nimeä mallin väittämät samoin kuin aineistossa",
    ),
    (
        _en(
            "group(s) too small for a multi-group CFA: <x> usable case(s), but the model has <n> "
            "free parameters per group (<n> items)"
        ),
        "ryhmät ovat liian pieniä monen ryhmän CFA:han: käyttökelpoisia havaintoja {0!h}, mutta "
        "mallissa on {1} vapaata parametria ryhmää kohden ({2} väittämää)",
    ),
    (
        _en(
            "Merge small groups of <x> with similar ones (recode the column), leave them out of "
            "the comparison, or collect more responses; a group needs more cases than the model "
            "has free parameters per group (ideally several times more)."
        ),
        "Yhdistä muuttujan {0} pienet ryhmät samankaltaisiin ryhmiin (koodaa sarake uudelleen), "
        "jätä ne pois vertailusta tai kerää lisää vastauksia; ryhmässä on oltava enemmän "
        "havaintoja kuin mallissa on vapaita parametreja ryhmää kohden (mieluiten "
        "moninkertaisesti).",
    ),
    (
        _en(
            "ordinal items have categories that some groups never used, so their thresholds cannot "
            "be compared across groups: <x>"
        ),
        "järjestysasteikollisilla väittämillä on vastausluokkia, joita jotkin ryhmät eivät "
        "käyttäneet lainkaan, joten niiden kynnysarvoja ei voi verrata ryhmien välillä: {0!l}",
    ),
    (
        r"(\S+): category (.+?) not used in group (.+)",
        "{0}: luokkaa {1} ei käytetty ryhmässä {2}",
    ),
    (
        _en(
            "Merge the empty category with its neighbour for that item in every group (e.g. recode "
            "the top two answers into one), or merge the small groups; then rerun."
        ),
        "Yhdistä väittämän tyhjä luokka viereiseen luokkaan kaikissa ryhmissä (esim. koodaa kaksi "
        "ylintä vastausta yhdeksi) tai yhdistä pienet ryhmät; aja analyysi sitten uudelleen.",
    ),
    (
        _en("the configural model did not converge, so invariance cannot be tested"),
        "konfiguraalisen mallin estimointi ei konvergoitunut, joten invarianssia ei voi testata",
    ),
    (
        _en(
            "Check the model in each group separately with cfa(); a group may be too small or an "
            "item may not vary in it."
        ),
        "Tarkista malli kussakin ryhmässä erikseen (cfa()); jokin ryhmä voi olla liian pieni tai "
        "jokin väittämä ei vaihtele siinä.",
    ),
    (
        _en("the grouping column <x> has <n> value(s)"),
        "ryhmittelysarakkeen {0} eri arvojen määrä on {1}",
    ),
    (
        _en("Invariance is tested across two or more groups."),
        "Invarianssia testataan kahden tai useamman ryhmän välillä.",
    ),
    (
        _en("WLSMV is the estimator for ordinal items, but no item is declared ordered"),
        "WLSMV on järjestysasteikollisten väittämien estimaattori, mutta yhtäkään väittämää ei "
        "ole määritelty järjestysasteikolliseksi",
    ),
    (
        _en(
            "Pass ordered=True (all items) or a list of the ordinal items; for continuous items "
            "use 'MLR'."
        ),
        "Anna ordered=True (kaikki väittämät) tai järjestysasteikollisten väittämien luettelo; "
        "jatkuville väittämille käytä estimaattoria MLR.",
    ),
    (
        _en("ordered items need estimator='WLSMV', not <x>"),
        "järjestysasteikolliset väittämät vaativat estimaattorin WLSMV (nyt {0})",
    ),
    (
        _en(
            "Use estimator='WLSMV' with ordered items, or drop ordered= to treat them as "
            "continuous."
        ),
        "Käytä järjestysasteikollisille väittämille estimaattoria WLSMV tai jätä ordered= pois, "
        "jolloin niitä käsitellään jatkuvina.",
    ),
    (
        _en("missing='fiml' is for continuous items (ML/MLR)"),
        "täyden informaation ML (missing='fiml') on tarkoitettu jatkuville väittämille (ML/MLR)",
    ),
    (
        _en("WLSMV uses the complete cases; drop missing='fiml'."),
        "WLSMV käyttää täydellisiä havaintoja; jätä missing='fiml' pois.",
    ),
    (
        _en("invariance of second-order factors with ordinal items is not supported"),
        "toisen kertaluvun faktoreiden invarianssia ei voi testata järjestysasteikollisilla "
        "väittämillä",
    ),
    (
        _en("Test the first-order factors' invariance, or treat the items as continuous (MLR)."),
        "Testaa ensimmäisen kertaluvun faktoreiden invarianssi tai käsittele väittämiä jatkuvina "
        "(MLR).",
    ),
    (
        _en("<x> ~~ <x>: variances are set by the invariance ladder"),
        "{0} ~~ {1}: invarianssitestauksen vaiheet määräävät varianssit",
    ),
    (
        _en("Leave variances out of the model syntax for ordinal invariance testing."),
        "Jätä varianssit pois mallin syntaksista, kun testaat järjestysasteikollisten väittämien "
        "invarianssia.",
    ),
    (
        _en("<x>: intercepts and means are set by the invariance ladder"),
        "{0}: invarianssitestauksen vaiheet määräävät vakiotermit ja keskiarvot",
    ),
    (
        _en("Leave intercepts out of the model syntax for ordinal invariance testing."),
        "Jätä vakiotermit pois mallin syntaksista, kun testaat järjestysasteikollisten väittämien "
        "invarianssia.",
    ),
    (
        _en(
            "<x> carries the label <x> in the model, which keeps it equal in every group, so it "
            "cannot be released"
        ),
        "parametrilla {0} on mallissa nimiö {1}, joka pitää sen yhtä suurena kaikissa ryhmissä, "
        "joten sitä ei voi vapauttaa",
    ),
    (
        _en("Remove the label from the model syntax (or give one label per group with c(...))."),
        "Poista nimiö mallin syntaksista (tai anna kullekin ryhmälle oma nimiö muodossa c(...)).",
    ),
    (
        r"(\S+ (?:=~|~~|~|\|) \S+) cannot be released",
        "parametria {0} ei voi vapauttaa",
    ),
    (
        _en("Release loadings, intercepts, thresholds or variances."),
        "Vapauta latauksia, vakiotermejä, kynnysarvoja tai variansseja.",
    ),
    (
        _en("score tests need a converged model"),
        "score-testit edellyttävät konvergoitunutta mallia",
    ),
    (
        _en("Fix the convergence problem first (see the fit's warnings)."),
        "Korjaa ensin konvergointiongelma (ks. estimoinnin varoitukset).",
    ),
    (
        _en("'<x>' has fewer than two groups with data on <x>"),
        "muuttujalla '{0}' on alle kaksi ryhmää, joilla on arvoja ulottuvuudella {1}",
    ),
    (
        _en("choose a grouping variable with at least two groups"),
        "valitse ryhmittelymuuttuja, jossa on vähintään kaksi ryhmää",
    ),
    (
        _en("group(s) <x> of '<x>' have fewer than <n> respondents with a <x> score"),
        "muuttujan '{1}' ryhmissä {0} on alle {2} vastaajaa, joilla on pistemäärä ulottuvuudella "
        "{3}",
    ),
    (
        _en("merge small groups (e.g. into 'other') or leave them out before comparing"),
        "yhdistä pienet ryhmät (esim. ryhmäksi 'muu') tai jätä ne pois ennen vertailua",
    ),
    # ---- multilevel: firm-level aggregation ------------------------------------------------------
    (
        _en("no cluster (firm id) variable"),
        "yritystunnusmuuttujaa (cluster) ei ole",
    ),
    (
        _en("give the study a background question with role: cluster, or pass cluster='firm_id'"),
        "lisää tutkimukseen taustakysymys, jonka rooli on cluster, tai anna cluster='firm_id'",
    ),
    (
        _en("no column '<x>' for the cluster"),
        "yritystunnukselle ei ole saraketta '{0}'",
    ),
    (
        _en("use one of: <x>"),
        "käytä jotakin näistä: {0}",
    ),
    (
        _en(
            "ICC of '<x>' needs at least two clusters and one with several respondents (<n> "
            "respondents in <n> cluster(s))"
        ),
        "ulottuvuuden '{0}' ICC vaatii vähintään kaksi yritystä, joista ainakin yhdessä on useita "
        "vastaajia ({1} vastaajaa {2} yrityksessä)",
    ),
    (
        _en("check the cluster (firm id) column"),
        "tarkista yritystunnussarake",
    ),
    (
        _en("the cluster variable has <n> values for <n> respondents (<x>)"),
        "yritystunnusmuuttujalla on {0} arvoa {1} vastaajalle ({2})",
    ),
    (
        _en("pass one firm id per respondent"),
        "anna kullekin vastaajalle yksi yritystunnus",
    ),
    (
        _en("rwg(j) needs the number of response options"),
        "rwg(j) vaatii vastausvaihtoehtojen määrän",
    ),
    (
        _en("pass points=7 for a seven-point scale"),
        "anna vaihtoehtojen määrä, esim. points=7 seitsenportaiselle asteikolle",
    ),
    (
        _en("a response scale has at least 2 points, not <n>"),
        "vastausasteikolla on vähintään 2 vaihtoehtoa, ei {0}",
    ),
)

#: The table: (compiled pattern of the English message, Finnish template), first match wins.
ENGINE_FI: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.DOTALL), template) for pattern, template in _ENTRIES
)


class _Fill(Formatter):
    """Fills a template with a match's groups (conversions in the module docstring)."""

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        if conversion == "m":
            return engine_text(value, "fi") if value else ""
        if conversion == "l":
            return "; ".join(engine_text(v, "fi") for v in value.split("; ")) if value else ""
        if conversion == "g":
            return f" ryhmässä {value}" if value else ""
        if conversion == "q":
            return f" (ryhmä {value})" if value else ""
        if conversion == "b":
            return f" ({value})" if value else ""
        if conversion == "h":
            return re.sub(r"('[^']*'|\"[^\"]*\") has (\d+)", r"\1: \2", value or "")
        if conversion == "v":
            return _WORDS.get(value, value)
        if value is None:
            return ""
        return super().convert_field(value, conversion)


_FILL = _Fill()


def engine_text(message: str, lang: str) -> str:
    """An engine message (note, warning, error or hint) in the report's language.

    Parameters
    ----------
    message : str
        The message as the engine wrote it (English). ``str()`` of an error with a hint
        (``"message\\nWhat to do: hint"``) is translated part by part.
    lang : str
        The report language; only ``"fi"`` changes anything.

    Returns
    -------
    str
        The Finnish wording by the first entry of :data:`ENGINE_FI` that matches the whole
        message; the message unchanged for ``"en"`` (any language but ``"fi"``) or when no entry
        matches.
    """
    if lang != "fi" or not message:
        return message
    if _HINT_EN in message:
        head, _, hint = message.partition(_HINT_EN)
        return engine_text(head, lang) + _HINT_FI + engine_text(hint, lang)
    for pattern, template in ENGINE_FI:
        match = pattern.fullmatch(message)
        if match:
            return _FILL.format(template, *match.groups())
    return message


__all__ = ["ENGINE_FI", "engine_text"]
