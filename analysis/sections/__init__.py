"""Report sections: one module a section, each with ``build(ctx) -> Section | None``.

A section calls the statistical functions (never computing statistics itself), stores what it found
in ``ctx.results[<key>]`` (JSON) and ``ctx.found[<key>]`` (objects later sections read), adds its
sentences to ``ctx.summary`` and its warnings with ``ctx.warn``, and returns the tables, figures and
paragraphs of its part of the report in ``ctx.lang`` (texts in its own ``TEXT = {"en": ..., "fi":
...}``).
"""
