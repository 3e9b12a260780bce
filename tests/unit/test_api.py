"""The public API promised in the brief: names exist and resolve."""

from __future__ import annotations

import moscale as ms


def test_every_public_name_resolves():
    for name in ms.__all__:
        assert getattr(ms, name) is not None, name


def test_unknown_name_is_an_attribute_error():
    try:
        ms.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected AttributeError")


def test_all_lists_every_lazy_name():
    from moscale import _LAZY

    assert set(_LAZY) <= set(ms.__all__)
