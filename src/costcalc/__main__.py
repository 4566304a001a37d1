"""``python -m costcalc`` and the ``costcalc`` script.

``costcalc --version`` is answered here, before the CLI framework is imported: scripts
call it to check the installed version and should not wait for typer.

Before anything else is imported, Ctrl-C gets its answer (exit 130 with one line, not a
traceback from the middle of an import) and standard output its guard
(:mod:`costcalc.stdio`: a reader that went away is exit 0, a closed stdout exit 2).
"""

from __future__ import annotations

import sys

EXIT_INTERRUPTED = 130


def main() -> None:
    try:
        _main()
    except KeyboardInterrupt:
        _interrupted()


def _interrupted() -> None:
    try:
        sys.stderr.write(("\n" if sys.stderr.isatty() else "") + "costcalc: error: interrupted\n")
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass
    raise SystemExit(EXIT_INTERRUPTED)


def _main() -> None:
    import gc

    # Starting the CLI builds ~20,000 objects that live as long as the process (typer,
    # click, the command table); the cyclic collector's passes over them cost a one-liner
    # ~10% of its time. So start with the collector paused, then move what was built out
    # of its way (gc.freeze) and collect as usual from there: a long command still does.
    enabled = gc.isenabled()
    gc.disable()
    try:
        from costcalc import stdio

        stdio.guard()
        if sys.argv[1:] == ["--version"]:
            _version()
            return
        from costcalc.cli import main as cli_main

        gc.freeze()
    finally:
        if enabled:
            gc.enable()
    try:
        cli_main()
    finally:
        # The interpreter's last collection, at exit, would pass over every object once
        # more; the process frees them all anyway (and Python promises no finalizer for
        # objects still there at exit).
        gc.freeze()


def _version() -> None:
    from costcalc import __version__, stdio

    try:
        sys.stdout.write(f"costcalc {__version__}\n")
        stdio.flush()
    except stdio.ReaderGone:
        stdio.discard()
    except stdio.StdoutError as e:
        stdio.discard()
        sys.stderr.write(f"costcalc: error: {e}\n")
        raise SystemExit(e.exit_code) from None


if __name__ == "__main__":
    main()
