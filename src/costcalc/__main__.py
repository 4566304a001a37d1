"""``python -m costcalc`` and the ``costcalc`` script.

``costcalc --version`` is answered here, before the CLI framework is imported: scripts
call it to check the installed version and should not wait for typer.
"""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from costcalc import __version__

        sys.stdout.write(f"costcalc {__version__}\n")
        return
    from costcalc.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
