"""Help people read: an Examples section on every command, and metavars that say what goes
after an option (FILE, FIELD, NUMBER...) where typer would print ``<str>``.

Applied to each command when the root group loads it (``cli/__init__.py``), so command
modules stay about their options. Every example here is run by tests/test_help.py.
"""

from __future__ import annotations

from typing import Any

# Command path -> example command lines (without "costcalc").
EXAMPLES: dict[str, tuple[str, ...]] = {
    "": (
        "estimate 1e18 --hardware tpu-v2",
        "sweep 1e20..1e24:5log -H h100-sxm,tpu-v5p --devices 8,64,512",
        "check --init",
        "runs list",
    ),
    "estimate": (
        "estimate 1e18 --hardware tpu-v2",
        "estimate 3.14e23 -H h100-sxm --devices 512 --region IS",
        "estimate --params 70B --tokens 2T -H h100-sxm --devices 1024 -u 40%",
        "estimate gpt-3 --format json",
        "estimate 1e21 -H a100 --utilization 30%..50% --value cost_usd",
    ),
    "sweep": (
        "sweep 1e20..1e24:5log -H h100-sxm,tpu-v5p --devices 8,64,512",
        "sweep 3.14e23 -H all --sort cost_usd --top 5",
        "sweep 1e22 --devices 8..1024:8log --where 'wall_clock_hours <= 336' -f csv",
    ),
    "check": (
        "check --init",
        "check --plan costcalc.yaml --format markdown",
        "check --baseline old-report.json --format github",
    ),
    "budget": (
        "budget '10000 USD' -H h100-sxm",
        "budget '7 days' -H h100-sxm --flops 1e24",
        "budget '20 t' -H a100 --region IS",
    ),
    "scale": (
        "scale gpt-3 --improvement 2",
        "scale --fit points.csv --target 0.1 -H h100-sxm",
    ),
    "runs": ("runs list", "runs show gpt-3 --format json"),
    "runs list": ("runs list --format csv",),
    "runs show": ("runs show llama-3.1-405b",),
    "profiles": ("profiles list --kind gpu", "profiles show h100-sxm", "profiles new my-gpu"),
    "profiles list": ("profiles list --min-memory 80 --sort peak",),
    "profiles show": ("profiles show 'NVIDIA H100'",),
    "profiles validate": ("profiles validate ./hw",),
    "profiles schema": ("profiles schema",),
    "profiles new": ("profiles new my-gpu --base h100-sxm",),
    "regions": ("regions list --kind cloud_region", "regions show IS"),
    "regions list": ("regions list --provider gcp --sort carbon_intensity",),
    "regions show": ("regions show us-central1",),
    "prices": (
        "prices h100-sxm",
        "prices tpu-v5e --pricing 3y",
        "prices a100 --provider aws --format csv",
    ),
    "arch": ("arch list", "arch show llama-2-7b"),
    "arch list": ("arch list --format json",),
    "arch show": ("arch show mixtral-8x7b",),
    "config": ("config show",),
    "config show": ("config show --format json",),
    "calibrate": ("calibrate --seconds 2", "calibrate -o my-machine.yaml"),
}

# Option or argument name -> what goes there.
METAVARS = {
    "plan": "FILE",
    "baseline": "FILE",
    "spec": "FILE",
    "output": "FILE",
    "plot": "FILE",
    "fit": "FILE",
    "dir": "DIR",
    "where": "EXPR",
    "sort": "COLUMN",
    "plot_y": "COLUMN",
    "pareto": "COLUMNS",
    "pricing": "MODEL",
    "value": "FIELD",
    "top": "N",
    "max_scenarios": "N",
    "flops": "QUANTITY",
    "min_memory": "QUANTITY",
    "params": "COUNT",
    "bytes_per_param": "NUMBER",
    "improvement": "NUMBER",
    "exponent": "NUMBER",
    "target": "NUMBER",
    "seconds": "SECONDS",
    "vendor": "NAME",
    "kind": "NAME",
    "provider": "NAME",
    "base": "NAME",
}


def epilog(path: str) -> str | None:
    """The Examples section of command ``path`` ("runs show"), kept as written."""
    lines = EXAMPLES.get(path)
    if not lines:
        return None
    # "\b" keeps click from re-wrapping the paragraph.
    return "\b\nExamples:\n" + "\n".join(f"  costcalc {line}" for line in lines)


def annotate(command: Any, path: str) -> None:
    """Give ``command`` (and its subcommands) their examples and readable metavars."""
    if getattr(command, "epilog", None) is None:
        command.epilog = epilog(path)
    for param in getattr(command, "params", []):
        named = param.param_type_name == "option" and param.name in METAVARS
        if named and param.metavar is None and not getattr(param, "is_flag", False):
            param.metavar = METAVARS[param.name]
    for name, sub in getattr(command, "commands", {}).items():
        annotate(sub, f"{path} {name}")
