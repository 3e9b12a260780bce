"""One BLAS thread while the engine runs.

The engine multiplies many small matrices; several BLAS threads on a busy machine are much slower
than one (a 60 x 625 product took 5 ms with OpenBLAS threads contending and 0.2 ms with one).
``threadpoolctl`` comes with scikit-learn; without it nothing changes.
"""

from __future__ import annotations

import contextlib
import functools

try:
    from threadpoolctl import ThreadpoolController
except ImportError:  # pragma: no cover
    ThreadpoolController = None

_controller = None

__all__ = ["single_blas", "single_blas_method"]


def single_blas():
    """Context manager limiting BLAS to one thread (a no-op without threadpoolctl)."""
    global _controller
    if ThreadpoolController is None:
        return contextlib.nullcontext()
    if _controller is None:  # scanning the loaded libraries costs ~2 ms: do it once
        _controller = ThreadpoolController()
    return _controller.limit(limits=1, user_api="blas")


def single_blas_method(fn):
    """Decorator: run ``fn`` under :func:`single_blas`."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with single_blas():
            return fn(*args, **kwargs)

    return wrapper
