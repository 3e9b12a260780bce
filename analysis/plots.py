"""Figures for the report, as inline SVG strings (no files, no external references).

Each function takes the numbers a result object already holds and returns one ``<svg>`` element as
text. Matplotlib draws the charts (text kept as text, so that it can be selected and is escaped by the
SVG backend); the path diagram is written directly as SVG, escaped here.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from html import escape

import numpy as np
import pandas as pd

from .tables import format_value

_STYLE = {
    "svg.fonttype": "none",  # text stays text: searchable, small, escaped by the backend
    "svg.hashsalt": "moscale",  # stable ids: the same data give the same file
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "text.usetex": False,
}

#: Diverging palette for agreement scales (disagree … agree), colour-blind safe (ColorBrewer RdBu).
_DIVERGING = ["#b2182b", "#d6604d", "#f4a582", "#e0e0e0", "#92c5de", "#4393c3", "#2166ac"]


def _label(text: object) -> str:
    """Plain text for matplotlib: '$' would start mathtext, so it is escaped."""
    return str(text).replace("$", r"\$")


def _to_svg(fig) -> str:
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    svg = buf.getvalue()
    svg = svg[svg.find("<svg") :]
    # the RDF metadata block only names its vocabularies by URL; a report carries none
    return re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)


def _figure(width: float, height: float):
    """A new figure; callers hold ``rc_context(_STYLE)`` around drawing and saving."""
    import matplotlib

    matplotlib.use("Agg")  # no display here, ever
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(width, height))


def _palette(k: int) -> list[str]:
    idx = np.round(np.linspace(0, len(_DIVERGING) - 1, k)).astype(int)
    return [_DIVERGING[i] for i in idx]


def likert_bars(
    proportions: pd.DataFrame, category_labels: Sequence[str], title: str | None = None
) -> str:
    """Diverging stacked bars of Likert response distributions (Robbins & Heiberger, 2011).

    Parameters
    ----------
    proportions : DataFrame
        Items in rows, categories (lowest first) in columns, shares summing to 1 per row.
    category_labels : sequence of str
        Legend text of each category.
    """
    import matplotlib

    p = proportions.to_numpy(float)
    k = p.shape[1]
    colours = _palette(k)
    # the middle category (odd k) is split half left, half right of zero
    mid = k // 2
    left = p[:, :mid].sum(axis=1) + (p[:, mid] / 2 if k % 2 else 0)
    with matplotlib.rc_context(_STYLE):
        fig, ax = _figure(7.0, 0.32 * len(p) + 1.2)
        y = np.arange(len(p))[::-1]
        start = -left
        for c in range(k):
            ax.barh(
                y,
                p[:, c],
                left=start,
                color=colours[c],
                edgecolor="white",
                height=0.75,
                label=_label(category_labels[c]),
            )
            start = start + p[:, c]
        ax.axvline(0, color="#444", linewidth=0.8)
        ax.set_yticks(y, [_label(i) for i in proportions.index])
        ax.set_xlim(-1, 1)
        ax.set_xticks([-1, -0.5, 0, 0.5, 1], ["100%", "50%", "0", "50%", "100%"])
        ax.legend(
            ncol=min(k, 4),
            loc="upper center",
            bbox_to_anchor=(0.5, -0.12),
            frameon=False,
            fontsize=8,
        )
        if title:
            ax.set_title(_label(title), loc="left")
        return _to_svg(fig)


def scree_plot(
    observed: Sequence[float],
    reference: Sequence[float] | None = None,
    reference_label: str = "95th percentile of random data",
    suggested: int | None = None,
    title: str | None = None,
) -> str:
    """Eigenvalues against their position, with parallel analysis' reference line (Horn, 1965)."""
    import matplotlib

    obs = np.asarray(observed, float)
    x = np.arange(1, obs.size + 1)
    with matplotlib.rc_context(_STYLE):
        fig, ax = _figure(5.5, 3.2)
        ax.plot(x, obs, "o-", color="#2166ac", label="observed")
        if reference is not None:
            ax.plot(
                x,
                np.asarray(reference, float)[: obs.size],
                "s--",
                color="#b2182b",
                markersize=3,
                label=_label(reference_label),
            )
        if suggested:
            ax.axvline(suggested + 0.5, color="#777", linestyle=":", linewidth=1)
            ax.annotate(f"suggested: {suggested}", (suggested + 0.6, obs.max() * 0.9), fontsize=8)
        ax.set_xlabel("factor")
        ax.set_ylabel("eigenvalue")
        ax.set_xticks(x)
        ax.legend(frameon=False)
        if title:
            ax.set_title(_label(title), loc="left")
        return _to_svg(fig)


def loadings_heatmap(
    loadings: pd.DataFrame, salient: float = 0.30, title: str | None = None
) -> str:
    """Items × factors heat map of pattern loadings; cross-loadings (a second salient loading)
    are outlined."""
    import matplotlib

    lam = loadings.to_numpy(float)
    with matplotlib.rc_context(_STYLE):
        fig, ax = _figure(1.2 + 0.9 * lam.shape[1], 0.3 * lam.shape[0] + 1.0)
        ax.imshow(lam, cmap="RdBu", vmin=-1, vmax=1, aspect="auto")
        salient_count = (np.abs(lam) >= salient).sum(axis=1)
        for i in range(lam.shape[0]):
            for j in range(lam.shape[1]):
                v = lam[i, j]
                weight = "bold" if abs(v) >= salient else "normal"
                colour = "white" if abs(v) > 0.6 else "black"
                ax.text(
                    j,
                    i,
                    format_value(v, "bounded", 2),
                    ha="center",
                    va="center",
                    fontsize=7,
                    fontweight=weight,
                    color=colour,
                )
                if abs(v) >= salient and salient_count[i] > 1:
                    ax.add_patch(
                        matplotlib.patches.Rectangle(
                            (j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="black", linewidth=1.5
                        )
                    )
        ax.set_xticks(range(lam.shape[1]), [_label(c) for c in loadings.columns])
        ax.set_yticks(range(lam.shape[0]), [_label(r) for r in loadings.index])
        ax.xaxis.tick_top()
        for side in ("left", "bottom", "top", "right"):
            ax.spines[side].set_visible(False)
        if title:
            ax.set_title(_label(title), loc="left", pad=18)
        return _to_svg(fig)


def group_means(descriptives: pd.DataFrame, title: str | None = None) -> str:
    """Means with 95 % CIs per group for each score (columns score, group, mean, ci_lower, ci_upper)."""
    import matplotlib

    scores = list(dict.fromkeys(descriptives["score"]))
    groups = list(dict.fromkeys(descriptives["group"].astype(str)))
    with matplotlib.rc_context(_STYLE):
        fig, ax = _figure(6.0, 0.45 * len(scores) * max(1, len(groups) / 2) + 1.2)
        colours = ["#2166ac", "#b2182b", "#1b7837", "#762a83", "#e08214", "#4d4d4d"]
        step = 0.8 / max(len(groups), 1)
        for gi, g in enumerate(groups):
            sub = descriptives[descriptives["group"].astype(str) == g].set_index("score")
            ys = [len(scores) - 1 - scores.index(s) + 0.4 - step * (gi + 0.5) for s in sub.index]
            m = sub["mean"].to_numpy(float)
            err = np.vstack(
                [m - sub["ci_lower"].to_numpy(float), sub["ci_upper"].to_numpy(float) - m]
            )
            ax.errorbar(
                m,
                ys,
                xerr=err,
                fmt="o",
                color=colours[gi % len(colours)],
                capsize=3,
                label=_label(g),
            )
        ax.set_yticks(range(len(scores))[::-1], [_label(s) for s in scores])
        ax.set_xlabel("mean (95% CI)")
        # beside the axes: inside, it covers the lowest score's points
        ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
        if title:
            ax.set_title(_label(title), loc="left")
        return _to_svg(fig)


def invariance_ladder(steps: pd.DataFrame, title: str | None = None) -> str:
    """CFI and RMSEA across the invariance steps (columns step, cfi, rmsea)."""
    import matplotlib

    with matplotlib.rc_context(_STYLE):
        fig, ax = _figure(5.0, 2.8)
        x = np.arange(len(steps))
        ax.plot(x, steps["cfi"], "o-", color="#2166ac", label="CFI")
        ax.set_ylabel("CFI")
        ax.set_xticks(x, [_label(s) for s in steps["step"]])
        ax2 = ax.twinx()
        ax2.plot(x, steps["rmsea"], "s--", color="#b2182b", label="RMSEA")
        ax2.set_ylabel("RMSEA")
        ax2.spines["right"].set_visible(True)
        lines = ax.get_lines() + ax2.get_lines()
        ax.legend(lines, [ln.get_label() for ln in lines], frameon=False, loc="lower left")
        if title:
            ax.set_title(_label(title), loc="left")
        return _to_svg(fig)


def missingness_map(missing: pd.DataFrame, title: str | None = None) -> str:
    """Respondents × items map of missing answers (dark = missing), respondents in file order."""
    import matplotlib

    m = missing.to_numpy(bool)
    with matplotlib.rc_context(_STYLE):
        fig, ax = _figure(7.0, 3.0)
        ax.imshow(m.T, aspect="auto", cmap="Greys", interpolation="nearest", vmin=0, vmax=1)
        ax.set_yticks(range(m.shape[1]), [_label(c) for c in missing.columns], fontsize=6)
        ax.set_xlabel(f"respondents (n = {m.shape[0]}); dark = missing")
        if title:
            ax.set_title(_label(title), loc="left")
        return _to_svg(fig)


def path_diagram(
    loadings: dict[str, dict[str, float]],
    correlations: pd.DataFrame | None = None,
    title: str | None = None,
) -> str:
    """A measurement model as SVG: factors (ellipses) on the left, their items (boxes) on the
    right, standardised loadings on the arrows, factor correlations as labelled arcs.

    Parameters
    ----------
    loadings : dict
        ``{factor: {item: standardised loading}}``.
    correlations : DataFrame, optional
        Factor correlation matrix.
    """
    row_h, box_w, box_h = 22, 110, 18
    items = [(f, i, v) for f, block in loadings.items() for i, v in block.items()]
    height = max(len(items) * row_h + 8 * len(loadings) + 40, 120)
    fx, ix = 200, 420
    width = ix + box_w + 20
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" font-family="sans-serif" font-size="10">',
        f"<title>{escape(title or 'Measurement model')}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" '
        'markerHeight="6" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
        'fill="#333"/></marker></defs>',
    ]
    y = 30
    centres: dict[str, float] = {}
    for factor, block in loadings.items():
        ys = []
        for item, value in block.items():
            parts.append(
                f'<rect x="{ix}" y="{y - box_h / 2}" width="{box_w}" height="{box_h}" '
                'fill="#f7f7f7" stroke="#333"/>'
                f'<text x="{ix + box_w / 2}" y="{y + 3.5}" text-anchor="middle">{escape(item)}</text>'
            )
            ys.append((y, item, value))
            y += row_h
        cy = float(np.mean([t[0] for t in ys]))
        centres[factor] = cy
        for iy, _, value in ys:
            parts.append(
                f'<line x1="{fx + 45}" y1="{cy}" x2="{ix}" y2="{iy}" stroke="#333" '
                'marker-end="url(#arrow)"/>'
            )
            label = format_value(value, "bounded", 2)
            parts.append(
                f'<text x="{(fx + 45 + ix) / 2 + 30}" y="{(cy + iy) / 2 + (iy - cy) * 0.25 - 2}" '
                f'text-anchor="middle" fill="#2166ac">{escape(label)}</text>'
            )
        parts.append(
            f'<ellipse cx="{fx}" cy="{cy}" rx="45" ry="16" fill="#deebf7" stroke="#333"/>'
            f'<text x="{fx}" y="{cy + 3.5}" text-anchor="middle" font-weight="bold">'
            f"{escape(factor)}</text>"
        )
        y += 8
    if correlations is not None:
        names = [f for f in loadings if f in correlations.index]
        for a_i, a in enumerate(names):
            for b in names[a_i + 1 :]:
                ya, yb = centres[a], centres[b]
                bend = min(60 + 0.25 * abs(yb - ya), fx - 55 - 45)  # stay inside the picture
                value = float(correlations.loc[a, b])
                label = format_value(value, "bounded", 2)
                parts.append(
                    f'<path d="M {fx - 45} {ya} C {fx - 45 - bend} {ya}, {fx - 45 - bend} {yb}, '
                    f'{fx - 45} {yb}" fill="none" stroke="#777" marker-start="url(#arrow)" '
                    'marker-end="url(#arrow)"/>'
                    f'<text x="{fx - 50 - bend * 0.75}" y="{(ya + yb) / 2 + 3}" text-anchor="end" '
                    f'fill="#555">{escape(label)}</text>'
                )
    parts.append("</svg>")
    return "".join(parts)
