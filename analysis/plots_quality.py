"""Figure of the data-quality section: the missingness map, with its words in the report language.

Drawn like :func:`moscale.analysis.plots.missingness_map` (same style, same escaping: matplotlib's SVG
backend escapes every text it places), but with the axis text given by the caller, so that a Finnish
report has Finnish figures, and with the items grouped by dimension.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .plots import _STYLE, _figure, _label, _to_svg

#: More respondents than this are shown in consecutive bins (share missing per bin): a figure has
#: no more pixels than this anyway, and the full matrix of a million rows costs seconds and GiBs.
MAX_COLUMNS = 2000


def _binned(m: np.ndarray, max_columns: int) -> np.ndarray:
    """Share missing in ``max_columns`` consecutive bins of rows (the rows themselves when fewer)."""
    if m.shape[0] <= max_columns:
        return m.astype(float)
    edges = np.linspace(0, m.shape[0], max_columns + 1).astype(int)
    sums = np.add.reduceat(m.astype(np.float32), edges[:-1], axis=0)
    return sums / np.diff(edges)[:, None]


def missingness_map(
    missing: pd.DataFrame,
    *,
    xlabel: str,
    groups: Sequence[int] | None = None,
    title: str | None = None,
) -> str:
    """Respondents × items map of missing answers (dark = missing), respondents in file order.

    Beyond :data:`MAX_COLUMNS` respondents, consecutive respondents share a column whose shade is
    their share of missing answers.

    Parameters
    ----------
    missing : DataFrame
        Respondents in rows, items in columns, True where the answer is missing.
    xlabel : str
        Text under the map (e.g. "respondents (n = 300); dark = missing"), in the report language.
    groups : sequence of int, optional
        Number of consecutive items in each dimension; a thin line separates the dimensions.
    title : str, optional
    """
    import matplotlib

    m = missing.to_numpy(bool)
    n_items = m.shape[1]
    shade = _binned(m, MAX_COLUMNS)
    with matplotlib.rc_context(_STYLE):
        fig, ax = _figure(7.0, max(2.0, 0.13 * n_items + 1.0))
        ax.imshow(
            shade.T,
            aspect="auto",
            cmap="Greys",
            interpolation="nearest",
            vmin=0,
            vmax=1,
        )
        ax.set_yticks(range(n_items), [_label(c) for c in missing.columns], fontsize=6)
        ax.set_xlabel(_label(xlabel))
        if groups:
            for edge in np.cumsum(list(groups))[:-1]:
                ax.axhline(edge - 0.5, color="#2166ac", linewidth=0.6)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        if title:
            ax.set_title(_label(title), loc="left")
        return _to_svg(fig)


__all__ = ["missingness_map"]
