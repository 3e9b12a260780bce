"""Report sections: one module a section, each with ``build(ctx) -> Section | None``.

A section calls the statistical functions (never computing statistics itself), stores what it found
in ``ctx.results[<key>]`` (JSON) and ``ctx.found[<key>]`` (objects later sections read), adds its
sentences to ``ctx.summary`` and its warnings with ``ctx.warn``, and returns the tables, figures and
paragraphs of its part of the report in ``ctx.lang`` (texts in its own ``TEXT = {"en": ..., "fi":
...}``). A note, warning or error the statistical engine wrote (in English) goes into the report
through :func:`~moscale.analysis.sections.engine_fi.engine_text`, which words it in the report's
language.

A section with heavy work that depends only on the context (model fits) may also define
``prefetch(ctx)``: the pipeline calls it before any section is built, and the section submits that
work to ``ctx.background`` (:class:`moscale.analysis.parallel.Background`) under a key; ``build``
then collects it with ``ctx.background.take(key, fn, args)``, which computes it on the spot when
no worker ran it. Results must not depend on who computed them.
"""
