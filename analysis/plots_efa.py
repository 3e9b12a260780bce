"""Figure of the EFA section: scree plot with parallel analysis, words in the report language.

Drawn in the style of :mod:`moscale.analysis.plots` and of psych's ``fa.parallel`` plot (Revelle,
2022): the observed eigenvalues of factors (the correlation matrix with communalities on the diagonal)
and of components, each with the quantile of the same eigenvalues from random data, which is what
parallel analysis compares them with (Horn, 1965). Text is given by the caller, so a Finnish report
has Finnish figures; matplotlib's SVG backend escapes it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .plots import _STYLE, _figure, _label, _to_svg

#: Words of the figure; callers pass their own for other languages.
LABELS_EN = {
    "fa_observed": "factors, observed",
    "fa_random": "factors, random data",
    "pc_observed": "components, observed",
    "pc_random": "components, random data",
    "xlabel": "factor / component number",
    "ylabel": "eigenvalue",
    "suggested": "suggested: {n}",
}


def parallel_scree(
    table: pd.DataFrame,
    *,
    suggested: int | None = None,
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
) -> str:
    """Scree plot of a parallel analysis.

    Parameters
    ----------
    table : DataFrame
        :attr:`moscale.analysis.nfactors.ParallelAnalysisResult.table`: columns ``fa_observed``,
        ``pc_observed`` and the random-data quantiles ``*_simulated_quantile`` (or, without simulated
        data, ``*_resampled_quantile``), one row per position.
    suggested : int, optional
        Number of factors parallel analysis suggests; a dotted line is drawn after it.
    labels : mapping, optional
        Texts (keys of :data:`LABELS_EN`); English by default.
    """
    import matplotlib

    words = {**LABELS_EN, **(labels or {})}
    x = np.asarray(table.index, dtype=float)
    series = []
    for side, colour in (("fa", "#2166ac"), ("pc", "#b2182b")):
        obs = f"{side}_observed"
        if obs not in table:
            continue
        ref = next(
            (
                c
                for c in (f"{side}_simulated_quantile", f"{side}_resampled_quantile")
                if c in table and table[c].notna().any()
            ),
            None,
        )
        series.append((table[obs].to_numpy(float), "o-", colour, words[f"{side}_observed"]))
        if ref is not None:
            series.append((table[ref].to_numpy(float), "--", colour, words[f"{side}_random"]))
    with matplotlib.rc_context(_STYLE):
        fig, ax = _figure(5.8, 3.3)
        for values, style, colour, text in series:
            ax.plot(
                x,
                values,
                style,
                color=colour,
                markersize=3.5,
                linewidth=1.2 if style == "o-" else 1.0,
                label=_label(text),
            )
        top = max((np.nanmax(v) for v, *_ in series), default=1.0)
        if suggested:
            ax.axvline(suggested + 0.5, color="#777", linestyle=":", linewidth=1)
            ax.annotate(
                _label(words["suggested"].format(n=suggested)),
                (suggested + 0.6, top * 0.9),
                fontsize=8,
            )
        ax.axhline(0, color="#bbb", linewidth=0.6)
        ax.set_xlabel(_label(words["xlabel"]))
        ax.set_ylabel(_label(words["ylabel"]))
        step = max(1, int(np.ceil(len(x) / 20)))
        ax.set_xticks(x[::step])
        ax.legend(frameon=False, fontsize=8)
        if title:
            ax.set_title(_label(title), loc="left")
        return _to_svg(fig)


__all__ = ["LABELS_EN", "parallel_scree"]
