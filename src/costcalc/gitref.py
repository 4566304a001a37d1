"""A file as it was at a git ref: ``--baseline git:main`` reads the plan from ``main``.

git is run as a program (an argv list, never a shell), in the plan's directory, with
``REF:./NAME`` so that the path is the plan's own, relative to that directory. Its output
is bounded (the blob's size is asked first, and never more than the plan cap is read),
and each way it can fail is one error naming the ref and the path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from costcalc import errors
from costcalc.errors import InputError
from costcalc.yamlio import MAX_BYTES

PREFIX = "git:"
TIMEOUT = 30.0  # seconds; a local git answers in milliseconds
_SAFE_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "PAGER": "cat", "LC_ALL": "C"}


def is_git(text: str | os.PathLike[str]) -> bool:
    return isinstance(text, str) and text.startswith(PREFIX)


def _check_ref(ref: str, where: str) -> None:
    if not ref:
        raise InputError("expected a git ref after 'git:' (git:main, git:HEAD~1)", where)
    if ref.startswith("-") or any(c.isspace() or not c.isprintable() or c == ":" for c in ref):
        raise InputError(
            f"{ref!r} is not a git ref (no leading '-', spaces or ':'; e.g. git:main)", where
        )


def _git(argv: list[str], cwd: Path, cap: int) -> tuple[int, bytes, str]:
    """exit code, stdout (at most ``cap`` bytes; more is an error), stderr's first line."""
    exe = shutil.which("git")
    if exe is None:
        raise InputError("git is not installed (needed for a git: baseline)", input="baseline")
    env = {**os.environ, **_SAFE_ENV}
    try:
        proc = subprocess.Popen(
            [exe, *argv],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
    except OSError as e:
        raise InputError(f"cannot run git: {e.strerror}", input="baseline") from None
    try:
        assert proc.stdout is not None and proc.stderr is not None
        out = proc.stdout.read(cap + 1)
        if len(out) > cap:
            proc.kill()
            proc.wait()
            raise InputError(f"the file at the ref is larger than {cap} bytes", input="baseline")
        err = proc.stderr.read(4096)
        code = proc.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise InputError(f"git did not answer within {TIMEOUT:g} s", input="baseline") from None
    finally:
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    text = err.decode("utf-8", "replace").strip().splitlines()
    return code, out, (text[0] if text else "")


def read_at_ref(spec: str, path: str | Path) -> tuple[str, str]:
    """The text of ``path`` at the ref of ``spec`` (``git:REF``) and a name for messages
    (``main:costcalc.yaml``)."""
    ref = spec[len(PREFIX) :]
    where = f"{errors.ref('baseline')} {spec}"
    _check_ref(ref, where)
    path = Path(path)
    cwd = path.parent if str(path.parent) else Path(".")
    name = path.name
    source = f"{ref}:{path}"
    if not cwd.is_dir():
        raise InputError(f"no directory {cwd} to look for {name} at {ref}", where)
    code, out, err = _git(["rev-parse", "--show-toplevel"], cwd, 1 << 16)
    if code != 0:
        raise InputError(
            f"{cwd} is not in a git repository ({err or 'git rev-parse failed'})", where
        )
    code, out, _ = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd, 1 << 16)
    if code != 0:
        raise InputError(
            f"git ref '{ref}' does not exist (looking for {path}); fetch it first in CI "
            "(actions/checkout with fetch-depth: 0)",
            where,
        )
    blob = f"{ref}:./{name}"
    code, out, _ = _git(["cat-file", "-s", blob], cwd, 1 << 16)
    if code != 0:
        raise InputError(f"{path} does not exist at git ref '{ref}'", where)
    try:
        size = int(out.decode("ascii").strip())
    except ValueError:
        raise InputError(f"git gave no size for {path} at '{ref}'", where) from None
    if size > MAX_BYTES:
        raise InputError(f"{path} at '{ref}' is larger than {MAX_BYTES} bytes", where)
    code, out, err = _git(["show", blob], cwd, MAX_BYTES)
    if code != 0:
        raise InputError(f"cannot read {path} at git ref '{ref}' ({err})", where)
    try:
        text = out.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path} at '{ref}' is not UTF-8 text", where) from None
    return text.removeprefix("\ufeff"), source
