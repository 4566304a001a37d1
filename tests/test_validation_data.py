"""The validation table (validation/runs.yaml, validation/measured_power.yaml) is well formed:
every run cites a source with a locator and a quote, numbers are positive and finite, counts
of devices are in the unit the costcalc profile uses, device-hours agree with devices x
duration, and energy and CO2e agree with the source's own formula. The arithmetic checks
recompute the sources' published relations (Patterson et al.'s kWh = hours x chips x W x PUE;
tCO2e = kWh x kg/kWh), so a mistyped number in the table fails here."""

from __future__ import annotations

import importlib.util
import math
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from costcalc.errors import CostcalcError

ROOT = Path(__file__).resolve().parents[1]


def _module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "validation_runs", ROOT / "scripts" / "validation_runs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


VR = _module()
RUNS: list[dict[str, Any]] = VR.load_runs()
POWER: list[dict[str, Any]] = VR.load_power()
PROFILES: set[str] = VR.profile_names()
BY_ID = {run["id"]: run for run in RUNS}

SLUG = re.compile(r"^[a-z0-9]+(?:[.-][a-z0-9]+)*$")
NUMERIC = {
    "params_total",
    "params_active",
    "training_tokens",
    "reported_training_flop",
    "devices",
    "wall_clock_hours",
    "device_hours",
    "energy_mwh",
    "pue",
    "power_per_device_w",
    "co2e_t",
    "co2e_net_t",
    "grid_kg_per_kwh",
    "cost_usd",
    "year",
}
TEXT = {
    "id",
    "model",
    "organization",
    "hardware",
    "needs_profile",
    "device_unit",
    "device_hours_kind",
    "device_hours_derivation",
    "energy_basis",
    "cost_basis",
    "site",
    "country",
    "notes",
    "params_active_note",
}
OTHER = {"source", "other_sources", "profile", "segments", "energy_includes_pue"}
ALLOWED = NUMERIC | TEXT | OTHER
REQUIRED = {"id", "model", "source", "hardware", "profile", "device_unit"}
SOURCE_KEYS = {"title", "authors", "year", "url", "arxiv", "locator", "quote", "quote_checked"}
UNITS = {"gpu", "chip", "board"}
BASES = {"measured_system_power", "measured_gpu_power", "tdp", "not_stated"}


def _positive_finite(value: Any) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value > 0
    )


def _close(a: float, b: float, rel: float) -> bool:
    return abs(a - b) <= rel * max(abs(a), abs(b))


def _check_source(where: str, source: Any) -> None:
    assert isinstance(source, dict), f"{where}: source must be a mapping"
    assert set(source) <= SOURCE_KEYS, f"{where}: unknown source keys {set(source) - SOURCE_KEYS}"
    for key in ("title", "locator", "quote"):
        assert isinstance(source.get(key), str) and source[key].strip(), f"{where}: no {key}"
    assert source.get("url") or source.get("arxiv"), f"{where}: neither url nor arxiv id"
    assert source.get("quote_checked") in {"primary_copy", "transcription"}, where
    if "arxiv" in source:
        assert re.fullmatch(r"\d{4}\.\d{4,5}", str(source["arxiv"])), f"{where}: arxiv id"


def test_enough_runs_and_unique_ids() -> None:
    ids = [run.get("id") for run in RUNS]
    assert len(RUNS) >= 24
    assert len(ids) == len(set(ids)), "duplicate run ids"
    assert all(isinstance(i, str) and SLUG.match(i) for i in ids), ids


def test_enough_runs_with_each_target() -> None:
    with_hours = [r for r in RUNS if "device_hours" in r]
    with_energy_or_co2 = [r for r in RUNS if "energy_mwh" in r or "co2e_t" in r]
    assert len(with_hours) >= 20
    assert len(with_energy_or_co2) >= 8
    # every run carries at least one figure to validate against
    for run in RUNS:
        assert {"device_hours", "energy_mwh", "co2e_t"} & set(run), run["id"]


@pytest.mark.parametrize("run", RUNS, ids=lambda r: str(r.get("id")))
def test_run_schema(run: dict[str, Any]) -> None:
    where = str(run.get("id"))
    assert set(run) >= REQUIRED, f"{where}: missing {REQUIRED - set(run)}"
    assert set(run) <= ALLOWED, f"{where}: unknown keys {set(run) - ALLOWED}"
    _check_source(where, run["source"])
    for extra in run.get("other_sources", []):
        _check_source(f"{where} other_sources", extra)
    for key in NUMERIC & set(run):
        assert _positive_finite(run[key]), f"{where}: {key}={run[key]!r}"
    for key in TEXT & set(run):
        assert isinstance(run[key], str) and run[key].strip(), f"{where}: {key}"
    assert run["device_unit"] in UNITS, where
    if "devices" in run:
        assert float(run["devices"]).is_integer(), f"{where}: devices must be whole"
    if "pue" in run:
        assert 1.0 <= run["pue"] < 3.0, f"{where}: pue"
    if "co2e_net_t" in run:
        assert "co2e_t" in run and run["co2e_net_t"] <= run["co2e_t"], where
    if "params_active" in run:
        assert run["params_active"] < run["params_total"], where


@pytest.mark.parametrize("run", RUNS, ids=lambda r: str(r.get("id")))
def test_profile_exists_and_unit_matches_its_form(run: dict[str, Any]) -> None:
    where = run["id"]
    profile = run["profile"]
    if profile is None:
        assert isinstance(run.get("needs_profile"), str) and run["needs_profile"].strip(), where
        return
    assert profile in PROFILES, f"{where}: no hardware_profiles/{profile}.yaml"
    assert "needs_profile" not in run, where
    data = yaml.safe_load((ROOT / "hardware_profiles" / f"{profile}.yaml").read_text("utf-8"))
    # a board profile (tpu-v2 = 4 chips, k80 = 2 GPUs) is counted in boards, a chip or GPU
    # profile in chips or GPUs: the unit confusion of issue 14 ("64 x TPU v2" on a 4-chip board)
    if data["form"] == "board":
        assert run["device_unit"] == "board", f"{where}: {profile} is a board profile"
    else:
        assert run["device_unit"] in {"gpu", "chip"}, f"{where}: {profile} is per {data['form']}"


@pytest.mark.parametrize("run", RUNS, ids=lambda r: str(r.get("id")))
def test_device_hours_agree_with_devices_and_duration(run: dict[str, Any]) -> None:
    where = run["id"]
    if "device_hours" not in run:
        assert "device_hours_kind" not in run, where
        return
    kind = run.get("device_hours_kind")
    assert kind in {"reported", "derived"}, where
    if kind == "derived":
        assert run.get("device_hours_derivation"), f"{where}: derived without its arithmetic"
    if "devices" in run and "wall_clock_hours" in run:
        product = run["devices"] * run["wall_clock_hours"]
        assert _close(product, run["device_hours"], 0.10), (where, product, run["device_hours"])
    if "segments" in run:
        segments = run["segments"]
        assert isinstance(segments, list) and segments, where
        for seg in segments:
            assert set(seg) == {"devices", "hours"}, where
            assert _positive_finite(seg["devices"]) and _positive_finite(seg["hours"]), where
            assert seg["devices"] <= run.get("devices", seg["devices"]), where
        total = sum(seg["devices"] * seg["hours"] for seg in segments)
        assert _close(total, run["device_hours"], 0.10), (where, total)
        assert "wall_clock_hours" not in run, f"{where}: segments and one duration"


@pytest.mark.parametrize("run", RUNS, ids=lambda r: str(r.get("id")))
def test_energy_fields_and_the_sources_own_arithmetic(run: dict[str, Any]) -> None:
    where = run["id"]
    if "energy_mwh" in run:
        assert isinstance(run.get("energy_includes_pue"), bool), f"{where}: say if PUE is in"
        assert run.get("energy_basis") in BASES, where
        if run["energy_includes_pue"]:
            assert "pue" in run, f"{where}: energy includes a PUE but does not say which"
    if "energy_basis" in run:
        assert run["energy_basis"] in BASES, where
    # energy = device-hours x power per device (x PUE when included), as the sources compute it
    if {"energy_mwh", "device_hours", "power_per_device_w"} <= set(run):
        pue = run["pue"] if run["energy_includes_pue"] else 1.0
        expected = run["device_hours"] * run["power_per_device_w"] * pue / 1e6
        assert _close(expected, run["energy_mwh"], 0.05), (where, expected, run["energy_mwh"])
    # CO2e = energy x grid intensity (gross)
    if {"energy_mwh", "co2e_t", "grid_kg_per_kwh"} <= set(run):
        expected = run["energy_mwh"] * run["grid_kg_per_kwh"]
        assert _close(expected, run["co2e_t"], 0.05), (where, expected, run["co2e_t"])


def test_measured_power_table() -> None:
    ids = [row.get("id") for row in POWER]
    assert len(ids) == len(set(ids)) and all(isinstance(i, str) and SLUG.match(i) for i in ids)
    allowed = {"id", "run", "processor", "profile", "workload", "watts", "stdev_pct", "tdp_w"}
    allowed |= {"kind", "source"}
    for row in POWER:
        where = row["id"]
        assert set(row) <= allowed, f"{where}: unknown keys {set(row) - allowed}"
        _check_source(where, row.get("source"))
        assert _positive_finite(row.get("watts")), where
        assert row.get("profile") in PROFILES, f"{where}: profile {row.get('profile')!r}"
        assert row.get("kind") in {"per_run", "average"}, where
        for key in ("stdev_pct", "tdp_w"):
            if key in row:
                assert _positive_finite(row[key]), f"{where}: {key}"
        if row["kind"] == "per_run":
            run = BY_ID.get(row.get("run"))
            assert run is not None, f"{where}: run {row.get('run')!r} not in runs.yaml"
            # the same measurement in both files, on the same profile
            assert run.get("power_per_device_w") == row["watts"], where
            assert run["profile"] == row["profile"], where
        else:
            assert "run" not in row, where


def test_patterson_averages_cover_the_per_run_measurements() -> None:
    """Table 3's average per processor lies within the range of the runs it averages."""
    averages = {row["profile"]: row for row in POWER if row["kind"] == "average"}
    for row in POWER:
        if row["kind"] == "per_run" and row["source"]["arxiv"] == "2104.10350":
            avg = averages[row["profile"]]
            spread = 3 * avg["stdev_pct"] / 100 * avg["watts"]
            assert abs(row["watts"] - avg["watts"]) <= spread, row["id"]


def test_report_prints_every_run(capsys: pytest.CaptureFixture[str]) -> None:
    assert VR.main([]) == 0
    out = capsys.readouterr().out
    for run in RUNS:
        assert re.search(rf"^{re.escape(run['id'])}\s", out, re.M), run["id"]
    assert f"{len(RUNS)} runs:" in out


def test_loader_refuses_duplicate_keys_and_bad_shapes(tmp_path: Path) -> None:
    dup = tmp_path / "dup.yaml"
    dup.write_text("runs:\n- id: a\n  id: b\n", encoding="utf-8")
    with pytest.raises(CostcalcError, match="duplicate key"):
        VR.load_runs(dup)
    flat = tmp_path / "flat.yaml"
    flat.write_text("runs: 3\n", encoding="utf-8")
    with pytest.raises(ValueError, match="expected a list"):
        VR.load_runs(flat)
    assert VR.main(["--runs", str(flat)]) == 2


def test_merge_keys_share_the_source_but_keep_each_quote() -> None:
    """The YAML anchors used for shared sources resolve, and each run keeps its own quote."""
    llama = [BY_ID[i] for i in ("llama-7b", "llama-13b", "llama-33b", "llama-65b")]
    assert {r["source"]["arxiv"] for r in llama} == {"2302.13971"}
    assert len({r["source"]["quote"] for r in llama}) == len(llama)
