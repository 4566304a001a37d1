"""Managing profiles: the search path, user profiles, inheritance, and the ``profiles``,
``regions`` and ``config`` commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from costcalc import estimate
from costcalc.errors import DataError, InputError
from costcalc.profiles import Catalog, search_path

GOOD = """\
schema_version: 1
name: {name}
vendor: Acme
kind: gpu
form: gpu
dense_peak:
  bf16: {{value: 100 TFLOPS, source: datasheet, date: 2024-01-01}}
memory: {{value: 96 GB, source: datasheet, date: 2024-01-01}}
tdp: {{value: 300 W, source: datasheet, date: 2024-01-01}}
"""

OVERRIDE = """\
schema_version: 1
name: h100-sxm
base: h100-sxm
display_name: Our H100s
price:
  value: 2.10 USD/hour
  provider: our cluster
  kind: negotiated
  source: contract 2025-17
  date: 2025-01-01
"""


def _write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def user_dir() -> Path:
    """The (isolated) user profiles directory, <config dir>/profiles."""
    return Path(os.environ["COSTCALC_CONFIG_DIR"]) / "profiles"


# -- search path and shadowing ---------------------------------------------------------


def test_search_path_order(tmp_path: Path, user_dir: Path) -> None:
    user_dir.mkdir(parents=True)
    a, b, c, d = (tmp_path / x for x in "abcd")
    for x in (a, b, c, d):
        x.mkdir()
    env = {**os.environ, "COSTCALC_PROFILES_PATH": os.pathsep.join([str(a), str(b)])}
    layers = search_path([c, d], env)
    assert [layer.origin for layer in layers] == [
        "shipped",
        "user config",
        "COSTCALC_PROFILES_PATH",
        "COSTCALC_PROFILES_PATH",
        "profiles_dir",  # the keyword, from Python
        "profiles_dir",
    ]
    # later layers win, so the first entry of each list is last
    assert [layer.path for layer in layers[2:]] == [b, a, d, c]
    from costcalc.cli import flag
    from costcalc.errors import spelling

    with spelling(flag):  # the command line names its option
        assert [layer.origin for layer in search_path([c], env)][-1] == "--profiles-dir"


def test_user_profile_is_found_and_listed_with_its_origin(cli, user_dir: Path) -> None:
    _write(user_dir, "acme-x1", GOOD.format(name="acme-x1"))
    r = cli("profiles", "list", "--vendor", "acme", "--format", "json")
    assert r.code == 0, r.err
    [item] = json.loads(r.out)["profiles"]
    assert item["name"] == "acme-x1" and item["from"] == "user config"
    assert item["memory_gb"] == 96 and item["peak_tflops"] == 100
    assert cli("estimate", "1e18", "-H", "acme-x1", "--value", "device_hours").code == 0


def test_a_user_profile_shadows_a_shipped_one_and_inherits_from_it(cli, tmp_path: Path) -> None:
    hw = tmp_path / "hw"
    _write(hw, "h100-sxm", OVERRIDE)
    r = cli("--profiles-dir", str(hw), "estimate", "1e20", "-H", "h100", "-f", "json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert doc["assumptions"]["price"]["value"] == pytest.approx(2.10)
    assert doc["assumptions"]["price"]["source"].startswith("our cluster, negotiated")
    assert doc["assumptions"]["peak"]["value"] == 989  # inherited from the shipped profile
    listed = cli("--profiles-dir", str(hw), "profiles", "list", "--format", "json")
    [item] = [p for p in json.loads(listed.out)["profiles"] if p["name"] == "h100-sxm"]
    assert item["from"] == "--profiles-dir" and item["shadows"][0].endswith("h100-sxm.yaml")
    shown = cli("--profiles-dir", str(hw), "profiles", "show", "h100-sxm")
    assert "shadows" in shown.out and "[from h100-sxm]" in shown.out
    assert "contract 2025-17" in shown.out


def test_a_broken_user_file_is_reported_and_does_not_hide_the_others(cli, user_dir) -> None:
    _write(user_dir, "acme-x1", GOOD.format(name="acme-x1"))
    _write(user_dir, "broken", GOOD.format(name="broken").replace("300 W", "300 kWh"))
    r = cli("profiles", "list", "--vendor", "acme")
    assert r.code == 0
    assert "acme-x1" in r.out and "broken" not in r.out
    assert r.err.count("\n") == 1
    assert "broken.yaml:9: tdp.value: '300 kWh' is an energy" in r.err
    assert r.err.startswith("costcalc: warning: ")
    assert "h100-sxm" in cli("profiles", "list").out


def test_env_path_list(cli, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    _write(a, "acme-x1", GOOD.format(name="acme-x1"))
    _write(b, "acme-x1", GOOD.format(name="acme-x1").replace("100 TFLOPS", "200 TFLOPS"))
    env = {"COSTCALC_PROFILES_PATH": os.pathsep.join([str(a), str(b)])}
    r = cli("estimate", "1e18", "-H", "acme-x1", "-f", "json", env=env)
    assert json.loads(r.out)["assumptions"]["peak"]["value"] == 100  # first entry wins


def test_missing_profiles_dir_is_a_usage_error(cli, tmp_path: Path) -> None:
    r = cli("--profiles-dir", str(tmp_path / "nope"), "profiles", "list")
    assert r.code == 2 and "--profiles-dir: no such directory" in r.err


# -- inheritance -----------------------------------------------------------------------


def test_inheritance_merges_peaks_and_replaces_sourced_values(tmp_path: Path) -> None:
    text = (
        "schema_version: 1\nname: my-h100\nbase: h100-sxm\n"
        "dense_peak:\n  fp8: {value: 1500 TFLOPS, source: measured, date: 2025-01-01}\n"
    )
    cat = Catalog.from_search_path([tmp_path])
    _write(tmp_path, "my-h100", text)
    prof = cat.get("my-h100")
    base = cat.get("h100-sxm")
    assert prof.dense_peak["fp8"].value == 1500e12 and prof.dense_peak["fp8"].source == "measured"
    assert prof.dense_peak["bf16"] == base.dense_peak["bf16"]
    assert prof.tdp == base.tdp and prof.aliases == () and prof.base == "h100-sxm"
    assert "dense_peak.bf16" in prof.inherited and "tdp" in prof.inherited
    assert "dense_peak.fp8" not in prof.inherited


def test_inheritance_chain_and_cycle(tmp_path: Path) -> None:
    _write(tmp_path, "a", "schema_version: 1\nname: a\nbase: b\n")
    _write(tmp_path, "b", "schema_version: 1\nname: b\nbase: c\n")
    _write(tmp_path, "c", "schema_version: 1\nname: c\nbase: a\n")
    with pytest.raises(DataError, match=r"c.yaml:3: base: inheritance cycle a -> b -> c -> a"):
        Catalog.from_search_path([tmp_path]).get("a")
    _write(tmp_path, "c", "schema_version: 1\nname: c\nbase: tpu-v2\n")
    chained = Catalog.from_search_path([tmp_path]).get("a")
    assert chained.base == "b" and chained.dense_peak["bf16"].value == 180e12


def test_unknown_base_says_did_you_mean(tmp_path: Path) -> None:
    _write(tmp_path, "mine", "schema_version: 1\nname: mine\nbase: h100-smx\n")
    with pytest.raises(DataError) as err:
        Catalog.from_search_path([tmp_path]).get("mine")
    assert str(err.value).endswith(
        "mine.yaml:3: base: unknown profile 'h100-smx' (did you mean 'h100-sxm'?); "
        "see 'costcalc profiles list'"
    )


def test_name_must_match_file_name(tmp_path: Path) -> None:
    path = _write(tmp_path, "other", GOOD.format(name="acme-x1"))
    with pytest.raises(DataError, match="other.yaml:2: name 'acme-x1' does not match"):
        Catalog.from_search_path([tmp_path]).load_file(path)


# -- profiles commands -----------------------------------------------------------------


def test_list_filters_and_sorts(cli) -> None:
    r = cli("profiles", "list", "--vendor", "NVIDIA", "--min-memory", "80GB", "-f", "json")
    items = json.loads(r.out)["profiles"]
    assert items and all(i["vendor"] == "NVIDIA" and i["memory_gb"] >= 80 for i in items)
    assert [i["name"] for i in items] == sorted(i["name"] for i in items)
    r = cli("profiles", "list", "--sort", "price", "--reverse", "-f", "json")
    prices = [i["price_usd_per_hour"] for i in json.loads(r.out)["profiles"]]
    known = [p for p in prices if p is not None]
    assert known == sorted(known, reverse=True) and prices[: len(known)] == known
    tpus = json.loads(cli("profiles", "list", "--kind", "tpu", "-f", "json").out)["profiles"]
    assert {i["kind"] for i in tpus} == {"tpu"} and len(tpus) >= 7


def test_list_table_and_csv(cli) -> None:
    r = cli("profiles", "list", "--kind", "tpu")
    assert r.code == 0 and r.out.splitlines()[0].split()[:3] == ["name", "vendor", "kind"]
    assert "tpu-v5p" in r.out and r.out.rstrip().endswith("profiles")
    csv_out = cli("profiles", "list", "-f", "csv").out.splitlines()
    assert csv_out[0].startswith("name,vendor,kind,form,chips,year,precision,peak_tflops")
    assert len(csv_out) == 1 + len(Catalog().all())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sort", "prise"], "--sort: unknown column 'prise' (did you mean 'price'?)"),
        (["--vendor", "nvidai"], "--vendor: no profile has vendor 'nvidai' (did you mean"),
        (["--kind", "gpus"], "--kind: unknown kind 'gpus' (did you mean 'gpu'?)"),
        (["--min-memory", "80 W"], "--min-memory: '80 W' is a power, expected a memory size"),
    ],
)
def test_list_bad_options(cli, args: list[str], message: str) -> None:
    r = cli("profiles", "list", *args)
    assert r.code == 2 and r.out == ""
    assert r.err.startswith(f"costcalc: error: {message}"), r.err


def test_show_lists_every_field_with_its_source(cli) -> None:
    r = cli("profiles", "show", "h100")
    assert r.code == 0
    for field in ("dense_peak.bf16", "sparse_peak.fp8", "memory", "tdp", "price", "2025-03-17"):
        assert field in r.out
    doc = json.loads(cli("profiles", "show", "h100-sxm", "-f", "json").out)
    assert doc["dense_peak"]["bf16"]["value"] == "989 TFLOPS"
    assert doc["price"]["provider"] == "AWS" and doc["from"] == "shipped"
    bad = cli("profiles", "show", "h100-smx")
    assert bad.code == 2 and "unknown hardware 'h100-smx' (did you mean" in bad.err


def test_validate_ok_and_every_problem(cli, tmp_path: Path) -> None:
    good = _write(tmp_path, "acme-x1", GOOD.format(name="acme-x1"))
    r = cli("profiles", "validate", str(good))
    assert r.code == 0 and r.out.endswith("1 file checked: ok\n")
    bad = _write(
        tmp_path / "bad",
        "bad",
        GOOD.format(name="bad").replace("300 W", "300 kWh").replace("kind: gpu", "kind: gpus"),
    )
    r = cli("profiles", "validate", str(good), str(bad))
    assert r.code == 2
    assert f"{bad}:4: kind: expected one of gpu, tpu, accelerator, cpu (did you mean" in r.out
    assert f"{bad}:9: tdp.value: '300 kWh' is an energy, expected a power" in r.out
    assert r.out.endswith("2 files checked: 2 problems\n")


def test_validate_the_shipped_directory(cli) -> None:
    from costcalc.profiles import shipped_dir

    r = cli("profiles", "validate", str(shipped_dir()))
    assert r.code == 0, r.out
    assert r.out.endswith(f"{len(list(shipped_dir().glob('*.yaml')))} files checked: ok\n")


def test_validate_finds_duplicate_names(cli, tmp_path: Path) -> None:
    a = _write(tmp_path / "a", "acme-x1", GOOD.format(name="acme-x1"))
    b = _write(tmp_path / "b", "acme-x1", GOOD.format(name="acme-x1"))
    r = cli("profiles", "validate", str(a), str(b))
    assert r.code == 2 and "'acme-x1' is also the name or alias in" in r.out


def test_schema_command_prints_the_schema(cli) -> None:
    doc = json.loads(cli("profiles", "schema").out)
    assert doc["$schema"].startswith("https://json-schema.org/")


def test_new_writes_a_template_and_never_overwrites(cli, tmp_path: Path) -> None:
    r = cli("profiles", "new", "acme-x2", "--dir", str(tmp_path))
    path = tmp_path / "acme-x2.yaml"
    assert r.code == 0 and str(path) in r.out
    # the template is not valid until it is filled in; validate says what is missing
    v = cli("profiles", "validate", str(path))
    assert v.code == 2 and "dense_peak.bf16.value: missing value" in v.out
    before = path.read_text()
    again = cli("profiles", "new", "acme-x2", "--dir", str(tmp_path))
    assert again.code == 2 and "already exists; not overwriting it; pass --force" in again.err
    assert path.read_text() == before
    forced = cli(
        "profiles", "new", "acme-x2", "--base", "h100-sxm", "--dir", str(tmp_path), "--force"
    )
    assert forced.code == 0 and "base: h100-sxm" in path.read_text()
    assert cli("profiles", "validate", str(path)).code == 0
    assert [p.name for p in tmp_path.iterdir()] == ["acme-x2.yaml"]  # no temp files left


def test_new_goes_to_the_user_directory_and_is_used(cli, user_dir: Path) -> None:
    assert cli("profiles", "new", "my-h100", "--base", "h100-sxm").code == 0
    assert (user_dir / "my-h100.yaml").is_file()
    r = cli("estimate", "1e18", "-H", "my-h100", "-f", "json")
    assert json.loads(r.out)["hardware"] == "my-h100"


def test_new_rejects_bad_names_and_bases(cli, tmp_path: Path) -> None:
    r = cli("profiles", "new", "My GPU", "--dir", str(tmp_path))
    assert r.code == 2 and "NAME: 'My GPU' is not a profile name" in r.err
    r = cli("profiles", "new", "x", "--base", "h100-smx", "--dir", str(tmp_path))
    assert r.code == 2 and "--base: unknown hardware 'h100-smx'" in r.err


# -- regions ---------------------------------------------------------------------------


def test_regions_list_filters_sorts_and_formats(cli) -> None:
    doc = json.loads(cli("regions", "list", "--provider", "aws", "-f", "json").out)
    assert doc["regions"] and {r["provider"] for r in doc["regions"]} == {"aws"}
    rows = json.loads(
        cli("regions", "list", "--kind", "country", "--sort", "carbon_intensity", "-f", "json").out
    )["regions"]
    values = [r["carbon_intensity_g_per_kwh"] for r in rows]
    assert values == sorted(values) and len(rows) > 200
    table = cli("regions", "list", "--provider", "gcp").out
    assert "us-central1" in table and table.rstrip().endswith("regions")
    assert cli("regions", "list", "-f", "csv").out.startswith("id,kind,name,provider")
    bad = cli("regions", "list", "--provider", "amazon")
    assert bad.code == 2 and "--provider: unknown value 'amazon'" in bad.err


@pytest.mark.parametrize("key", ["IS", "ISL", "iceland", "Iceland"])
def test_regions_show(cli, key: str) -> None:
    r = cli("regions", "show", key, "-f", "json")
    assert r.code == 0 and json.loads(r.out)["id"] == "is"


def test_regions_show_did_you_mean(cli) -> None:
    r = cli("regions", "show", "us-centrl1")
    assert r.code == 2 and "unknown region 'us-centrl1' (did you mean 'us-central1'?)" in r.err


def test_library_catalog_argument(tmp_path: Path) -> None:
    _write(tmp_path, "acme-x1", GOOD.format(name="acme-x1"))
    cat = Catalog.from_search_path([tmp_path])
    assert estimate("1e18", hardware="acme-x1", catalog=cat).hardware.vendor == "Acme"
    with pytest.raises(InputError):
        estimate("1e18", hardware="acme-x1", catalog=Catalog())


def test_profiles_list_as_a_real_subprocess(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("costcalc")
    out = subprocess.run(
        [str(exe), "profiles", "list", "-f", "json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "COSTCALC_CONFIG_DIR": str(tmp_path)},
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert len(json.loads(out.stdout)["profiles"]) >= 30
