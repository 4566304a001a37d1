"""Cloud prices per provider, and the PUE a provider or cloud region brings.

The price list is ``data/prices.csv`` (derived from Epoch AI's "Hardware prices.csv" by
``scripts/derive_prices.py``): one row per provider, device, region, pricing model and date,
with the price per DEVICE-hour as the hardware profile defines a device.

The default price rule (:func:`choose_price` without ``provider``), the same for every device:

1. Among the rows of the device and pricing model (default ``on-demand``), those of a
   hyperscaler (``providers.csv`` kind ``hyperscaler``: aws, gcp, azure, oracle): the newest
   date; if several rows share it, their lower median by price.
2. If no hyperscaler prices the device: each provider's newest row (lower median within a date),
   then the lower median of those across providers.

A lower median is always one of the rows, so the price can be traced to one source line.
``region`` narrows the rows to that cloud region where it has any (a cloud region implies its
provider); ``provider`` narrows them to one provider, with its newest row chosen the same way.
This module is pure: no CLI, no terminal output; the data is read on first use.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

from costcalc.errors import DataError, InputError, about, did_you_mean, ref

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from costcalc.tables import Region

PRICING_MODELS = ("on-demand", "spot", "1y", "3y")
_PRICING_ALIASES = {
    "ondemand": "on-demand",
    "on_demand": "on-demand",
    "od": "on-demand",
    "preemptible": "spot",
    "1-year": "1y",
    "1yr": "1y",
    "3-year": "3y",
    "3yr": "3y",
}
DEFAULT_PRICING = "on-demand"
RULE_HYPERSCALER = "newest hyperscaler price"
RULE_MEDIAN = "median of the newest prices across providers"
RULE_PROVIDER = "newest price of the provider"
EPOCH = "Epoch AI Hardware prices.csv"


class PriceRow(NamedTuple):
    """One price: USD per device-hour, for a device as its hardware profile defines it."""

    provider: str
    device: str
    region: str  # cloud region id of regions.csv, "" when the source names none
    location: str  # the source's own location text
    pricing: str  # on-demand | spot | 1y | 3y
    price: float  # USD per device-hour
    date: str  # ISO date of the price
    chips: int  # chips per device (4 for a TPU v2 board)
    price_per_chip: float
    source_unit: str
    epoch_model: str
    instances: str
    rows: int  # source rows behind this one (median of their per-chip prices)
    source: str

    @property
    def where(self) -> str:
        return self.region or self.location or "region not given"


class Provider(NamedTuple):
    id: str
    name: str
    kind: str  # hyperscaler | cloud
    aliases: tuple[str, ...]
    fleet_pue_id: str  # pue.csv id of the published fleet PUE, "" if none


class PriceChoice(NamedTuple):
    """The row a rule picked, the rule's name, and a one-line label for outputs."""

    row: PriceRow
    rule: str
    label: str

    @property
    def price(self) -> float:
        return self.row.price


class PueChoice(NamedTuple):
    """A PUE value and where it comes from (``scope``: region, fleet or industry)."""

    value: float
    id: str  # pue.csv id
    scope: str
    provider: str
    region: str
    year: str
    source: str
    label: str


# -- tables ---------------------------------------------------------------------------


@cache
def load_prices() -> tuple[PriceRow, ...]:
    """Every row of ``prices.csv``."""
    from costcalc.tables import data_rows

    return tuple(_price_row(line, row) for line, row in enumerate(data_rows("prices.csv"), start=2))


def _price_row(line: int, row: dict[str, str]) -> PriceRow:
    try:
        return PriceRow(
            provider=row["provider"],
            device=row["device"],
            region=row["region"],
            location=row["location"],
            pricing=row["pricing"],
            price=float(row["price"]),
            date=row["date"],
            chips=int(row["chips"]),
            price_per_chip=float(row["price_per_chip"]),
            source_unit=row["source_unit"],
            epoch_model=row["epoch_model"],
            instances=row["instances"],
            rows=int(row["rows"]),
            source=row["source"],
        )
    except (KeyError, TypeError, ValueError) as exc:  # pragma: no cover - shipped data
        raise DataError(f"malformed row ({exc})", f"prices.csv:{line}") from None


def device_prices(device: str) -> tuple[PriceRow, ...]:
    """The rows of ``prices.csv`` for ``device`` (a profile name), in the file's order."""
    return _by_device().get(device, ())


@cache
def providers() -> dict[str, Provider]:
    """The providers of ``providers.csv`` by id."""
    from costcalc.tables import data_rows

    return {
        row["id"]: Provider(
            id=row["id"],
            name=row["name"],
            kind=row["kind"],
            aliases=tuple(a for a in row["aliases"].split(";") if a),
            fleet_pue_id=row["fleet_pue_id"],
        )
        for row in data_rows("providers.csv")
    }


@cache
def _region_pue() -> dict[str, dict[str, str]]:
    from costcalc.tables import data_rows

    return {row["region"]: row for row in data_rows("region_pue.csv")}


@cache
def _by_device() -> Mapping[str, tuple[PriceRow, ...]]:
    return _DeviceRows()


class _DeviceRows(Mapping[str, tuple[PriceRow, ...]]):
    """The price list's rows by device, each device's rows built when first asked for (a
    one-liner prices one device, not the ~400 rows of the list)."""

    def __init__(self) -> None:
        from costcalc.tables import data_rows

        self._text: dict[str, list[tuple[int, dict[str, str]]]] = {}
        for line, row in enumerate(data_rows("prices.csv"), start=2):
            self._text.setdefault(row.get("device") or "", []).append((line, row))
        self._rows: dict[str, tuple[PriceRow, ...]] = {}

    def __getitem__(self, device: str) -> tuple[PriceRow, ...]:
        if device not in self._rows:
            self._rows[device] = tuple(_price_row(*lr) for lr in self._text[device])
        return self._rows[device]

    def __contains__(self, device: object) -> bool:
        return device in self._text

    def __iter__(self) -> Iterator[str]:
        return iter(self._text)

    def __len__(self) -> int:
        return len(self._text)


# -- look-ups ---------------------------------------------------------------------------


def find_provider(text: str, where: str = "", *, input: str = "provider") -> Provider:
    """A provider by id, name or alias (case-insensitive); else an error at ``where``, or
    about input ``input`` (``pue`` takes a provider too)."""
    key = text.strip().lower()
    index: dict[str, str] = {}
    for p in providers().values():
        for name in (p.id, p.name, *p.aliases):
            index.setdefault(name.lower(), p.id)
    if key in index:
        return providers()[index[key]]
    raise InputError(
        f"unknown provider '{text}'{did_you_mean(key, index)}; expected one of "
        + ", ".join(sorted(providers())),
        where,
        input=input,
    )


def find_pricing(text: str, where: str = "") -> str:
    """A pricing model: on-demand, spot, 1y or 3y (a few spellings accepted)."""
    key = text.strip().lower()
    key = _PRICING_ALIASES.get(key, key)
    if key in PRICING_MODELS:
        return key
    raise InputError(
        f"unknown pricing model '{text}'"
        f"{did_you_mean(key, [*PRICING_MODELS, *_PRICING_ALIASES])}; "
        f"expected one of {', '.join(PRICING_MODELS)}",
        where,
        input="pricing",
    )


def _device_name(device: str, where: str = "") -> str:
    """The profile name of ``device`` (a name or an alias)."""
    if device in _by_device():
        return device
    from costcalc.hardware import default_catalog

    with about("hardware"):
        return default_catalog().get(device, where or ref("hardware")).name


def providers_for(device: str, pricing: str | None = None) -> list[str]:
    """The providers with a price for ``device`` (profile name or alias), sorted."""
    name = _device_name(device)
    wanted = find_pricing(pricing) if pricing else None
    return sorted({r.provider for r in _by_device().get(name, ()) if wanted in (None, r.pricing)})


def _lower_median(rows: Iterable[PriceRow]) -> PriceRow:
    ordered = sorted(rows, key=lambda r: (r.price, r.provider, r.region, r.location))
    return ordered[(len(ordered) - 1) // 2]


def _newest(rows: Iterable[PriceRow]) -> PriceRow:
    rows = list(rows)
    latest = max(r.date for r in rows)
    return _lower_median(r for r in rows if r.date == latest)


def newest_by_provider(device: str, pricing: str = DEFAULT_PRICING) -> dict[str, PriceRow]:
    """Each provider's newest ``pricing`` price of ``device`` (a profile name), by provider
    id: the rule's per-provider price (the lower median of a date's rows)."""
    rows = [r for r in _by_device().get(device, ()) if r.pricing == pricing]
    return {
        p: _newest(r for r in rows if r.provider == p) for p in sorted({r.provider for r in rows})
    }


def _cloud_region(region: str) -> Region | None:
    from costcalc.tables import find_region

    found = find_region(region)
    return found if found.kind in ("cloud_region", "cloud_geography") else None


def resolve_site(provider: str | None, region: str | None) -> tuple[str | None, Region | None]:
    """The provider chosen (by name, or implied by a cloud region) and the cloud region;
    a region of another provider than the one named is an error."""
    chosen = find_provider(provider).id if provider else None
    cloud = _cloud_region(region) if region else None
    if cloud is not None:
        if chosen and chosen != cloud.provider:
            raise InputError(
                f"region '{cloud.id}' belongs to {cloud.provider}, not {chosen}", input="region"
            )
        chosen = cloud.provider
    return chosen, cloud


def _only_at(device: str) -> str:
    return " (Google sells TPUs only in Google Cloud)" if device.startswith("tpu") else ""


def choose_price(
    device: str,
    provider: str | None = None,
    pricing: str | None = None,
    region: str | None = None,
) -> PriceChoice:
    """The price of one ``device``-hour by the documented rule (see the module docstring).

    ``provider`` and ``pricing`` accept ids and aliases; ``region`` a cloud region (which
    implies its provider) or a country (which implies none and does not narrow the prices).
    Raises :class:`InputError` for an unknown provider, pricing model or region, and when the
    provider (or the region's provider) has no such price: the message names the providers
    that have one, or says to give the price with ``--price``.
    """
    name = _device_name(device)
    model = find_pricing(pricing) if pricing else DEFAULT_PRICING
    chosen, cloud = resolve_site(provider, region)
    culprit = "region" if cloud is not None and not provider else "provider"
    every = _by_device().get(name, ())
    if not every:
        raise InputError(
            f"no cloud price known for {name}; give one with {ref('price')} (USD per device-hour)",
            input="hardware",
        )
    rows = [r for r in every if r.pricing == model]
    if not rows:
        have = sorted({r.pricing for r in every})
        raise InputError(
            f"no {model} price known for {name}; the price list has {', '.join(have)}",
            input="pricing",
        )
    if chosen:
        mine = [r for r in rows if r.provider == chosen]
        if not mine:
            others = sorted({r.provider for r in rows})
            whose = f"region '{cloud.id}' belongs to {chosen}, and " if cloud else ""
            raise InputError(
                f"{whose}{chosen} has no {model} price for {name}{_only_at(name)}; "
                f"providers with one: {', '.join(others)} (or give {ref('price')})",
                input=culprit,
            )
        note = ""
        if cloud is not None:
            local = [r for r in mine if r.region == cloud.id]
            if local:
                mine = local
            else:
                note = f"; no price listed for {cloud.id}"
        row = _newest(mine)
        rule = RULE_PROVIDER
    else:
        big = {p.id for p in providers().values() if p.kind == "hyperscaler"}
        hyper = [r for r in rows if r.provider in big]
        if hyper:
            row, rule = _newest(hyper), RULE_HYPERSCALER
        else:
            newest = list(newest_by_provider(name, model).values())
            row, rule = _lower_median(newest), RULE_MEDIAN
            rule += f" ({len(newest)} providers)"
        note = ""
    label = f"{row.provider} {row.pricing}, {row.where}, {row.date} ({EPOCH}; {rule}{note})"
    return PriceChoice(row=row, rule=rule, label=label)


# -- PUE --------------------------------------------------------------------------------


def pue_for(provider: str | None = None, region: str | None = None) -> PueChoice:
    """The PUE a site brings: the cloud region's own published figure, else its provider's
    fleet figure, else the industry average (costcalc's default), each with its source.

    A cloud region implies its provider; a country or no region implies none.
    """
    from costcalc.tables import pue_values

    chosen, cloud = resolve_site(provider, region)
    values = pue_values()
    if cloud is not None:
        row = _region_pue().get(cloud.id, {})
        if row.get("region_pue_id"):
            return _pue(values[row["region_pue_id"]], "region", chosen or "", cloud.id)
    if chosen:
        fleet = providers()[chosen].fleet_pue_id
        if fleet and fleet in values:
            return _pue(values[fleet], "fleet", chosen, cloud.id if cloud else "")
    why = f"{chosen} publishes no PUE: " if chosen else ""
    return _pue(values["industry"], "industry", chosen or "", cloud.id if cloud else "", why)


def _pue(value: object, scope: str, provider: str, region: str, why: str = "") -> PueChoice:
    from costcalc.tables import PueValue

    assert isinstance(value, PueValue)
    label = f"{why}PUE {value.pue:g} ({value.name}, {value.year}; {value.source})"
    return PueChoice(
        value=value.pue,
        id=value.id,
        scope=scope,
        provider=provider,
        region=region,
        year=value.year,
        source=f"{value.source} ({value.url})",
        label=label,
    )
