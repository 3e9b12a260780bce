"""Read YAML with line numbers, so that validation errors can point at a line.

PyYAML's composer keeps the start mark of every node; we walk the node tree alongside the field
path that pydantic reports and return the line of the deepest node that exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from moscale.errors import DefinitionError


def load_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    """Return the parsed document and its node tree; raise :class:`DefinitionError` on bad YAML."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise DefinitionError(
            "file not found", location=str(path), hint="check the path and the file name"
        ) from exc
    except UnicodeDecodeError as exc:
        raise DefinitionError(
            f"not UTF-8 text ({exc.reason} at byte {exc.start})",
            location=str(path),
            hint="save the file as UTF-8",
        ) from exc
    return loads_yaml(text, str(path))


def loads_yaml(text: str, source: str) -> tuple[Any, yaml.Node | None]:
    """Parse YAML text; ``source`` names it in messages."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{source}, line {mark.line + 1}, column {mark.column + 1}" if mark else source
        raise DefinitionError(
            f"this is not valid YAML: {exc.problem}",
            location=where,
            hint="check indentation and quoting near that line (text with ':' or '#' needs quotes)",
        ) from exc
    except yaml.YAMLError as exc:
        raise DefinitionError(f"this is not valid YAML: {exc}", location=source) from exc
    return data, node


def line_of(node: yaml.Node | None, loc: Sequence[Any]) -> int | None:
    """1-based line of the deepest node reachable along ``loc`` (a pydantic error location)."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for key in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if str(k.value) == str(key):
                    child = v
                    line = k.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            if 0 <= key < len(node.value):
                child = node.value[key]
        if child is None:
            break
        node = child
        line = node.start_mark.line + 1
    return line
