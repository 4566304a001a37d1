"""Helpers the tests share: the installed script, a throwaway git, waiting on a process."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path


def script() -> str:
    """The installed ``costcalc`` script, beside this Python (else the one on PATH)."""
    exe = Path(sys.executable).with_name("costcalc")
    return str(exe) if exe.exists() else shutil.which("costcalc") or "costcalc"


SCRIPT = script()


def git(cwd: Path, *args: str) -> None:
    """Run git in ``cwd`` with no user or system configuration and a fixed author."""
    env = {
        **os.environ,
        "HOME": str(cwd),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, timeout=60)


def wait_while_running(
    proc: subprocess.Popen, ready: Callable[[], bool], what: str, seconds: float = 60
) -> None:
    """Poll ``ready()`` until it holds; fail if ``proc`` ends first or ``what`` has not
    happened after ``seconds`` (a bound on a hang, not a measurement)."""
    deadline = time.monotonic() + seconds
    while not ready():
        assert proc.poll() is None, f"the process ended before {what}"
        assert time.monotonic() < deadline, f"{what} never happened"
        time.sleep(0.01)
