"""Writing outputs and the life of the process (issue 12, items 1, 13, 14, 16).

- ``--output``/``--plot``/``--init``: what is at the path decides how it is written: a
  FIFO or a device is written through (never replaced), a symlink's regular target is
  replaced atomically, a directory, a trailing '/', an empty or dangling path is refused.
- Standard output: a reader that goes away (``| head``) is exit 0, silently; a closed
  stdout is exit 2 with one line; never 1 (the budget code), 70 or a traceback.
- Signals: no temporary file survives SIGTERM, SIGHUP, SIGQUIT, SIGINT, ...; Ctrl-C at any
  moment is one line (or the signal itself), never a traceback.

No test writes to /dev: device nodes are simulated (a monkeypatched ``stat``), FIFOs and
symlinks live in tmp_path.
"""

from __future__ import annotations

import os
import resource
import signal
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costcalc import atomic
from costcalc.atomic import atomic_open, output_target, write_text_atomic
from costcalc.errors import InputError
from support import SCRIPT, wait_while_running

SMALL_SWEEP = ["sweep", "1e20", "--devices", "8,64", "-f", "csv"]
# Millions of rows: a sweep that is still writing when it is signalled.
BIG_SWEEP = ["sweep", "1e18..1e25:2000log", "--devices", "1..4096:2000", "-f", "csv"]


def _temporaries(*dirs: Path) -> list[str]:
    return [p.name for d in dirs for p in d.iterdir() if p.name.endswith(".tmp")]


def _read_fifo(path: Path) -> tuple[threading.Thread, list[bytes]]:
    got: list[bytes] = []

    def reader() -> None:
        with open(path, "rb") as f:
            got.append(f.read())

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    return t, got


# -- what is at the path ------------------------------------------------------------------


def test_a_symlink_is_followed_and_its_target_replaced_atomically(tmp_path: Path) -> None:
    here, there = tmp_path / "here", tmp_path / "there"
    here.mkdir()
    there.mkdir()
    real = there / "results.csv"
    real.write_text("old\n")
    real.chmod(0o640)
    link = here / "latest.csv"
    link.symlink_to(real)
    old_inode = real.stat().st_ino
    write_text_atomic(link, "new\n", where="--output")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "new\n"
    assert real.stat().st_ino != old_inode, "replaced by rename, not rewritten in place"
    assert real.stat().st_mode & 0o777 == 0o640
    assert _temporaries(here, there) == []


def test_a_chain_of_symlinks_reaches_the_file(tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("old")
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("real.csv")
    write_text_atomic(tmp_path / "a", "new", where="--output")
    assert real.read_text() == "new" and (tmp_path / "a").is_symlink()


def test_a_fifo_is_written_through_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    t, got = _read_fifo(fifo)
    write_text_atomic(fifo, "row 1\nrow 2\n", where="--output")
    t.join(timeout=30)
    assert got == [b"row 1\nrow 2\n"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO is still a FIFO"
    assert _temporaries(tmp_path) == []


def test_a_fifo_is_not_an_existing_file_to_keep(tmp_path: Path) -> None:
    """``check --init`` never overwrites a file, but a FIFO is a stream, not a file."""
    fifo = tmp_path / "plan.yaml"
    os.mkfifo(fifo)
    t, got = _read_fifo(fifo)
    write_text_atomic(fifo, "runs: {}\n", overwrite=False, where="--plan")
    t.join(timeout=30)
    assert got == [b"runs: {}\n"] and stat.S_ISFIFO(os.lstat(fifo).st_mode)


def _pretend(monkeypatch: pytest.MonkeyPatch, path: Path, kind: int) -> None:
    """Make ``os.stat(path)`` report a device node of ``kind`` (S_IFCHR, S_IFBLK)."""
    real_stat = os.stat

    def fake(p: object, *args: object, **kwargs: object) -> os.stat_result:
        st = real_stat(p, *args, **kwargs)  # type: ignore[arg-type]
        if os.fspath(p) == str(path):  # type: ignore[arg-type]
            fields = list(st)
            fields[0] = kind | 0o666
            return os.stat_result(fields)
        return st

    monkeypatch.setattr(atomic.os, "stat", fake)


def test_a_character_device_is_written_through_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Like ``-o /dev/null``: the node is opened and written, never renamed over."""
    node = tmp_path / "null"
    node.write_bytes(b"")
    inode = node.stat().st_ino
    _pretend(monkeypatch, node, stat.S_IFCHR)
    assert output_target(node, where="--output").through
    write_text_atomic(node, "a,b\n", where="--output")
    write_text_atomic(node, "c,d\n", where="--output")
    monkeypatch.undo()
    assert node.stat().st_ino == inode, "the node itself was not replaced"
    assert node.read_bytes() == b"a,b\nc,d\n"  # opened for writing (appending), in place
    assert _temporaries(tmp_path) == []


def test_a_block_device_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    node = tmp_path / "sda"
    node.write_bytes(b"disk")
    _pretend(monkeypatch, node, stat.S_IFBLK)
    with pytest.raises(InputError, match=r"^--output: .*is a block device; not writing to it"):
        write_text_atomic(node, "x", where="--output")
    monkeypatch.undo()
    assert node.read_bytes() == b"disk"


def test_a_socket_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # a short relative name: socket paths are limited to ~100 B
    with socket.socket(socket.AF_UNIX) as s:
        s.bind("sock")
        with pytest.raises(InputError, match="is a socket"):
            write_text_atomic("sock", "x", where="--output")
    assert stat.S_ISSOCK(os.lstat(tmp_path / "sock").st_mode)


REFUSED: dict[str, tuple[Callable[[Path], str], str]] = {
    "existing directory": (lambda d: (d / "sub").mkdir() or str(d / "sub"), "is a directory"),
    "existing directory/": (lambda d: (d / "sub").mkdir() or f"{d}/sub/", "is a directory"),
    "missing directory/": (lambda d: f"{d}/newdir/", "ends with '/': a directory path"),
    "empty path": (lambda d: "", "got an empty path"),
    "missing parent": (lambda d: str(d / "no" / "such" / "out.csv"), "'.*/no/such' does not"),
    "parent is a file": (
        lambda d: (d / "f").write_text("x") and str(d / "f" / "out.csv"),
        "Not a directory",
    ),
    "dangling symlink": (
        lambda d: (d / "out.csv").symlink_to(d / "gone.csv") or str(d / "out.csv"),
        "which does not exist; not writing through a dangling link",
    ),
    "symlink loop": (
        lambda d: (d / "a").symlink_to("b") or (d / "b").symlink_to("a") or str(d / "a"),
        "a loop of symbolic links",
    ),
    "symlink to a directory": (
        lambda d: (d / "sub").mkdir() or (d / "l").symlink_to("sub") or str(d / "l"),
        "is a directory",
    ),
}


def _snapshot(d: Path) -> list[tuple[str, bool]]:
    return sorted((str(p.relative_to(d)), p.is_symlink()) for p in d.rglob("*"))


@pytest.mark.parametrize("case", list(REFUSED))
def test_refused_paths_are_input_errors_and_touch_nothing(tmp_path: Path, case: str) -> None:
    make, message = REFUSED[case]
    path = make(tmp_path)
    before = _snapshot(tmp_path)
    with pytest.raises(InputError, match=rf"^--output: .*{message}"):
        write_text_atomic(path, "x", where="--output")
    with pytest.raises(OSError):  # the library without a flag to name: an OSError
        write_text_atomic(path, "x")
    assert _snapshot(tmp_path) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into a read-only directory")
def test_a_read_only_directory_is_an_input_error(tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        with pytest.raises(InputError, match=r"^--output: cannot write .*Permission denied"):
            write_text_atomic(ro / "out.csv", "x", where="--output")
        assert list(ro.iterdir()) == []
    finally:
        ro.chmod(0o755)


@pytest.mark.parametrize("length", [250, 255])
def test_any_valid_file_name_can_be_written(tmp_path: Path, length: int) -> None:
    name = "r" * (length - 4) + ".csv"
    write_text_atomic(tmp_path / name, "x\n", where="--output")
    write_text_atomic(tmp_path / name, "y\n", where="--output")  # and replaced
    assert (tmp_path / name).read_text() == "y\n"
    assert _temporaries(tmp_path) == []


_NAMES = st.text(
    st.characters(blacklist_characters="/\0", blacklist_categories=("Cs",)),
    min_size=1,
    max_size=255,
).filter(lambda n: n not in (".", "..") and len(n.encode()) <= 255)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=_NAMES)
def test_every_valid_file_name_is_written_and_nothing_else_is_left(
    tmp_path: Path, name: str
) -> None:
    """Whatever a valid name (up to NAME_MAX bytes), the file is written, and the
    directory holds that file only: no temporary file, no stray name."""
    d = tmp_path / os.urandom(4).hex()
    d.mkdir()
    write_text_atomic(d / name, "x\n", where="--output")
    assert os.listdir(d) == [name]
    assert (d / name).read_text() == "x\n"


def test_files_costcalc_names_itself_never_follow_a_planted_link(tmp_path: Path) -> None:
    """The cache (``follow=False``): a symlink planted at an entry's name is replaced,
    the file it points to is left alone."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    entry = tmp_path / "entry.json"
    entry.symlink_to(victim)
    write_text_atomic(entry, "{}", follow=False)
    assert victim.read_text() == "precious"
    assert not entry.is_symlink() and entry.read_text() == "{}"


def test_ignored_signals_stay_ignored_while_writing(tmp_path: Path) -> None:
    """Under ``nohup`` SIGHUP is ignored; writing a file must not make it deadly."""
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with atomic_open(tmp_path / "out.csv") as f:
            assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
            assert signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, signal.SIG_IGN)
            f.write("x")
        assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    finally:
        signal.signal(signal.SIGHUP, previous)


# -- every command that writes a file ----------------------------------------------------

WRITERS = {
    "sweep --output": lambda p: [*SMALL_SWEEP, "--output", p],
    "sweep -o": lambda p: [*SMALL_SWEEP, "-o", p],
    "sweep --plot": lambda p: [*SMALL_SWEEP, "--plot", p],
    "calibrate --output": lambda p: ["calibrate", "--output", p, "--seconds", "1"],
    "check --init --plan": lambda p: ["check", "--init", "--plan", p],
}
CLI_REFUSED = {  # names end in .png: --plot checks the file type first
    "missing directory/": (lambda d: f"{d}/newdir.png/", "ends with '/'"),
    "existing directory": (
        lambda d: (d / "sub.png").mkdir() or str(d / "sub.png"),
        "is a directory",
    ),
    "empty path": (lambda d: "", "empty path"),
    "dangling symlink": (
        lambda d: (d / "x.png").symlink_to(d / "gone") or str(d / "x.png"),
        "dangling link",
    ),
    "symlink loop": (
        lambda d: (
            (d / "a.png").symlink_to("b.png")
            or (d / "b.png").symlink_to("a.png")
            or str(d / "a.png")
        ),
        "loop of symbolic links",
    ),
}


@pytest.mark.parametrize("case", list(CLI_REFUSED))
@pytest.mark.parametrize("writer", list(WRITERS))
def test_every_writer_refuses_what_is_not_a_file_name(
    cli, tmp_path: Path, writer: str, case: str
) -> None:
    make, message = CLI_REFUSED[case]
    path = make(tmp_path)
    before = _snapshot(tmp_path)
    r = cli(*WRITERS[writer](path))
    assert r.code == 2, r.output
    lines = r.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("costcalc: error: "), r.err
    if not (writer.endswith("--plot") and case == "empty path"):  # "expected a .png"
        assert message in lines[0]
    assert _snapshot(tmp_path) == before


def test_sweep_output_through_a_symlink_and_a_fifo(cli, tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    (tmp_path / "link.csv").symlink_to(real)
    r = cli(*SMALL_SWEEP, "-o", str(tmp_path / "link.csv"))
    assert r.code == 0, r.output
    assert real.read_text().count("\n") == 3 and (tmp_path / "link.csv").is_symlink()
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    t, got = _read_fifo(fifo)
    r = cli(*SMALL_SWEEP, "-o", str(fifo))
    t.join(timeout=30)
    assert r.code == 0, r.output
    assert got[0].decode() == real.read_text()
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_250_character_output_name(cli, tmp_path: Path) -> None:
    target = tmp_path / ("s" * 246 + ".csv")
    r = cli(*SMALL_SWEEP, "-o", str(target))
    assert r.code == 0, r.output
    assert target.read_text().startswith("flops,")


@pytest.mark.parametrize("value", ["", "--profiles-dir="])
def test_an_empty_profiles_dir_is_refused(cli, value: str) -> None:
    args = ["--profiles-dir", ""] if not value else [value]
    r = cli(*args, "estimate", "1e18")
    assert r.code == 2
    assert r.err == "costcalc: error: --profiles-dir: expected a directory, got an empty path\n"


# -- standard output (real processes of the installed script) -----------------------------


def _run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SCRIPT, *args], capture_output=True, text=True, timeout=120, **kwargs)  # type: ignore[call-overload]


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl", "table"])
def test_a_reader_that_goes_away_is_exit_0_silently(fmt: str) -> None:
    """``costcalc sweep ... | head -1`` under ``set -o pipefail`` must not fail (exit 1
    is 'over budget')."""
    proc = subprocess.Popen(
        [SCRIPT, *BIG_SWEEP[:-2], "-f", fmt],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # like `head -1`
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=120)
    assert first, "something was written before the reader left"
    assert code == 0, err
    assert err == ""


def _with_closed_stdout(args: list[str], cwd: Path | None = None) -> tuple[int, str]:
    """Run the script with file descriptor 1 closed (as ``costcalc ... >&-`` does)."""
    r = subprocess.run(
        ["sh", "-c", 'exec "$@" >&-', "sh", SCRIPT, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        cwd=cwd,
    )
    return r.returncode, r.stderr


@pytest.mark.parametrize(
    "args",
    [["--version"], ["estimate", "1e18"], ["estimate", "1e18", "-f", "json"], SMALL_SWEEP],
    ids=["version", "estimate", "estimate-json", "sweep"],
)
def test_a_closed_stdout_is_exit_2_with_one_line(args: list[str]) -> None:
    code, err = _with_closed_stdout(args)
    assert code == 2, err
    assert err == "costcalc: error: cannot write to standard output: it is closed\n"


def test_a_closed_stdout_does_not_matter_when_nothing_goes_there(tmp_path: Path) -> None:
    """... and the ``--output`` file does not become file descriptor 1 (which would mix
    standard output into it)."""
    code, err = _with_closed_stdout([*SMALL_SWEEP, "-o", "out.csv"], cwd=tmp_path)
    assert (code, err) == (0, "")
    rows = (tmp_path / "out.csv").read_text().splitlines()
    assert rows[0].startswith("flops,") and len(rows) == 3


def test_an_input_error_with_a_closed_stdout_is_still_that_error() -> None:
    code, err = _with_closed_stdout(["estimate", "1e18", "--devices", "0"])
    assert code == 2 and err.startswith("costcalc: error: --devices")


def test_output_to_the_processs_own_stdout_path_appends(tmp_path: Path) -> None:
    """``-o /proc/self/fd/1`` (like ``/dev/stdout``) writes into what fd 1 is, appending;
    it does not replace the file the shell opened (``>> log`` keeps its lines)."""
    if not Path("/proc/self/fd").is_dir():
        pytest.skip("no /proc/self/fd")
    log = tmp_path / "log.txt"
    log.write_text("earlier line\n")
    inode = log.stat().st_ino
    with open(log, "a") as out:
        r = subprocess.run(
            [SCRIPT, *SMALL_SWEEP, "-o", "/proc/self/fd/1"],
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert r.returncode == 0, r.stderr
    lines = log.read_text().splitlines()
    assert lines[0] == "earlier line" and lines[1].startswith("flops,") and len(lines) == 4
    assert log.stat().st_ino == inode


# -- signals --------------------------------------------------------------------------------


def _no_core() -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # SIGQUIT's default dumps core


@pytest.mark.parametrize(
    "sig",
    [signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGINT, signal.SIGUSR1],
    ids=lambda s: signal.Signals(s).name,
)
def test_a_signal_while_writing_leaves_no_temporary_file(tmp_path: Path, sig: int) -> None:
    target = tmp_path / "big.csv"
    proc = subprocess.Popen(
        [SCRIPT, *BIG_SWEEP, "-o", str(target)],
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        preexec_fn=_no_core,
    )
    try:
        wait_while_running(proc, lambda: bool(_temporaries(tmp_path)), "a temporary file")
        proc.send_signal(sig)
    finally:
        code = proc.wait(timeout=60)
        assert proc.stderr is not None
        err = proc.stderr.read().decode()
        proc.stderr.close()
    assert os.listdir(tmp_path) == [], "no temporary file, no partial target"
    assert "Traceback" not in err
    if sig == signal.SIGINT:
        assert code == 130 and err.strip() == "costcalc: error: interrupted", err
    else:
        assert code == -sig, "ended by the signal, as its sender meant"


def _loaded(pid: int, library: str) -> bool:
    try:
        return library in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs /proc/PID/maps")
def test_ctrl_c_while_the_command_is_imported_is_one_line() -> None:
    """A real Ctrl-C once costcalc's main() runs and loads the sweep's modules (numpy's
    extension appears in the process's memory map): exit 130, one line, no traceback.
    (Before main() starts, the window is Python's own start-up; see the next test for a
    Ctrl-C at each import of main() itself.)"""
    proc = subprocess.Popen([SCRIPT, *BIG_SWEEP], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_while_running(proc, lambda: _loaded(proc.pid, "numpy"), "numpy was loaded")
        proc.send_signal(signal.SIGINT)
    finally:
        code = proc.wait(timeout=60)
        assert proc.stderr is not None
        err = proc.stderr.read().decode()
        proc.stderr.close()
    assert (code, err.strip()) == (130, "costcalc: error: interrupted"), err


INTERRUPT_DURING_IMPORT = """
import builtins, sys
real_import = builtins.__import__
interrupted_at = sys.argv[1]
def importer(name, *args, **kwargs):
    if name == interrupted_at:
        raise KeyboardInterrupt
    return real_import(name, *args, **kwargs)
builtins.__import__ = importer
sys.argv = ["costcalc", *sys.argv[2:]]
from costcalc.__main__ import main
main()
"""


@pytest.mark.parametrize("module", ["costcalc.errors", "typer", "costcalc.cli", "costcalc.outlook"])
def test_ctrl_c_during_the_first_imports_is_one_line(module: str) -> None:
    """Deterministic: the Ctrl-C arrives exactly while ``module`` is imported."""
    r = subprocess.run(
        [sys.executable, "-c", INTERRUPT_DURING_IMPORT, module, "estimate", "1e18"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (r.returncode, r.stderr) == (130, "costcalc: error: interrupted\n")
    assert r.stdout == ""


@pytest.mark.parametrize(
    ("argv", "where"),
    [
        (["profiles", "validate", ""], "PATH"),
        (["profiles", "new", "my-gpu", "--dir", ""], "--dir"),
        (["check", "--init", "--plan", ""], "--plan"),
    ],
)
def test_other_empty_paths_are_refused(cli, tmp_path: Path, monkeypatch, argv, where) -> None:
    """Siblings of ``--profiles-dir ""``: an empty path is not the working directory."""
    monkeypatch.chdir(tmp_path)
    r = cli(*argv)
    assert r.code == 2, r.output
    assert r.err.startswith(f"costcalc: error: {where}: ") and "empty" in r.err
    assert r.err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_a_fifo_whose_reader_goes_away_is_exit_0(tmp_path: Path) -> None:
    """``-o >(head -1)``: like a pipe on stdout, the reader read what it wanted."""
    fifo = tmp_path / "rows.csv"
    os.mkfifo(fifo)
    got: list[bytes] = []

    def head_1() -> None:
        with open(fifo, "rb") as f:
            got.append(f.readline())

    t = threading.Thread(target=head_1, daemon=True)
    t.start()
    r = _run([*BIG_SWEEP, "-o", str(fifo)])
    t.join(timeout=30)
    assert (r.returncode, r.stderr) == (0, "")
    assert got and got[0].startswith(b"flops,")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_link_to_our_own_stdout_file_is_written_through(tmp_path: Path) -> None:
    """``-o out.csv`` where ``out.csv`` is (a link to) the file stdout goes to: appended
    to, not replaced behind the shell's back."""
    log = tmp_path / "log.txt"
    log.write_text("earlier line\n")
    (tmp_path / "out.csv").symlink_to(log)
    with open(log, "a") as out:
        r = subprocess.run(
            [SCRIPT, *SMALL_SWEEP, "-o", str(tmp_path / "out.csv")],
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert r.returncode == 0, r.stderr
    lines = log.read_text().splitlines()
    assert lines[0] == "earlier line" and lines[1].startswith("flops,") and len(lines) == 4


@pytest.mark.parametrize(
    ("redirect", "args", "code"),
    [
        ("2>&-", ["estimate", "1e18", "--devices", "0"], 2),
        ("2>&- <&-", ["estimate", "1e18", "-f", "json"], 0),
        (">&- 2>&-", ["estimate", "1e18"], 2),
    ],
)
def test_closed_stderr_or_stdin_change_nothing_but_where_words_go(
    redirect: str, args: list[str], code: int
) -> None:
    r = subprocess.run(
        ["sh", "-c", f'exec "$@" {redirect}', "sh", SCRIPT, *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == code
    if code == 0 and ">&-" not in redirect:
        assert r.stdout.startswith("{")


def test_an_unwritable_directory_is_an_input_error_even_as_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read-only-directory case, simulated (root may write anywhere)."""
    real_open = os.open

    def deny(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if os.fspath(path).endswith(".tmp"):  # type: ignore[call-overload]
            raise PermissionError(13, "Permission denied", os.fspath(path))  # type: ignore
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(atomic.os, "open", deny)
    with pytest.raises(InputError, match=r"^--output: cannot write .*Permission denied"):
        write_text_atomic(tmp_path / "out.csv", "x", where="--output")
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []
