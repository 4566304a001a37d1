"""Units: the one pint registry, and parsing of every quantity the user gives us.

All arithmetic in costcalc runs on plain floats (or numpy arrays) in *base units*:
FLOP, FLOP/s, second, watt, joule, kilogram (of CO2e), USD, bit. Dimensions are
checked once, here, where text becomes a number.

pint is the single source of truth for units, defined in ``units.txt``. Importing
pint and building a registry costs ~0.4 s, too slow for a one-liner, so the unit
spellings people actually type are pre-computed from that registry into
``data/units_table.json`` (``python -m costcalc.units`` regenerates it; a test keeps
it in sync). Anything not in the table goes through the full registry.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from costcalc.errors import InputError, about, did_you_mean, ref

_HERE = Path(__file__).resolve().parent
MAX_TEXT = 200  # longer quantity text is certainly not a quantity


class WrongDimension(InputError):
    """A quantity of the wrong dimension (an energy where a power was expected)."""


class Kind(NamedTuple):
    """What a quantity means: the dimension it must have, and how to read a bare number."""

    noun: str  # "a power", for messages
    base: str  # a unit with exactly the dimension this kind requires
    # The unit of a bare number ("" = dimensionless); None = a bare number is ambiguous
    # and refused ("did you mean 180 TFLOPS?"). Every flag, config key, plan key and
    # sweep-spec key of this kind reads a bare number the same way, and says so in --help.
    bare: str | None
    example: str
    suggest: str = ""  # for an ambiguous bare number: the unit most likely meant

    @property
    def bare_help(self) -> str:
        """What a bare number means, for --help: "bare number: hours"."""
        if self.bare is None:
            return "a unit is required"
        return f"bare number: {BARE_NAMES.get(self.bare, self.bare)}" if self.bare else ""


KINDS: dict[str, Kind] = {
    "compute": Kind("an amount of compute", "FLOP", "FLOP", "1e18, 10^18, 1 EFLOP or 3 PF/s-day"),
    "throughput": Kind("a throughput", "FLOPS", None, "180 TFLOPS", "TFLOPS"),
    "power": Kind("a power", "W", "W", "330 W"),
    "time": Kind("a duration", "s", "hour", "14.8 days"),
    "lifetime": Kind("a time in years", "s", "year", "4 years"),
    "step_time": Kind("a step time", "s", "s", "2.5 s"),
    "energy": Kind("an energy", "J", "kWh", "500 MWh"),
    "carbon_intensity": Kind("a carbon intensity", "kg/J", "g/kWh", "429 g/kWh"),
    "price": Kind("a price per device-hour", "USD/s", "USD/hour", "2.50 USD/hour"),
    "money": Kind("an amount of money", "USD", "USD", "50000 USD"),
    "electricity_price": Kind("a price per kWh", "USD/J", "USD/kWh", "0.08 USD/kWh"),
    "carbon_price": Kind("a carbon price", "USD/kg", "USD/t", "80 USD/t"),
    "mass": Kind("a CO2e mass", "kg", "kg", "20 t"),
    "memory": Kind("a memory size", "byte", "GB", "80 GB"),
    "bandwidth": Kind("a bandwidth", "B/s", "GB/s", "3350 GB/s"),
    "fraction": Kind("a fraction", "", "", "40% or 0.4"),
    "number": Kind("a number", "", "", "1.1"),
    "count": Kind("a count", "", "", "70B, 1.4T, 175M or 8k"),
    "token_rate": Kind("a token throughput", "token/s", "token/s", "3000 tokens/s"),
}
# How --help names the unit of a bare number.
BARE_NAMES = {"hour": "hours", "year": "years", "s": "seconds", "FLOP": "FLOP", "W": "watts"}
# Spellings pint reads as something no costcalc user means: "kt" is a knot to pint, a
# kilotonne (of CO2e) here; "ton" is a short ton (907 kg) to pint, refused as ambiguous.
UNIT_ALIASES = {"kt": "kilotonne", "Gt": "gigatonne"}
AMBIGUOUS_UNITS = {
    "ton": "'ton' is ambiguous (short ton 907 kg, long ton 1016 kg, tonne 1000 kg); "
    "write t or tonne for 1000 kg",
    "tons": "'tons' is ambiguous (short ton 907 kg, long ton 1016 kg, tonne 1000 kg); "
    "write t or tonnes for 1000 kg",
}
_ALIAS_RE = re.compile(r"(?<![A-Za-z_])(kt|Gt)(?=[^A-Za-z_]|$)")
_AMBIGUOUS_RE = re.compile(r"(?<![A-Za-z_])(tons?)(?![A-Za-z_])")


# Spellings pre-computed into the table: every unit our data files and docs use, and the
# ones people commonly type. Anything else still works through pint, only slower.
_PREFIXED = [p + u for u in ("FLOP", "FLOPS") for p in ("", "k", "M", "G", "T", "P", "E", "Z")]
TABLE_SPELLINGS = [
    *_PREFIXED,
    *[p + "FLOP/s" for p in ("", "G", "T", "P", "E")],
    "pfs_day",
    "s",
    "second",
    "seconds",
    "min",
    "minute",
    "minutes",
    "h",
    "hr",
    "hour",
    "hours",
    "day",
    "days",
    "week",
    "weeks",
    "month",
    "months",
    "year",
    "years",
    "W",
    "kW",
    "MW",
    "GW",
    "watt",
    "watts",
    "J",
    "kJ",
    "MJ",
    "GJ",
    "Wh",
    "kWh",
    "MWh",
    "GWh",
    "TWh",
    "g",
    "kg",
    "t",
    "kt",
    "Mt",
    "Gt",
    "ktCO2e",
    "MtCO2e",
    "tonne",
    "tonnes",
    "gCO2e",
    "kgCO2e",
    "tCO2e",
    "g/kWh",
    "kg/kWh",
    "gCO2e/kWh",
    "kgCO2e/kWh",
    "g/MWh",
    "t/MWh",
    "kg/J",
    "USD",
    "kUSD",
    "MUSD",
    "USD/hour",
    "USD/h",
    "USD/hr",
    "USD/s",
    "USD/day",
    "USD/kWh",
    "USD/t",
    "USD/tonne",
    "USD/tCO2e",
    "km",
    "mile",
    "g/km",
    "g/mile",
    "kg/year",
    "t/year",
    "Mt/year",
    "kWh/year",
    "B",
    "byte",
    "bytes",
    "kB",
    "MB",
    "GB",
    "TB",
    "PB",
    "KiB",
    "MiB",
    "GiB",
    "TiB",
    "B/s",
    "GB/s",
    "TB/s",
    "percent",
    "tokens/s",
    "token/s",
]

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_SIMPLE = re.compile(
    rf"^(?P<num>{_NUMBER})(?:\s*(?:\^|\*\*)\s*(?P<exp>[+-]?\d{{1,4}}))?\s*(?P<unit>.*?)\s*$"
)
# "50k USD", "125M", "2.5B", "2T": thousand, million, billion, trillion, written against the number
# and followed by a space or the end (so "5kW" stays kilowatts). Not for memory sizes,
# where "2B" is two bytes.
# For counts (parameters, tokens) "70B" is 7e10 parameters, not 70 bytes.
SUFFIXES = {"k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9, "G": 1e9, "T": 1e12}
_SUFFIXED = re.compile(rf"^(?P<num>{_NUMBER})(?P<suffix>[kKMBGT])(?=\s|$)\s*(?P<unit>.*?)\s*$")
# "3 PF/s-day", "3 petaflop/s-days", "3 pfs-days": pint cannot read "/" and "-" in a name.
_PFS_DAY = re.compile(r"(?i)\b(?:pf|pflop|petaflop)s?\s*/\s*s\s*[-·. ]?\s*days?\b|\bpfs[-_]days?\b")


@cache
def registry() -> Any:
    """The one pint UnitRegistry, with costcalc's definitions (built on first use)."""
    import pint

    reg: Any = pint.UnitRegistry(cache_folder=None, on_redefinition="raise")
    reg.load_definitions(str(_HERE / "units.txt"))
    return reg


def _dims_key(dimensionality: Any) -> str:
    """A stable text key for a pint dimensionality, e.g. ``"[compute]/[time]"``."""
    parts = sorted(
        (str(k), int(v) if float(v).is_integer() else float(v))
        for k, v in dict(dimensionality).items()
        if v
    )
    return "*".join(f"{k}^{v}" for k, v in parts)


@cache
def _table() -> dict[str, Any]:
    path = _HERE / "data" / "units_table.json"  # not importlib.resources: ~5 ms to import
    table: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return table


def build_table() -> dict[str, Any]:
    """Compute the fast-path table from the pint registry (the source of truth)."""
    reg = registry()
    units = {}
    for spelling in TABLE_SPELLINGS:
        q = reg.Quantity(1, UNIT_ALIASES.get(spelling, spelling)).to_base_units()
        units[spelling] = [float(q.magnitude), _dims_key(q.dimensionality)]
    kinds = {}
    for name, kind in KINDS.items():
        q = reg.Quantity(1, kind.base or "dimensionless")
        kinds[name] = _dims_key(q.dimensionality)
    return {"units": units, "kinds": kinds}


def factor(unit: str) -> float:
    """How many base units one ``unit`` is (``factor("kWh") == 3.6e6``)."""
    entry = _table()["units"].get(unit)
    if entry is not None:
        return float(entry[0])
    return float(registry().Quantity(1, unit).to_base_units().magnitude)


def convert(value: Any, unit: str) -> Any:
    """A base-unit value (float or array) expressed in ``unit``."""
    return value / factor(unit)


def _kind_of(dims: str) -> str:
    for name, key in _table()["kinds"].items():
        if key == dims and name not in ("number", "count"):
            return KINDS[name].noun
    shown = re.sub(r"\^1(?![\d.e])", "", dims) or "none"  # "[time]^-1" keeps its 1
    return f"a quantity of dimension {shown}"


def _hint(got: str, want: str, unit: str) -> str:
    """A fix for a dimension mismatch, where one is obvious."""
    table = _table()
    if got == table["kinds"]["compute"] and want == table["kinds"]["throughput"]:
        return f"; FLOPs/FLOP is a count, FLOPS a rate: did you mean {unit[:-1] + 'S'}?"
    if got == table["kinds"]["throughput"] and want == table["kinds"]["compute"]:
        return "; FLOPS is a rate (FLOP per second), FLOP or FLOPs a count"
    if got == table["kinds"]["energy"] and want == table["kinds"]["power"]:
        return "; divide by a time"
    if got == table["kinds"]["power"] and want == table["kinds"]["energy"]:
        return "; multiply by a time"
    if got == table["kinds"]["money"] and want == table["kinds"]["price"]:
        return "; give a price per hour, e.g. 2.50 USD/hour"
    if "currency_" in got and "currency_USD" not in got:
        return "; costcalc works in USD and never converts currencies silently"
    return ""


def _number(num: str, exp: str | None) -> float:
    try:
        value = float(num) if exp is None else float(num) ** int(exp)
    except OverflowError:
        value = math.inf
    except ZeroDivisionError:  # 0^-1
        value = math.nan
    return value


def parse_quantity(
    text: Any,
    kind: str,
    where: str = "",
    *,
    input: str = "",
    allow_zero: bool = False,
) -> float:
    """Read ``text`` as a quantity of ``kind``; return its value in base units.

    Accepts a number (taken in the kind's bare unit: ``1e18`` FLOP, ``330`` W, ``14.8``
    hours), ``10^18``, ``40%``, or a number with a unit (``180 TFLOPS``, ``0.429 kg/kWh``).
    Rejects the wrong dimension, NaN, infinities, negatives and (unless ``allow_zero``)
    zero with an :class:`InputError` about input ``input`` (located as the front end
    spells it), or located at ``where`` (a file's line and key).
    """
    with about(input):
        value = _parse(text, kind, where or ref(input))
        if value == 0 and not allow_zero:
            raise InputError(f"{str(text).strip()!r} must be greater than zero", where, input=input)
    return value


def parse_one_of(
    text: Any, kinds: tuple[str, ...], where: str = "", *, input: str = ""
) -> tuple[str, float]:
    """Read ``text`` as whichever of ``kinds`` its unit says; return ``(kind, value)``.

    A unit is required (a bare number would be ambiguous).
    """
    with about(input):
        where = where or ref(input)
        shown = str(text).strip()
        match = _SIMPLE.match(_PFS_DAY.sub("pfs_day", _thousands(shown, where)))
        examples = " or ".join(KINDS[k].example for k in kinds)
        if match and not match["unit"]:
            raise InputError(f"{shown!r} has no unit; expected e.g. {examples}", where)
        for kind in kinds:
            try:
                return kind, parse_quantity(text, kind, where)
            except WrongDimension:
                continue
        nouns = ", ".join(KINDS[k].noun for k in kinds[:-1]) + " or " + KINDS[kinds[-1]].noun
        raise InputError(f"{shown!r} is not {nouns}; expected e.g. {examples}", where)


# "1,000", "10,000.5", "-1,234,567 USD": commas that group digits by three.
_GROUPED = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+)(?![\d,])")


def _thousands(shown: str, where: str) -> str:
    """``shown`` without its thousands separators; any other comma is refused (``1,00``
    might be a decimal comma, ``1,0000`` a typo): a number is never guessed."""
    if "," not in shown:
        return shown
    plain = _GROUPED.sub(lambda m: m[1].replace(",", ""), shown)
    if "," in plain:
        raise InputError(
            f"{shown!r}: a comma in a number must separate thousands (1,000 or 10,000.5); "
            "write the decimal point as '.' (1.5) and one value at a time",
            where,
        )
    return plain


def _bare(value: float, kind: str, shown: str, where: str) -> float:
    """A number without a unit: in the kind's bare unit, or refused as ambiguous."""
    spec = KINDS[kind]
    if spec.bare is None:
        unit = spec.suggest if abs(value) < 1e6 else spec.base
        raise InputError(
            f"{shown!r} has no unit, and a bare number is ambiguous for {spec.noun}: "
            f"did you mean {shown} {unit}? (e.g. {spec.example})",
            where,
        )
    if spec.bare:
        value *= factor(spec.bare)
    return _check_value(value, kind, shown, where)


def _parse(text: Any, kind: str, where: str) -> float:
    spec = KINDS[kind]
    if isinstance(text, bool):
        raise InputError(f"expected {spec.noun} (e.g. {spec.example}), got {text!r}", where)
    if isinstance(text, (int, float)):
        return _bare(float(text), kind, repr(text), where)
    if hasattr(text, "dimensionality"):  # a pint Quantity from a notebook
        q = text.to_base_units()
        return _checked(float(q.magnitude), _dims_key(q.dimensionality), kind, str(text), where)
    if not isinstance(text, str):
        raise InputError(f"expected {spec.noun} (e.g. {spec.example}), got {text!r}", where)
    shown = text.strip()
    if not shown:
        raise InputError(f"empty value; expected {spec.noun} (e.g. {spec.example})", where)
    if len(shown) > MAX_TEXT:
        raise InputError(f"value is {len(shown)} characters long; expected {spec.noun}", where)
    _check_text(shown, spec, where)
    normal = _ALIAS_RE.sub(lambda m: UNIT_ALIASES[m[1]], _PFS_DAY.sub("pfs_day", shown))
    normal = _thousands(normal, where)
    ambiguous = _AMBIGUOUS_RE.search(normal)
    if ambiguous:
        raise InputError(f"{shown!r}: {AMBIGUOUS_UNITS[ambiguous[1]]}", where)
    suffixed = _SUFFIXED.match(normal) if kind != "memory" else None
    if suffixed:
        value = _number(suffixed["num"], None) * SUFFIXES[suffixed["suffix"]]
        unit = suffixed["unit"]
        if not unit:
            return _bare(value, kind, shown, where)
        if unit == "%":
            return _checked(value / 100, "", kind, shown, where)
        normal = f"{value!r} {unit}"
    match = _SIMPLE.match(normal)
    if match:
        value = _number(match["num"], match["exp"])
        unit = match["unit"]
        if not unit:
            return _bare(value, kind, shown, where)
        if kind == "count":
            return _count(value, unit, shown, where)
        if unit == "%":
            return _checked(value / 100, "", kind, shown, where)
        entry = _table()["units"].get(unit)
        if entry is not None:
            return _checked(value * entry[0], entry[1], kind, shown, where)
    magnitude, dims = _parse_with_pint(normal, kind, shown, where)
    return _checked(magnitude, dims, kind, shown, where)


def _count(value: float, suffix: str, shown: str, where: str) -> float:
    if suffix not in SUFFIXES:
        hint = ""
        if suffix.upper() in SUFFIXES:
            hint = f" (did you mean {shown[: -len(suffix)].strip()}{suffix.upper()}?)"
        raise InputError(
            f"{shown!r} is not a count{hint}; expected a number with an optional suffix "
            f"k, M, B or T (e.g. {KINDS['count'].example})",
            where,
        )
    return _check_value(value * SUFFIXES[suffix], "count", shown, where)


# Whole numbers in an expression, which pint would compute with exactly (Python ints):
# "9**9**9" would then run for ever. As floats they overflow at once, and are refused.
_INTEGER = re.compile(r"(?<![\w.])(?<![eE][+-])\d+(?![\w.])")


def _check_text(shown: str, spec: Kind, where: str) -> None:
    """Refuse what pint would read, but no person means: hidden characters, no number at
    only a unit ("W" is 1 W to pint), or numbers side by side ("1 000" is 1 x 0 to pint)."""
    if not shown.isprintable():
        bad = next(c for c in shown if not c.isprintable())
        raise InputError(
            f"{shown!r} contains the control character {bad!r}; expected {spec.noun}", where
        )
    # Python reads other scripts' digits ("١٠", fullwidth "１０") as numbers; a person
    # would not expect "1e1٠" to mean 1e10. Numbers are written with 0-9.
    odd = next((c for c in shown if c.isdigit() and not c.isascii()), None)
    if odd is not None:
        import unicodedata

        raise InputError(
            f"{shown!r} contains the digit {odd!r} ({unicodedata.name(odd, 'non-ASCII')}); "
            f"write numbers with 0-9, e.g. {spec.example}",
            where,
        )
    if re.fullmatch(r"[A-Za-z%/ ]+", shown) and not re.search(r"(?i)nan|inf", shown):
        raise InputError(
            f"{shown!r} is not a number; expected {spec.noun} (e.g. {spec.example})", where
        )
    if re.search(r"\d\.?\s+\.?\d", shown):
        raise InputError(
            f"{shown!r} has two numbers side by side; write one number (e.g. 1000 or 1e3)",
            where,
        )


def _parse_with_pint(text: str, kind: str, shown: str, where: str) -> tuple[float, str]:
    import pint

    spec = KINDS[kind]
    reg = registry()
    text = _INTEGER.sub(lambda m: m[0] + ".0", text)
    try:
        q = reg.Quantity(text.replace("%", " percent"))
        if not hasattr(q, "to_base_units"):
            raise TypeError
        q = q.to_base_units()
        magnitude = float(q.magnitude)
    except pint.errors.UndefinedUnitError as e:
        name = str(getattr(e, "unit_names", "") or e).strip("'\"() ,")
        hint = did_you_mean(name, TABLE_SPELLINGS)
        raise InputError(f"unknown unit '{name}' in {shown!r}{hint}", where) from None
    except OverflowError:
        magnitude, q = math.inf, reg.Quantity(1)
    except Exception:  # noqa: BLE001 - pint's parser fails in many ways on
        # hostile text (AssertionError, TokenError, ...); none of them is a bug of ours.
        raise InputError(
            f"cannot read {shown!r} as {spec.noun}; expected e.g. {spec.example}", where
        ) from None
    return magnitude, _dims_key(q.dimensionality)


def _checked(value: float, dims: str, kind: str, shown: str, where: str) -> float:
    spec = KINDS[kind]
    want = _table()["kinds"][kind]
    if math.isnan(value) or math.isinf(value):
        return _check_value(value, kind, shown, where)
    if dims != want:
        unit = _SIMPLE.match(shown)
        hint = _hint(dims, want, unit["unit"] if unit else "")
        raise WrongDimension(
            f"{shown!r} is {_kind_of(dims)}, expected {spec.noun} (e.g. {spec.example}){hint}",
            where,
        )
    if kind == "memory" and not re.search(r"(?i)(bit|byte|B)\b|B$", shown):
        raise InputError(f"{shown!r} has no memory unit; expected e.g. {spec.example}", where)
    return _check_value(value, kind, shown, where)


def _check_value(value: float, kind: str, shown: str, where: str) -> float:
    spec = KINDS[kind]
    if math.isnan(value):
        raise InputError(f"{shown!r} is not a number; expected {spec.noun}", where)
    if math.isinf(value):
        raise InputError(f"{shown!r} is too large: it overflows a 64-bit float", where)
    if value < 0:
        raise InputError(f"{shown!r} is negative; expected {spec.noun}", where)
    if kind == "fraction" and value > 1:
        hint = f"; did you mean {shown}%?" if 1 < value <= 100 and "%" not in shown else ""
        raise InputError(
            f"{shown!r} is more than 100%; expected a fraction (e.g. 40% or 0.4){hint}", where
        )
    return value


def main() -> None:  # python -m costcalc.units: regenerate the fast-path table
    path = _HERE / "data" / "units_table.json"
    text = json.dumps(build_table(), indent=1, sort_keys=True) + "\n"
    with open(str(path), "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
