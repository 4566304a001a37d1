"""`costcalc calibrate`, detection and `--hardware local`.

User state is isolated: COSTCALC_CONFIG_DIR points into tmp_path in every test here, and
GPUs are faked with an `nvidia-smi` script put first on PATH.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costcalc import calibrate as cal
from costcalc import detect
from costcalc.profiles import Catalog, load_profile, parse_profile
from costcalc.yamlio import load

H100_LINE = "NVIDIA H100 80GB HBM3, 81559 MiB, 700.00 W"


@pytest.fixture(autouse=True)
def isolated_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "config"
    monkeypatch.setenv("COSTCALC_CONFIG_DIR", str(config))
    return config


def costcalc_exe() -> list[str]:
    exe = Path(sys.executable).with_name("costcalc")
    return [str(exe) if exe.exists() else shutil.which("costcalc") or "costcalc"]


# One BLAS thread for the measured comparison: on a shared 2-core machine two OpenBLAS
# threads wait on each other whenever a neighbour takes a core, and the rate jumps 5x
# between repeats; one thread is steady to a few percent.
STEADY = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One real 2-second calibration by the installed script, shared by the tests that read it."""
    config = tmp_path_factory.mktemp("calibrated")
    env = {**os.environ, **STEADY, "COSTCALC_CONFIG_DIR": str(config)}
    done = subprocess.run(
        [*costcalc_exe(), "calibrate", "--seconds", "2"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    return {"result": done, "config": config}


def fake_tool(bin_dir: Path, name: str, script: str) -> None:
    bin_dir.mkdir(exist_ok=True)
    path = bin_dir / name
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)


@pytest.fixture
def fake_gpu(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Put a fake nvidia-smi first on PATH, answering only the query costcalc makes."""

    def install(lines: list[str] | None = None, script: str | None = None) -> Path:
        bin_dir = tmp_path / "bin"
        if script is None:
            body = "\n".join(f'echo "{line}"' for line in (lines or [H100_LINE]))
            script = (
                'if [ "$1" != "--query-gpu=name,memory.total,power.limit" ] || '
                '[ "$2" != "--format=csv,noheader" ]; then echo "bad args: $*" >&2; exit 64; fi\n'
                + body
                + "\n"
            )
        fake_tool(bin_dir, "nvidia-smi", script)
        monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
        return bin_dir

    return install


# -- the real measurement on this machine ---------------------------------------------


def test_calibrate_writes_a_valid_profile(calibrated) -> None:
    r = calibrated["result"]
    assert r.returncode == 0, r.stderr + r.stdout
    assert r.stderr.startswith("costcalc calibrate: detecting hardware")
    assert "numpy float32 matmul" in r.stderr
    assert "Wrote" in r.stdout and "not measured: GPU" in r.stdout

    path = calibrated["config"] / "profiles" / "local.yaml"
    profile = load_profile(path)  # the shipped catalog's validator
    assert (profile.name, profile.kind, profile.default_precision) == ("local", "cpu", "fp32")
    assert {"fp32", "fp64"} <= set(profile.dense_peak)
    assert "Utilization guidance" in profile.notes and "OPENBLAS_NUM_THREADS=1" in profile.notes
    assert profile.tdp is not None or profile.average_power is not None
    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    for prec in ("fp32", "fp64"):
        entry = profile.dense_peak[prec]
        assert entry.source.startswith("measured by costcalc calibrate: numpy")
        assert entry.date == today
        size = int(re.search(r"matmul (\d+) x \1", entry.source).group(1))
        assert float(re.search(r"spread ([\d.]+)%", entry.source).group(1)) >= 0
        # The rate itself is a timing (make bench measures it); the FLOP count per product
        # and the median are checked with a fake clock below. Here: a real, finite rate.
        assert size >= 64 and math.isfinite(entry.value) and entry.value > 0


def test_calibrate_in_process_with_output(cli, tmp_path: Path, isolated_config: Path) -> None:
    out = tmp_path / "myrig.yaml"
    r = cli("calibrate", "--seconds", "1", "--output", str(out))
    assert r.code == 0, r.err
    assert "costcalc calibrate: numpy float64 matmul on the CPU" in r.err
    assert f"Wrote {out}" in r.out and "--hardware local" not in r.out
    assert load_profile(out).name == "myrig"  # named after the file
    assert not isolated_config.exists()  # --output replaces the default path
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp left
    again = cli("calibrate", "--seconds", "1", "--output", str(out), "--force")
    assert again.code == 0, again.err


def test_estimate_hardware_local_uses_the_calibrated_profile(calibrated, cli) -> None:
    env = {"COSTCALC_CONFIG_DIR": str(calibrated["config"])}
    r = cli("estimate", "1e18", "--hardware", "local", "--format", "json", env=env)
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    path = calibrated["config"] / "profiles" / "local.yaml"
    peak = load_profile(path).dense_peak["fp32"].value
    assert doc["hardware"] == "local"
    assert doc["assumptions"]["peak"]["value"] == pytest.approx(peak / 1e12)
    assert "measured by costcalc calibrate" in doc["assumptions"]["peak"]["source"]
    assert str(path) in doc["assumptions"]["hardware"]["source"]
    assert any("costcalc calibrate" in n and str(path) in n for n in doc["notes"])
    hours = 1e18 / (peak * 0.375) / 3600
    assert doc["wall_clock_hours"] == pytest.approx(hours)


def test_existing_profile_needs_force(cli, isolated_config: Path) -> None:
    path = isolated_config / "profiles" / "local.yaml"
    path.parent.mkdir(parents=True)
    path.write_text("mine\n")
    r = cli("calibrate", "--seconds", "1")
    assert r.code == 2
    expected = f"{path} already exists; not overwriting it; pass --force to replace it"
    assert r.err == f"costcalc: error: --output: {expected}\n"
    assert r.out == ""
    assert path.read_text() == "mine\n"


@pytest.mark.parametrize(
    ("seconds", "message"),
    [
        ("0.5", "0.5 s is outside 1..3600 s"),
        ("-3", "-3 s is outside 1..3600 s"),
        ("7200", "7200 s is outside 1..3600 s"),
    ],
)
def test_seconds_out_of_range(cli, seconds: str, message: str) -> None:
    r = cli("calibrate", "--seconds", seconds)
    assert r.code == 2
    assert r.err == (
        f"costcalc: error: --seconds: {message}; a shorter run is too noisy to record, "
        "a longer one is never needed\n"
    )


# -- the timing loop, with a fake clock ------------------------------------------------


class FakeMachine:
    """A clock and matmuls that take exactly 2 N^3 / rate seconds."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def make(self, n: int):
        def run() -> None:
            self.now += 2 * n**3 / self.rate

        return run


@settings(max_examples=60, deadline=None)
@given(
    rate=st.floats(min_value=1e8, max_value=1e16),
    budget=st.floats(min_value=1.0, max_value=600.0),
)
def test_time_matmul_stays_within_budget_and_recovers_the_rate(rate: float, budget: float) -> None:
    machine = FakeMachine(rate)
    if 2 * 2 * cal.START_SIZE**3 / rate > budget / cal.SAMPLES_PER_BUDGET:
        budget = 4 * 2 * cal.START_SIZE**3 / rate * cal.SAMPLES_PER_BUDGET  # not absurdly slow
    timing = cal.time_matmul(machine.make, budget, max_size=16384, clock=machine.clock)
    assert cal.MIN_REPEATS <= len(timing.samples) <= cal.MAX_REPEATS
    assert timing.elapsed <= 1.2 * budget
    assert timing.size <= 16384
    for measured in timing.throughputs:
        assert measured == pytest.approx(rate, rel=1e-9)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(min_value=1e-4, max_value=10.0), min_size=3, max_size=29).filter(
        lambda xs: len(xs) % 2 == 1
    )
)
def test_statistics_order(samples: list[float]) -> None:
    m = cal.Measurement("fp32", "test", cal.Timing(100, 1, tuple(samples), sum(samples)))
    assert m.low <= m.median <= m.high
    assert m.spread >= m.quartile_spread - 1e-12 >= -1e-12
    assert m.median == pytest.approx(2e6 / statistics.median(samples))


def test_time_matmul_on_real_numpy_takes_enough_samples() -> None:
    # How long it takes is a timing (make bench); the budget rule is tested with a fake clock.
    timing = cal.time_matmul(cal._numpy_maker("float32"), 0.5, max_size=1024)
    assert len(timing.samples) >= cal.MIN_REPEATS
    assert all(sample > 0 for sample in timing.samples)


# -- detection -------------------------------------------------------------------------


def test_fake_nvidia_smi_is_detected_with_its_power(fake_gpu) -> None:
    fake_gpu([H100_LINE, H100_LINE])
    found = detect.detect()
    assert len(found.gpus) == 1
    gpu = found.primary
    assert (gpu.name, gpu.count, gpu.vendor, gpu.found_by) == (
        "NVIDIA H100 80GB HBM3",
        2,
        "NVIDIA",
        "nvidia-smi",
    )
    assert gpu.power_limit is not None and gpu.power_limit.value == 700.0
    assert gpu.memory is not None and gpu.memory.value == 81559 * 2**20
    prof, why = detect.match_profile(gpu, Catalog().all())
    assert prof is not None and prof.name == "h100-sxm"
    assert "nvidia-smi" in why


def test_hardware_local_without_calibration_uses_the_detected_gpu(fake_gpu, cli) -> None:
    fake_gpu([H100_LINE, H100_LINE])
    r = cli("estimate", "1e18", "-H", "local", "--format", "json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert doc["hardware"] == "h100-sxm"
    note = next(n for n in doc["notes"] if n.startswith("--hardware local"))
    assert "no calibrated profile" in note and "NVIDIA H100 80GB HBM3" in note
    assert "2 GPUs found" in note


def test_hardware_local_without_gpu_falls_back_to_cpu_server(tmp_path, monkeypatch, cli) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no nvidia-smi, no rocm-smi
    r = cli("estimate", "1e18", "-H", "local", "--format", "json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert doc["hardware"] == "cpu-server"
    assert "using the generic cpu-server" in doc["assumptions"]["hardware"]["source"]


@pytest.mark.parametrize(
    ("reported", "expected"),
    [
        ("NVIDIA H100 80GB HBM3, 81559 MiB, 700.00 W", "h100-sxm"),
        ("NVIDIA H100 PCIe, 81559 MiB, 350.00 W", "h100-pcie"),
        ("NVIDIA H100 NVL, 95830 MiB, 400.00 W", "h100-nvl"),
        ("NVIDIA A100-SXM4-80GB, 81920 MiB, 400.00 W", "a100-sxm-80gb"),
        ("NVIDIA A100-SXM4-40GB, 40960 MiB, 400.00 W", "a100-sxm-40gb"),
        ("NVIDIA A100-PCIE-40GB, 40960 MiB, 250.00 W", "a100-pcie-40gb"),
        ("Tesla V100-SXM2-16GB, 16384 MiB, 300.00 W", "v100-sxm2"),
        ("Tesla V100-PCIE-16GB, 16384 MiB, 250.00 W", "v100-pcie"),
        ("Tesla T4, 15360 MiB, 70.00 W", "t4"),
        ("NVIDIA L4, 23034 MiB, 72.00 W", "l4"),
        ("NVIDIA L40S, 46068 MiB, 350.00 W", "l40s"),
        ("NVIDIA GeForce RTX 4090, 24564 MiB, 450.00 W", "rtx-4090"),
        ("NVIDIA A10G, 23028 MiB, [N/A]", None),
        ("NVIDIA GB200, 189471 MiB, 1200.00 W", "gb200"),
    ],
)
def test_gpu_names_match_catalog_profiles(reported: str, expected: str | None) -> None:
    (gpu,) = detect.parse_nvidia_smi(reported + "\n")
    prof, why = detect.match_profile(gpu, Catalog().all())
    assert (prof.name if prof else None) == expected, why


def test_power_not_reported_is_none() -> None:
    (gpu,) = detect.parse_nvidia_smi("NVIDIA A10G, 23028 MiB, [N/A]\n")
    assert gpu.power_limit is None


def test_failing_nvidia_smi_is_a_remark_not_an_error(fake_gpu) -> None:
    fake_gpu(
        script="echo \"NVIDIA-SMI has failed because it couldn't communicate with the "
        'NVIDIA driver." >&2\nexit 9\n'
    )
    found = detect.detect()
    assert found.gpus == []
    assert any("nvidia-smi exited with status 9: NVIDIA-SMI has failed" in r for r in found.remarks)


def test_hanging_nvidia_smi_times_out(fake_gpu, monkeypatch) -> None:
    fake_gpu(script="exec sleep 20\n")
    monkeypatch.setattr(detect, "TOOL_TIMEOUT", 0.3)
    found = detect.detect()  # "did not answer": the timeout ended it, not the 20 s sleep
    assert found.gpus == []
    assert any("did not answer" in r for r in found.remarks)


def test_rocm_smi_json_is_parsed(tmp_path, monkeypatch) -> None:
    doc = {
        "card0": {
            "Card Series": "AMD Instinct MI300X OAM",
            "Max Graphics Package Power (W)": "750.0",
            "VRAM Total Memory (B)": "206141652992",
        }
    }
    fake_tool(tmp_path / "bin", "rocm-smi", f"cat <<'EOF'\n{json.dumps(doc)}\nEOF\n")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    (gpu,) = detect.detect().gpus
    assert (gpu.vendor, gpu.found_by, gpu.power_limit.value) == ("AMD", "rocm-smi", 750.0)
    prof, _ = detect.match_profile(gpu, Catalog().all())
    assert prof is not None and prof.name == "mi300x"


def test_cpu_from_proc_cpuinfo(tmp_path) -> None:
    info = tmp_path / "cpuinfo"
    info.write_text(
        "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7763 64-Core "
        "Processor\nphysical id\t: 0\n\nprocessor\t: 1\nvendor_id\t: AuthenticAMD\n"
        "model name\t: AMD EPYC 7763 64-Core Processor\nphysical id\t: 1\n"
    )
    mem = tmp_path / "meminfo"
    mem.write_text("MemTotal:       1000 kB\n")
    cpu = detect.detect_cpu(info, mem)
    assert (cpu.name, cpu.vendor, cpu.count) == ("AMD EPYC 7763 64-Core Processor", "AMD", 2)
    assert cpu.memory is not None and cpu.memory.value == 1024000
    found = detect.Detection([], cpu)
    prof, why = detect.choose_profile(found, Catalog())
    assert prof.name == "cpu-server"
    assert why.endswith("by name; using the generic cpu-server")


def test_rapl_counters_give_average_power_and_handle_wraparound(tmp_path) -> None:
    root = tmp_path / "powercap"
    for name, energy in (("intel-rapl:0", 1_000_000), ("intel-rapl:1", 990_000_000)):
        (root / name).mkdir(parents=True)
        (root / name / "energy_uj").write_text(f"{energy}\n")
        (root / name / "max_energy_range_uj").write_text("1000000000\n")
    (root / "intel-rapl:0:0").mkdir()  # a sub-domain (core), already in package 0
    (root / "intel-rapl:0:0" / "energy_uj").write_text("5\n")
    domains = detect.rapl_domains(root)
    assert [d.name for d in domains] == ["intel-rapl:0", "intel-rapl:1"]
    meter = detect.RaplMeter(domains)
    meter.start()
    (root / "intel-rapl:0" / "energy_uj").write_text("101000000\n")  # +100 J
    (root / "intel-rapl:1" / "energy_uj").write_text("40000000\n")  # wrapped: +50 J
    assert meter.stop(2.0) == pytest.approx(75.0)
    assert detect.rapl_domains(tmp_path / "absent") == []


# -- the profile for each power source and device ---------------------------------------


def _measurement(precision: str, rate: float) -> cal.Measurement:
    seconds = 2 * 1024**3 / rate
    timing = cal.Timing(1024, 1, (seconds * 0.9, seconds, seconds * 1.1), 3 * seconds)
    return cal.Measurement(precision, "test backend", timing)


def _document(device, power_args: dict, measurements) -> dict:
    catalog = Catalog()
    matched, why = detect.match_profile(device, catalog.all())
    args = dict(rapl_power=None, rapl_seconds=0.0, rapl_domains=[])
    args.update(power_args)
    entries, summary = cal._power_entries(
        device, **args, matched=matched, match_reason=why,
        fallback=catalog.get("cpu-server"), date="2026-01-02",
    )  # fmt: skip
    doc = cal.build_document(
        name="local",
        device=device,
        detection=detect.Detection([device] if device.kind == "gpu" else [], device),
        measurements=measurements,
        skipped=[],
        power_entries=entries,
        matched=matched,
        match_reason=why,
        measured_at=datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
    )
    return doc


def test_gpu_profile_takes_power_from_nvidia_smi() -> None:
    (gpu,) = detect.parse_nvidia_smi(H100_LINE + "\n")
    doc = _document(gpu, {}, [_measurement("bf16", 7e14), _measurement("fp32", 5e13)])
    profile = parse_profile(load(cal.to_yaml(doc), "local.yaml"))
    assert (profile.kind, profile.form, profile.default_precision) == ("gpu", "gpu", "bf16")
    assert profile.tdp is not None and profile.tdp.value == 700.0
    assert "nvidia-smi power.limit" in profile.tdp.source
    assert "% of the vendor dense bf16 peak in catalog profile h100-sxm" in profile.notes


def test_cpu_profile_takes_measured_rapl_power() -> None:
    cpu = detect.Device("cpu", "Intel", "Some Xeon", "/proc/cpuinfo", logical_cpus=8)
    power = dict(rapl_power=95.5, rapl_seconds=9.0, rapl_domains=[Path("/x/intel-rapl:0")])
    doc = _document(cpu, power, [_measurement("fp32", 1e11)])
    profile = parse_profile(load(cal.to_yaml(doc), "local.yaml"))
    assert profile.average_power is not None and profile.average_power.value == 95.5
    assert "RAPL" in profile.average_power.source
    assert profile.tdp is None


def test_unmatched_cpu_without_rapl_takes_a_per_core_share_marked_estimate() -> None:
    # never the 128-core server's 560 W for an 8-CPU machine: 8 x (280 W / 64 cores)
    cpu = detect.Device("cpu", "Intel", "Some Xeon", "/proc/cpuinfo", logical_cpus=8)
    doc = _document(cpu, {}, [_measurement("fp32", 1e11)])
    profile = parse_profile(load(cal.to_yaml(doc), "local.yaml"))
    assert profile.tdp is not None and profile.tdp.estimate
    assert profile.tdp.value == pytest.approx(8 * 280 / 64)
    assert "per core x 8 logical CPUs" in profile.tdp.source


# -- GPU measurement through torch -------------------------------------------------------


def test_gpu_without_torch_is_skipped_with_the_reason(fake_gpu, monkeypatch, tmp_path) -> None:
    fake_gpu([H100_LINE])
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch -> ImportError
    result = cal.calibrate(1.0, output=tmp_path / "local.yaml")
    assert result.device.kind == "cpu"
    assert any("torch is not installed" in s.reason for s in result.skipped)
    assert any("this profile describes the CPU" in r for r in result.remarks)
    assert "torch is not installed" in load_profile(tmp_path / "local.yaml").notes


def test_torch_gpu_measurement() -> None:
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("torch sees no GPU")
    got, _ = cal.measure_torch(torch, 2.0, lambda _: None)
    assert got and all(m.median > 0 for m in got)
