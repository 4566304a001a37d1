"""Keep README examples real: run every ``$ costcalc ...`` line in the README's
```console blocks and write (or check) the output that follows it.

    python scripts/readme_examples.py          # rewrite README.md in place
    python scripts/readme_examples.py --check  # exit 1 if README.md is stale (tests do this)
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"```console\n(.*?)```", re.S)
# No user config or profile path: examples show costcalc as installed.
ENV = {
    "NO_COLOR": "1",
    "COLUMNS": "100",
    "TERM": "dumb",
    "COSTCALC_CONFIG_DIR": "/home/you/.config/costcalc",
    "COSTCALC_PROFILES_PATH": "",
}


def run(command: str) -> str:
    from typer.testing import CliRunner

    from costcalc.cli import app

    args = shlex.split(command)
    assert args[0] == "costcalc", command
    here = os.getcwd()
    os.chdir(README.parent)  # relative paths in examples are from the repository root
    try:
        result = CliRunner().invoke(app, args[1:], env=ENV)
    finally:
        os.chdir(here)
    return result.stdout + result.stderr


def render_block(block: str) -> str:
    out = []
    for line in block.splitlines():
        if line.startswith("$ "):
            out.append(line)
            text = run(line[2:])
            out.extend(text.rstrip("\n").splitlines())
    return "\n".join(out) + "\n"


def render(text: str) -> str:
    return BLOCK.sub(lambda m: "```console\n" + render_block(m.group(1)) + "```", text)


def main() -> int:
    text = README.read_text(encoding="utf-8")
    new = render(text)
    if "--check" in sys.argv:
        if new != text:
            print("README.md examples are stale: run python scripts/readme_examples.py")
            return 1
        return 0
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
