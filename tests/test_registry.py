"""The one input registry (costcalc.inputs) is the one place an input is declared: every
table, option and key that names inputs is derived from it or agrees with it."""

from __future__ import annotations

import importlib

import pytest
import typer.main

from costcalc import budget, config, estimator, outlook, sweeps
from costcalc import inputs as registry
from costcalc.units import KINDS


def _options(command: str) -> dict[str, tuple[str, ...]]:
    module = importlib.import_module(f"costcalc.cli.{command}")
    click_command = typer.main.get_command(module.cli)
    return {p.name: tuple(p.opts) for p in click_command.params if p.name}


def test_every_declaration_is_well_formed() -> None:
    for name, i in registry.INPUTS.items():
        assert i.name == name and i.help.endswith(".") and i.panel in registry.PANELS
        assert i.kind is None or i.kind in KINDS, name
        assert i.places <= {
            registry.FLAG,
            registry.CONFIG,
            registry.PLAN,
            registry.SWEEP,
            registry.RANGE,
        }, name
        if registry.RANGE in i.places:
            assert i.kind is not None, f"{name}: a range needs a numeric kind"
    for name, o in registry.OUTPUTS.items():
        assert o.kind in KINDS and name.endswith(("_usd", "_kg", "_kwh", "_hours", "flops"))


def test_estimate_has_an_option_for_every_flag_input_with_its_declared_spelling() -> None:
    options = _options("estimate")
    for name in registry.accepted(registry.FLAG):
        i = registry.INPUTS[name]
        assert name in options, f"estimate has no option for {name}"
        if not i.argument:
            expected = (i.flag, i.short) if i.short else (i.flag,)
            assert options[name] == expected, (name, options[name])


@pytest.mark.parametrize("command", ["sweep", "budget", "scale"])
def test_other_commands_spell_shared_inputs_as_declared(command: str) -> None:
    for name, opts in _options(command).items():
        i = registry.INPUTS.get(name)
        if i is not None and not i.argument and opts[0].startswith("--"):
            assert opts[0] == i.flag, (command, name, opts)


def test_sweep_axes_are_the_declared_sweep_inputs() -> None:
    assert tuple(sweeps.INPUTS) == registry.accepted(registry.SWEEP)
    assert set(_options("sweep")) >= set(registry.accepted(registry.SWEEP)) - {"flops"}


def test_config_keys_are_the_declared_config_inputs() -> None:
    assert tuple(config.DEFAULT_KEYS) == registry.accepted(registry.CONFIG)
    for name, kind in config.DEFAULT_KEYS.items():
        assert kind == registry.INPUTS[name].kind


def test_plan_keys_are_the_declared_plan_inputs() -> None:
    plan = set(budget.INPUTS) | set(budget.WORK_KEYS) | set(budget.SHAPE_KEYS)
    assert plan == set(registry.accepted(registry.PLAN))
    assert set(budget.RUN_KEYS) >= plan


def test_rangeable_inputs_are_the_declared_ones() -> None:
    assert set(outlook.RANGEABLE) == set(registry.accepted(registry.RANGE))
    for name, (kind, flag, zero) in outlook.RANGEABLE.items():
        i = registry.INPUTS[name]
        assert (kind, flag, zero) == (i.kind, i.flag, i.allow_zero)


def test_output_fields_are_the_declared_outputs() -> None:
    assert list(estimator.OUTPUT_FIELDS) == list(registry.OUTPUTS)
    assert set(sweeps.OUTPUT_KINDS) == set(registry.OUTPUTS)
    assert {k for k in outlook.RANGE_FIELDS if k in registry.OUTPUTS} == set(registry.OUTPUTS)


def test_help_comes_from_the_declaration(cli) -> None:
    r = cli("estimate", "--help")
    text = " ".join(r.out.split())
    for name in ("utilization", "pue", "useful_life", "carbon_intensity"):
        assert " ".join(registry.INPUTS[name].help.rstrip(".").split()) in text, name


def test_plans_speak_the_estimators_language() -> None:
    """Every input of estimate is a plan key, except the positional WORK (a plan says
    flops: or run:), the Monte Carlo knobs (plans take one value, not ranges) and the
    display-only currency and projection."""
    not_in_plans = set(registry.accepted(registry.FLAG)) - set(registry.accepted(registry.PLAN))
    assert not_in_plans == {"work", "samples", "seed", "currency", "fx_rate", "year"}


def test_a_plan_takes_power_basis_and_bytes_per_param(cli, tmp_path) -> None:
    plan = tmp_path / "costcalc.yaml"
    plan.write_text(
        "defaults: {hardware: a100-sxm-80gb, devices: 8, power_basis: accelerator}\n"
        "runs:\n  r:\n    params: 7B\n    tokens: 10B\n    bytes_per_param: 18\n",
        encoding="utf-8",
    )
    r = cli("check", "--plan", str(plan), "--format", "json", "--allow-infeasible")
    assert r.code == 0, r.err
    import json

    assumed = json.loads(r.out)["runs"][0]["estimate"]["assumptions"]
    assert assumed["bytes_per_param"]["origin"] == "plan"
    assert "accelerator" in assumed["power"]["source"]


def test_the_plan_schema_names_exactly_the_declared_plan_inputs() -> None:
    """plan.schema.json is written by hand: every plan input has a property (on defaults and
    runs, or on runs alone for the work), and it has no property the registry lacks."""
    import json
    from importlib import resources

    schema = json.loads(
        (resources.files("costcalc") / "data" / "plan.schema.json").read_text(encoding="utf-8")
    )
    defaults = set(schema["$defs"]["inputs"]["properties"])
    run = set(schema["$defs"]["run"]["properties"])
    declared = set(registry.accepted(registry.PLAN))
    assert declared <= defaults | run
    assert defaults <= declared
    assert run - declared <= {"budgets", "description", "training_type"}


def test_a_plan_with_owned_hardware_keys_passes_the_schema_and_costcalc(cli, tmp_path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    import json
    from importlib import resources

    import yaml

    text = (
        "version: 1\ndefaults:\n  hardware: a100-sxm-80gb\n  purchase_price: 15000 USD\n"
        "  server_cost_overhead: 1.5\n  interconnect_share: 19%\n  depreciation: 32.2%\n"
        "  hardware_age: 1 year\nruns:\n  a:\n    flops: 1e21\n"
    )
    schema = json.loads(
        (resources.files("costcalc") / "data" / "plan.schema.json").read_text(encoding="utf-8")
    )
    jsonschema.validate(yaml.safe_load(text), schema)
    (tmp_path / "costcalc.yaml").write_text(text, encoding="utf-8")
    result = cli("check", "--plan", str(tmp_path / "costcalc.yaml"), "--format", "json")
    assert result.exit_code == 0, result.output
    assumed = json.loads(result.stdout)["runs"][0]["assumed"]
    assert (assumed["server_cost_overhead"], assumed["interconnect_share"]) == ("1.5", "19%")
    assert assumed["depreciation"] == "32.2%"
    assert assumed["hardware_age"] == "1 year"  # not "1 years"


def test_the_inputs_reference_page_is_generated_from_the_registry() -> None:
    """docs/inputs.md is the registry rendered by scripts/inputs_reference.py: current, and
    naming every input's flag and every output field."""
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root / "scripts"))
    try:
        import inputs_reference
    finally:
        sys.path.remove(str(root / "scripts"))
    text = inputs_reference.render()
    assert (root / "docs" / "inputs.md").read_text(encoding="utf-8") == text, (
        "run python scripts/inputs_reference.py"
    )
    for i in registry.INPUTS.values():
        assert f"| `{i.name}` |" in text
        if registry.FLAG in i.places:
            assert f"`{i.flag}`" in text
    for o in registry.OUTPUTS.values():
        assert f"| `{o.name}` | {o.unit} |" in text


# Two values of each sweep axis, and what else the sweep needs to use it.
SWEEP_CASES: dict[str, tuple[str, dict[str, str]]] = {
    "flops": ("1e20,1e21", {}),
    "device_hours": ("100,200", {}),
    "duration": ("10,20", {"devices": "8"}),
    "tokens": ("1T,2T", {"arch": "llama-2-7b"}),
    "arch": ("llama-2-7b,llama-2-13b", {"tokens": "1T"}),
    "seq_len": ("2048,4096", {"arch": "llama-2-7b", "tokens": "1T"}),
    "zero": ("0,3", {"arch": "llama-2-7b", "tokens": "1T", "devices": "8"}),
    "hardware": ("h100-sxm,a100-sxm-80gb", {}),
    "precision": ("bf16,fp8", {}),
    "devices": ("8,64", {}),
    "utilization": ("30%,50%", {}),
    "peak": ("500 TFLOPS,900 TFLOPS", {}),
    "power": ("500 W,900 W", {}),
    "pue": ("1.1,1.5", {}),
    "region": ("FR,PL", {}),
    "provider": ("gcp,aws", {}),
    "carbon_intensity": ("50,500", {}),
    "price": ("2,4", {}),
    "pricing": ("on-demand,3y", {}),
}


@pytest.mark.parametrize("name", registry.accepted(registry.SWEEP))
def test_every_sweep_axis_changes_what_the_sweep_computes(name: str) -> None:
    """Declaring an input a sweep axis is not enough: the sweep must evaluate it. Two values
    of the axis give two rows whose outputs differ (a new axis needs a case here)."""
    import costcalc

    assert name in SWEEP_CASES, f"add two values of {name} to SWEEP_CASES"
    values, context = SWEEP_CASES[name]
    given = {"hardware": "h100-sxm", **context, name: values}
    work = None if name in ("flops", "device_hours", "duration") or "arch" in given else "1e21"
    result = costcalc.sweep(work, **given)
    assert result.rows == 2
    outputs = [*registry.OUTPUTS, *(["per_device_gb"] if "per_device_gb" in result else [])]
    changed = [o for o in outputs if len(set(result[o].tolist())) == 2]
    assert changed, f"sweeping {name} over {values} changes no output"
