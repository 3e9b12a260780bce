"""Load and validate scale and study definitions, and resolve a study into an :class:`Instrument`.

Every problem becomes a :class:`~moscale.errors.DefinitionError` that names the file, the line, the
field path (``dimensions[0].items[2].text``), what is wrong and what to do.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from moscale.errors import DefinitionError

from .checks import Problem, check_scale, check_study
from .model import Block, Instrument, ResolvedItem
from .schema import Scale, Study
from .yamlio import line_of, load_yaml, loads_yaml

_HINTS = {
    "extra_forbidden": "remove this key or check its spelling",
    "missing": "add this field",
    "string_pattern_mismatch": "ids start with a letter and use only letters, digits and '_'",
    "literal_error": "use one of the values listed",
    "too_short": "this list or text may not be empty",
}


def format_path(loc: Iterable[Any]) -> str:
    """``('dimensions', 0, 'items', 2)`` -> ``dimensions[0].items[2]``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _located(source: str, node: Any, loc: tuple[Any, ...], message: str, hint: str | None):
    line = line_of(node, loc)
    where = f"{source}, line {line}" if line else source
    return DefinitionError(f"{format_path(loc)}: {message}", location=where, hint=hint)


def _validate(model: type[BaseModel], data: Any, source: str, node: Any) -> Any:
    if not isinstance(data, dict):
        raise DefinitionError(
            "the file must hold a mapping of fields (key: value), not "
            f"{type(data).__name__ if data is not None else 'nothing'}",
            location=source,
            hint=f"see the example {model.__name__.lower()} files in the documentation",
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        loc = tuple(p for p in first["loc"] if not (isinstance(p, str) and "[" in p))
        more = f" ({len(errors) - 1} more problem(s) after this one)" if len(errors) > 1 else ""
        raise _located(source, node, loc, first["msg"] + more, _HINTS.get(first["type"])) from None


def _raise_first(problems: Iterable[Problem], source: str, node: Any) -> None:
    for loc, message, hint in problems:
        raise _located(source, node, loc, message, hint)


# --- scales --------------------------------------------------------------------------------------


def parse_scale(text: str, source: str = "<scale>") -> Scale:
    """Validate a scale definition given as YAML text."""
    data, node = loads_yaml(text, source)
    scale = _validate(Scale, data, source, node)
    _raise_first(check_scale(scale), source, node)
    return scale


def load_scale_file(path: str | Path) -> Scale:
    """Load and validate one scale YAML file."""
    path = Path(path)
    data, node = load_yaml(path)
    scale = _validate(Scale, data, str(path), node)
    _raise_first(check_scale(scale), str(path), node)
    return scale


def builtin_scale_ids() -> list[str]:
    """Ids of the scales that ship with moscale, in the library's display order."""
    files = resources.files("moscale.scales")
    return sorted(p.name.removesuffix(".yaml") for p in files.iterdir() if p.name.endswith(".yaml"))


@functools.cache
def _builtin_scale(scale_id: str) -> Scale:
    ref = resources.files("moscale.scales") / f"{scale_id}.yaml"
    with resources.as_file(ref) as path:
        return load_scale_file(path)


def load_scale(ref: str | Path, base: Path | None = None) -> Scale:
    """A built-in scale by id (``"mktor"``) or a scale file by path (relative to ``base``)."""
    text = str(ref)
    if text in builtin_scale_ids():
        return _builtin_scale(text)
    looks_like_path = text.endswith((".yaml", ".yml")) or "/" in text or "\\" in text
    if looks_like_path:
        path = Path(text)
        if not path.is_absolute() and base is not None:
            path = base / path
        return load_scale_file(path)
    raise DefinitionError(
        f"unknown scale '{text}'",
        hint=f"use a built-in scale ({', '.join(builtin_scale_ids())}) or a path to a .yaml file; "
        "'moscale scales' lists the library",
    )


def builtin_scales() -> list[Scale]:
    return [_builtin_scale(i) for i in builtin_scale_ids()]


# --- studies -------------------------------------------------------------------------------------


def builtin_study_ids() -> list[str]:
    files = resources.files("moscale.instrument") / "studies"
    return sorted(p.name.removesuffix(".yaml") for p in files.iterdir() if p.name.endswith(".yaml"))


def builtin_study_path(study_id: str) -> Path:
    ref = resources.files("moscale.instrument") / "studies" / f"{study_id}.yaml"
    return Path(str(ref))


def load_instrument(ref: str | Path) -> Instrument:
    """Load a study file (or a built-in study such as ``"example"``, or a bare scale id) and
    resolve it into an :class:`Instrument`.

    A bare scale id (or a scale file) gives a one-section study with that scale's core dimensions,
    which is handy for ad hoc analysis and for ``moscale render mktor``.
    """
    text = str(ref)
    if text in builtin_study_ids():
        path = builtin_study_path(text)
    elif text in builtin_scale_ids():
        return _study_of_scale(_builtin_scale(text), None, None)
    else:
        path = Path(text)
        if not path.exists():
            raise DefinitionError(
                "file not found",
                location=text,
                hint="give the path of a study YAML file, a built-in study "
                f"({', '.join(builtin_study_ids())}) or a scale id",
            )
    data, node = load_yaml(path)
    if isinstance(data, dict) and "dimensions" in data and "sections" not in data:
        # a scale file given where a study is expected: study it on its own
        return _study_of_scale(load_scale_file(path), path.parent, path)
    study = _validate(Study, data, str(path), node)
    _raise_first(check_study(study), str(path), node)
    return resolve(study, source=path, node=node)


def _study_of_scale(scale: Scale, base: Path | None, source: Path | None) -> Instrument:
    ref = str(source) if source is not None else scale.id
    study = Study(
        id=scale.id, title=scale.name, languages=scale.languages, sections=[{"scale": ref}]
    )
    return resolve(study, source=None, node=None)


def parse_study_text(text: str, source: str = "<study>", base: Path | None = None) -> Instrument:
    """Validate and resolve a study given as YAML text (scale paths relative to ``base``)."""
    data, node = loads_yaml(text, source)
    study = _validate(Study, data, source, node)
    _raise_first(check_study(study), source, node)
    anchor = (base / Path(source).name) if base is not None else None
    return resolve(study, source=anchor, node=node, where=source)


def resolve(study: Study, source: Path | None, node: Any, where: str | None = None) -> Instrument:
    """Look up each section's scale, choose its dimensions, and check cross-references."""
    where = where or (str(source) if source else f"<study {study.id}>")
    base = source.parent if source else None
    blocks: list[Block] = []
    scales: dict[str, Any] = {}
    seen_items: dict[str, str] = {}
    reserved = {q.id for q in study.background}
    for s, section in enumerate(study.sections):
        try:
            scale = load_scale(section.scale, base)
        except DefinitionError as exc:
            if exc.location:  # the scale file itself is broken: report it as it is
                raise
            raise _located(where, node, ("sections", s, "scale"), exc.message, exc.hint) from None
        missing_langs = [lang for lang in study.languages if lang not in scale.languages]
        if missing_langs:
            raise _located(
                where,
                node,
                ("sections", s, "scale"),
                f"scale '{scale.id}' has no {', '.join(missing_langs)} version",
                "remove the language from the study or add it to your copy of the scale",
            )
        by_id = {d.id: d for d in scale.dimensions}
        if section.dimensions is None:
            dims = [d for d in scale.dimensions if not d.optional]
        else:
            dims = []
            for j, dim_id in enumerate(section.dimensions):
                if dim_id not in by_id:
                    raise _located(
                        where,
                        node,
                        ("sections", s, "dimensions", j),
                        f"scale '{scale.id}' has no dimension '{dim_id}'",
                        f"use one of: {', '.join(by_id)} ('moscale show {scale.id}' lists them)",
                    )
                dims.append(by_id[dim_id])
        items = tuple(
            ResolvedItem(
                id=item.id,
                text=dict(item.text),
                reverse=item.reverse,
                scale_id=scale.id,
                dimension_id=dim.id,
                response=scale.response,
            )
            for dim in dims
            for item in dim.items
        )
        block_id = section.id or scale.id
        for item in items:
            clash = seen_items.get(item.id) or ("background" if item.id in reserved else None)
            if clash:
                raise _located(
                    where,
                    node,
                    ("sections", s),
                    f"item id '{item.id}' appears twice in the study (also in {clash})",
                    "include each dimension once, or rename the item in your copy of the scale",
                )
            seen_items[item.id] = block_id
        item_ids = {i.id for i in items}
        codes = set(scale.response.codes)
        for c, check in enumerate(section.attention_checks):
            path = ("sections", s, "attention_checks", c)
            if check.after is not None and check.after not in item_ids:
                raise _located(
                    where,
                    node,
                    path + ("after",),
                    f"'{check.after}' is not an item of this section",
                    f"use one of: {', '.join(sorted(item_ids))}",
                )
            if check.expect not in codes:
                raise _located(
                    where,
                    node,
                    path + ("expect",),
                    f"expected answer {check.expect} is not a point of the scale "
                    f"({scale.response.minimum}..{scale.response.maximum})",
                    "choose a code the respondent can actually select",
                )
            if check.id in seen_items or check.id in reserved:
                raise _located(
                    where, node, path + ("id",), f"id '{check.id}' is taken", "rename it"
                )
            seen_items[check.id] = block_id
        scales[scale.id] = scale
        blocks.append(
            Block(
                id=block_id,
                scale=scale,
                dimensions=tuple(dims),
                items=items,
                attention_checks=tuple(section.attention_checks),
                title=dict(section.title or scale.name),
                randomize=section.randomize,
                seed=section.seed if section.seed is not None else study.seed + s,
                required=section.required,
            )
        )
    return Instrument(study=study, blocks=tuple(blocks), source=source, scales=scales)
