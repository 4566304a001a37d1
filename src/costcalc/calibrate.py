"""Measure this machine: achieved dense matrix-multiply throughput per precision, written
as a user hardware profile that ``--hardware local`` then uses.

What is measured is an *achieved* rate, not the vendor's peak: N x N matmuls (2 N^3 FLOP
each) through numpy's BLAS on the CPU, or through torch on a CUDA/ROCm GPU when torch is
installed and sees one. For each precision the size N grows until one product takes a
fair share of the time budget (small products measure overhead, not arithmetic), one
warm-up runs at that size, and then as many timed repeats as the budget allows (at least
:data:`MIN_REPEATS`). The figure is the median; the spread is (max - min) / median.
"""

from __future__ import annotations

import datetime
import math
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from costcalc import detect as detect_mod
from costcalc.errors import InputError, ref
from costcalc.hardware import default_catalog
from costcalc.profiles import NAME_RE, Catalog, Profile, Sourced

MIN_SECONDS = 1.0
MAX_SECONDS = 3600.0
MIN_REPEATS = 3
MAX_REPEATS = 30
SAMPLES_PER_BUDGET = 20  # one timed sample aims at budget / this
START_SIZE = 256
PREFERRED_SIZE = 1024
MIN_SIZE = 16
CPU_MEMORY_CAP = 512 * 2**20  # bytes for the three CPU matrices, at most
CPU_SIZE_CAP = 8192

# numpy on the CPU: precision -> dtype, and the share of the budget it gets. fp32 first:
# it is the CPU profile's default precision and should not run on a hot chip.
NUMPY_PRECISIONS = {"fp32": "float32", "fp64": "float64", "fp16": "float16"}
NUMPY_SHARES = {"fp32": 1.0, "fp64": 1.0, "fp16": 0.25}
# torch on a GPU: precision -> (dtype name, allow TF32), and the share of the budget.
TORCH_PRECISIONS = {
    "bf16": ("bfloat16", False),
    "fp16": ("float16", False),
    "tf32": ("float32", True),
    "fp32": ("float32", False),
    "fp64": ("float64", False),
}
TORCH_SHARES = {"bf16": 1.0, "fp16": 1.0, "tf32": 1.0, "fp32": 1.0, "fp64": 0.5}

NUMPY_FP16_NOTE = (
    "numpy has no BLAS kernel for float16 and multiplies in a generic loop, so this is far "
    "below what fp16 hardware or a framework's kernels reach; recorded because it was measured"
)

Progress = Callable[[str], None]
Clock = Callable[[], float]


def matmul_flops(size: int) -> float:
    """FLOP of one size x size matrix product, counted as 2 N^3 (a multiply and an add)."""
    return 2.0 * float(size) ** 3


@dataclass(frozen=True)
class Timing:
    """Timed repeats at one size: each repeat ran ``calls`` products in ``seconds``."""

    size: int
    calls: int
    samples: tuple[float, ...]  # seconds per repeat
    elapsed: float  # whole measurement, size search and warm-up included

    @property
    def throughputs(self) -> list[float]:
        work = matmul_flops(self.size) * self.calls
        return [work / s for s in self.samples]


def time_matmul(
    make: Callable[[int], Callable[[], None]],
    budget: float,
    *,
    max_size: int,
    clock: Clock = time.perf_counter,
    start_size: int = START_SIZE,
) -> Timing:
    """Choose a size, warm up, and time repeats of ``make(size)()`` within ``budget`` s.

    ``make(n)`` prepares operands and returns a function doing one n x n product (and
    waiting for it). The size doubles while the next one (about 8x the time) still fits
    in one sample's share of the budget, or is below PREFERRED_SIZE and the budget has
    room; then repeats run until the budget is spent, at least MIN_REPEATS and at most
    MAX_REPEATS. A sample is as many products as fit in one share.
    """
    began = clock()
    deadline = began + budget
    target = budget / SAMPLES_PER_BUDGET

    def trial(n: int) -> tuple[Callable[[], None], float]:
        run = make(n)
        run()  # warm-up: thread pools, page faults, kernel selection
        times = []
        # The faster of two: a BLAS thread waking from sleep can make one small product
        # 100x slower, and the size must be chosen from the steady rate.
        for _ in range(2):
            t0 = clock()
            run()
            times.append(clock() - t0)
        return run, max(min(times), 1e-9)

    size = max(MIN_SIZE, min(start_size, max_size))
    run, one = trial(size)
    while one > target and size // 2 >= MIN_SIZE:
        size //= 2
        run, one = trial(size)
    # The next size costs ~8x: its trial (3 products) and the minimum repeats must fit.
    while size * 2 <= max_size and clock() + (3 + MIN_REPEATS) * 8 * one < deadline:
        # Grow while the next size fits one sample, and in any case up to PREFERRED_SIZE:
        # below it, thread wake-ups and call overhead weigh as much as the arithmetic.
        if one * 8 > target and size >= PREFERRED_SIZE:
            break
        size *= 2
        run, one = trial(size)
    calls = max(1, int(target / one))
    samples: list[float] = []
    while len(samples) < MAX_REPEATS:
        if len(samples) >= MIN_REPEATS and clock() + one * calls > deadline:
            break
        t0 = clock()
        for _ in range(calls):
            run()
        samples.append(max(clock() - t0, 1e-9))
    return Timing(size, calls, tuple(samples), clock() - began)


@dataclass(frozen=True)
class Measurement:
    precision: str
    backend: str  # "numpy float32 (scipy-openblas 0.3.31)", "torch 2.4 float16 on cuda:0"
    timing: Timing
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.timing.throughputs)

    @property
    def low(self) -> float:
        return min(self.timing.throughputs)

    @property
    def high(self) -> float:
        return max(self.timing.throughputs)

    @property
    def spread(self) -> float:
        """(max - min) / median of the repeats' throughputs."""
        return (self.high - self.low) / self.median

    @property
    def quartile_spread(self) -> float:
        """Interquartile range / median: the spread without the one slow outlier."""
        values = self.timing.throughputs
        if len(values) < 2:
            return 0.0
        q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
        return (q3 - q1) / self.median

    def method(self) -> str:
        t = self.timing
        per = f"{t.calls} products" if t.calls > 1 else "1 product"
        return (
            f"{self.backend} matmul {t.size} x {t.size} (2N^3 FLOP), warm-up then "
            f"{len(t.samples)} repeats of {per}, median {_tflops(self.median)}, "
            f"min {_tflops(self.low)}, max {_tflops(self.high)}, "
            f"spread {self.spread * 100:.1f}% ((max-min)/median), "
            f"interquartile {self.quartile_spread * 100:.1f}%"
        )


@dataclass(frozen=True)
class Skipped:
    what: str
    reason: str


@dataclass
class Calibration:
    """What ``costcalc calibrate`` did: the device, measurements, power, and the profile."""

    device: detect_mod.Device
    detection: detect_mod.Detection
    measurements: list[Measurement]
    skipped: list[Skipped]
    power: str  # one sentence: the power figure and where it came from
    measured_at: datetime.datetime
    path: Path
    document: dict[str, Any]
    profile: Profile | None = None
    remarks: list[str] = field(default_factory=list)


def _tflops(value: float) -> str:
    return f"{value / 1e12:.4g} TFLOPS"


def _blas_name() -> str:
    import numpy as np

    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]  # type: ignore[func-returns-value]
        return f"{blas.get('name', 'BLAS')} {blas.get('version', '')}".strip()
    except (TypeError, KeyError, AttributeError):  # numpy < 1.26 has no mode="dicts"
        return "BLAS"


def _threads_note() -> str:
    env = [
        f"{k}={os.environ[k]}"
        for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
        if k in os.environ
    ]
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{cpus} logical CPUs available to BLAS" + (f" ({', '.join(env)})" if env else "")


def _numpy_maker(dtype: Any) -> Callable[[int], Callable[[], None]]:
    import numpy as np

    rng = np.random.default_rng(0)

    def make(n: int) -> Callable[[], None]:
        a = rng.standard_normal((n, n)).astype(dtype)
        b = rng.standard_normal((n, n)).astype(dtype)
        c = np.empty((n, n), dtype=dtype)

        def run() -> None:
            np.matmul(a, b, out=c)

        return run

    return make


def measure_numpy(
    budget: float, progress: Progress, clock: Clock = time.perf_counter
) -> list[Measurement]:
    """Each numpy precision on the CPU, sharing ``budget`` seconds by NUMPY_SHARES."""
    import numpy as np

    blas = _blas_name()
    total_share = sum(NUMPY_SHARES.values())
    out = []
    for prec, dtype_name in NUMPY_PRECISIONS.items():
        dtype = np.dtype(dtype_name)
        share = budget * NUMPY_SHARES[prec] / total_share
        max_size = CPU_SIZE_CAP
        while 3 * max_size**2 * dtype.itemsize > CPU_MEMORY_CAP:
            max_size //= 2
        progress(f"numpy {dtype_name} matmul on the CPU ({share:.1f} s)...")
        timing = time_matmul(_numpy_maker(dtype), share, max_size=max_size, clock=clock)
        backend = f"numpy {dtype_name} ({blas})" if prec != "fp16" else f"numpy {dtype_name}"
        m = Measurement(prec, backend, timing, NUMPY_FP16_NOTE if prec == "fp16" else "")
        progress(
            f"  {prec}: {_tflops(m.median)} median, N={timing.size}, "
            f"{len(timing.samples)} repeats, spread {m.spread * 100:.1f}%"
        )
        out.append(m)
    return out


def torch_gpu() -> tuple[Any, str]:
    """(torch, "") when torch sees a CUDA or ROCm GPU, else (None, why not)."""
    try:
        import torch  # type: ignore[import-not-found]
    except ImportError:
        return None, "torch is not installed (pip install torch to measure the GPU)"
    if not torch.cuda.is_available():
        return None, f"torch {torch.__version__} sees no CUDA or ROCm GPU"
    return torch, ""


def measure_torch(
    torch: Any, budget: float, progress: Progress, clock: Clock = time.perf_counter
) -> tuple[list[Measurement], list[Skipped]]:
    """Each precision torch can run on GPU 0, sharing ``budget`` seconds."""
    device = torch.device("cuda:0")
    api = "ROCm" if getattr(torch.version, "hip", None) else "CUDA"
    name = torch.cuda.get_device_name(0)
    total_memory = torch.cuda.get_device_properties(0).total_memory
    major, _minor = torch.cuda.get_device_capability(0)
    runnable = dict(TORCH_PRECISIONS)
    skipped = []
    if not torch.cuda.is_bf16_supported():
        runnable.pop("bf16")
        skipped.append(Skipped(f"bf16 on {name}", "torch reports no bf16 support"))
    if api == "CUDA" and major < 8:
        runnable.pop("tf32")
        skipped.append(Skipped(f"tf32 on {name}", "TF32 needs compute capability 8.0+"))
    total_share = sum(TORCH_SHARES[p] for p in runnable)
    out = []
    saved_tf32 = torch.backends.cuda.matmul.allow_tf32
    try:
        for prec, (dtype_name, tf32) in runnable.items():
            dtype = getattr(torch, dtype_name)
            itemsize = torch.empty((), dtype=dtype).element_size()
            max_size = 16384
            while 3 * max_size**2 * itemsize > total_memory / 4:
                max_size //= 2
            share = budget * TORCH_SHARES[prec] / total_share
            torch.backends.cuda.matmul.allow_tf32 = tf32

            def make(n: int, dtype: Any = dtype) -> Callable[[], None]:
                a = torch.randn((n, n), device=device, dtype=dtype)
                b = torch.randn((n, n), device=device, dtype=dtype)
                c = torch.empty((n, n), device=device, dtype=dtype)

                def run() -> None:
                    torch.matmul(a, b, out=c)
                    torch.cuda.synchronize(device)

                return run

            progress(f"torch {prec} matmul on {name} ({api}, {share:.1f} s)...")
            timing = time_matmul(make, share, max_size=max_size, clock=clock)
            label = f"torch {torch.__version__} {dtype_name}{' (TF32 allowed)' if tf32 else ''}"
            m = Measurement(prec, f"{label} on {name} via {api}", timing)
            progress(f"  {prec}: {_tflops(m.median)} median, spread {m.spread * 100:.1f}%")
            out.append(m)
    finally:
        torch.backends.cuda.matmul.allow_tf32 = saved_tf32
    return out, skipped


# -- the profile -------------------------------------------------------------------------


def _sourced_entry(value: str, source: str, date: str, **extra: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"value": value, "source": source, "date": date}
    entry.update({k: v for k, v in extra.items() if v})
    return entry


def _copy_sourced(entry: Sourced, prefix: str) -> dict[str, Any]:
    return _sourced_entry(
        entry.text,
        f"{prefix}: {entry.source}",
        entry.date,
        estimate=entry.estimate,
        note=entry.note,
    )


def _power_entries(
    device: detect_mod.Device,
    rapl_power: float | None,
    rapl_seconds: float,
    rapl_domains: list[Path],
    matched: Profile | None,
    match_reason: str,
    fallback: Profile,
    date: str,
) -> tuple[dict[str, dict[str, Any]], str]:
    """The profile's power fields, from the device's own report if it has one."""
    if device.kind == "cpu" and rapl_power is not None:
        where = ", ".join(str(d / "energy_uj") for d in rapl_domains)
        source = (
            f"measured by costcalc calibrate: RAPL package energy ({where}) over "
            f"{rapl_seconds:.1f} s of numpy matmul, on {date}"
        )
        note = (
            "CPU package(s) only, under full matmul load: DRAM, disks, fans and power-supply "
            "losses are not included"
        )
        entries = {"average_power": _sourced_entry(f"{rapl_power:.4g} W", source, date, note=note)}
        return entries, f"{rapl_power:.4g} W average package power (RAPL, under load)"
    if device.kind == "gpu" and device.power_limit is not None:
        source = (
            f"read by costcalc calibrate: {device.power_limit.source} for {device.name} "
            f"(the board power limit, used as TDP)"
        )
        entries = {"tdp": _sourced_entry(f"{device.power_limit.value:.4g} W", source, date)}
        return entries, f"{device.power_limit.value:.4g} W power limit ({device.found_by})"
    base, how = (
        (matched, f"catalog profile {matched.name}, {match_reason}")
        if matched
        else (
            fallback,
            f"catalog profile {fallback.name} (generic fallback: {match_reason})",
        )
    )
    entries = {}
    for key in ("tdp", "average_power", "server_overhead", "power_load"):
        entry = getattr(base, key)
        if entry is not None:
            entries[key] = _copy_sourced(entry, how)
    if base is fallback and "tdp" in entries and device.kind == "cpu":
        from costcalc import cpu_power

        watts, source = cpu_power.tdp_text(device)
        entries["tdp"] = _sourced_entry(
            f"{watts:.4g} W",
            source,
            fallback.tdp.date if fallback.tdp else date,
            estimate=True,
            note="An estimate, not this machine's reading: no readable RAPL counter. "
            f"Give {ref('power')} for a better energy estimate.",
        )
        return entries, f"{watts:.4g} W TDP: {source} (estimate; no RAPL)"
    if base is fallback and "tdp" in entries:
        entries["tdp"]["estimate"] = True
        entries["tdp"]["note"] = (
            f"Not this machine's figure: the {fallback.name} profile describes "
            f"{fallback.display_name}; this machine was not matched and reports no power. "
            f"Give {ref('power')} for a better energy estimate."
        )
    shown = base.tdp.text if base.tdp else "(no TDP)"
    return entries, f"{shown} TDP from {how}"


def _choose_default_precision(measured: list[str], kind: str, matched: Profile | None) -> str:
    if kind == "cpu":
        return "fp32" if "fp32" in measured else measured[0]
    if matched is not None and matched.default_precision in measured:
        return matched.default_precision
    return next((p for p in ("bf16", "fp16", "tf32", "fp32") if p in measured), measured[0])


def build_document(
    *,
    name: str,
    device: detect_mod.Device,
    detection: detect_mod.Detection,
    measurements: list[Measurement],
    skipped: list[Skipped],
    power_entries: dict[str, dict[str, Any]],
    matched: Profile | None,
    match_reason: str,
    measured_at: datetime.datetime,
) -> dict[str, Any]:
    """The YAML document of the calibrated profile (schema_version 1)."""
    date = measured_at.date().isoformat()
    stamp = measured_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    dense: dict[str, Any] = {}
    for m in measurements:
        if m.precision in dense:
            continue
        dense[m.precision] = _sourced_entry(
            f"{m.median / 1e12:.5g} TFLOPS",
            f"measured by costcalc calibrate: {m.method()}; {stamp}",
            date,
            note=m.note,
        )
    measured = list(dense)
    default = _choose_default_precision(measured, device.kind, matched)
    if device.kind == "cpu":
        display = f"{device.name} (this machine, {device.logical_cpus} logical CPUs)"
        form, chips = "server", device.count
    else:
        display = f"{device.name} (this machine)"
        form, chips = "gpu", 1
    notes = [
        f"Calibrated by costcalc calibrate on {stamp}; detected {device.name} via "
        f"{device.found_by}.",
        "Peaks here are ACHIEVED dense matmul throughput on this machine, not vendor peaks: "
        "they already include the BLAS library's efficiency, clocks under load and "
        f"{'this many BLAS threads: ' + _threads_note() if device.kind == 'cpu' else 'the GPU'}.",
        f"Utilization guidance: {ref('utilization')} is now the fraction of THIS measured rate "
        "that "
        "training reaches. The default (Epoch AI's median MFU, measured against vendor peaks) "
        "is conservative here; a workload of large matmuls can come close to 100% of it, while "
        "small layers, data loading, non-matmul operations and communication pull it down.",
    ]
    if matched is not None:
        for prec in measured:
            if prec in matched.dense_peak:
                share = dense_value(measurements, prec) / matched.dense_peak[prec].value
                notes.append(
                    f"Measured {prec} is {share * 100:.1f}% of the vendor dense {prec} peak "
                    f"in catalog profile {matched.name} ({match_reason})."
                )
    else:
        notes.append(f"No catalog profile for this device: {match_reason}.")
    if device.kind == "gpu" and sum(g.count for g in detection.gpus) > 1:
        notes.append(
            f"{sum(g.count for g in detection.gpus)} GPUs detected; one device in this "
            f"profile is ONE GPU (GPU 0 was measured): give {ref('devices')}."
        )
    notes += [f"Not measured: {s.what}: {s.reason}." for s in skipped]
    doc: dict[str, Any] = {
        "schema_version": 1,
        "name": name,
        "display_name": display,
        "vendor": device.vendor,
        "kind": device.kind,
        "form": form,
        "chips": chips,
        "default_precision": default,
        "dense_peak": dense,
    }
    if device.memory is not None:
        doc["memory"] = _sourced_entry(
            f"{device.memory.value / 1e9:.4g} GB",
            f"read by costcalc calibrate: {device.memory.source}",
            date,
        )
    doc.update(power_entries)
    doc["notes"] = " ".join(notes)
    return doc


def dense_value(measurements: list[Measurement], precision: str) -> float:
    return next(m.median for m in measurements if m.precision == precision)


def to_yaml(document: dict[str, Any]) -> str:
    import yaml

    header = (
        "# Written by `costcalc calibrate`: this machine, as measured. Edit freely; the\n"
        f"# fields are those of hardware_profiles/README.md. Re-run with {ref('force')} to "
        "refresh.\n"
    )
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    return header + str(body)


def _quiet(_: str) -> None:
    pass


def check_writable(path: Path, where: str) -> None:
    """Fail now, not after a measurement, when ``path`` cannot be written: its directory
    is created if needed and a probe file is created in it and removed."""
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".costcalc-probe-"):
            pass
    except OSError as e:
        why = e.strerror or type(e).__name__
        hint = (
            ""
            if where == ref("output")
            else f"; give {ref('output')} FILE or set COSTCALC_CONFIG_DIR"
        )
        raise InputError(f"cannot write '{path}' ({why}){hint}", where) from None


def calibrate(
    seconds: float = 10.0,
    *,
    output: str | Path | None = None,
    force: bool = False,
    progress: Progress | None = None,
    catalog: Catalog | None = None,
    detection: detect_mod.Detection | None = None,
    rapl_root: Path | None = None,
) -> Calibration:
    """Measure this machine within about ``seconds`` and write its profile.

    Writes to ``output``, else ``<config dir>/profiles/local.yaml`` (see
    :func:`costcalc.detect.local_profile_path`). The profile is validated with the same
    checks as the shipped catalog before it is written.
    """
    from costcalc import yamlio
    from costcalc.profiles import parse_profile

    say = progress or _quiet
    if not isinstance(seconds, (int, float)) or not math.isfinite(seconds):
        raise InputError(f"expected a number of seconds, got {seconds!r}", input="seconds")
    if not MIN_SECONDS <= seconds <= MAX_SECONDS:
        raise InputError(
            f"{seconds:g} s is outside {MIN_SECONDS:g}..{MAX_SECONDS:g} s; a shorter run is "
            "too noisy to record, a longer one is never needed",
            input="seconds",
        )
    from costcalc.atomic import output_target
    from costcalc.paths import expand_place

    # Where the profile goes is checked now, not after the measurement. An empty path or
    # one ending in "/" is refused by output_target as given; "~user" is expanded first.
    raw = str(output) if output is not None else str(detect_mod.local_profile_path())
    if output is not None and raw.strip() and not raw.endswith("/"):
        raw = str(expand_place(raw, ref("output")))
    where = ref("output") if output is not None else "COSTCALC_CONFIG_DIR"
    if not force and os.path.isfile(raw):  # say so now, not after the measurement
        from costcalc.atomic import exists_error

        raise exists_error(Path(raw), ref("force"), ref("output"))
    output_target(raw, where=where, overwrite=force, force_flag=ref("force"), make_parents=True)
    path = Path(raw)
    check_writable(path, where)
    name = path.stem.lower() if NAME_RE.match(path.stem.lower()) else detect_mod.LOCAL
    catalog = catalog or default_catalog()

    say("detecting hardware...")
    found = detection or detect_mod.detect()
    remarks = list(found.remarks)
    for gpu in found.gpus:
        say(f"  GPU: {gpu.count} x {gpu.name} ({gpu.found_by})")
    say(f"  CPU: {found.cpu.name} ({found.cpu.logical_cpus} logical CPUs, {found.cpu.found_by})")

    measured_at = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    measurements: list[Measurement] = []
    skipped: list[Skipped] = []
    device = found.cpu
    torch, why_not = torch_gpu() if found.gpus else (None, "no GPU detected")
    if torch is not None:
        device = found.gpus[0]
        got, skipped_gpu = measure_torch(torch, seconds, say)
        measurements += got
        skipped += skipped_gpu
        skipped.append(Skipped("the CPU", "the GPU is the device this profile describes"))
    else:
        if found.gpus:
            skipped.append(Skipped(f"GPU {found.gpus[0].name}", why_not))
            remarks.append(
                f"a GPU ({found.gpus[0].name}) was found but cannot be measured: {why_not}; "
                "this profile describes the CPU"
            )
        else:
            skipped.append(Skipped("GPU (torch)", why_not))
    rapl_power = None
    rapl_elapsed = 0.0
    domains = detect_mod.rapl_domains(rapl_root or detect_mod.RAPL_ROOT)
    if not measurements:
        meter = detect_mod.RaplMeter(domains) if domains else None
        if meter:
            meter.start()
        started = time.perf_counter()
        measurements += measure_numpy(seconds, say)
        rapl_elapsed = time.perf_counter() - started
        if meter:
            rapl_power = meter.stop(rapl_elapsed)
        elif device.kind == "cpu":
            remarks.append("no readable RAPL energy counter (often root-only); power not measured")

    matched, match_reason = detect_mod.match_profile(device, catalog.all())
    fallback = catalog.get(detect_mod.FALLBACK_PROFILE)
    power_entries, power_text = _power_entries(
        device,
        rapl_power,
        rapl_elapsed,
        domains,
        matched,
        match_reason,
        fallback,
        measured_at.date().isoformat(),
    )
    document = build_document(
        name=name,
        device=device,
        detection=found,
        measurements=measurements,
        skipped=skipped,
        power_entries=power_entries,
        matched=matched,
        match_reason=match_reason,
        measured_at=measured_at,
    )
    text = to_yaml(document)
    profile = parse_profile(yamlio.load(text, str(path)))  # a bug if this fails
    from costcalc.atomic import write_text_atomic

    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, text, overwrite=force, force_flag=ref("force"), where=ref("output"))
    say(f"wrote {path}")
    return Calibration(
        device=device,
        detection=found,
        measurements=measurements,
        skipped=skipped,
        power=power_text,
        measured_at=measured_at,
        path=path,
        document=document,
        profile=profile,
        remarks=remarks,
    )
