"""Writing outputs safely: whole or not at all, and never over an input.

Every file moscale writes goes through :func:`write_outputs`: contents are written to temporary
files beside their targets first and moved into place only when all of them were written.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from moscale.errors import UserError


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def write_outputs(files: Mapping[Path, bytes | str], inputs: Iterable[Path] = ()) -> list[Path]:
    """Write every ``path -> content`` pair atomically; refuse to overwrite any of ``inputs``."""
    inputs = [Path(p) for p in inputs]
    for target in files:
        for src in inputs:
            if _same(Path(target), src):
                raise UserError(
                    f"the output {target} is also an input; moscale never overwrites its inputs",
                    hint="choose another output name with -o",
                )
    staged: list[tuple[str, Path]] = []
    umask = os.umask(0)
    os.umask(umask)
    try:
        for target, content in files.items():
            target = Path(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            data = content.encode("utf-8") if isinstance(content, str) else content
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; outputs are ordinary files
            staged.append((tmp, target))
        for tmp, target in staged:
            os.replace(tmp, target)
    except OSError as exc:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
        raise UserError(
            f"could not write {exc.filename or 'the output'}: {exc.strerror}",
            hint="check that the folder exists and that you may write there",
        ) from exc
    return [Path(t) for t in files]
