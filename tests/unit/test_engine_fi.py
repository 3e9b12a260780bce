"""Finnish wording of the engine's English messages (``analysis/sections/engine_fi.py``).

Every entry of :data:`~moscale.analysis.sections.engine_fi.ENGINE_FI` is exercised by a message the
engine wrote (called here on small data) or, where the situation is hard to produce, by a message
built with the same f-string as the engine code. Each message must match exactly one entry, and its
Finnish wording must keep the message's numbers and names. Unknown messages and English reports are
left alone, and a small Finnish report carries no English engine sentence.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import pytest

import moscale as ms
from moscale.analysis.cfa.api import cfa
from moscale.analysis.cfa.diagnostics import convergence_message, sample_size_warnings
from moscale.analysis.cfa.partable import build_partable
from moscale.analysis.cfa.syntax import parse_model
from moscale.analysis.cfa.wls import cfa_ordinal
from moscale.analysis.cmv import harman_single_factor
from moscale.analysis.efa import efa
from moscale.analysis.extraction import PSI_LOWER
from moscale.analysis.groups import compare_groups
from moscale.analysis.invariance import invariance
from moscale.analysis.itemstats import item_statistics
from moscale.analysis.multilevel import aggregate
from moscale.analysis.pipeline import decide_ordinal
from moscale.analysis.polychoric import polychoric
from moscale.analysis.reliability import reliability
from moscale.analysis.responses import read_responses
from moscale.analysis.screening import screen
from moscale.analysis.sections import quality
from moscale.analysis.sections.cfa import error_text, ordinal_reason_fi
from moscale.analysis.sections.engine_fi import ENGINE_FI, engine_text
from moscale.analysis.validity import htmt
from moscale.errors import DataError, ModelError, UserError

from .section_helpers import BFI_MODEL, DEMO, load_bfi

#: English words that should not survive in a Finnish wording (besides the kept names and code).
ENGLISH = re.compile(r"\b(the|is|are|was|were|not|cannot|could|with|have|has|of|and)\b")


def _g(label: str) -> str:
    """The engine's ``where`` for a group (``f" in group {label}"``)."""
    return f" in group {label}"


#: Messages built with the engine's own f-strings (situations too costly to produce here):
#: (message, names and numbers its Finnish wording must keep).
HAND: list[tuple[str, tuple[str, ...]]] = [
    # cfa.api, cfa.diagnostics
    (f"{4} case(s) with no value of {'industry'} were left out.", ("4", "industry")),
    (
        f"{12} of {400} case(s){_g('2')} had missing answers and were left out "
        "(listwise deletion); missing='fiml' uses them.",
        ("12/400", "ryhmässä 2", "missing='fiml'"),
    ),
    (f"{3} case(s){_g('b')} had no answer on any model item and were left out.", ("3", "b")),
    (
        f"Heywood case: the residual variance of {'x3'} is negative ({-0.1234:.3f}){_g('2')}. "
        f"The model says {'x3'} is more than fully explained by its factor, which is impossible. "
        "Common causes: a factor with too few indicators, a misspecified model (a missing "
        "cross-loading or residual covariance), a small sample or outliers. Treat this solution "
        "with caution.",
        ("x3", "-0.123", "ryhmässä 2"),
    ),
    (
        f"Heywood case: the (residual) variance of factor {'F2'} is negative ({-0.05:.3f}). The "
        "model is probably misspecified (e.g. a higher-order factor with too few first-order "
        "factors) or the sample too small.",
        ("F2", "-0.050"),
    ),
    (
        "The covariance matrix of the factors is not positive definite"
        + ": correlations beyond 1 between "
        + ", ".join([f"{'F1'}-{'F2'} (r = {1.021:.3f})"])
        + ". Factors that correlate this highly are not distinct; consider merging them.",
        ("F1-F2 (r = 1.021)",),
    ),
    (
        "The covariance matrix of the factors is not positive definite"
        + _g("1")
        + ". Factors that correlate this highly are not distinct; consider merging them.",
        ("ryhmässä 1",),
    ),
    (
        f"The standardized loading of {'x2'} on {'F1'} is {1.032:.3f}, beyond 1 in absolute "
        "value (see the Heywood-case note).",
        ("x2", "F1", "1.032"),
    ),
    # cfa errors and hints not produced below
    (
        "variable(s) in the model are not in the data: " + "; ".join(["x9 (close: X9)", "y1"]),
        ("x9", "X9", "y1"),
    ),
    ("x9 (close: X9, x9a)", ("x9", "X9, x9a")),
    (
        "Check the spelling in the model syntax; a name that is meant as a factor must appear on "
        "the left of =~.",
        ("=~",),
    ),
    (f"item {'q1'} has non-numeric values (e.g. {'abc'!r})", ("q1", "'abc'")),
    (f"Recode {'q1'} to numbers; declare missing-value codes so they become empty.", ("q1",)),
    (
        "the model is not identified: the information matrix is singular at the solution; the "
        "parameters involved are " + ", ".join(["F =~ x2", "x2 ~~ x2"]),
        ("F =~ x2, x2 ~~ x2",),
    ),
    (
        "Fix the scale of every factor (a marker loading or std_lv=True), give each factor at "
        "least three indicators (or two plus a correlation with another factor), and avoid "
        "freeing parameters that the data cannot separate.",
        ("std_lv=True",),
    ),
    (
        "parameters constrained to be equal are fixed at different values: "
        + ", ".join(["F =~ x1", "F =~ x2"]),
        ("F =~ x1, F =~ x2",),
    ),
    ("Remove the label or the fixed value.", ()),
    ("implied covariance matrix not positive definite", ()),
    ("Eigenvalues did not converge", ()),
    ("SVD did not converge", ()),
    # cfa.wls
    (
        "The information matrix is singular: the model is probably not identified, so no "
        "standard errors or robust tests could be computed.",
        (),
    ),
    (
        f"The estimation did not converge ({'Maximum number of iterations has been exceeded.'}); "
        "the estimates are not reliable.",
        ("Maximum number of iterations has been exceeded.",),
    ),
    (
        f"Negative residual variance (Heywood case){_g('2')} for {', '.join(['x1', 'x4'])}: a "
        "standardized loading above 1. Check these items (too few categories, near-duplicate "
        "items).",
        ("x1, x4", "ryhmässä 2"),
    ),
    (
        f"The latent covariance matrix{''} is not positive definite (a factor correlation beyond "
        "+-1?); the factors may not be distinct.",
        (),
    ),
    (
        "Thresholds (or intercepts) are constrained to be equal, and lavaan 0.6.14 cannot compute "
        "the robust CFI/TLI/RMSEA then (its ML refit to the polychoric correlations drops the "
        "thresholds but keeps their equality constraints and fails; lavaan issue #386), so they "
        "are NA here too. Use the scaled indices, or compare models with the scaled chi-square "
        "difference test.",
        ("0.6.14", "#386"),
    ),
    (
        f"The polychoric correlation matrix{_g('1')} is not positive definite (smallest "
        f"eigenvalue {-3.1e-17:.2g}), so the robust CFI/TLI/RMSEA (which refit the model by "
        "ML to that matrix) are not defined; lavaan reports them as NA too. Use the scaled "
        "indices.",
        ("ryhmässä 1", "-3.1e-17"),
    ),
    ("The information matrix could not be inverted, so the robust indices are NA.", ("NA",)),
    (
        "The model-implied correlation matrix is not positive definite, so the robust "
        "(catML-based) indices are not defined.",
        ("catML",),
    ),
    (
        f"lavaan reports no robust CFI/TLI/RMSEA with test='{'satorra.bentler'}'; use the scaled "
        "indices.",
        ("test='satorra.bentler'",),
    ),
    (
        "item x4 has no answers in categor"
        f"{'ies'} {', '.join(['5', '6'])}{_g('b')}, so its thresholds cannot be estimated there",
        ("x4", "5, 6", "ryhmässä b"),
    ),
    (
        "item x4 has no answers in categor"
        f"{'y'} {'6'}, so its thresholds cannot be estimated there",
        ("x4", "6"),
    ),
    (
        f"Merge the empty categories of {'x4'} with a neighbour in every group (recode), or drop "
        "the item.",
        ("x4",),
    ),
    (f"item {'x2'} has no variance{_g('a')} (every answer is the same)", ("x2", "ryhmässä a")),
    (f"Drop item {'x2'} from the model.", ("x2",)),
    (f"the group column {'g'} has only one value among the complete cases", ("g",)),
    ("Fit the model without group=, or check the group column.", ("group=",)),
    (
        "the asymptotic variances of the thresholds/polychoric correlations are not all "
        f"positive{_g('2')}",
        ("ryhmässä 2",),
    ),
    (
        "Check for items with empty categories or pairs of items that never vary together; "
        "collapse sparse categories.",
        (),
    ),
    # polychoric notes with a group label (as cfa.wls_samplestats appends it) and others
    (
        f"The polychoric correlation of {'x1'} and {'x2'} did not converge." + " (2)",
        ("x1", "x2", "(ryhmä 2)"),
    ),
    (
        f"The matrix was not positive definite (smallest eigenvalue {-0.0123:.3g}); it was "
        "smoothed (psych cor.smooth).",
        ("-0.0123", "cor.smooth"),
    ),
    (
        f"The matrix is not positive definite (smallest eigenvalue {1.2e-17:.3g}) and was not "
        "smoothed (smooth=False).",
        ("1.2e-17", "smooth=False"),
    ),
    (f"{9} of {300} pair tables have empty cells; they were left empty (lavaan). (1)", ("9/300",)),
    # efa, extraction, nfactors, omega
    (f"The {'minres'} extraction did not converge; treat the solution with caution.", ("minres",)),
    (f"The {'oblimin'} rotation did not converge in {1000} iterations.", ("oblimin", "1000")),
    ("The correlation matrix is not positive definite, so maximum likelihood cannot be used.", ()),
    ("Use method='minres', or smooth the matrix first.", ("method='minres'",)),
    (f"The correlation between '{'a'}' and '{'b'}' is missing.", ("'a'", "'b'")),
    ("An item with no variance or too few joint answers cannot be factored; drop it.", ()),
    ("Principal axis factoring met a negative eigenvalue of the reduced matrix.", ()),
    ("Extract fewer factors, or use method='minres'.", ("method='minres'",)),
    ("Resampled data keep producing undefined correlations.", ()),
    (
        "Items with very few answers or almost no variance cannot be resampled; drop them, or use "
        "resample=False.",
        ("resample=False",),
    ),
    ("Omega needs at least two items.", ()),
    ("Use fewer factors.", ()),
    # reliability, itemstats
    ("some pairs of items have fewer than three respondents in common", ()),
    ("drop items that were rarely answered", ()),
    (
        "Ordinal omega could not be computed: "
        + str(
            ModelError(
                f"{3} factors cannot be extracted from {2} items.", hint="Use fewer factors."
            )
        ),
        ("3", "2", "Mitä tehdä: Käytä vähemmän faktoreita."),
    ),
    (
        "Omega hierarchical could not be computed: "
        + str(ModelError("Factor analysis needs at least two items.", hint="Add items.")),
        ("Mitä tehdä: Lisää väittämiä.",),
    ),
    (
        "With two sub-dimensions the general factor is identified only by assuming equal loadings "
        "on it (psych's option 'equal').",
        ("'equal'",),
    ),
    ("cannot reverse-key items that have no answers", ()),
    ("give scale_range=(min, max)", ("scale_range=(min, max)",)),
    # validity, cmv
    ("Higher-order factors left out of HTMT: " + ", ".join(["CCRM"]) + ".", ("CCRM",)),
    (
        f"{7} of {200} bootstrap resamples gave an undefined HTMT (e.g. an item without variance "
        "in the resample) and were left out.",
        ("7/200",),
    ),
    (
        "Negative correlations among the items of "
        + ", ".join(["A", "C"])
        + ": reverse-keyed items seem not to be recoded, and signed correlations were averaged. "
        "Recode them (or use absolute=True) before interpreting HTMT.",
        ("A, C", "absolute=True"),
    ),
    (f"only {2} complete cases on the model's items", ("2",)),
    ("HTMT needs complete responses from at least a few respondents", ("HTMT",)),
    (f"items without variance: {', '.join(['x1', 'x2'])}", ("x1, x2",)),
    ("drop constant items from the model; their correlations are undefined", ()),
    (f"only {2} complete cases", ("2",)),
    ("use missing='pairwise' or check the data", ("missing='pairwise'",)),
    (f"columns without variance: {', '.join(['x1'])}", ("x1",)),
    ("drop constant items; their correlations are undefined", ()),
    (
        f"no correlation for {'x1'} and {'x2'} (too few joint answers or no variance)",
        ("x1", "x2"),
    ),
    ("drop one of these columns", ()),
    (f"the model already has a factor called '{'method'}'", ("'method'",)),
    ("choose another name with method_factor=", ("method_factor=",)),
    (f"the marker factor '{'mk'}' is not in the model", ("'mk'",)),
    (
        f"add a line '{'mk'} =~ marker_item1 + marker_item2 + ...' or name one of "
        + ", ".join(["F1", "F2"]),
        ("mk =~ marker_item1 + marker_item2 + ...", "F1, F2"),
    ),
    (
        "name the factor measured by the marker scale, one of " + ", ".join(["F1", "F2"]),
        ("F1, F2",),
    ),
    ("the model has no substantive factor besides the marker", ()),
    ("add them", ()),
    (f"marker items also measure a substantive factor: {', '.join(['m1'])}", ("m1",)),
    ("the marker scale must have items of its own", ()),
    ("negative residual variance for " + ", ".join(["x1", "x5"]), ("x1, x5",)),
    ("factor correlation matrix not positive definite", ()),
    # invariance and the groups section's own model check
    (
        f"the model's item(s) {', '.join(['q1', 'q2'])} are not item columns of the data",
        ("q1, q2",),
    ),
    ("name the items in the model as in the data", ()),
    ("the configural model did not converge, so invariance cannot be tested", ()),
    (
        "Check the model in each group separately with cfa(); a group may be too small or an item "
        "may not vary in it.",
        ("cfa()",),
    ),
    (f"the grouping column {'industry'!r} has {1} value(s)", ("'industry'", "1")),
    ("Invariance is tested across two or more groups.", ()),
    ("missing='fiml' is for continuous items (ML/MLR)", ("missing='fiml'", "ML/MLR")),
    ("WLSMV uses the complete cases; drop missing='fiml'.", ("WLSMV", "missing='fiml'")),
    ("invariance of second-order factors with ordinal items is not supported", ()),
    ("Test the first-order factors' invariance, or treat the items as continuous (MLR).", ("MLR",)),
    (f"{'x1'} ~~ {'x2'}: variances are set by the invariance ladder", ("x1 ~~ x2",)),
    ("Leave variances out of the model syntax for ordinal invariance testing.", ()),
    (f"{'x1 ~ 1'}: intercepts and means are set by the invariance ladder", ("x1 ~ 1",)),
    ("Leave intercepts out of the model syntax for ordinal invariance testing.", ()),
    (
        f"{'F =~ x2'} carries the label {'a'!r} in the model, which keeps it equal in every "
        "group, so it cannot be released",
        ("F =~ x2", "'a'"),
    ),
    (
        "Remove the label from the model syntax (or give one label per group with c(...)).",
        ("c(...)",),
    ),
    (f"{'F ~~ G'} cannot be released", ("F ~~ G",)),
    ("Release loadings, intercepts, thresholds or variances.", ()),
    ("score tests need a converged model", ()),
    ("Fix the convergence problem first (see the fit's warnings).", ()),
    # multilevel
    ("no cluster (firm id) variable", ()),
    (
        "give the study a background question with role: cluster, or pass cluster='firm_id'",
        ("cluster='firm_id'",),
    ),
    (
        f"ICC of '{'mktor.co'}' needs at least two clusters and one with several respondents "
        f"({5} respondents in {5} cluster(s))",
        ("'mktor.co'", "5 vastaajaa 5 yrityksessä"),
    ),
    ("check the cluster (firm id) column", ()),
    (f"the cluster variable has {3} values for {4} respondents ({'rwg_j'})", ("3", "4", "rwg_j")),
    ("pass one firm id per respondent", ()),
    ("rwg(j) needs the number of response options", ("rwg(j)",)),
    ("pass points=7 for a seven-point scale", ("points=7",)),
    (f"a response scale has at least 2 points, not {1}", ("2", "1")),
]


def _nums(message: str) -> tuple[str, ...]:
    """The numbers in a message (its Finnish wording must keep them)."""
    return tuple(re.findall(r"-?\d+(?:\.\d+)*(?:e-?\d+)?", message))


def _raised(fn) -> UserError:
    with pytest.raises(UserError) as info:
        fn()
    return info.value


def _both(exc: UserError, keep: tuple[str, ...] = ()) -> list[tuple[str, tuple[str, ...]]]:
    """An error's message (keeping ``keep``) and its hint."""
    out = [(exc.message, keep)]
    if exc.hint:
        out.append((exc.hint, ()))
    return out


@pytest.fixture(scope="module")
def engine_messages() -> list[tuple[str, tuple[str, ...]]]:
    """Messages the engine writes, produced by calling it on small data."""
    rng = np.random.default_rng(1)
    n = 200
    f = rng.normal(size=n)
    x = pd.DataFrame({f"x{i}": f + rng.normal(size=n) for i in range(1, 7)})
    xo = x.apply(lambda c: pd.cut(c, [-np.inf, -1.5, -0.5, 0.5, 1.5, np.inf], labels=False) + 1.0)
    m3, m4 = "F =~ x1 + x2 + x3", "F =~ x1 + x2 + x3 + x4"
    out: list[tuple[str, tuple[str, ...]]] = []

    # pipeline.decide_ordinal
    skewed = pd.DataFrame({"s": [1.0] * 90 + [2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 7.0, 7.0, 7.0, 7.0]})
    out += [
        (decide_ordinal(xo, "yes")[1], ("--ordinal yes",)),
        (decide_ordinal(xo, "no")[1], ("--ordinal no",)),
        (decide_ordinal(xo[["x1"]].clip(upper=3), "auto")[1], ("1", "x1")),
        (decide_ordinal(skewed, "auto")[1], ("1", "s")),
        (decide_ordinal(xo, "auto")[1], ("MLR",)),
    ]
    # screening cut-offs and the withheld even-odd rule (the demo has 7 dimensions)
    scr = screen(read_responses(DEMO, instrument="example"))
    out += [(c, _nums(c)) for c in scr.cutoffs.values()]
    out += [(w, _nums(w)) for w in scr.withheld.values()]
    out += [
        (
            "even-odd index > -0.3 (Spearman-Brown consistency below 0.3; careless ≥ 1.2.1 sign: "
            "higher = more careless)",
            ("-0.3", "0.3"),
        ),
        ("IRV < 0.5", ("0.5",)),
        ("synonym correlation < 0 over 12 item pairs with r > 0.6", ("12", "0.6")),
        ("antonym correlation > 0 over 3 item pairs with r < -0.6 (answers as given)", ("-0.6",)),
    ]

    # cfa.api and its diagnostics
    out.append((convergence_message(250), ("250", "std_lv=True")))
    out.append((sample_size_warnings(60, 21)[0], ("60", "21")))
    labelled = parse_model("F =~ x1 + a*x2 + x3")
    out += [(w, ()) for w in build_partable(labelled, ngroups=2).warnings]
    out += [(w, ("30", "6")) for w in cfa(m3, x.head(30)).warnings]
    y = x.copy()
    y.loc[:4, :] = np.nan
    out += [(w, ("5",)) for w in cfa(m3, y, missing="fiml").warnings]
    y = x.copy()
    y.loc[:4, "x1"] = np.nan
    out += [(w, ("5/200",)) for w in cfa(m3, y, missing="listwise").warnings]
    out += _both(_raised(lambda: cfa("F =~ x1 + x2", x)), ("F", "x1, x2"))
    out += _both(_raised(lambda: cfa("F =~ x1", x)), ("F", "x1"))
    out += _both(_raised(lambda: cfa("F =~ NA*x1 + x2 + x3", x)), ("F",))
    out += _both(_raised(lambda: cfa(m3 + "\nx1 ~~ x2\nx1 ~~ x3\nx2 ~~ x3", x)), ("9", "6"))
    out += _both(_raised(lambda: cfa(m3 + "\nx1 ~~ x2\nx1 ~~ x2", x)), ("x1 ~~ x2", "2", "3"))
    out += _both(_raised(lambda: cfa("F =~ F + x1 + x2", x)), ("F",))
    out += _both(_raised(lambda: cfa(m3 + "\nF ~~ x1", x)), ("F ~~ x1",))
    out += _both(_raised(lambda: cfa("F =~ x1 + a*x2 + b*x3\na == c", x)), ("'c'", "a == c"))
    out += _both(_raised(lambda: cfa("F =~ x1 + c(1,2,3)*x2 + x3", x)), ("F =~ x2", "3", "1"))
    y = x.copy()
    y["x3"] = 1.0
    out += _both(_raised(lambda: cfa(m3, y)), ("x3",))
    out += _both(_raised(lambda: cfa(m3, x.head(3))), ("3",))
    y = x.copy()
    y["x3"] = y.x1 + y.x2
    exc = _raised(lambda: cfa(m3, y))
    out += _both(exc, ("x1", "x2", "x3"))
    out.append((exc.message.split("positive definite: ", 1)[1], ("x1", "x2", "x3")))
    y = x.copy()
    y["x2"] = y.x1
    exc = _raised(lambda: cfa(m3, y))
    detail = exc.message.split("positive definite: ", 1)[1]
    out += [(exc.message, ("x1 ja x2 (r = 1.000)",)), (detail, ("x1 ja x2",))]
    out.append((detail.split(": ", 1)[1], ("x1", "x2", "1.000")))
    y = x.copy()
    y["x3"] = np.nan
    out += _both(_raised(lambda: cfa(m3, y, missing="fiml")), ("x3",))
    y = x.copy()
    y.loc[:99, "x1"] = np.nan
    y.loc[100:, "x2"] = np.nan
    out += _both(_raised(lambda: cfa(m3, y, missing="fiml")), ("x1", "x2"))
    try:
        np.linalg.inv(np.zeros((2, 2)))
    except np.linalg.LinAlgError as err:
        out.append((str(err), ()))
    try:
        np.linalg.cholesky(-np.eye(2))
    except np.linalg.LinAlgError as err:
        out.append((str(err), ()))

    # cfa.wls, cfa.wls_samplestats
    y = xo.copy()
    y["x4"] = x.x4
    res = cfa_ordinal(m4, y, ordered=["x1", "x2", "x3"])
    out += [(note, ("x4",) if "x4" in note else ()) for note in res.notes]
    y = xo.copy()
    y.loc[:4, "x1"] = np.nan
    notes = cfa_ordinal(m4, y, ordered=True).notes
    out += [(note, _nums(note)) for note in notes]
    for change, keep in (
        (lambda d: d.assign(x4=1.0), ("x4", "1")),
        (lambda d: d.assign(x4=d.x4 + 0.5), ("x4",)),
        (lambda d: d.assign(x4=rng.integers(1, 30, size=n).astype(float)), ("x4", "15")),
        (lambda d: d.head(3), ("3", "4")),
        (lambda d: d.assign(x1=(x.x1 > 0) + 1.0, x2=(x.x1 > 0) + 1.0), ("x2 ja x1",)),
        (lambda d: d.assign(x1=d.x1.where(d.index >= 100), x2=d.x2.where(d.index < 100)), ()),
    ):
        out += _both(_raised(lambda c=change: cfa_ordinal(m4, c(xo.copy()), ordered=True)), keep)
    out.append(("x2 and x1", ("x2 ja x1",)))

    # polychoric
    out += [(note, _nums(note)) for note in polychoric(xo.head(60)).notes]
    psych = xo.head(60).assign(x1=xo.head(60).x1.clip(upper=3))
    out += [(note, _nums(note)) for note in polychoric(psych, mimic="psych").notes]
    y = xo.copy()
    y.loc[:99, "x1"] = np.nan
    y.loc[100:, "x2"] = np.nan
    out += [(note, _nums(note)) for note in polychoric(y, missing="pairwise").notes]
    out += _both(_raised(lambda: polychoric(y)))
    out += _both(_raised(lambda: polychoric(xo.assign(x1=xo.x1 + 0.5))), ("x1",))
    out += _both(_raised(lambda: polychoric(xo.assign(x1=1.0))), ("x1", "1"))
    many = xo.assign(x1=rng.integers(1, 40, size=n))
    out += _both(_raised(lambda: polychoric(many)), ("x1", "max_categories=15"))
    out += _both(_raised(lambda: polychoric(xo[["x1"]])))

    # efa
    out += [(note, ()) for note in efa(x.corr(), 1).notes]
    out += [(note, ()) for note in efa(x[["x1", "x2", "x3"]], 1).notes]
    out += [(note, ("-3", "4")) for note in efa(x[["x1", "x2", "x3", "x4"]], 3).notes]
    y = x.copy()
    y.loc[3:, "x1"] = np.nan
    out += [(note, ("x4", f"{PSI_LOWER}")) for note in efa(y, 1).notes]
    out += _both(_raised(lambda: efa(x[["x1", "x2", "x3"]], 3)), ("3",))
    out += _both(_raised(lambda: efa(x[["x1"]], 1)))
    out += _both(_raised(lambda: efa(x.assign(x1=3.0), 1)), ("'x1'", "3"))
    out += _both(_raised(lambda: efa(x.assign(x1=x.x1.where(x.index < 2)), 1)), ("'x1'", "3"))

    # reliability, itemstats
    out += _both(_raised(lambda: reliability(xo[["x1"]], n_boot=0)), ("1", "x1"))
    out += _both(_raised(lambda: reliability(xo.assign(x1=xo.x1.where(xo.index < 2)))), ("2",))
    flat = xo[["x1", "x2", "x3"]].assign(x1=1.0, x2=2.0)
    out += _both(_raised(lambda: reliability(flat, n_boot=0)))
    out += _both(_raised(lambda: reliability(flat, n_boot=0, missing="pairwise")))
    for missing in ("listwise", "pairwise"):
        res = reliability(xo.assign(x1=1.0), n_boot=0, missing=missing)
        out += [(note, ("x1",)) for note in res.notes if note.startswith("Left out")]
        out += [(note, _nums(note)) for note in res.notes if note.startswith("Polychoric")]
    out += [(f"Omega could not be computed: {_raised(lambda: efa(x[['x1']], 1))}", ())]
    out += _both(_raised(lambda: item_statistics(xo.assign(x1=9.0), scale_range=(1, 5))), ("9",))

    # validity, cmv
    y = x.assign(x4=-x.x4)
    fmap = {"F1": ["x1", "x2", "x3"], "F2": ["x4", "x5"], "F3": ["x6"]}
    out += [(note, ("F2",) if "F2" in note else ("F3",)) for note in htmt(fmap, y).notes]
    y.loc[:4, "x1"] = np.nan
    out += [(note, ()) for note in htmt(fmap, y).notes if "listwise" in note]
    out += _both(_raised(lambda: harman_single_factor(x[["x1", "x2"]])), ("3",))

    # invariance, group comparisons
    y = x[["x1", "x2", "x3"]].assign(g=["a"] * 195 + ["b"] * 5)
    out += _both(_raised(lambda: invariance(m3, y, "g")), ("'b': 5", "9", "3"))
    y = xo[["x1", "x2", "x3"]].assign(g=["a"] * 100 + ["b"] * 100)
    y.loc[100:, "x1"] = y.loc[100:, "x1"].clip(upper=4)
    exc = _raised(lambda: invariance(m3, y, "g", estimator="WLSMV", ordered=True))
    out += _both(exc, ("x1",))
    out.append((exc.message.rsplit(": ", 2)[-2] + ": " + exc.message.rsplit(": ", 1)[-1], ()))
    out += _both(_raised(lambda: invariance(m3, y, "g", estimator="ML", ordered=True)), ("'ML'",))
    out += _both(_raised(lambda: invariance(m3, y, "g", estimator="WLSMV")))
    scores = pd.DataFrame({"s": rng.normal(size=20), "g": ["a"] * 18 + ["b"] * 2})
    exc = _raised(lambda: compare_groups(scores, ["s"], "g", min_group_size=5))
    out += _both(exc, ("b", "'g'", "5"))
    out += _both(_raised(lambda: compare_groups(scores.assign(g="a"), ["s"], "g")), ("'g'", "s"))

    # multilevel
    ds = read_responses(DEMO, instrument="example")
    out += _both(_raised(lambda: aggregate(ds, "nope")), ("'nope'",))
    return out


def _check(message: str, keep: tuple[str, ...]) -> None:
    assert _first(message) is not None, f"no Finnish wording for: {message!r}"
    fi = engine_text(message, "fi")
    for token in keep:
        assert token in fi, f"{token!r} lost in {fi!r}"
    rest = fi
    for token in keep:
        rest = rest.replace(token, " ")
    assert not ENGLISH.search(rest), f"English left in {fi!r}"
    assert engine_text(message, "en") == message


def _first(message: str) -> int | None:
    return next((i for i, (p, _) in enumerate(ENGINE_FI) if p.fullmatch(message)), None)


@pytest.mark.parametrize(("message", "keep"), HAND)
def test_hand_built_messages_have_a_finnish_wording(message: str, keep: tuple[str, ...]) -> None:
    _check(message, keep)


def test_engine_messages_have_a_finnish_wording(engine_messages) -> None:
    assert len(engine_messages) > 100
    for message, keep in engine_messages:
        _check(message, keep)


def test_each_message_matches_exactly_one_entry(engine_messages) -> None:
    for message, _ in HAND + engine_messages:
        matching = [i for i, (p, _) in enumerate(ENGINE_FI) if p.fullmatch(message)]
        assert len(matching) == 1, f"{message!r} matches entries {matching}"


def test_every_entry_is_exercised(engine_messages) -> None:
    used = {_first(message) for message, _ in HAND + engine_messages}
    unused = [ENGINE_FI[i][0].pattern for i in range(len(ENGINE_FI)) if i not in used]
    assert not unused


def test_templates_use_only_the_groups_their_pattern_has() -> None:
    for pattern, template in ENGINE_FI:
        fields = {int(m) for m in re.findall(r"\{(\d+)(?:![a-z])?\}", template)}
        assert fields <= set(range(pattern.groups)), pattern.pattern
        assert fields == set(range(pattern.groups)), f"a group is dropped: {pattern.pattern}"


def test_unknown_messages_and_other_languages_are_left_alone() -> None:
    unknown = "Something the engine will say one day: 3 items."
    assert engine_text(unknown, "fi") == unknown
    assert engine_text("", "fi") == ""
    message = "Omega needs at least two items."
    assert engine_text(message, "en") == message
    assert engine_text(message, "sv") == message
    # a known message inside an unknown one is not translated piecemeal
    assert engine_text(f"Note: {message}", "fi") == f"Note: {message}"


def test_errors_and_hints_are_translated_part_by_part() -> None:
    exc = DataError("Factor analysis needs at least two items.", hint="Add items.")
    assert engine_text(str(exc), "fi") == (
        "Faktorianalyysi vaatii vähintään kaksi väittämää.\nMitä tehdä: Lisää väittämiä."
    )
    assert error_text(exc) == "Factor analysis needs at least two items. (Add items.)"
    assert (
        error_text(exc, "fi")
        == "Faktorianalyysi vaatii vähintään kaksi väittämää. (Lisää väittämiä.)"
    )
    # a hint no entry knows stays as written, the message is still translated
    exc = DataError("Factor analysis needs at least two items.", hint="Ask someone.")
    assert error_text(exc, "fi").endswith("(Ask someone.)")
    assert error_text(np.linalg.LinAlgError("Singular matrix"), "fi") == "singulaarinen matriisi"
    assert error_text(np.linalg.LinAlgError(), "fi") == "LinAlgError"


def test_the_sections_wrappers_use_the_table() -> None:
    reason = "continuous treatment requested (--ordinal no)"
    assert ordinal_reason_fi(reason) == engine_text(reason, "fi") != reason
    cutoff = "IRV < 0.5"
    assert quality.cutoff_text(cutoff, "fi") == "IRV < 0.5"
    assert quality.cutoff_text("fewer than 2 s per item (36 items shown)", "fi").startswith(
        "alle 2 s"
    )
    withheld = (
        "only 7 dimensions: the index correlates half-scale means across dimensions and flags "
        "careful respondents by chance with fewer than 15, so it is reported without a cut-off"
    )
    assert quality.withheld_text(withheld, "en") == withheld
    assert quality.withheld_text(withheld, "fi").startswith("vain 7 ulottuvuutta")


def _report_text(report_html: str) -> list[str]:
    """The report's sentences outside code, figures, the reference list and the reproducibility
    section (whose R code carries the model file's comments)."""
    h = re.sub(r"<(script|style|svg|pre|code)\b.*?</\1>", " ", report_html, flags=re.S)
    h = re.sub(r'<section id="reproducibility">.*?</section>', " ", h, flags=re.S)
    h = re.sub(r"<p>(Lähteet|References)</p>.*?</section>", " ", h, flags=re.S)
    h = re.sub(r"<(br|/p|/li|/td|/th|/h\d|/figcaption|/div|/tr)[^>]*>", "\n", h)
    h = re.sub(r"<[^>]+>", " ", h)
    lines = [html.unescape(line).strip() for line in h.split("\n") if line.strip()]
    return [s for line in lines for s in re.split(r"(?<=[.;:!?])\s+", line)]


def test_a_finnish_report_has_no_english_engine_sentence() -> None:
    # ordinal bfi items: the polychoric notes (empty pair tables) and HTMT's note on the
    # unrecoded reverse-keyed items are among the engine's messages in the report
    report = ms.analyze(
        load_bfi().head(500), model=BFI_MODEL, ordinal="yes", bootstrap=0, lang="fi"
    )
    sentences = _report_text(report.to_html())
    assert any("ristiintaulukossa on tyhjiä soluja" in s for s in sentences)
    assert any("negatiivisia korrelaatioita" in s for s in sentences)
    words = re.compile(r"\b(the|of|and|is|are|not|were|was|with|have|has|could|cannot)\b")
    english = [s for s in sentences if len(words.findall(s)) >= 2]
    assert not english
