"""Careless-responding indices per respondent, flags with stated cut-offs, and exclusion on request.

The indices follow the definitions of the R package ``careless`` 1.2 (Yentes & Wilhelm), which is
what reviewers know; each function's docstring states the definition and where we differ:

* :func:`longstring` -- longest run of identical consecutive answers, and the average run length
  (``longstring(x, avg = TRUE)``; Johnson, 2005). A missing answer is a run of its own, as R's
  ``rle`` makes it.
* :func:`irv` -- intra-individual response variability, the SD of a respondent's answers
  (``irv()``, ``na.rm = TRUE``; Dunn et al., 2018).
* :func:`mahad` -- Mahalanobis D² as ``psych::outlier`` computes it for ``careless::mahad``
  (pairwise covariances, missing answers contribute nothing), with a χ² cut-off on df = number of
  items (Meade & Craig, 2012).
* :func:`evenodd` -- even-odd consistency (Johnson, 2005), Spearman-Brown corrected and, as in
  careless ≥ 1.2.1, negated so that **higher = more careless** (range -1 to 1).
* :func:`psychsyn` / :func:`psychant` -- psychometric synonyms / antonyms (Meade & Craig, 2012):
  item pairs with sample r > .60 (antonyms r < -.60); per respondent the correlation across those
  pairs.
* :func:`attention_failures` -- failed instructed-response items.
* :func:`seconds_per_item` -- completion time per item; speeding below 2 s per item (Huang,
  Curran, Keeney, Poposki & DeShon, 2012).

:func:`screen` computes them all for a :class:`~moscale.analysis.responses.Dataset`, flags with
the cut-offs it reports, and excludes respondents only for the rules the user names.

References
----------
Curran, P. G. (2016). Methods for the detection of carelessly invalid responses in survey data.
Journal of Experimental Social Psychology, 66, 4-19.
Dunn, A. M., Heggestad, E. D., Shanock, L. R., & Theilgard, N. (2018). Intra-individual response
variability as an indicator of insufficient effort responding. Journal of Business and
Psychology, 33, 105-121.
Huang, J. L., Curran, P. G., Keeney, J., Poposki, E. M., & DeShon, R. P. (2012). Detecting and
deterring insufficient effort responding to surveys. Journal of Business and Psychology, 27,
99-114.
Johnson, J. A. (2005). Ascertaining the validity of individual protocols from web-based personality
inventories. Journal of Research in Personality, 39, 103-129.
Meade, A. W., & Craig, S. B. (2012). Identifying careless responses in survey data. Psychological
Methods, 17, 437-455.
Yentes, R. D., & Wilhelm, F. (2023). careless: Procedures for computing indices of careless
responding. R package version 1.2.2.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from moscale.errors import UserError

# --- the indices ------------------------------------------------------------------------------


def _matrix(x: Any) -> np.ndarray:
    arr = np.asarray(x, dtype=float)
    if arr.ndim != 2:
        raise UserError("expected a respondents × items table", hint="pass a 2-D array/DataFrame")
    return arr


def longstring(x: Any, avg: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Longest run of identical consecutive answers per respondent (and the average run length).

    For a respondent's answers in questionnaire order, split them into runs of identical
    consecutive values; ``longstr`` is the longest run, ``avgstr`` = (number of answers) /
    (number of runs). A missing answer breaks a run and counts as a run of length 1 (R's ``rle``,
    which ``careless::longstring`` uses, treats each NA so).

    Parameters
    ----------
    x : array-like, respondents × items, answers as given (not reverse-keyed).
    avg : bool
        Also return the average run length.

    Returns
    -------
    longstr : ndarray, or (longstr, avgstr) with ``avg=True``.

    References
    ----------
    Johnson (2005); careless::longstring.
    """
    a = _matrix(x)
    n, j = a.shape
    if j == 0:
        raise UserError("longstring needs at least one item")
    nan = np.isnan(a)
    # a new run starts where the value changes or either neighbour is missing
    brk = (a[:, 1:] != a[:, :-1]) | nan[:, 1:] | nan[:, :-1]
    run_id = np.concatenate([np.zeros((n, 1), dtype=int), np.cumsum(brk, axis=1)], axis=1)
    counts = np.bincount((run_id + np.arange(n)[:, None] * j).ravel(), minlength=n * j)
    longstr = counts.reshape(n, j).max(axis=1).astype(float)
    if not avg:
        return longstr
    avgstr = j / (run_id[:, -1] + 1.0)
    return longstr, avgstr


def _r_cut_chunks(j: int, num_split: int) -> np.ndarray:
    """Chunk of each of 1..j as R's ``cut(seq_along(x), num_split, labels = FALSE)`` assigns it:
    equal-width intervals over [1, j] widened by 0.1 % of the range, closed on the right."""
    pos = np.arange(1, j + 1, dtype=float)
    lo, hi = 1.0, float(j)
    if hi == lo:
        breaks = np.linspace(lo - abs(lo) / 1000, hi + abs(hi) / 1000, num_split + 1)
    else:
        breaks = np.linspace(lo, hi, num_split + 1)
        dx = hi - lo
        breaks[0], breaks[-1] = lo - dx / 1000, hi + dx / 1000
    return np.searchsorted(breaks, pos, side="left") - 1


def irv(
    x: Any, split: bool = False, num_split: int = 3, na_rm: bool = True
) -> np.ndarray | pd.DataFrame:
    """Intra-individual response variability: the SD (n − 1 denominator) of each respondent's
    answers, over the answered items (``na_rm=True``, careless ≥ 1.2.1).

    With ``split=True`` also the SD within each of ``num_split`` consecutive chunks of items,
    chunked as careless does (R's ``cut`` into equal-width intervals): columns ``irvTotal``,
    ``irv1``, ... A respondent with fewer than two answers gets NaN.

    References
    ----------
    Dunn et al. (2018); Marjanovic et al. (2015); careless::irv.
    """
    a = _matrix(x)

    def sd(m: np.ndarray) -> np.ndarray:
        if not na_rm:
            with np.errstate(invalid="ignore"):
                out = m.std(axis=1, ddof=1) if m.shape[1] > 1 else np.full(m.shape[0], np.nan)
            return out
        n = (~np.isnan(m)).sum(axis=1)
        mean = np.nansum(m, axis=1) / np.where(n > 0, n, 1)
        ss = np.nansum((m - mean[:, None]) ** 2, axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.sqrt(ss / (n - 1))
        out[n < 2] = np.nan
        return out

    total = sd(a)
    if not split:
        return total
    chunk = _r_cut_chunks(a.shape[1], num_split)
    out = {"irvTotal": total}
    for k in range(num_split):
        out[f"irv{k + 1}"] = sd(a[:, chunk == k])
    return pd.DataFrame(out)


@dataclass(frozen=True)
class Mahalanobis:
    """Result of :func:`mahad`: D² per respondent, its χ² p value, the cut-off and the flags."""

    d_sq: np.ndarray
    p: np.ndarray
    cutoff: float
    confidence: float
    df: int
    flagged: np.ndarray


def mahad(x: Any, confidence: float = 0.999) -> Mahalanobis:
    """Mahalanobis D² of each respondent from the item means (``careless::mahad``).

    ``D²_i = z_iᵀ S⁻¹ z_i`` with ``z_i`` the respondent's answers minus the item means (each mean
    over the answered cases) and ``S`` the pairwise-complete covariance matrix (n − 1). As in
    ``psych::outlier``, on which careless relies, a missing answer contributes nothing (its
    element of ``z_i`` is 0); a respondent with no answers gets NaN. Flag: ``D² > χ²_{df}(
    confidence)`` with df = number of items; the default confidence .999 flags p < .001
    (careless' default is .99).

    References
    ----------
    Meade & Craig (2012); careless::mahad; psych::outlier.
    """
    a = _matrix(x)
    n, j = a.shape
    if not 0 < confidence < 1:
        raise UserError(f"confidence={confidence} must be between 0 and 1", hint="e.g. 0.999")
    cov = pd.DataFrame(a).cov().to_numpy()  # pairwise complete, like cov(use = "pairwise")
    if np.isnan(cov).any():
        raise UserError(
            "Mahalanobis distances need a covariance for every pair of items; some pair has "
            "fewer than two respondents who answered both",
            hint="drop items that almost nobody answered",
        )
    try:
        inv = np.linalg.inv(cov)
    except np.linalg.LinAlgError:
        raise UserError(
            "the item covariance matrix is singular (an item without variance, or items that "
            "are exact combinations of others), so Mahalanobis distances are undefined",
            hint="drop items without variance or duplicated items before screening",
        ) from None
    z = a - np.nanmean(a, axis=0)
    z = np.where(np.isnan(z), 0.0, z)
    d2 = np.einsum("ij,jk,ik->i", z, inv, z)
    d2[np.isnan(a).all(axis=1)] = np.nan
    cutoff = float(stats.chi2.ppf(confidence, j))
    p = stats.chi2.sf(d2, j)
    return Mahalanobis(
        d_sq=d2,
        p=p,
        cutoff=cutoff,
        confidence=confidence,
        df=j,
        flagged=np.where(np.isnan(d2), False, d2 > cutoff),
    )


def _rowwise_corr(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pearson r between row i of ``a`` and row i of ``b`` over the columns where both are
    present, and the number of such columns; NaN where undefined (n < 2 or no variance)."""
    ok = ~(np.isnan(a) | np.isnan(b))
    n = ok.sum(axis=1)
    a0 = np.where(ok, a, 0.0)
    b0 = np.where(ok, b, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        ma = a0.sum(axis=1) / n
        mb = b0.sum(axis=1) / n
        da = np.where(ok, a0 - ma[:, None], 0.0)
        db = np.where(ok, b0 - mb[:, None], 0.0)
        sab = (da * db).sum(axis=1)
        saa = (da * da).sum(axis=1)
        sbb = (db * db).sum(axis=1)
        r = sab / np.sqrt(saa * sbb)
    r[(n < 2) | (saa <= 1e-12 * np.maximum(1, n)) | (sbb <= 1e-12 * np.maximum(1, n))] = np.nan
    return r, n


def evenodd(x: Any, factors: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Even-odd consistency, careless ≥ 1.2.1 orientation (higher = more careless).

    The items are ordered by factor (``factors`` gives the number of items of each, in order).
    Within each factor, the respondent's mean of the odd-numbered items (1st, 3rd, ...) and of
    the even-numbered items (2nd, 4th, ...) are taken over the answered items. ``r`` is the
    correlation across factors of the even and the odd means (factors where both exist);
    Spearman-Brown ``r_sb = 2r / (1 + r)``, floored at -1; the index is ``-r_sb``.

    Returns the index and the number of factors with both means.

    References
    ----------
    Johnson (2005); careless::evenodd (the sign changed in 1.2.1).
    """
    a = _matrix(x)
    factors = [int(f) for f in factors]
    if len(factors) < 2:
        raise UserError(
            "even-odd consistency needs at least two factors (dimensions)",
            hint="use it on an instrument with several dimensions",
        )
    if sum(factors) > a.shape[1] or min(factors) < 1:
        raise UserError(
            f"factors {factors} do not fit {a.shape[1]} item columns",
            hint="give the number of items of each factor, in column order",
        )
    even = np.full((a.shape[0], len(factors)), np.nan)
    odd = np.full_like(even, np.nan)
    start = 0
    with np.errstate(invalid="ignore"):
        for f, k in enumerate(factors):
            block = a[:, start : start + k]
            start += k
            pos = np.arange(1, k + 1)
            for target, sel in ((even, pos % 2 == 0), (odd, pos % 2 == 1)):
                sub = block[:, sel]
                if sub.shape[1]:
                    cnt = (~np.isnan(sub)).sum(axis=1)
                    target[:, f] = np.where(
                        cnt > 0, np.nansum(sub, axis=1) / np.maximum(cnt, 1), np.nan
                    )
    r, n = _rowwise_corr(even, odd)
    with np.errstate(invalid="ignore", divide="ignore"):
        sb = 2 * r / (1 + r)
    sb = np.where(np.isnan(sb), np.nan, np.maximum(sb, -1.0))
    return -sb, n


@dataclass(frozen=True)
class SynonymResult:
    """Result of :func:`psychsyn`: per-respondent correlation and usable pairs, and the pairs."""

    cor: np.ndarray
    n_pairs: np.ndarray
    pairs: list[tuple[str, str, float]]
    critval: float
    antonyms: bool


def psychsyn(
    x: Any, critval: float = 0.60, anto: bool = False, names: Sequence[str] | None = None
) -> SynonymResult:
    """Psychometric synonyms (or antonyms) index.

    Item pairs whose sample correlation (pairwise complete) exceeds ``|critval|`` (antonyms: is
    below ``-|critval|``) are found over the whole sample; each respondent's index is the Pearson
    correlation, across those pairs, between the answer to the pair's later item and the answer
    to its earlier item, over the pairs the respondent answered in full. It needs more than two
    such pairs (careless' rule), otherwise NaN. Where a respondent's answers have no variance the
    correlation is undefined and we return NaN; careless 1.2 (``resample_na = TRUE``) instead
    swaps pair members at random and retries, which is not reproducible.

    Careful respondents have high synonym and strongly negative antonym correlations.

    References
    ----------
    Meade & Craig (2012); careless::psychsyn, careless::psychant.
    """
    a = _matrix(x)
    names = list(names) if names is not None else [f"x{i + 1}" for i in range(a.shape[1])]
    crit = abs(float(critval))
    r = pd.DataFrame(a).corr().to_numpy()
    pairs_idx = []
    # the lower triangle, column by column as R's as.table() lists it: (row = later item, column)
    for col in range(a.shape[1]):
        for row in range(col + 1, a.shape[1]):
            v = r[row, col]
            if (not anto and v > crit) or (anto and v < -crit):
                pairs_idx.append((row, col))
    pairs = [(names[i], names[j], float(r[i, j])) for i, j in pairs_idx]
    if not pairs_idx:
        nan = np.full(a.shape[0], np.nan)
        return SynonymResult(nan, np.zeros(a.shape[0], dtype=int), [], crit, anto)
    first = a[:, [i for i, _ in pairs_idx]]
    second = a[:, [j for _, j in pairs_idx]]
    cor, n = _rowwise_corr(first, second)
    cor[n <= 2] = np.nan
    return SynonymResult(cor, n, pairs, crit, anto)


def psychant(x: Any, critval: float = -0.60, names: Sequence[str] | None = None) -> SynonymResult:
    """Psychometric antonyms: :func:`psychsyn` with pairs correlating below ``-|critval|``. Use
    the answers as given (not reverse-keyed), where reversed items correlate negatively."""
    return psychsyn(x, critval=critval, anto=True, names=names)


def attention_failures(checks: pd.DataFrame, expected: Mapping[str, float]) -> pd.DataFrame:
    """Instructed-response items: per respondent the number answered, failed (an answer other
    than the expected one) and missing. A missing answer is not counted as a failure."""
    cols = [c for c in expected if c in checks.columns]
    if not cols:
        return pd.DataFrame(
            {"attention_answered": 0, "attention_failed": 0, "attention_missing": 0},
            index=checks.index,
        )
    ans = checks[cols].astype(float)
    exp = pd.Series({c: float(expected[c]) for c in cols})
    answered = ans.notna()
    failed = answered & ans.ne(exp, axis=1)
    return pd.DataFrame(
        {
            "attention_answered": answered.sum(axis=1),
            "attention_failed": failed.sum(axis=1),
            "attention_missing": (~answered).sum(axis=1),
        },
        index=checks.index,
    )


def seconds_per_item(duration_s: Any, n_items: int) -> np.ndarray:
    """Completion time divided by the number of items shown (Huang et al., 2012, flag < 2 s)."""
    d = np.asarray(pd.to_numeric(pd.Series(duration_s), errors="coerce"), dtype=float)
    if n_items < 1:
        raise UserError("seconds per item needs at least one item")
    return d / n_items


# --- screening a dataset --------------------------------------------------------------------------

#: Fewest dimensions for which even-odd consistency is used as a flag by default (see screen()).
EVENODD_MIN_FACTORS = 15

RULES = ("longstring", "irv", "mahad", "evenodd", "psychsyn", "psychant", "attention", "speeding")


@dataclass(frozen=True)
class Screening:
    """Result of :func:`screen`.

    Attributes
    ----------
    indices : DataFrame
        Per respondent: ``longstring``, ``avgstr``, ``irv``, ``mahad_d2``, ``mahad_p``,
        ``evenodd``, ``evenodd_factors``, ``psychsyn``, ``psychsyn_pairs``, ``psychant``,
        ``psychant_pairs``, ``attention_failed``, ``attention_missing``, ``seconds_per_item``
        (columns without data are NaN).
    flags : DataFrame
        One boolean column per rule that could be applied.
    cutoffs : dict
        ``{rule: description of the cut-off used}``.
    flagged : dict
        ``{rule: number of respondents flagged}``, and ``"any"``.
    excluded : dict
        ``{rule: number of respondents that rule excluded}`` (a respondent flagged by two
        excluding rules counts under both) and ``"total"`` (respondents removed).
    dataset : Dataset or None
        The dataset with the excluded respondents removed (``None`` for a bare DataFrame).
    notes : list of str
    withheld : dict
        ``{rule: why}`` for rules whose index was computed but not used as a flag (even-odd
        consistency with few dimensions).
    """

    indices: pd.DataFrame
    flags: pd.DataFrame
    cutoffs: dict[str, str]
    flagged: dict[str, int]
    excluded: dict[str, int]
    dataset: Any
    synonym_pairs: list[tuple[str, str, float]] = field(default_factory=list)
    antonym_pairs: list[tuple[str, str, float]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    withheld: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "cutoffs": dict(self.cutoffs),
            "withheld": dict(self.withheld),
            "flagged": dict(self.flagged),
            "excluded": dict(self.excluded),
            "synonym_pairs": [list(p) for p in self.synonym_pairs],
            "antonym_pairs": [list(p) for p in self.antonym_pairs],
            "notes": list(self.notes),
        }


def _presented_order(dataset: Any) -> pd.DataFrame | None:
    """Answers (as given) rearranged into the order each respondent saw, when the data records
    it (``<block>_order`` columns); items only, attention checks left out. Items the order
    column does not list keep their questionnaire position after the listed ones."""
    inst = getattr(dataset, "instrument", None)
    if inst is None:
        return None
    bg = dataset.background
    if not any(b.order_variable in bg for b in inst.blocks):
        return None
    raw = dataset.unkeyed_items()
    pos = {c: k for k, c in enumerate(raw.columns)}
    n = len(raw)
    parts: list[np.ndarray] = []
    for block in inst.blocks:
        default = [pos[i.id] for i in block.items if i.id in pos]
        if not default:
            continue
        idx = np.tile(np.asarray(default), (n, 1))
        if block.order_variable in bg:
            for r, order in enumerate(bg[block.order_variable].tolist()):
                if isinstance(order, str) and order.strip():
                    shown = [pos[t] for t in order.split(";") if t in pos and pos[t] in default]
                    idx[r] = shown + [d for d in default if d not in shown]
        parts.append(idx)
    order_idx = np.concatenate(parts, axis=1)
    arr = np.take_along_axis(raw.to_numpy(dtype=float), order_idx, axis=1)
    return pd.DataFrame(arr, index=raw.index)


def screen(
    data: Any,
    exclude: Iterable[str] | str | None = None,
    *,
    dimensions: Mapping[str, list[str]] | None = None,
    longstring_max: float | None = None,
    irv_min: float | None = None,
    mahad_confidence: float = 0.999,
    evenodd_max: float = -0.30,
    evenodd_min_factors: int = EVENODD_MIN_FACTORS,
    synonym_r: float = 0.60,
    psychsyn_min: float = 0.0,
    psychant_max: float = 0.0,
    attention_max_failed: int = 0,
    speed_s: float = 2.0,
) -> Screening:
    """Careless-responding indices, flags and (on request) exclusion.

    Indices use the answers **as given** for longstring, IRV and psychometric antonyms (reverse
    keying would break a straight line), and the **keyed** answers for even-odd consistency and
    psychometric synonyms (consistency is about the construct); Mahalanobis D² is the same either
    way. Longstring follows the order each respondent saw when ``<block>_order`` columns exist,
    otherwise the questionnaire order.

    Flags (every cut-off is a parameter and is reported in ``cutoffs``):

    * ``longstring``: longest run > ``longstring_max`` (default half the number of items; Curran,
      2016, suggests runs longer than half a scale as a conservative screen);
    * ``irv``: IRV < ``irv_min`` (no default: Dunn et al. give no universal value);
    * ``mahad``: D² above the χ² quantile at ``mahad_confidence`` (.999: p < .001), df = items;
    * ``evenodd``: index > ``evenodd_max`` (default -.30, i.e. consistency below .30; Johnson, 2005),
      applied when there are at least ``evenodd_min_factors`` dimensions (default 15) or when
      ``exclude`` names it. The index correlates half-scale means across dimensions, so with few
      dimensions it rests on few points: careful respondents simulated from a typical model
      (loadings .70, factor correlations .40, seven-point items; tests/unit/test_screening.py)
      fall below .30 in about 24 % of cases with 3 dimensions of 4 items, 11-18 % with 7 of 4-6
      items, 7 % with 15 of 4 and 2 % with 15 of 6, against none with Johnson's 30 of 10. With
      fewer dimensions the index is computed and reported, not flagged (``withheld`` says why);
    * ``psychsyn``: synonym correlation < ``psychsyn_min`` (default 0);
    * ``psychant``: antonym correlation > ``psychant_max`` (default 0);
    * ``attention``: more than ``attention_max_failed`` failed instructed-response items;
    * ``speeding``: fewer than ``speed_s`` seconds per item (Huang et al., 2012).

    Parameters
    ----------
    data : Dataset or DataFrame
        A DataFrame is taken as keyed items in questionnaire order (pass ``dimensions`` for
        even-odd); attention checks and timing then need a Dataset.
    exclude : "any", a rule name or a list of rule names, optional
        Remove the respondents flagged by these rules; nothing is removed otherwise.

    Returns
    -------
    Screening
    """
    if isinstance(data, pd.DataFrame):
        keyed = data.astype(float)
        given = keyed
        dims = dict(dimensions or {})
        ds = None
        checks, expect, duration = None, {}, None
        n_shown = keyed.shape[1]
    else:
        ds = data
        keyed = ds.items.astype(float)
        given = ds.unkeyed_items()
        dims = dict(dimensions or ds.dimensions)
        checks, expect = ds.checks, ds.check_expect
        duration = _duration(ds)
        n_shown = keyed.shape[1] + len(expect)
    n, j = keyed.shape
    idx = keyed.index
    notes: list[str] = []
    ind = pd.DataFrame(index=idx)
    flags = pd.DataFrame(index=idx)
    cut: dict[str, str] = {}
    withheld: dict[str, str] = {}

    seq = _presented_order(ds) if ds is not None else None
    if seq is not None:
        notes.append(
            "Longstring follows the order each respondent saw (the <block>_order columns)."
        )
    ls, avg = longstring(given if seq is None else seq, avg=True)
    ind["longstring"], ind["avgstr"] = ls, avg
    lmax = j / 2 if longstring_max is None else longstring_max
    flags["longstring"] = ls > lmax
    cut["longstring"] = f"longest run of identical answers > {lmax:g} (of {j} items)"

    ind["irv"] = irv(given)
    if irv_min is not None:
        flags["irv"] = ind["irv"] < irv_min
        cut["irv"] = f"IRV < {irv_min:g}"

    try:
        md = mahad(keyed, confidence=mahad_confidence)
        ind["mahad_d2"], ind["mahad_p"] = md.d_sq, md.p
        flags["mahad"] = md.flagged
        cut["mahad"] = (
            f"D² > {md.cutoff:.2f} = χ²({md.df}) quantile at {mahad_confidence:g} "
            f"(p < {1 - mahad_confidence:.3g})"
        )
    except UserError as exc:
        ind["mahad_d2"], ind["mahad_p"] = np.nan, np.nan
        notes.append(f"Mahalanobis distance not computed: {exc.message}.")

    order = [i for d in dims.values() for i in d]
    if len(dims) >= 2 and all(i in keyed.columns for i in order):
        eo, nf = evenodd(keyed[order], [len(d) for d in dims.values()])
        ind["evenodd"], ind["evenodd_factors"] = eo, nf
        asked = _names_rule(exclude, "evenodd")
        if len(dims) >= evenodd_min_factors or asked:
            flags["evenodd"] = pd.Series(eo, index=idx) > evenodd_max
            cut["evenodd"] = (
                f"even-odd index > {evenodd_max:g} (Spearman-Brown consistency below "
                f"{-evenodd_max:g}; careless ≥ 1.2.1 sign: higher = more careless)"
            )
            if len(dims) < evenodd_min_factors:
                notes.append(
                    f"Even-odd consistency was applied as asked although there are only "
                    f"{len(dims)} dimensions (fewer than {evenodd_min_factors}): with few "
                    "dimensions careful respondents also fall below the cut-off."
                )
        else:
            withheld["evenodd"] = (
                f"only {len(dims)} dimensions: the index correlates half-scale means across "
                f"dimensions and flags careful respondents by chance with fewer than "
                f"{evenodd_min_factors}, so it is reported without a cut-off"
            )
    else:
        ind["evenodd"], ind["evenodd_factors"] = np.nan, 0
        notes.append("Even-odd consistency needs at least two dimensions; not computed.")

    syn = psychsyn(keyed, critval=synonym_r, names=list(keyed.columns))
    ind["psychsyn"], ind["psychsyn_pairs"] = syn.cor, syn.n_pairs
    if syn.pairs:
        flags["psychsyn"] = pd.Series(syn.cor, index=idx) < psychsyn_min
        cut["psychsyn"] = (
            f"synonym correlation < {psychsyn_min:g} over {len(syn.pairs)} item pairs with "
            f"r > {synonym_r:g}"
        )
    else:
        notes.append(f"No psychometric synonyms (item pairs with r > {synonym_r:g}).")
    ant = psychant(given, critval=-synonym_r, names=list(given.columns))
    ind["psychant"], ind["psychant_pairs"] = ant.cor, ant.n_pairs
    if ant.pairs:
        flags["psychant"] = pd.Series(ant.cor, index=idx) > psychant_max
        cut["psychant"] = (
            f"antonym correlation > {psychant_max:g} over {len(ant.pairs)} item pairs with "
            f"r < -{synonym_r:g} (answers as given)"
        )
    else:
        notes.append(
            f"No psychometric antonyms (item pairs with r < -{synonym_r:g} in the answers as given)."
        )

    if checks is not None and expect:
        att = attention_failures(checks, expect)
        ind["attention_failed"] = att["attention_failed"]
        ind["attention_missing"] = att["attention_missing"]
        flags["attention"] = att["attention_failed"] > attention_max_failed
        cut["attention"] = (
            f"more than {attention_max_failed} of {len(expect)} instructed-response item(s) failed"
        )
    else:
        ind["attention_failed"], ind["attention_missing"] = np.nan, np.nan

    if duration is not None and duration.notna().any():
        spi = seconds_per_item(duration, n_shown)
        ind["seconds_per_item"] = spi
        flags["speeding"] = pd.Series(spi < speed_s, index=idx)
        cut["speeding"] = f"fewer than {speed_s:g} s per item ({n_shown} items shown)"
    else:
        ind["seconds_per_item"] = np.nan
        notes.append("No completion times in the data; speeding not checked.")

    flagged = {r: int(flags[r].sum()) for r in flags.columns}
    flagged["any"] = int(flags.any(axis=1).sum()) if flags.shape[1] else 0

    rules = _exclusion_rules(exclude, flags)
    excluded: dict[str, int] = {}
    out_ds = ds
    if rules:
        drop = flags[rules].any(axis=1)
        excluded = {r: int(flags[r].sum()) for r in rules}
        excluded["total"] = int(drop.sum())
        notes.append(
            f"Excluded {excluded['total']} of {n} respondents flagged by: "
            + ", ".join(f"{r} ({excluded[r]})" for r in rules)
            + "."
        )
        if ds is not None:
            out_ds = ds.subset(~drop.to_numpy(), "screening: " + ", ".join(rules))
    else:
        notes.append("Flags are reported only; no respondent was excluded (pass exclude=...).")
    return Screening(
        indices=ind,
        flags=flags,
        cutoffs=cut,
        flagged=flagged,
        excluded=excluded,
        dataset=out_ds,
        synonym_pairs=syn.pairs,
        antonym_pairs=ant.pairs,
        notes=notes,
        withheld=withheld,
    )


def _names_rule(exclude: Iterable[str] | str | None, rule: str) -> bool:
    """Whether ``exclude`` names ``rule`` itself ("any" does not count)."""
    if exclude is None:
        return False
    if isinstance(exclude, str):
        return exclude == rule
    return rule in exclude


def _exclusion_rules(exclude: Iterable[str] | str | None, flags: pd.DataFrame) -> list[str]:
    if exclude is None:
        return []
    if isinstance(exclude, str):
        exclude = list(flags.columns) if exclude == "any" else [exclude]
    rules = list(dict.fromkeys(exclude))
    for r in rules:
        if r not in RULES:
            raise UserError(f"unknown exclusion rule '{r}'", hint=f"use: {', '.join(RULES)}, any")
        if r not in flags.columns:
            raise UserError(
                f"cannot exclude by '{r}': it could not be computed for this data",
                hint=f"rules available here: {', '.join(flags.columns)}",
            )
    return rules


def _duration(ds: Any) -> pd.Series | None:
    bg = ds.background
    if ds.duration is not None and ds.duration in bg and bg[ds.duration].notna().any():
        return pd.to_numeric(bg[ds.duration], errors="coerce")
    if "started" in bg and "submitted" in bg:
        start = pd.to_datetime(bg["started"], errors="coerce", utc=True)
        end = pd.to_datetime(bg["submitted"], errors="coerce", utc=True)
        secs = (end - start).dt.total_seconds()
        return secs if secs.notna().any() else None
    return None
