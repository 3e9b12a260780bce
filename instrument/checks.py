"""Rules that tie several fields of a definition together.

Each check yields ``(path, message, hint)``; the loader turns the first ones into a
:class:`~moscale.errors.DefinitionError` that names the file, the line and the field path.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .schema import Scale, Study

Problem = tuple[tuple[Any, ...], str, str]


def _texts(obj: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], dict[str, str]]]:
    """Every language-keyed text (``LangText``) inside a definition, with its path."""
    from pydantic import BaseModel

    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            value = getattr(obj, name)
            # A LangText is the only dict of str -> str in the schema (labels map int -> str).
            if isinstance(value, dict) and all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items()
            ):
                yield path + (name,), value
            else:
                yield from _texts(value, path + (name,))
    elif isinstance(obj, list | tuple):
        for i, v in enumerate(obj):
            yield from _texts(v, path + (i,))


def check_translations(definition: Scale | Study, languages: list[str]) -> Iterator[Problem]:
    """Every text must exist in every declared language."""
    for path, text in _texts(definition, ()):
        missing = [lang for lang in languages if lang not in text]
        if missing:
            yield (
                path,
                f"no text in {', '.join(missing)} (the definition declares languages "
                f"{', '.join(languages)})",
                f"add a '{missing[0]}:' line under this field, or remove the language from "
                "'languages'",
            )


def check_scale(scale: Scale) -> Iterator[Problem]:
    yield from check_translations(scale, scale.languages)
    r = scale.response
    codes = set(r.codes)
    for lang in scale.languages:
        if lang not in r.labels:
            yield (
                ("response", "labels"),
                f"no point labels in {lang}",
                f"add labels for points {r.minimum}..{r.maximum} in {lang}",
            )
            continue
        labels = r.labels[lang]
        outside = sorted(set(labels) - codes)
        if outside:
            yield (
                ("response", "labels", lang, outside[0]),
                f"a label for point {outside[0]}, which is outside the scale "
                f"{r.minimum}..{r.maximum} ({r.points} points from {r.start})",
                "remove that label or change 'points' / 'start'",
            )
        unlabelled = sorted(codes - set(labels))
        if unlabelled:
            yield (
                ("response", "labels", lang),
                f"points {', '.join(map(str, unlabelled))} have no label in {lang}",
                "label every point of the scale so that respondents see what each one means",
            )
    if r.dont_know is not None and r.dont_know.code in codes:
        yield (
            ("response", "dont_know", "code"),
            f"the don't-know code {r.dont_know.code} is also a valid scale point",
            "use a code outside the scale, such as -99",
        )
    seen_dims: set[str] = set()
    seen_items: dict[str, tuple[Any, ...]] = {}
    for d, dim in enumerate(scale.dimensions):
        if dim.id in seen_dims:
            yield (("dimensions", d, "id"), f"dimension id '{dim.id}' is used twice", "rename one")
        seen_dims.add(dim.id)
        for i, item in enumerate(dim.items):
            path = ("dimensions", d, "items", i, "id")
            if item.id in seen_items:
                yield (
                    path,
                    f"item id '{item.id}' is used twice in this scale",
                    "every item needs its own id; rename one of them",
                )
            seen_items[item.id] = path
    if scale.higher_order is not None:
        for j, ref in enumerate(scale.higher_order.dimensions):
            if ref not in seen_dims:
                yield (
                    ("higher_order", "dimensions", j),
                    f"unknown dimension '{ref}'",
                    f"use one of: {', '.join(sorted(seen_dims))}",
                )
    if scale.model != "reflective" and scale.higher_order is not None:
        yield (
            ("higher_order",),
            f"a higher-order factor needs reflective dimensions, but the model is '{scale.model}'",
            "set model: reflective or remove higher_order",
        )


def check_study(study: Study) -> Iterator[Problem]:
    yield from check_translations(study, study.languages)
    seen: set[str] = set()
    for q, question in enumerate(study.background):
        if question.id in seen:
            yield (
                ("background", q, "id"),
                f"question id '{question.id}' is used twice",
                "rename one",
            )
        seen.add(question.id)
        if question.type in ("single", "multiple") and not question.options:
            yield (
                ("background", q, "options"),
                f"a {question.type}-choice question needs options",
                "add options: [{code: 1, label: {en: ...}}, ...]",
            )
        if question.type in ("number", "text") and question.options:
            yield (
                ("background", q, "options"),
                f"a {question.type} question takes no options",
                "remove the options or change the type to single",
            )
        codes = [o.code for o in question.options]
        if len(codes) != len(set(codes)):
            yield (
                ("background", q, "options"),
                "two options share a code",
                "give each its own code",
            )
        if question.role == "respondent_id" and question.type not in ("text", "number"):
            yield (
                ("background", q, "type"),
                f"a respondent id must be a text or number question, not {question.type}-choice",
                "use type: text (or number)",
            )
        if question.role in ("group", "cluster") and question.type == "multiple":
            yield (
                ("background", q, "role"),
                f"a multiple-choice question cannot be a {question.role} variable",
                "use a single-choice question for groups",
            )
    for role in ("cluster", "respondent_id"):
        n = sum(q.role == role for q in study.background)
        if n > 1:
            yield (("background",), f"{n} questions have role '{role}'", "keep one")
    section_ids: set[str] = set()
    for s, section in enumerate(study.sections):
        sid = section.id or section.scale
        if sid in section_ids:
            yield (
                ("sections", s, "id"),
                f"two sections are called '{sid}'",
                "give the section an 'id:' of its own",
            )
        section_ids.add(sid)
