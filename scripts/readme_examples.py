"""Keep the documentation's examples real: run every ``$ costcalc ...`` line in the
```console blocks of README.md and docs/*.md and write (or check) the output that follows it.

    python scripts/readme_examples.py            # rewrite README.md and docs/*.md in place
    python scripts/readme_examples.py --check    # exit 1 if any page is stale (tests do this)
    python scripts/readme_examples.py docs/x.md  # only the pages named

Commands run in-process from the repository root (relative paths in examples are from there),
with no user config or profile path, so the examples show costcalc as installed.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
BLOCK = re.compile(r"```console\n(.*?)```", re.S)
# No user config or profile path: examples show costcalc as installed.
ENV = {
    "NO_COLOR": "1",
    "COLUMNS": "100",
    "TERM": "dumb",
    "COSTCALC_CONFIG_DIR": "/home/you/.config/costcalc",
    "COSTCALC_PROFILES_PATH": "",
}


def pages() -> list[Path]:
    """Every page whose examples are kept real: the README, then docs/*.md."""
    return [README, *sorted(DOCS.glob("*.md"))]


def run(command: str) -> str:
    from typer.testing import CliRunner

    from costcalc.cli import app

    args = shlex.split(command)
    assert args[0] == "costcalc", command
    here = os.getcwd()
    os.chdir(ROOT)  # relative paths in examples are from the repository root
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


def main(argv: list[str]) -> int:
    check = "--check" in argv
    named = [Path(a).resolve() for a in argv if a != "--check"]
    stale = []
    for page in named or pages():
        text = page.read_text(encoding="utf-8")
        new = render(text)
        if new == text:
            continue
        stale.append(page.relative_to(ROOT).as_posix())
        if not check:
            page.write_text(new, encoding="utf-8")
    if check and stale:
        print(f"examples are stale in {', '.join(stale)}: run python scripts/readme_examples.py")
        return 1
    for name in [] if check else stale:
        print(f"rewrote {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
