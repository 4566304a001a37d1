"""Atomic writes: the target holds the old text or the new, never a part."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from costcalc.atomic import atomic_open, write_text_atomic
from costcalc.errors import InputError


def _leftovers(d: Path) -> list[str]:
    return [p.name for p in d.iterdir() if p.name.endswith(".tmp")]


def test_writes_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    write_text_atomic(target, "old\n")
    target.chmod(0o640)
    write_text_atomic(target, "new\r\n")
    assert target.read_bytes() == b"new\r\n"  # text written as given, no newline translation
    assert target.stat().st_mode & 0o777 == 0o640  # the replaced file's permissions kept
    assert _leftovers(tmp_path) == []


def test_an_error_inside_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_open(target) as f:
        f.write("partial")
        raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert _leftovers(tmp_path) == []


def test_unwritable_place_is_an_input_error_when_located(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^--output: cannot write .*directory .* does not exist"):
        write_text_atomic(tmp_path / "missing" / "out.csv", "x", where="--output")
    with pytest.raises(FileNotFoundError):
        write_text_atomic(tmp_path / "missing" / "out.csv", "x")


WRITER = """
import sys, time
from costcalc.atomic import atomic_open
with atomic_open(sys.argv[1]) as f:
    for i in range(1000):
        f.write("new line %d\\n" % i * 100)
        if i == 10:
            f.flush()
            print("writing", flush=True)
            time.sleep(60)
"""


def test_a_killed_writer_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "result.csv"
    target.write_text("old complete file\n")
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline() == "writing\n"
        assert _leftovers(tmp_path), "the new text goes to a temporary file first"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
        if proc.stdout:
            proc.stdout.close()
    assert target.read_text() == "old complete file\n"


def test_a_finished_writer_leaves_the_new_file(tmp_path: Path) -> None:
    target = tmp_path / "result.csv"
    target.write_text("old\n")
    code = WRITER.replace("time.sleep(60)", "pass")
    r = subprocess.run(
        [sys.executable, "-c", code, str(target)], capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 0, r.stderr
    assert target.read_text().count("\n") == 1000 * 100
    assert _leftovers(tmp_path) == []
