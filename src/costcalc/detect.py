"""What machine is this? Detect the local accelerator and CPU, read the power the device
reports about itself, and find the catalog profile that matches it by name.

Every probe is optional: a missing ``nvidia-smi``, an unreadable RAPL counter or a
``/proc`` that does not exist is normal, and only becomes a remark in ``Detection.remarks``.
External tools run without a shell, with a timeout.

``--hardware local`` resolves here (:func:`resolve_local`): the profile written by
``costcalc calibrate`` if there is one, else the catalog profile matching the detected
device, else the generic ``cpu-server``.
"""

from __future__ import annotations

import dataclasses
import datetime
import os
import platform
import re
import shutil
import subprocess
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from costcalc.errors import ref

if TYPE_CHECKING:
    from costcalc.profiles import Catalog, Profile

LOCAL = "local"
FALLBACK_PROFILE = "cpu-server"
MAX_TOOL_OUTPUT = 1 << 20  # bytes; nvidia-smi's answer for 16 GPUs is under 2 KB
TOOL_TIMEOUT = 10.0  # seconds; nvidia-smi can take a few seconds to wake a sleeping driver
RAPL_ROOT = Path("/sys/class/powercap")

NVIDIA_QUERY = ("--query-gpu=name,memory.total,power.limit", "--format=csv,noheader")
ROCM_QUERY = ("--showproductname", "--showmaxpower", "--showmeminfo", "vram", "--json")


def local_profile_path() -> Path:
    """Where ``costcalc calibrate`` writes, and ``--hardware local`` looks, by default."""
    from costcalc.paths import user_profiles_dir

    return user_profiles_dir() / f"{LOCAL}.yaml"


@dataclass(frozen=True)
class Reading:
    """A figure a device reported about itself, with how it was read."""

    value: float  # base units (W, byte)
    source: str


@dataclass(frozen=True)
class Device:
    """One detected device: a GPU (per GPU) or the host CPU (all its cores together)."""

    kind: str  # "gpu" or "cpu"
    vendor: str
    name: str  # as the device reports it ("NVIDIA H100 80GB HBM3")
    found_by: str  # "nvidia-smi", "rocm-smi", "/proc/cpuinfo", ...
    count: int = 1  # identical devices of this name (GPUs); sockets for a CPU
    memory: Reading | None = None
    power_limit: Reading | None = None
    logical_cpus: int | None = None


@dataclass(frozen=True)
class Detection:
    gpus: list[Device]
    cpu: Device
    remarks: list[str] = field(default_factory=list)

    @property
    def primary(self) -> Device:
        """The device a training run here would use: the first GPU, else the CPU."""
        return self.gpus[0] if self.gpus else self.cpu


Runner = Callable[[Sequence[str]], "str | None"]


def run_tool(argv: Sequence[str], remarks: list[str], timeout: float | None = None) -> str | None:
    """stdout of ``argv`` (no shell), or None when the tool is absent, fails, hangs or
    prints more than ``MAX_TOOL_OUTPUT`` bytes (it is then stopped).

    This is a boundary with programs we do not control: every way they can fail is a
    remark, never an error. What they print is decoded leniently (an undecodable byte
    becomes U+FFFD), and never read past the cap nor waited for past the timeout.
    """
    exe = shutil.which(argv[0])
    if exe is None:
        return None
    limit = TOOL_TIMEOUT if timeout is None else timeout
    try:
        proc = subprocess.Popen(
            [exe, *argv[1:]],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, ValueError) as e:
        why = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        remarks.append(f"{argv[0]} could not be run ({why}); ignored")
        return None
    outputs: list[bytearray] = [bytearray(), bytearray()]
    too_much = threading.Event()

    def drain(stream: Any, into: bytearray) -> None:
        while True:
            chunk = stream.read1(1 << 16)
            if not chunk:
                return
            room = MAX_TOOL_OUTPUT - len(into)
            into += chunk[: max(room, 0)]
            if len(chunk) > room:
                too_much.set()
                proc.kill()
                return

    readers = [
        threading.Thread(target=drain, args=(stream, into), daemon=True)
        for stream, into in zip((proc.stdout, proc.stderr), outputs, strict=True)
    ]
    for r in readers:
        r.start()
    try:
        code = proc.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        remarks.append(f"{argv[0]} did not answer within {limit:g} s; ignored")
        return None
    finally:
        for r in readers:
            r.join(timeout=1.0)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    if too_much.is_set():
        remarks.append(f"{argv[0]} printed more than {MAX_TOOL_OUTPUT} bytes; ignored")
        return None
    stdout, stderr = (bytes(b).decode("utf-8", errors="replace") for b in outputs)
    if code != 0:
        first = (stderr or stdout).strip().splitlines()
        why = f": {first[0][:120]}" if first else ""
        remarks.append(f"{argv[0]} exited with status {code}{why}; ignored")
        return None
    return stdout


def _number(text: str) -> float | None:
    match = re.search(r"[-+]?\d+(?:\.\d+)?", text)
    return float(match.group()) if match else None


def parse_nvidia_smi(text: str) -> list[Device]:
    """Rows of ``nvidia-smi --query-gpu=name,memory.total,power.limit --format=csv,noheader``.

    Identical GPUs are grouped into one :class:`Device` with a ``count``.
    """
    devices: list[Device] = []
    for line in text.splitlines():
        cols = [c.strip() for c in line.split(",")]
        if len(cols) < 3 or not cols[0]:
            continue
        name, memory_text, power_text = cols[0], cols[1], cols[2]
        memory = None
        mib = _number(memory_text)
        if mib is not None and "MiB" in memory_text:
            memory = Reading(mib * 2**20, f"nvidia-smi memory.total: {memory_text}")
        power = None
        watts = _number(power_text)
        if watts is not None and watts > 0:
            power = Reading(watts, f"nvidia-smi power.limit: {power_text}")
        dev = Device("gpu", "NVIDIA", name, "nvidia-smi", 1, memory, power)
        if devices and devices[-1].name == name:
            devices[-1] = dataclasses.replace(devices[-1], count=devices[-1].count + 1)
        else:
            devices.append(dev)
    return devices


def parse_rocm_smi(text: str) -> list[Device]:
    """``rocm-smi --showproductname --showmaxpower --showmeminfo vram --json`` output."""
    import json

    try:
        doc = json.loads(text)
    except ValueError:
        return []
    if not isinstance(doc, dict):
        return []
    devices: list[Device] = []
    for card, fields in doc.items():
        if not str(card).lower().startswith("card") or not isinstance(fields, dict):
            continue
        by_key = {str(k).lower(): str(v) for k, v in fields.items()}
        name = next(
            (
                by_key[k]
                for k in ("card series", "card model", "card sku", "device name")
                if by_key.get(k, "").strip()
            ),
            "",
        )
        if not name:
            continue
        power = None
        for key, value in by_key.items():
            if "max graphics package power" in key and (watts := _number(value)):
                power = Reading(watts, f"rocm-smi {key}: {value}")
        memory = None
        for key, value in by_key.items():
            if "vram total memory" in key and (size := _number(value)):
                memory = Reading(size, f"rocm-smi {key}: {value}")
        name = name if name.lower().startswith("amd") else f"AMD {name}"
        if devices and devices[-1].name == name:
            devices[-1] = dataclasses.replace(devices[-1], count=devices[-1].count + 1)
        else:
            devices.append(Device("gpu", "AMD", name, "rocm-smi", 1, memory, power))
    return devices


def detect_cpu(
    cpuinfo: Path = Path("/proc/cpuinfo"), meminfo: Path = Path("/proc/meminfo")
) -> Device:
    """The host CPU: model name, vendor, sockets and logical CPUs, and memory."""
    name = vendor = ""
    sockets: set[str] = set()
    found_by = str(cpuinfo)
    try:
        text = cpuinfo.read_text(errors="replace")
    except OSError:
        text = ""
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key, value = key.strip().lower(), value.strip()
        if key in ("model name", "hardware", "cpu model", "processor") and not name:
            if value and not value.isdigit():  # "processor : 0" is an index on x86
                name = value
        elif key == "vendor_id" and not vendor:
            vendor = value
        elif key == "physical id":
            sockets.add(value)
    if not name and platform.system() == "Darwin":
        out = run_tool(["sysctl", "-n", "machdep.cpu.brand_string"], [])
        if out and out.strip():
            name, found_by = out.strip(), "sysctl machdep.cpu.brand_string"
    if not name:
        name = platform.processor() or platform.machine() or "unknown CPU"
        found_by = "platform.processor()"
    vendors = {"GenuineIntel": "Intel", "AuthenticAMD": "AMD"}
    vendor = vendors.get(vendor) or next(
        (v for v in ("Intel", "AMD", "Apple", "Ampere") if v.lower() in name.lower()), "Generic"
    )
    memory = None
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:") and (kib := _number(line)):
                memory = Reading(kib * 1024, f"{meminfo} {line.strip()}")
    except OSError:
        pass
    logical = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return Device(
        "cpu",
        vendor,
        name,
        found_by,
        count=max(1, len(sockets)),
        memory=memory,
        logical_cpus=logical,
    )


def detect(runner: Runner | None = None) -> Detection:
    """Probe ``nvidia-smi``, ``rocm-smi`` and the CPU. Never raises for a missing tool."""
    remarks: list[str] = []

    def default_runner(argv: Sequence[str]) -> str | None:
        return run_tool(argv, remarks)

    run = runner or default_runner
    gpus: list[Device] = []
    out = run(["nvidia-smi", *NVIDIA_QUERY])
    if out is not None:
        gpus += parse_nvidia_smi(out)
    out = run(["rocm-smi", *ROCM_QUERY])
    if out is not None:
        gpus += parse_rocm_smi(out)
    if not gpus:
        remarks.append("no GPU found (nvidia-smi and rocm-smi absent or reporting none)")
    return Detection(gpus, detect_cpu(), remarks)


# -- power from the CPU's own energy counters ------------------------------------------


def rapl_domains(root: Path = RAPL_ROOT) -> list[Path]:
    """Top-level RAPL package domains (``intel-rapl:0``, not the ``:0:0`` sub-domains)
    whose energy counter this user can read. AMD CPUs expose theirs under the same name."""
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.glob("intel-rapl:*")):
        if path.name.count(":") != 1:
            continue
        try:
            int((path / "energy_uj").read_text())
        except (OSError, ValueError):
            continue  # usually root-only since 2020 (CVE-2020-8694)
        found.append(path)
    return found


class RaplMeter:
    """Average package power between :meth:`start` and :meth:`stop`, from RAPL counters."""

    def __init__(self, domains: list[Path]) -> None:
        self.domains = domains
        self._start: list[int] = []

    def _read(self) -> list[int]:
        return [int((d / "energy_uj").read_text()) for d in self.domains]

    def start(self) -> None:
        self._start = self._read()

    def stop(self, seconds: float) -> float:
        """Average power (W) over ``seconds`` since :meth:`start`; counters may wrap once."""
        total = 0
        for domain, before, after in zip(self.domains, self._start, self._read(), strict=True):
            delta = after - before
            if delta < 0:
                wrap = int((domain / "max_energy_range_uj").read_text())
                delta += wrap
            total += delta
        return total * 1e-6 / seconds


# -- matching a device to the catalog --------------------------------------------------


def _tokens(name: str) -> list[str]:
    return [t for t in re.split(r"[^a-z0-9]+", name.lower()) if t]


def _key_score(key: str, tokens: list[str]) -> tuple[int, int] | None:
    """How well a profile name or alias (``a100-sxm-80gb``) describes the reported tokens.

    Every part with a digit (model numbers, memory sizes) must appear as a token; other
    parts may be a token's prefix (``sxm`` in ``sxm4``). Score: (-unmatched, matched).
    """
    parts = key.split("-")
    if not any(any(ch.isdigit() for ch in p) for p in parts):
        return None
    matched = unmatched = 0
    for part in parts:
        if any(ch.isdigit() for ch in part):
            if part not in tokens:
                return None
            matched += 1
        elif any(t == part or t.startswith(part) for t in tokens):
            matched += 1
        else:
            unmatched += 1
    return (-unmatched, matched)


def _closeness(device: Device, profile: Profile) -> float:
    """Tie-break between equally named profiles: reported power limit and memory."""
    import math

    score = 0.0
    if device.power_limit and profile.tdp:
        score -= abs(math.log(device.power_limit.value / profile.tdp.value))
    if device.memory and profile.memory:
        score -= abs(math.log(device.memory.value / profile.memory.value))
    return score


def match_profile(device: Device, profiles: dict[str, Profile]) -> tuple[Profile | None, str]:
    """The catalog profile whose name or an alias matches the device's reported name.

    Returns the profile (or None) and a sentence saying how it was chosen.
    """
    tokens = _tokens(device.name)
    kinds = {"cpu"} if device.kind == "cpu" else {"gpu", "accelerator"}
    scored = []
    for prof in profiles.values():
        if prof.kind not in kinds:
            continue
        scores = [s for k in (prof.name, *prof.aliases) if (s := _key_score(k, tokens))]
        if scores:
            best = max(scores)
            scored.append((best, _closeness(device, prof), prof.name, prof))
    if not scored:
        return None, f"no catalog profile matches '{device.name}' ({device.found_by}) by name"
    scored.sort(key=lambda s: (s[0], s[1]), reverse=True)
    top = scored[0]
    tied = [s[2] for s in scored if s[0] == top[0]]
    why = f"'{device.name}' ({device.found_by}) matches catalog profile {top[2]} by name"
    if len(tied) > 1:
        why += f" (closest power limit and memory among {', '.join(sorted(tied))})"
    return top[3], why


def choose_profile(detection: Detection, catalog: Catalog) -> tuple[Profile, str]:
    """The catalog profile for the primary device, else the generic ``cpu-server``."""
    device = detection.primary
    profiles = catalog.all()
    prof, why = match_profile(device, profiles)
    if prof is not None:
        return prof, why
    if FALLBACK_PROFILE in profiles:
        return profiles[FALLBACK_PROFILE], f"{why}; using the generic {FALLBACK_PROFILE}"
    return catalog.get(FALLBACK_PROFILE), f"{why}; using the generic {FALLBACK_PROFILE}"


def resolve_local(catalog: Catalog) -> Profile:
    """``--hardware local``: the calibrated profile if present, else detection.

    The returned profile's ``chosen_because`` says which was chosen and why.
    """
    from costcalc.paths import optional_place
    from costcalc.profiles import load_profile

    path = optional_place(local_profile_path, Path.is_file, "calibrated profile", catalog.warnings)
    if path is not None:
        prof = load_profile(path)
        stamp = datetime.datetime.fromtimestamp(path.stat().st_mtime, datetime.timezone.utc)
        why = (
            f"{ref('hardware')} local: the profile written by costcalc calibrate at {path} "
            f"({stamp:%Y-%m-%d})"
        )
        return dataclasses.replace(prof, chosen_because=why)
    detection = detect()
    prof, why = choose_profile(detection, catalog)
    if prof.name == FALLBACK_PROFILE and detection.primary.kind == "cpu":
        from costcalc import cpu_power

        prof = cpu_power.scale_server(prof, detection.cpu)
        if prof.display_name.endswith("logical CPUs"):
            why += f", {cpu_power.logical_cpus(detection.cpu)} logical CPUs of its 128 cores"
    why = (
        f"{ref('hardware')} local: no calibrated profile at {path or 'the config directory'} "
        "(run costcalc calibrate), "
        f"so detection chose: {why}"
    )
    gpus = sum(g.count for g in detection.gpus)
    if gpus > 1:
        why += f"; {gpus} GPUs found, one device is one GPU (give {ref('devices')})"
    return dataclasses.replace(prof, chosen_because=why)
