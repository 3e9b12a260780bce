"""Dispatch ``moscale render --format F`` to the module that produces that format.

Every renderer takes the resolved :class:`~moscale.instrument.model.Instrument` (and a language where
it matters) and returns ``{file name: content}``; writing is the caller's job, so that all files of one
export are written whole or not at all.
"""

from __future__ import annotations

import importlib

from moscale.errors import UserError

from .model import Instrument

#: format -> (module, function, takes a language)
RENDERERS: dict[str, tuple[str, str, bool]] = {
    "html": ("moscale.instrument.html", "render_html_files", True),
    "codebook": ("moscale.instrument.codebook", "codebook_files", False),
    "limesurvey": ("moscale.instrument.exporters.limesurvey", "export", False),
    "qualtrics": ("moscale.instrument.exporters.qualtrics", "export", False),
    "xlsform": ("moscale.instrument.exporters.xlsform", "export", False),
    "redcap": ("moscale.instrument.exporters.redcap", "export", False),
}


def render_files(
    instrument: Instrument, fmt: str, lang: str | None = None
) -> dict[str, bytes | str]:
    """Render ``instrument`` in format ``fmt``; returns ``{file name: content}``."""
    if fmt not in RENDERERS:
        raise UserError(f"unknown format '{fmt}'", hint=f"use one of: {', '.join(RENDERERS)}")
    module, func, takes_lang = RENDERERS[fmt]
    renderer = getattr(importlib.import_module(module), func)
    if takes_lang:
        lang = lang or instrument.languages[0]
        if lang not in instrument.languages:
            raise UserError(
                f"the study has no '{lang}' version",
                hint=f"use --lang with one of: {', '.join(instrument.languages)}",
            )
        return renderer(instrument, lang)
    return renderer(instrument)
