"""Observed-score group comparisons: tests, post hoc contrasts, effect sizes with confidence intervals.

The tests themselves come from pingouin (Vallat, 2018), which matches R; this module chooses the test,
adds the effect sizes and intervals researchers report, adjusts p-values across the dimensions compared,
and says whether the comparison is meaningful given the measurement invariance reached.

References
----------
Welch, B. L. (1947). The generalization of "Student's" problem when several different population
variances are involved. Biometrika, 34, 28-35.
Welch, B. L. (1951). On the comparison of several mean values: an alternative approach. Biometrika, 38,
330-336.
Games, P. A., & Howell, J. F. (1976). Pairwise multiple comparison procedures with unequal n's and/or
variances. Journal of Educational Statistics, 1, 113-125.
Hedges, L. V., & Olkin, I. (1985). Statistical methods for meta-analysis. Academic Press.
Steiger, J. H. (2004). Beyond the F test: effect size confidence intervals and tests of close fit in the
analysis of variance and contrast analysis. Psychological Methods, 9, 164-182.
Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian Journal of
Statistics, 6, 65-70.
Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate. JRSS B, 57, 289-300.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import optimize, stats

from moscale.errors import DataError

#: Invariance levels in increasing order; means may be compared from "scalar" on.
INVARIANCE_LEVELS = ("none", "configural", "metric", "scalar", "strict")


@dataclass(frozen=True)
class GroupComparison:
    """Result of :func:`compare_groups`.

    Attributes
    ----------
    descriptives : DataFrame
        One row per score and group: n, mean, sd, se, ci_lower, ci_upper (t-based 95 % CI).
    tests : DataFrame
        One row per score: the parametric test (Welch or Student t / ANOVA), its statistic, df, p,
        adjusted p, effect size with CI, and the rank-based test with its effect size.
    posthoc : DataFrame
        Pairwise contrasts (Games-Howell or Tukey HSD) for scores compared across three or more groups.
    notes : list of str
        What was done and what the reader should keep in mind (adjustment, invariance warnings).
    """

    descriptives: pd.DataFrame
    tests: pd.DataFrame
    posthoc: pd.DataFrame
    group: str
    options: dict
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "group": self.group,
            "options": self.options,
            "descriptives": self.descriptives.to_dict(orient="records"),
            "tests": self.tests.to_dict(orient="records"),
            "posthoc": self.posthoc.to_dict(orient="records"),
            "notes": list(self.notes),
        }


def mean_ci(x: np.ndarray, level: float = 0.95) -> tuple[float, float, float, float]:
    """Mean, SD, and the t-based confidence interval ``mean ± t(1-a/2, n-1) * sd / sqrt(n)``."""
    x = np.asarray(x, dtype=float)
    n = x.size
    m = float(x.mean()) if n else np.nan
    sd = float(x.std(ddof=1)) if n > 1 else np.nan
    if n < 2:
        return m, sd, np.nan, np.nan
    half = stats.t.ppf(0.5 + level / 2, n - 1) * sd / np.sqrt(n)
    return m, sd, m - half, m + half


def hedges_g(x: np.ndarray, y: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Hedges' g with its confidence interval.

    ``d = (mean_x - mean_y) / s_pooled``, ``g = J d`` with the exact small-sample correction
    ``J = Γ(df/2) / (sqrt(df/2) Γ((df-1)/2))``, ``df = n_x + n_y - 2`` (Hedges & Olkin, 1985). The
    interval inverts the noncentral t distribution of ``t = d / sqrt(1/n_x + 1/n_y)`` (Steiger &
    Fouladi, 1997) and applies the same correction, as R's effectsize::hedges_g.
    """
    from scipy.special import gammaln

    x = np.asarray(x, float)
    y = np.asarray(y, float)
    nx, ny = x.size, y.size
    df = nx + ny - 2
    sp = np.sqrt(((nx - 1) * x.var(ddof=1) + (ny - 1) * y.var(ddof=1)) / df)
    d = (x.mean() - y.mean()) / sp
    j = np.exp(gammaln(df / 2) - np.log(np.sqrt(df / 2)) - gammaln((df - 1) / 2))
    scale = np.sqrt(1 / nx + 1 / ny)
    t = d / scale
    lo, hi = _nct_ci(t, df, level)
    return float(j * d), float(j * lo * scale), float(j * hi * scale)


def _diff_ci(x: np.ndarray, y: np.ndarray, welch: bool, level: float) -> dict[str, float]:
    """CI of ``mean_x - mean_y`` (Welch–Satterthwaite df, or pooled variance), as R t.test."""
    nx, ny = x.size, y.size
    vx, vy = x.var(ddof=1) / nx, y.var(ddof=1) / ny
    if welch:
        se = np.sqrt(vx + vy)
        df = (vx + vy) ** 2 / (vx**2 / (nx - 1) + vy**2 / (ny - 1))
    else:
        df = nx + ny - 2
        sp2 = ((nx - 1) * x.var(ddof=1) + (ny - 1) * y.var(ddof=1)) / df
        se = np.sqrt(sp2 * (1 / nx + 1 / ny))
    half = stats.t.ppf(0.5 + level / 2, df) * se
    diff = x.mean() - y.mean()
    return {"diff_ci_lower": float(diff - half), "diff_ci_upper": float(diff + half)}


def _nct_ci(t: float, df: float, level: float) -> tuple[float, float]:
    """Confidence limits for the noncentrality parameter of a t statistic."""
    a = (1 - level) / 2

    def solve(p: float) -> float:
        def fn(ncp: float) -> float:
            cdf = stats.nct.cdf(t, df, ncp)
            if np.isnan(cdf):  # scipy's nct fails far in one tail; use -T ~ nct(df, -ncp)
                cdf = stats.nct.sf(-t, df, -ncp)
            return cdf - p

        width = 10.0
        lo, hi = t - width, t + width
        while fn(lo) < 0:
            lo -= width
        while fn(hi) > 0:
            hi += width
        return optimize.brentq(fn, lo, hi, xtol=1e-12)

    return solve(1 - a), solve(a)


def rank_biserial(x: np.ndarray, y: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Rank-biserial correlation ``r = 1 - 2U/(n_x n_y)`` (Glass, 1965; sign: positive when x tends
    to exceed y) with a Fisher-z interval, ``se(z) = sqrt((n_x + n_y + 1) / (3 n_x n_y))``, as R's
    effectsize::rank_biserial.
    """
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    nx, ny = x.size, y.size
    u_y = stats.mannwhitneyu(y, x, alternative="two-sided").statistic
    r = float(1 - 2 * u_y / (nx * ny))
    se = np.sqrt((nx + ny + 1) / (3 * nx * ny))
    z = stats.norm.ppf(0.5 + level / 2)
    rz = np.arctanh(np.clip(r, -0.999999, 0.999999))
    return r, float(np.tanh(rz - z * se)), float(np.tanh(rz + z * se))


def _ncf_ci(f: float, df1: float, df2: float, level: float) -> tuple[float, float]:
    """Confidence limits for the noncentrality parameter of an F (Steiger, 2004)."""

    def limit(p: float) -> float:
        def fn(lam: float) -> float:
            return stats.ncf.cdf(f, df1, df2, lam) - p

        if fn(0.0) < 0:  # even λ = 0 puts F above this quantile
            return 0.0
        hi = max(10.0, 4 * f * df1)
        while fn(hi) > 0:
            hi *= 2
        return optimize.brentq(fn, 0.0, hi, xtol=1e-10)

    a = (1 - level) / 2
    return limit(1 - a), limit(a)


def anova_effect_sizes(values: list[np.ndarray], level: float = 0.95) -> dict[str, float]:
    """η², ω² and the CI of η² for a one-way design.

    ``η² = SS_b / SS_t``; ``ω² = (SS_b - df_b MS_w) / (SS_t + MS_w)`` (Hays, 1963); the CI of η² from
    the noncentral F: ``η² = λ / (λ + df_w)`` at the limits of λ (Steiger, 2004), which gives η² back
    at ``λ = F df_b``, as R's effectsize. ω² is reported as is
    (it can be slightly negative when the groups do not differ).
    """
    allv = np.concatenate(values)
    n = allv.size
    k = len(values)
    grand = allv.mean()
    ss_b = float(sum(v.size * (v.mean() - grand) ** 2 for v in values))
    ss_w = float(sum(((v - v.mean()) ** 2).sum() for v in values))
    ss_t = ss_b + ss_w
    df_b, df_w = k - 1, n - k
    ms_w = ss_w / df_w
    f = (ss_b / df_b) / ms_w
    lo, hi = _ncf_ci(f, df_b, df_w, level)
    return {
        "eta2": ss_b / ss_t,
        "eta2_ci_lower": lo / (lo + df_w),
        "eta2_ci_upper": hi / (hi + df_w),
        "omega2": (ss_b - df_b * ms_w) / (ss_t + ms_w),
        "F": f,
    }


def adjust_pvalues(p: np.ndarray, method: Literal["holm", "fdr_bh", "none"]) -> np.ndarray:
    """Holm (1979) step-down or Benjamini–Hochberg (1995) adjustment, as R ``p.adjust``."""
    p = np.asarray(p, float)
    out = np.full_like(p, np.nan)
    ok = ~np.isnan(p)
    q = p[ok]
    m = q.size
    if m == 0 or method == "none":
        return p.copy()
    order = np.argsort(q)
    if method == "holm":
        adj = np.maximum.accumulate((m - np.arange(m)) * q[order])
    elif method == "fdr_bh":
        adj = np.minimum.accumulate((m / np.arange(m, 0, -1)) * q[order][::-1])[::-1]
    else:
        raise ValueError(f"unknown adjustment {method!r}")
    res = np.empty(m)
    res[order] = np.minimum(adj, 1.0)
    out[ok] = res
    return out


def _invariance_note(score: str, level: str | None) -> str | None:
    if level is None:
        return (
            f"{score}: measurement invariance across groups was not tested; differences in observed "
            "means may reflect differences in how the items work rather than in the construct."
        )
    if level == "none":
        return (
            f"{score}: not even configural invariance holds, so the groups' means are not "
            "comparable; the items may not measure the same construct in every group."
        )
    if INVARIANCE_LEVELS.index(level) < INVARIANCE_LEVELS.index("scalar"):
        return (
            f"{score}: only {level} invariance holds, so the groups' means are not comparable on the "
            "same scale; treat the mean comparison as descriptive at best."
        )
    return None


def compare_groups(
    data: pd.DataFrame,
    scores: str | list[str],
    group: str,
    *,
    test: Literal["welch", "student"] = "welch",
    posthoc: Literal["games-howell", "tukey"] = "games-howell",
    adjust: Literal["holm", "fdr_bh", "none"] = "holm",
    invariance: dict[str, str] | None = None,
    level: float = 0.95,
    min_group_size: int = 2,
) -> GroupComparison:
    """Compare observed scores between the groups in ``group``.

    Two groups: Welch's t (default; Welch, 1947) or Student's t, and the Mann–Whitney U test, with
    Hedges' g and the rank-biserial correlation. Three or more: Welch's ANOVA (default; Welch, 1951) or
    the classic one-way ANOVA, the Kruskal–Wallis test, η² and ω² with a CI for η², and Games–Howell
    (default) or Tukey HSD pairwise contrasts. The p-values of the main tests are adjusted across the
    scores compared (Holm by default).

    Parameters
    ----------
    data : DataFrame
        One row per respondent with the score columns and the group column.
    scores : str or list of str
        Score columns to compare (e.g. dimension means).
    group : str
        Group column. Rows with a missing group or score are left out per score; n is reported.
    invariance : dict, optional
        ``{score: level}`` with the invariance level reached ("configural", "metric", "scalar",
        "strict"); without scalar invariance a warning is added to ``notes``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({"co": rng.normal(size=40), "industry": ["a", "b"] * 20})
    >>> res = compare_groups(df, "co", "industry", invariance={"co": "scalar"})
    >>> res.tests[["score", "test", "p"]].shape
    (1, 3)
    """
    import pingouin as pg

    if isinstance(scores, str):
        scores = [scores]
    missing = [c for c in [*scores, group] if c not in data.columns]
    if missing:
        raise DataError(
            f"column(s) not found: {', '.join(missing)}",
            hint=f"available columns: {', '.join(map(str, data.columns[:30]))}",
        )
    desc_rows, test_rows, post_rows = [], [], []
    notes: list[str] = []
    for score in scores:
        sub = data[[score, group]].dropna()
        sub = sub.assign(**{group: sub[group].astype(str)})
        levels = sorted(sub[group].unique(), key=str)
        sizes = sub.groupby(group)[score].size()
        small = [g for g in levels if sizes[g] < min_group_size]
        if len(levels) < 2:
            raise DataError(
                f"'{group}' has fewer than two groups with data on {score}",
                hint="choose a grouping variable with at least two groups",
            )
        if small:
            raise DataError(
                f"group(s) {', '.join(small)} of '{group}' have fewer than {min_group_size} "
                f"respondents with a {score} score",
                hint="merge small groups (e.g. into 'other') or leave them out before comparing",
            )
        values = [sub.loc[sub[group] == g, score].to_numpy(float) for g in levels]
        for g, v in zip(levels, values, strict=True):
            m, sd, lo, hi = mean_ci(v, level)
            desc_rows.append(
                {
                    "score": score,
                    "group": g,
                    "n": v.size,
                    "mean": m,
                    "sd": sd,
                    "se": sd / np.sqrt(v.size),
                    "ci_lower": lo,
                    "ci_upper": hi,
                }
            )
        row: dict = {"score": score, "n": int(sub.shape[0]), "k": len(levels)}
        if len(levels) == 2:
            x, y = values
            tt = pg.ttest(x, y, correction=(test == "welch"), confidence=level)
            g, glo, ghi = hedges_g(x, y, level)
            r, rlo, rhi = rank_biserial(x, y, level)
            u = stats.mannwhitneyu(x, y, alternative="two-sided")
            row.update(
                test="Welch t" if test == "welch" else "Student t",
                statistic=float(tt["T"].iloc[0]),
                df1=float(tt["dof"].iloc[0]),
                df2=np.nan,
                p=float(tt["p_val"].iloc[0]),
                effect="hedges_g",
                effect_size=g,
                effect_ci_lower=glo,
                effect_ci_upper=ghi,
                # pingouin rounds its CI to two decimals; compute it in full
                **_diff_ci(x, y, test == "welch", level),
                rank_test="Mann-Whitney U",
                rank_statistic=float(u.statistic),
                rank_p=float(u.pvalue),
                rank_effect="rank_biserial",
                rank_effect_size=r,
                rank_effect_ci_lower=rlo,
                rank_effect_ci_upper=rhi,
            )
        else:
            if test == "welch":
                a = pg.welch_anova(data=sub, dv=score, between=group)
                stat, df1, df2 = (
                    float(a["F"].iloc[0]),
                    float(a["ddof1"].iloc[0]),
                    float(a["ddof2"].iloc[0]),
                )
                p = float(a["p_unc"].iloc[0])
            else:
                a = pg.anova(data=sub, dv=score, between=group, detailed=True)
                stat, df1, df2 = (
                    float(a["F"].iloc[0]),
                    float(a["DF"].iloc[0]),
                    float(a["DF"].iloc[1]),
                )
                p = float(a["p_unc"].iloc[0])
            es = anova_effect_sizes(values, level)
            kw = stats.kruskal(*values)
            n = sub.shape[0]
            row.update(
                test="Welch ANOVA" if test == "welch" else "ANOVA",
                statistic=stat,
                df1=df1,
                df2=df2,
                p=p,
                effect="eta2",
                effect_size=es["eta2"],
                effect_ci_lower=es["eta2_ci_lower"],
                effect_ci_upper=es["eta2_ci_upper"],
                omega2=es["omega2"],
                rank_test="Kruskal-Wallis H",
                rank_statistic=float(kw.statistic),
                rank_p=float(kw.pvalue),
                rank_effect="epsilon2",
                # ε²_H = H / ((n² - 1)/(n + 1)) (Tomczak & Tomczak, 2014)
                rank_effect_size=float(kw.statistic * (n + 1) / (n**2 - 1)),
            )
            if posthoc == "games-howell":
                ph = pg.pairwise_gameshowell(data=sub, dv=score, between=group)
                ph = ph.rename(columns={"pval": "p", "df": "df"})
            else:
                ph = pg.pairwise_tukey(data=sub, dv=score, between=group)
                ph = ph.rename(columns={"p_tukey": "p"})
            for rec in ph.to_dict(orient="records"):
                post_rows.append(
                    {
                        "score": score,
                        "method": posthoc,
                        "group_a": rec["A"],
                        "group_b": rec["B"],
                        "diff": rec["diff"],
                        "se": rec["se"],
                        "statistic": rec["T"],
                        "df": rec.get("df", df2),
                        "p": rec["p"],
                        "hedges_g": rec["hedges"],
                    }
                )
        test_rows.append(row)
        note = _invariance_note(score, (invariance or {}).get(score))
        if note:
            notes.append(note)
    tests_df = pd.DataFrame(test_rows)
    tests_df["p_adjusted"] = adjust_pvalues(tests_df["p"].to_numpy(), adjust)
    tests_df["rank_p_adjusted"] = adjust_pvalues(tests_df["rank_p"].to_numpy(), adjust)
    if len(scores) > 1 and adjust != "none":
        name = {"holm": "Holm's (1979)", "fdr_bh": "the Benjamini–Hochberg (1995)"}[adjust]
        notes.insert(0, f"p-values adjusted across the {len(scores)} scores with {name} method.")
    return GroupComparison(
        descriptives=pd.DataFrame(desc_rows),
        tests=tests_df,
        posthoc=pd.DataFrame(post_rows),
        group=group,
        options={"test": test, "posthoc": posthoc, "adjust": adjust, "level": level},
        notes=notes,
    )
