"""Where a run happens, and what the place brings: the provider, its PUE, its price for a
device, and the basis of the grid's carbon intensity.

A cloud region (``us-central1``) implies its provider: that provider's PUE (the region's
own published figure, else the fleet's) and its price for the device (in that region
where the price list has one). A country or the world implies no provider: the industry
PUE and the default price rule. ``--provider`` picks a provider's price without a region;
``--pue google`` takes a provider's published PUE. The tables and the rules are in
:mod:`costcalc.pricing`; this module turns them into the values and labels an estimate
shows. Pure: no CLI, no terminal output.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from costcalc.errors import InputError, given_with, ref

if TYPE_CHECKING:
    from costcalc.profiles import Profile
    from costcalc.tables import Region

LIFECYCLE = "lifecycle"
OPERATIONAL = "operational"


class SitePrice(NamedTuple):
    """A price per device-hour (USD/hour, base units USD/s in ``value``) and its basis."""

    value: float
    source: str
    origin: str  # "prices" (the price list), "profile" (the profile's own price)
    provider: str
    pricing: str
    date: str


class SitePue(NamedTuple):
    value: float
    label: str
    origin: str  # "flag" (--pue google), "region", "provider"
    scope: str  # region, fleet, industry
    short: str = ""  # "gcp us-central1", "aws fleet", "lambda industry": for sweep columns


def _is_name(text: Any) -> bool:
    return isinstance(text, str) and text.strip()[:1].isalpha()


def check_names(provider: str | None, pricing_model: str | None) -> None:
    """Refuse an unknown (or empty) provider or pricing model, whatever else is given."""
    from costcalc import pricing

    if provider is not None:
        pricing.find_provider(str(provider))
    if pricing_model is not None:
        pricing.find_pricing(str(pricing_model))


def site_pue(pue: Any, region: str | None, provider: str | None) -> SitePue | None:
    """The PUE a provider name on ``--pue``, a cloud region or ``--provider`` brings; None
    when ``pue`` is a number or nothing names a provider (the caller's default applies)."""
    from costcalc import pricing

    check_names(provider, None)

    if pue is not None:
        if not _is_name(pue):
            return None
        chosen = pricing.find_provider(str(pue), input="pue")
        got = pricing.pue_for(chosen.id)
        if got.scope == "industry":
            raise InputError(
                f"{chosen.id} publishes no PUE; give a number (e.g. {ref('pue')} 1.2) or a "
                "provider "
                "that does: " + ", ".join(_with_pue()),
                input="pue",
            )
        return SitePue(
            got.value,
            given_with("pue", f" {pue}: {got.label}"),
            "flag",
            got.scope,
            f"{ref('pue')} {pue}",
        )
    if region is None and provider is None:
        return None
    got = pricing.pue_for(provider, region)
    if got.scope == "industry" and not got.provider:
        return None  # a country or the world: the industry default, as without a region
    origin = "region" if got.region else "provider"
    where = f"{got.region} ({got.provider})" if got.region else got.provider
    short = f"{got.provider} {got.region if got.scope == 'region' else got.scope}"
    return SitePue(got.value, f"{where}, {got.scope}: {got.label}", origin, got.scope, short)


def _with_pue() -> list[str]:
    from costcalc import pricing

    return sorted(p.id for p in pricing.providers().values() if p.fleet_pue_id)


def _only_in_google_cloud(profile: Profile, provider: str | None, region: str | None) -> None:
    """A TPU runs in Google Cloud only: another provider, or a region of one, is refused."""
    from costcalc import pricing

    chosen, _cloud = pricing.resolve_site(provider, region)
    if chosen is None or chosen == "gcp":
        return
    if provider is not None:
        raise InputError(
            f"{chosen} does not sell {profile.name} (Google sells TPUs only in Google "
            "Cloud); providers with one: gcp",
            input="provider",
        )
    raise InputError(
        f"region '{region}' belongs to {chosen}, which does not sell {profile.name} (Google "
        "sells TPUs only in Google Cloud); providers with one: gcp",
        input="region",
    )


def device_price(
    profile: Profile, provider: str | None, pricing_model: str | None, region: str | None
) -> SitePrice | None:
    """The price of one device-hour of ``profile`` from the price list by the default rule
    (or for ``provider``, ``pricing_model``, the provider of a cloud ``region``); the
    profile's own price, labelled so, where the list has no row for the device; None when
    neither has one. Raises :class:`InputError` when the provider named (or implied by the
    region) does not sell the device, naming those that do."""
    from costcalc import pricing
    from costcalc.units import parse_quantity

    check_names(provider, pricing_model)
    if profile.kind == "tpu":  # whether or not the price list prices it
        _only_in_google_cloud(profile, provider, region)
    listed = bool(pricing.device_prices(profile.name))
    if _own_price(profile) and provider is None and pricing_model is None and region is None:
        assert profile.price is not None
        return SitePrice(
            profile.price.value,
            _profile_price_label(profile) + " (the profile's own price, over the price list)",
            "profile",
            str(profile.price.extra.get("provider") or "profile"),
            str(profile.price.extra.get("kind") or ""),
            str(profile.price.date or ""),
        )
    if not listed:
        if provider is not None or pricing_model is not None:
            raise InputError(
                f"no cloud price known for {profile.name}; give one with {ref('price')} "
                "(USD per device-hour)",
                input="provider" if provider is not None else "pricing",
            )
        if profile.price is None:
            return None
        extra = profile.price.extra
        source = (
            f"{profile.name} is not in the price list (prices.csv), so the profile's own "
            f"price: {_profile_price_label(profile)}"
        )
        return SitePrice(
            profile.price.value,
            source,
            "profile",
            str(extra.get("provider") or ""),
            str(extra.get("kind") or ""),
            str(profile.price.date or ""),
        )
    choice = pricing.choose_price(profile.name, provider, pricing_model, region)
    row = choice.row
    value = parse_quantity(f"{row.price!r} USD/hour", "price")
    source = f"{choice.label}; source: {row.source}"
    return SitePrice(value, source, "prices", row.provider, row.pricing, row.date)


def cloud_region_of(region: str) -> Region | None:
    """The cloud region (or geography) ``region`` names, None for a country or the world."""
    from costcalc.tables import find_region

    found = find_region(region)
    return found if found.kind in ("cloud_region", "cloud_geography") else None


def _own_price(profile: Profile) -> bool:
    """A price the user set in their own profile (a negotiated price): not a shipped
    profile's, and not inherited from one."""
    from pathlib import Path

    from costcalc.paths import shipped_dir

    if profile.price is None or "price" in profile.inherited:
        return False
    try:
        return Path(profile.path).resolve().parent != shipped_dir().resolve()
    except (OSError, ValueError):
        return False


def _profile_price_label(profile: Profile) -> str:
    assert profile.price is not None
    extra = profile.price.extra
    where = ", ".join(
        v for v in (extra.get("provider"), extra.get("region"), extra.get("kind")) if v
    )
    return f"{where}: {profile.price.cite()}"


def grid_basis(region: Region) -> str:
    """``lifecycle`` (countries, world: OWID, generation with its supply chain) or
    ``operational`` (cloud regions: the grid's location-based operational emissions)."""
    return LIFECYCLE if region.kind in ("country", "world") else OPERATIONAL


def grid_basis_text(region: Region) -> str:
    """How an output says what the carbon intensity counts."""
    if grid_basis(region) == LIFECYCLE:
        return "lifecycle emissions of generation (OWID)"
    return f"operational, location-based emissions of the grid ({region.basis})"


def price_list(
    hardware: str | None = None,
    provider: str | None = None,
    pricing_model: str | None = None,
    history: bool = False,
) -> list[Any]:
    """The known prices (:class:`costcalc.pricing.PriceRow`), sorted by device, provider,
    pricing model and place: the newest of each (provider, device, place, pricing model),
    or every dated row with ``history``. Filters take names and aliases; an unknown one is
    an :class:`InputError` with a suggestion."""
    from costcalc import pricing
    from costcalc.hardware import default_catalog

    if hardware is not None and not hardware.strip():
        raise InputError("empty value; expected a hardware name", "HARDWARE")
    device = default_catalog().get(hardware, "HARDWARE").name if hardware is not None else None
    who = pricing.find_provider(provider).id if provider is not None else None
    model = pricing.find_pricing(pricing_model) if pricing_model is not None else None
    rows = [
        r
        for r in pricing.load_prices()
        if (device is None or r.device == device)
        and (who is None or r.provider == who)
        and (model is None or r.pricing == model)
    ]
    if not history:
        newest: dict[tuple[str, ...], Any] = {}
        for r in rows:
            key = (r.device, r.provider, r.where, r.pricing)
            if key not in newest or r.date > newest[key].date:
                newest[key] = r
        rows = list(newest.values())
    order = {m: i for i, m in enumerate(pricing.PRICING_MODELS)}
    rows.sort(key=lambda r: (r.device, r.provider, order.get(r.pricing, 9), r.where, r.date))
    return rows


def default_rows(rows: list[Any], provider: str | None, pricing_model: str | None) -> set[Any]:
    """Of ``rows``, those the default rule picks for their device (with the filters given)."""
    from costcalc import pricing

    out = set()
    for device in {r.device for r in rows}:
        try:
            out.add(pricing.choose_price(device, provider, pricing_model).row)
        except InputError:
            continue
    return out
