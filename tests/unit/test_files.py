"""Output writing: whole or nothing, never over an input, ordinary permissions."""

from __future__ import annotations

import os
import stat

import pytest

from moscale.errors import UserError
from moscale.files import write_outputs


def test_writes_all_files_with_ordinary_permissions(tmp_path):
    paths = write_outputs({tmp_path / "a.txt": "x", tmp_path / "sub" / "b.bin": b"\x00\x01"})
    assert (tmp_path / "a.txt").read_text() == "x"
    assert (tmp_path / "sub" / "b.bin").read_bytes() == b"\x00\x01"
    umask = os.umask(0)
    os.umask(umask)
    mode = stat.S_IMODE((tmp_path / "a.txt").stat().st_mode)
    assert mode == 0o666 & ~umask
    assert len(paths) == 2


def test_refuses_to_overwrite_an_input(tmp_path):
    src = tmp_path / "data.csv"
    src.write_text("original")
    with pytest.raises(UserError, match="never overwrites its inputs"):
        write_outputs({tmp_path / "out.html": "x", src: "clobber"}, inputs=[src])
    assert src.read_text() == "original"
    assert not (tmp_path / "out.html").exists()  # nothing written when one target is refused


def test_nothing_left_behind_when_a_write_fails(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(UserError, match="could not write"):
        write_outputs({tmp_path / "ok.txt": "x", blocker / "inside.txt": "y"})
    assert not (tmp_path / "ok.txt").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["file"]
