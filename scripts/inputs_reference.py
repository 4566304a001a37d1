"""Write docs/inputs.md, the reference of every input and output, from the input registry.

    python scripts/inputs_reference.py           # rewrite docs/inputs.md
    python scripts/inputs_reference.py --check   # exit 1 if it is stale (tests do this)

The page is generated whole: edit ``src/costcalc/inputs.py`` (or this script's framing),
never the page.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "inputs.md"

# The places, as a person reads them (costcalc.inputs: FLAG, CONFIG, PLAN, SWEEP, RANGE).
PLACES = (
    ("flag", "flag"),
    ("config", "config"),
    ("plan", "plan"),
    ("sweep", "sweep axis"),
    ("range", "range"),
)

# Kinds whose bare number has no unit: what it is.
PLAIN = {
    "count": "a count (70B, 1.4T)",
    "number": "a number",
    "fraction": "a fraction (40% or 0.4)",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render() -> str:
    """The page, from the registry as it is now."""
    from costcalc import inputs as registry
    from costcalc.units import KINDS

    lines = [
        "# Inputs and outputs",
        "",
        "Every input of an estimate is declared once, in `src/costcalc/inputs.py` (see",
        "[Architecture](architecture.md#the-input-registry)); this page is generated from that",
        "declaration by `python scripts/inputs_reference.py`, and a test keeps it current.",
        "",
        "An input has one name: the Python keyword (`costcalc.estimate(utilization=0.4)`), the",
        "key in config files, plans and sweep spec files (`utilization: 40%`), and, spelled",
        "with dashes, the command-line flag (`--utilization 40%`). Where it may be given:",
        "",
        "- **flag**: an option of `costcalc estimate` (and of `sweep`, `budget`, `scale` where",
        "  they take it);",
        "- **config**: a default in `costcalc.yaml` or the user's `config.yaml`",
        "  ([config](config.md));",
        "- **plan**: a key of a plan's `defaults:` or of one of its runs ([check](check.md));",
        "- **sweep axis**: a list or range in `costcalc sweep` or a spec file ([sweep](sweep.md));",
        "- **range**: a range or distribution for Monte Carlo ([ranges](ranges.md)).",
        "",
        "A bare number is read in the unit shown ([units](units.md)); the default says where",
        "the value comes from when it is not given ([the model](model.md) has the numbers).",
        "",
    ]
    for panel in registry.PANELS:
        members = [i for i in registry.INPUTS.values() if i.panel == panel]
        if not members:
            continue
        lines += [
            f"## {panel}",
            "",
            "| input | flag | what it is | bare number | given as | default |",
            "|---|---|---|---|---|---|",
        ]
        for i in members:
            bare = "a name"
            if i.kind is not None:
                bare = KINDS[i.kind].bare_help.removeprefix("bare number: ")
                bare = bare or PLAIN.get(i.kind, i.kind)
            where = ", ".join(shown for place, shown in PLACES if place in i.places)
            flag = f"`{i.flag}`" if registry.FLAG in i.places else ""
            lines.append(
                f"| `{i.name}` | {flag} | {_cell(i.help)} | {_cell(bare)} | {where} "
                f"| {_cell(i.default)} |"
            )
        lines.append("")
    lines += [
        "## Outputs",
        "",
        "The fields of every estimate, in JSON (`--format json`), CSV, `--value` and",
        "`--where`; the field's name carries its unit.",
        "",
        "| field | unit | label |",
        "|---|---|---|",
    ]
    for o in registry.OUTPUTS.values():
        lines.append(f"| `{o.name}` | {o.unit} | {o.label} |")
    lines += ["", "---", "[All documentation](README.md) · [README](../README.md)", ""]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = PAGE.read_text(encoding="utf-8") if PAGE.exists() else ""
        if current != text:
            print(f"{PAGE.relative_to(ROOT)} is stale: run python scripts/inputs_reference.py")
            return 1
        return 0
    PAGE.write_text(text, encoding="utf-8")
    print(f"wrote {PAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
