"""Public cost figures quoted for reference runs (data/public_estimates.yaml), set beside
costcalc's own default answer for the run as it ran: which hardware, how many device-hours,
which price, and the factors between the two."""

from __future__ import annotations

from typing import Any

from costcalc.errors import DataError

FILE = "costcalc/data/public_estimates.yaml"
_REQUIRED = ("run", "cost_usd", "who", "title", "url", "date", "hardware", "method", "checked")


def load() -> list[dict[str, Any]]:
    """Every public estimate, validated (required fields, positive numbers)."""
    from costcalc.tables import data_yaml

    data = data_yaml("public_estimates.yaml")
    rows = data.get("estimates") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise DataError("expected a top-level 'estimates:' list", FILE)
    out = []
    for i, row in enumerate(rows):
        where = f"{FILE}: estimates[{i}]"
        if not isinstance(row, dict):
            raise DataError("expected a mapping", where)
        for key in _REQUIRED:
            if row.get(key) in (None, ""):
                raise DataError(f"{key}: missing (every estimate needs one)", where)
        for key in ("cost_usd", "device_hours", "price_usd_per_device_hour"):
            value = row.get(key)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0
            ):
                raise DataError(f"{key}: expected a positive number", where)
        out.append({k: (str(v) if k == "date" else v) for k, v in row.items()})
    return out


def for_run(slug: str) -> list[dict[str, Any]]:
    return [row for row in load() if row["run"] == slug]


def explain(slug: str) -> list[dict[str, Any]]:
    """The public estimates of run ``slug``, each with ``costcalc``: costcalc's default
    answer for the run as it ran (its hardware, devices, device-hours, price per
    device-hour and cost, with sources) and ``factors``: public / costcalc."""
    found = for_run(slug)
    if not found:
        return []
    own = as_ran(slug)
    out = []
    for row in found:
        factors: dict[str, float | None] = {
            "cost": row["cost_usd"] / own["cost_usd"] if own["cost_usd"] else None
        }
        if row.get("device_hours"):
            factors["device_hours"] = row["device_hours"] / own["device_hours"]
        if row.get("price_usd_per_device_hour") and own["price_usd_per_device_hour"]:
            factors["price"] = row["price_usd_per_device_hour"] / own["price_usd_per_device_hour"]
        out.append({**row, "costcalc": own, "factors": factors})
    return out


def as_ran(slug: str) -> dict[str, Any]:
    """costcalc's default answer (no band) for the run as it ran."""
    from costcalc.outlook import estimate

    est = estimate(slug, equivalents=False, band=False)
    fields = est.fields()
    by_name = {a.name: a for a in est.assumptions}

    def origin(name: str) -> dict[str, Any] | None:
        a = by_name.get(name)
        if a is None:
            return None
        return {"value": a.base, "source": a.source, "origin": a.origin}

    price = by_name.get("price")
    from costcalc import runs

    run = runs.find(slug)
    note = ""
    if not run.profile:
        note = (
            f"costcalc has no profile for the run's hardware ({run.hardware or 'not given'})"
            + ("" if run.hardware_quantity else " and the source gives no device count")
            + f": this prices the run's FLOPs on the default {est.hardware.name}, "
            f"{fields['device_hours']:,.0f} device-hours; compare the price and hardware-time, "
            "not the total"
        )
    return {
        "note": note or None,
        "hardware": est.hardware.name,
        "devices": by_name["devices"].base if "devices" in by_name else None,
        "device_hours": fields["device_hours"],
        "utilization": origin("utilization"),
        "price_usd_per_device_hour": None if price is None else price.base * 3600,
        "price": origin("price"),
        "cost_usd": fields.get("cost_usd"),
        "hardware_source": origin("hardware"),
    }
