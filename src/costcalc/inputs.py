"""The one declaration of every input and output of an estimate.

An input is declared here once: its name (the Python keyword, and the key in config files,
plans and sweep specs), its kind (the dimension, from :data:`costcalc.units.KINDS`, which
also says what a bare number means), its help, where its default comes from, and where it
may be given. The CLI options, the config and plan keys, the sweep axes, the rangeable
inputs, the CSV assumption columns and the docs tables are derived from this list, or
checked against it by ``tests/test_registry.py``.

Errors name the input (``utilization: ...``); each front end says where it came from: the
CLI by :attr:`Input.flag`, a file by ``file:line: key``, Python by the keyword.

To add an input: declare it here, use it in the model function that needs it, and test
it (docs/architecture.md walks through one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple, NoReturn, TypeVar

# Where an input may be given.
FLAG = "flag"  # a command-line option of estimate (and of sweep, budget, scale if listed)
CONFIG = "config"  # a default in costcalc.yaml or the user's config.yaml
PLAN = "plan"  # a key in a plan's defaults: or on one of its runs
SWEEP = "sweep"  # a sweep axis (a list or range on the flag, a key in a spec file)
RANGE = "range"  # a range or distribution for Monte Carlo (30%..50%, lognormal(...))

# Help panels, in the order help shows them.
PANELS = ("Work", "Model", "Hardware", "Site", "Money", "Uncertainty", "Output")


class Input(NamedTuple):
    """One input of an estimate."""

    name: str
    kind: str | None  # a costcalc.units kind; None: a name, checked where it is used
    help: str  # one sentence: what it is (the bare-number unit is added from its kind)
    default: str  # where the value comes from when it is not given ("": no default)
    panel: str
    places: frozenset[str]
    short: str = ""  # a one-letter flag ("-u")
    allow_zero: bool = False  # zero is a real value (a carbon-free grid, no discount)
    argument: bool = False  # the positional WORK of the commands, not an option

    @property
    def flag(self) -> str:
        """The command-line spelling: ``--carbon-intensity``; ``WORK`` for the argument."""
        return self.name.upper() if self.argument else "--" + self.name.replace("_", "-")

    @property
    def metavar(self) -> str:
        """What goes after the flag, for --help."""
        if self.kind is None:
            return "NAME"
        return {"count": "COUNT", "number": "NUMBER", "fraction": "FRACTION"}.get(
            self.kind, "QUANTITY"
        )


def _input(
    name: str,
    kind: str | None,
    help: str,
    default: str,
    panel: str,
    places: tuple[str, ...],
    **extra: object,
) -> Input:
    return Input(name, kind, help, default, panel, frozenset(places), **extra)  # type: ignore[arg-type]


_ALL = (FLAG, CONFIG, PLAN, SWEEP)

INPUTS: dict[str, Input] = {
    i.name: i
    for i in (
        # -- the work ---------------------------------------------------------------------
        _input(
            "work",
            "compute",
            "Training compute (1e18, '3.14e23 FLOP', '3 PF/s-day') or a reference run "
            "(gpt-3, llama-3.1-405b: see 'costcalc runs list'); omit it when giving "
            "--device-hours, --duration or --params with --tokens.",
            "",
            "Work",
            (FLAG, RANGE),
            argument=True,
        ),
        _input(
            "run",
            None,
            "A reference run as the work (gpt-3, llama-3.1-405b: see 'costcalc runs list').",
            "",
            "Work",
            (PLAN,),
        ),
        _input(
            "flops",
            "compute",
            "Training compute in FLOP (the same as WORK, for files and scripts).",
            "",
            "Work",
            (PLAN, SWEEP, RANGE),
        ),
        _input(
            "device_hours",
            "time",
            "Work as device-hours instead of FLOPs.",
            "",
            "Work",
            (FLAG, PLAN, SWEEP),
        ),
        _input(
            "duration",
            "time",
            "Work as wall-clock time on the devices.",
            "",
            "Work",
            (FLAG, PLAN, SWEEP),
        ),
        _input(
            "params",
            "count",
            "Model parameters (70B): with tokens gives the compute, 6 x N x D.",
            "",
            "Work",
            (FLAG, PLAN),
        ),
        _input(
            "tokens",
            "count",
            "Training tokens (1.4T), with params or --arch.",
            "",
            "Work",
            (FLAG, PLAN, SWEEP),
        ),
        _input(
            "flops_per_param_token",
            "number",
            "FLOP per parameter per token (8 with activation recomputation).",
            "6 (Kaplan et al. 2020)",
            "Work",
            (FLAG, PLAN),
        ),
        _input(
            "active_params",
            "count",
            "Mixture of experts: parameters active per token (FLOPs use these).",
            "params",
            "Work",
            (FLAG, PLAN),
        ),
        _input(
            "bytes_per_param",
            "number",
            "Training-state bytes per parameter for the memory floor (activations excluded).",
            "16 (mixed-precision Adam, Rajbhandari et al. 2020)",
            "Work",
            (FLAG, PLAN),
        ),
        _input(
            "repeats",
            "count",
            "Number of runs (a hyper-parameter search of 50): outputs are totals.",
            "1",
            "Work",
            (FLAG, PLAN),
        ),
        _input(
            "concurrency",
            "count",
            "Repeats running side by side: wall-clock counts ceil(repeats / concurrency) "
            "repeats one after another.",
            "1 (one after another)",
            "Work",
            (PLAN,),
        ),
        _input(
            "group",
            None,
            "Runs of one group run at the same time: the plan's wall-clock counts the "
            "longest run of each group.",
            "none (runs one after another)",
            "Work",
            (PLAN,),
        ),
        # -- the model's shape (costcalc.workload_shape) ------------------------------------
        _input(
            "arch",
            None,
            "Model architecture (llama-2-7b; see 'costcalc arch list'): FLOPs per token and "
            "memory per device from its shape, with --tokens.",
            "",
            "Model",
            (FLAG, CONFIG, PLAN, SWEEP),
        ),
        _input(
            "seq_len",
            "count",
            "Training sequence length in tokens (4096): attention FLOPs and activations grow "
            "with it.",
            "the architecture's training sequence length",
            "Model",
            (FLAG, CONFIG, PLAN, SWEEP),
        ),
        *(
            _input(name, "count", text, default, "Model", (FLAG, PLAN))
            for name, text, default in (
                ("layers", "Transformer layers (blocks), overriding the architecture's.", ""),
                ("d_model", "Model (hidden) width, overriding the architecture's.", ""),
                ("heads", "Attention (query) heads, overriding the architecture's.", ""),
                ("kv_heads", "Key/value heads (grouped-query attention).", "= heads"),
                ("ffn", "Feed-forward inner width.", "4 x d_model"),
                ("vocab", "Vocabulary size (embeddings and logits).", ""),
                ("experts", "Mixture of experts: routed experts per layer.", "0 (dense)"),
                ("top_k", "Mixture of experts: routed experts active per token.", ""),
            )
        ),
        _input(
            "recompute",
            None,
            "Activation recomputation: none, selective (attention scores) or full.",
            "selective (Korthikanti et al. 2022)",
            "Model",
            (FLAG, CONFIG, PLAN),
        ),
        _input(
            "tp",
            "count",
            "Tensor-parallel degree (divides the heads).",
            "1",
            "Model",
            (FLAG, CONFIG, PLAN),
        ),
        _input(
            "pp",
            "count",
            "Pipeline-parallel stages.",
            "1",
            "Model",
            (FLAG, CONFIG, PLAN),
        ),
        _input(
            "zero",
            "count",
            "ZeRO stage 0, 1, 2 or 3 (3 = FSDP): what is split over the data-parallel ranks.",
            "1 (distributed optimizer, Rajbhandari et al. 2020)",
            "Model",
            (FLAG, CONFIG, PLAN, SWEEP),
            allow_zero=True,
        ),
        _input(
            "micro_batch",
            "count",
            "Sequences per micro-batch on one device (activation memory).",
            "1",
            "Model",
            (FLAG, PLAN),
        ),
        _input(
            "finetune",
            None,
            "Fine-tuning: full, lora or qlora (frozen base weights, 4-bit for qlora).",
            "full training",
            "Model",
            (FLAG, PLAN),
        ),
        _input(
            "lora_rank",
            "count",
            "LoRA rank r, with --finetune lora or qlora.",
            "16",
            "Model",
            (FLAG, PLAN),
        ),
        _input(
            "throughput",
            "token_rate",
            "Measured training throughput per device ('3000 tokens/s'), with --arch or a shape "
            "by hand: time follows from it and the utilization it implies is shown.",
            "",
            "Model",
            (FLAG, PLAN),
        ),
        _input(
            "step_time",
            "step_time",
            "Measured time of one optimizer step, with --batch-tokens: the throughput.",
            "",
            "Model",
            (FLAG, PLAN),
        ),
        _input(
            "batch_tokens",
            "count",
            "Tokens per optimizer step over all devices (4M), with --step-time.",
            "",
            "Model",
            (FLAG, PLAN),
        ),
        # -- the hardware -----------------------------------------------------------------
        _input(
            "hardware",
            None,
            "Hardware profile name, alias or display name.",
            "defaults.yaml: hardware",
            "Hardware",
            _ALL,
            short="-H",
        ),
        _input(
            "precision",
            None,
            "Precision whose dense peak to use (fp32, tf32, bf16, fp16, fp8, int8).",
            "the profile's default precision",
            "Hardware",
            _ALL,
        ),
        _input(
            "devices",
            "number",
            "Number of devices running in parallel.",
            "1",
            "Hardware",
            _ALL,
        ),
        _input(
            "utilization",
            "fraction",
            "Achieved fraction of peak (MFU): 40% or 0.4.",
            "defaults.yaml: utilization (Epoch AI median)",
            "Hardware",
            (*_ALL, RANGE),
            short="-u",
        ),
        _input(
            "peak",
            "throughput",
            "Peak throughput per device, overriding the profile.",
            "the profile's dense peak at the precision",
            "Hardware",
            (FLAG, PLAN, SWEEP, RANGE),
        ),
        _input(
            "power",
            "power",
            "Average power per device, overriding the profile's power rule.",
            "the profile: measured average, else TDP x server overhead x load",
            "Hardware",
            (*_ALL, RANGE),
        ),
        _input(
            "power_basis",
            None,
            "Power accounting: server (accelerator plus its share of the server; honest for "
            "cost) or accelerator (TDP x device-hours, as model cards count).",
            "server",
            "Hardware",
            (FLAG, PLAN),
        ),
        # -- the site ---------------------------------------------------------------------
        _input(
            "pue",
            "number",
            "Data-centre PUE (total facility power over IT power), or a provider whose "
            "published PUE to use (--pue google).",
            "the cloud region's or provider's published PUE, else defaults.yaml: pue "
            "(industry average)",
            "Site",
            (*_ALL, RANGE),
        ),
        _input(
            "region",
            None,
            "Where it runs: an ISO country code or name, a cloud region, or world.",
            "defaults.yaml: region (world average)",
            "Site",
            _ALL,
        ),
        _input(
            "provider",
            None,
            "Cloud provider whose price (and fleet PUE) to use: aws, gcp, azure, oracle, "
            "lambda, runpod, ... (see 'costcalc prices'); a cloud region implies its own.",
            "the default price rule (newest hyperscaler price, else the median across "
            "providers; docs/sites.md)",
            "Site",
            _ALL,
        ),
        _input(
            "carbon_intensity",
            "carbon_intensity",
            "Grid carbon intensity, overriding the region's.",
            "the region's grid",
            "Site",
            (*_ALL, RANGE),
            allow_zero=True,
        ),
        # -- money ------------------------------------------------------------------------
        _input(
            "price",
            "price",
            "Price per device-hour, overriding the price list.",
            "the price list (prices.csv, Epoch AI) by the default rule; the profile's "
            "price where the list has none",
            "Money",
            (*_ALL, RANGE),
        ),
        _input(
            "pricing",
            None,
            "Pricing model of the cloud price: on-demand, spot, 1y or 3y (commitment).",
            "on-demand",
            "Money",
            _ALL,
        ),
        _input(
            "discount",
            "fraction",
            "Committed-use or spot discount on the cloud price.",
            "0",
            "Money",
            (FLAG, PLAN, RANGE),
            allow_zero=True,
        ),
        _input(
            "purchase_price",
            "money",
            "Purchase price per device (implies owned hardware).",
            "Epoch AI hardware prices (purchase_prices.csv)",
            "Money",
            (FLAG, PLAN, RANGE),
        ),
        _input(
            "useful_life",
            "lifetime",
            "Years a device is used, to amortize its price or embodied carbon.",
            "3 years (Epoch AI; outlook.yaml)",
            "Money",
            (FLAG, PLAN, RANGE),
        ),
        _input(
            "server_cost_overhead",
            "number",
            "Owned hardware: server cost over accelerator cost (1 when the purchase price "
            "is per device of a whole server).",
            "A100 1.66, V100 1.69, P100 1.54, else 1.64 for a single-unit price, else 1 "
            "(Cottier et al. 2024; owned_hardware.yaml)",
            "Money",
            (FLAG, PLAN),
        ),
        _input(
            "interconnect_share",
            "fraction",
            "Owned hardware: cluster-level interconnect as a share of the cluster cost.",
            "19% (Cottier et al. 2024; owned_hardware.yaml)",
            "Money",
            (FLAG, PLAN),
            allow_zero=True,
        ),
        _input(
            "depreciation",
            "fraction",
            "Owned hardware: amortize at this depreciation rate per year of the cluster value "
            "(Cottier et al. 2024: 32.2%, 0.14 OOM/year x ln 10) instead of a straight-line "
            "--useful-life.",
            "straight line over --useful-life",
            "Money",
            (FLAG, PLAN),
        ),
        _input(
            "hardware_age",
            "lifetime",
            "Owned hardware, with --depreciation: time from buying the hardware to the start "
            "of the run; the value falls 0.14 OOM/year (Cottier et al. 2024).",
            "0 (bought at the start of the run)",
            "Money",
            (FLAG, PLAN),
            allow_zero=True,
        ),
        _input(
            "electricity_price",
            "electricity_price",
            "Electricity price for owned hardware.",
            "US industrial average, latest year (EIA via Epoch AI)",
            "Money",
            (FLAG, PLAN, RANGE),
            allow_zero=True,
        ),
        _input(
            "carbon_price",
            "carbon_price",
            "Carbon price on the operational CO2e.",
            "",
            "Money",
            (FLAG, PLAN, RANGE),
            allow_zero=True,
        ),
        _input(
            "fx_rate",
            "number",
            "Units of --currency per USD, e.g. 0.92; never guessed.",
            "",
            "Money",
            (FLAG,),
        ),
        _input(
            "currency",
            None,
            "Show money in this currency too (EUR, GBP, JPY, CNY); needs --fx-rate.",
            "USD only",
            "Money",
            (FLAG,),
        ),
        # -- uncertainty and outlook -----------------------------------------------------
        _input(
            "year",
            "number",
            "Project cost and energy of the same work onto the hardware of this year "
            "(Epoch AI trends), e.g. 2030.",
            "no projection",
            "Uncertainty",
            (FLAG,),
        ),
        _input(
            "samples",
            "number",
            "Monte Carlo samples when an input is a range.",
            "100000",
            "Uncertainty",
            (FLAG,),
        ),
        _input(
            "seed",
            "number",
            "Random seed for the samples.",
            "0",
            "Uncertainty",
            (FLAG,),
        ),
    )
}


def accepted(place: str) -> tuple[str, ...]:
    """The names of the inputs that may be given in ``place`` (FLAG, CONFIG, ...), in
    declaration order."""
    return tuple(name for name, i in INPUTS.items() if place in i.places)


def frozen(values: Mapping[str, Any], names: Iterable[str] = ()) -> Mapping[str, Any]:
    """The inputs object the core passes on instead of re-listing keywords: ``values``
    read-only, with every name of ``names`` present (None where not given)."""
    return MappingProxyType(dict.fromkeys(names) | dict(values))


F = TypeVar("F", bound=Callable[..., Any])


def keywords(names: Iterable[str], **options: Any) -> Callable[[F], F]:
    """A decorator for a function ``f(positional..., **given)``: its signature, as
    ``help()`` and :func:`inspect.signature` show it, lists ``names`` as keyword-only
    inputs (default None) and then ``options`` with their defaults, so that the keywords
    are declared here (the registry) and not copied into each function."""
    import inspect

    def sign(function: F) -> F:
        old = inspect.signature(function)
        kept = [p for p in old.parameters.values() if p.kind != p.VAR_KEYWORD]
        taken = {p.name for p in kept}
        extra = dict.fromkeys(n for n in names if n not in taken) | options
        added = [
            inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=v)
            for n, v in extra.items()
        ]
        function.__signature__ = old.replace(parameters=kept + added)  # type: ignore[attr-defined]
        return function

    return sign


def takes_lists(function: F) -> F:
    """Mark ``function`` (signed by :func:`keywords`) as taking a list of values for each
    input (a sweep's axes): :func:`bind` then accepts a list or tuple of them."""
    function._costcalc_lists = True  # type: ignore[attr-defined]
    return function


def bind(function: Callable[..., Any], *args: Any, **given: Any) -> Mapping[str, Any]:
    """The frozen inputs of a call of ``function`` (signed by :func:`keywords`): every
    keyword of its signature, defaults filled in; an unknown keyword is a TypeError, as
    Python raises for a function that lists its keywords. Each value given is checked
    here, the Python boundary, by what the keyword takes (:func:`checked`)."""
    import inspect

    try:
        bound = inspect.signature(function).bind(*args, **given)
    except TypeError as e:  # as Python words it for a function that lists its keywords
        raise TypeError(f"{function.__name__}() {e}") from None
    lists = getattr(function, "_costcalc_lists", False)
    values = {name: checked(name, value, lists=lists) for name, value in bound.arguments.items()}
    bound.arguments.update(values)
    bound.apply_defaults()
    return MappingProxyType(dict(bound.arguments))


def check_keywords(function: str, given: Mapping[str, Any], known: Iterable[str]) -> None:
    """Check the ``**given`` keywords of the Python function named ``function`` that
    passes them on to the estimate: an unknown one is a TypeError naming ``function`` (as
    Python says it), a value of a wrong type an InputError (:func:`checked`)."""
    allowed = set(known)
    for name in given:
        if name not in allowed:
            raise TypeError(f"{function}() got an unexpected keyword argument {name!r}")
    check_values(given)


def check_values(given: Mapping[str, Any]) -> None:
    """Check the Python keywords ``given`` (name -> value) by what each takes
    (:func:`checked`): a value of a wrong type is an InputError naming the keyword."""
    for name, value in given.items():
        checked(name, value)


# What a Python keyword that is not an input takes (the inputs take what their kind says).
_FLAGS = ("owned", "embodied", "equivalents", "band", "zip", "strict")  # True or False
_PATHS = {"plan", "baseline", "spec"}  # a file: a str or a path
_WHOLE = ("top", "max_rows", "max_scenarios")  # a whole number (3 or "3")
_TEXT = ("where", "sort", "pareto")  # a string (pareto: or a list of field names)
# Objects of costcalc's own classes: keyword -> (module, class).
_OBJECTS = {
    "catalog": ("costcalc.profiles", "Catalog"),
    "settings": ("costcalc.config", "Settings"),
}


def checked(name: str, value: Any, *, lists: bool = False) -> Any:
    """``value`` of Python keyword ``name`` if it is of a type the keyword takes (a whole
    number as an int), else an :class:`~costcalc.errors.InputError` naming the keyword:
    an input takes a string or a number (a name: a string; ``hardware`` also a Profile),
    and, with ``lists``, a list or tuple of them; a switch takes True or False."""
    if value is None:
        return value
    if name in _FLAGS:
        if not isinstance(value, bool):
            _refuse(name, value, "True or False")
        return value
    if name in _WHOLE:
        return _whole(name, value)
    if name in _TEXT:
        ok = isinstance(value, str) or (
            name == "pareto"
            and isinstance(value, list | tuple)
            and all(isinstance(v, str) for v in value)
        )
        if not ok:
            _refuse(
                name, value, "a string" + (" or a list of field names" if name == "pareto" else "")
            )
        return value
    if name in _PATHS:
        import os

        if not isinstance(value, str | os.PathLike):
            _refuse(name, value, "a file (a str or a path)")
        return value
    if name in _OBJECTS:
        import sys

        module, cls = _OBJECTS[name]
        expected = getattr(sys.modules.get(module), cls, None)
        if expected is None or not isinstance(value, expected):
            _refuse(name, value, f"a {module}.{cls}")
        return value
    found = INPUTS.get(name)
    if found is None:
        return value
    if lists and isinstance(value, list | tuple):
        return [_scalar(found, item, lists) for item in value]
    return _scalar(found, value, lists)


def _scalar(found: Input, value: Any, lists: bool) -> Any:
    """``value`` if input ``found`` takes it (another kind of real number, such as numpy's,
    as a Python int or float), else an InputError."""
    if isinstance(value, str):
        return value
    if found.kind is not None and isinstance(value, int | float) and not isinstance(value, bool):
        return value
    import numbers

    if found.name == "hardware":
        import sys

        profile = getattr(sys.modules.get("costcalc.profiles"), "Profile", None)
        if profile is not None and isinstance(value, profile):
            return value
    elif found.kind is not None and isinstance(value, numbers.Real) and not isinstance(value, bool):
        return int(value) if isinstance(value, numbers.Integral) else float(value)
    what = "a name (a string)" if found.kind is None else "a number or a string"
    if found.name == "hardware":
        what = "a hardware name or a costcalc.Profile"
    _refuse(found.name, value, what + (" (or a list of them)" if lists else ""))


def _whole(name: str, value: Any) -> int:
    import numbers

    if isinstance(value, int) and not isinstance(value, bool):
        return value
    number: Any = value
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            _refuse(name, value, "a whole number")
    if isinstance(number, bool) or not isinstance(number, numbers.Real):
        _refuse(name, value, "a whole number")
    if not float(number).is_integer():
        _refuse(name, value, "a whole number")
    return int(float(number))


def _refuse(name: str, value: Any, expected: str) -> NoReturn:
    from costcalc.errors import InputError

    text = repr(value)
    shown = text if len(text) <= 40 else f"a value {len(text)} characters long"
    raise InputError(f"expected {expected}, got {shown} ({type(value).__name__})", input=name)


class Output(NamedTuple):
    """One output of an estimate: its stable JSON field (which carries the unit), the unit,
    the label people read, and the key of :func:`costcalc.model.evaluate`'s result."""

    name: str
    unit: str
    label: str
    model_key: str
    kind: str  # a costcalc.units kind (for --where and budgets)


OUTPUTS: dict[str, Output] = {
    o.name: o
    for o in (
        Output("flops", "FLOP", "Compute", "flops", "compute"),
        Output("wall_clock_hours", "hour", "Wall-clock time", "wall_clock", "time"),
        Output("device_hours", "hour", "Device-hours", "device_time", "time"),
        Output("energy_kwh", "kWh", "Energy", "energy", "energy"),
        Output("cost_usd", "USD", "Cost", "cost", "money"),
        Output("co2e_kg", "kg", "CO2e", "co2e", "mass"),
    )
}
