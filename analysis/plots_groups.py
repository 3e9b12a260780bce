"""Figures of the report's groups section, as inline SVG strings (see :mod:`moscale.analysis.plots`).

:func:`invariance_ladders` draws several invariance ladders in one small chart (one line a
dimension) when invariance is tested dimension by dimension; a single ladder uses
:func:`moscale.analysis.plots.invariance_ladder`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .plots import _STYLE, _figure, _label, _to_svg

_COLOURS = ["#2166ac", "#b2182b", "#1b7837", "#762a83", "#e08214", "#4d4d4d", "#35978f", "#c51b7d"]
_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]


def invariance_ladders(
    ladders: Mapping[str, pd.DataFrame],
    steps: Sequence[str],
    step_labels: Sequence[str] | None = None,
    title: str | None = None,
) -> str:
    """CFI (left panel) and RMSEA (right panel) at each invariance step, one line per ladder.

    Parameters
    ----------
    ladders : mapping
        ``{name: DataFrame with columns level, cfi, rmsea}``: one row per step reached (the model
        accepted at that level, partial or not; or the model that failed there).
    steps : sequence of str
        The levels in order (the x axis), e.g. ``("configural", "metric", "scalar", "strict")``.
    step_labels : sequence of str, optional
        Axis text of each level (e.g. in the report language).
    """
    import matplotlib

    labels = list(step_labels or steps)
    pos = {s: i for i, s in enumerate(steps)}
    with matplotlib.rc_context(_STYLE):
        fig, axes = _figure(7.0, 2.9)
        fig.clf()
        ax_cfi = fig.add_subplot(1, 2, 1)
        ax_rmsea = fig.add_subplot(1, 2, 2)
        for k, (name, frame) in enumerate(ladders.items()):
            sub = frame[frame["level"].isin(pos)]
            x = np.array([pos[s] for s in sub["level"]], dtype=float)
            style = dict(
                color=_COLOURS[k % len(_COLOURS)],
                marker=_MARKERS[k % len(_MARKERS)],
                markersize=4,
                linewidth=1.2,
                label=_label(name),
            )
            ax_cfi.plot(x, sub["cfi"].to_numpy(float), **style)
            ax_rmsea.plot(x, sub["rmsea"].to_numpy(float), **style)
        for ax, name in ((ax_cfi, "CFI"), (ax_rmsea, "RMSEA")):
            ax.set_xticks(range(len(steps)), [_label(s) for s in labels], fontsize=7)
            ax.set_ylabel(name)
            ax.set_xlim(-0.3, len(steps) - 0.7)
        handles, names = ax_cfi.get_legend_handles_labels()
        fig.legend(
            handles,
            names,
            loc="lower center",
            ncol=min(3, max(1, len(names))),
            frameon=False,
            fontsize=7,
            bbox_to_anchor=(0.5, -0.02 - 0.045 * ((len(names) + 2) // 3)),
        )
        if title:
            fig.suptitle(_label(title), x=0.02, ha="left", fontsize=9)
        fig.tight_layout()
        return _to_svg(fig)
